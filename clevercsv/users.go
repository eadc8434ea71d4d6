package clevercsv

import (
	"bytes"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/rosterd/rosterd/roster"
)

// students.csv columns, as Clever documents them.
var studentColumns = []string{
	"School_id", "Student_id", "Student_number", "State_id", "Last_name", "Middle_name", "First_name",
	"Grade", "Gender", "Dob", "Race", "Hispanic_Latino", "Ell_status", "Home_language", "Graduation_year",
	"Student_email", "Username", "Frl_status", "Iep_status", "Section_504_status", "Gifted_status",
}

const (
	stSchool = iota
	stID
	stNumber
	stStateID
	stLast
	stMiddle
	stFirst
	stGrade
	stGender
	stDOB
	stRace
	stHispanic
	stELL
	stHomeLanguage
	stGraduationYear
	stEmail
	stUsername
	stFRL
	stIEP
	st504
	stGifted
)

var studentRequired = []string{"School_id", "Student_id", "First_name", "Last_name"}

// dropStudent names the students.csv columns the roster has no field for:
// the student's address, GPAs, disability and home-language code, and the
// contact columns (contacts are not read).
func dropStudent(norm string) bool {
	switch norm {
	case "student_street", "student_city", "student_state", "student_zip", "student_address",
		"unweighted_gpa", "weighted_gpa", "home_language_code":
		return true
	}
	return strings.HasPrefix(norm, "contact_") || strings.HasPrefix(norm, "disability_")
}

// teachers.csv columns.
var teacherColumns = []string{
	"School_id", "Teacher_id", "Teacher_number", "State_teacher_id", "Teacher_email",
	"First_name", "Middle_name", "Last_name", "Title", "Username",
}

const (
	tcSchool = iota
	tcID
	tcNumber
	tcStateID
	tcEmail
	tcFirst
	tcMiddle
	tcLast
	tcTitle
	tcUsername
)

var teacherRequired = []string{"School_id", "Teacher_id", "First_name", "Last_name"}

// staff.csv columns; admins.csv, its deprecated predecessor, is read with
// them and its own names for the email and the title.
var staffColumns = []string{
	"School_id", "Staff_id", "Staff_email", "First_name", "Middle_name", "Last_name",
	"Title", "Department", "Username", "Admin_email", "Admin_title",
}

const (
	sfSchool = iota
	sfID
	sfEmail
	sfFirst
	sfMiddle
	sfLast
	sfTitle
	sfDepartment
	sfUsername
	sfAdminEmail
	sfAdminTitle
)

var staffRequired = []string{"School_id", "Staff_id"}

// The messages of values that cannot be mapped; none repeats the value.
const (
	msgGender = "not a gender Clever knows (M, F, X, or male, female, nonbinary)"
	msgRace   = "not a race Clever knows (the codes W, B, I, A, M, P, U, or the names Clever's API uses)"
	msgYesNo  = "not Y or N"
	msgFRL    = "not a lunch status Clever knows (Free, Reduced, Paid, Other, or F, R, N)"
)

func (rd *reader) studentRows(t *table) func(*table) {
	c := resolve(t, studentColumns, dropStudent)
	return func(*table) {
		sis, ok := c.require(stID)
		if !ok {
			return
		}
		id := UserID(roster.RoleStudent, sis)
		rec := record{entity: roster.EntityStudent, id: id, sisID: sis}
		school := rd.in.String(SchoolID(c.v(stSchool)))
		st := &roster.Student{
			SISID:         sis,
			StudentNumber: c.v(stNumber),
			StateID:       c.v(stStateID),
			Username:      c.v(stUsername),
			Grade:         rd.mapped(rec, "grade", c.v(stGrade), normGrade, msgGrade),
			School:        school,
			Schools:       schoolList(school),
			DOB:           rd.date(rec, "dob", c.v(stDOB)),
			Demographics: rd.in.Demographics(roster.Demographics{
				Gender:            rd.mapped(rec, "gender", c.v(stGender), normGender, msgGender),
				GraduationYear:    rd.in.String(c.v(stGraduationYear)),
				Race:              rd.mapped(rec, "race", c.v(stRace), normRace, msgRace),
				HispanicEthnicity: rd.mapped(rec, "hispanic_ethnicity", c.v(stHispanic), normYesNo, msgYesNo),
				ELLStatus:         rd.mapped(rec, "ell_status", c.v(stELL), normYesNo, msgYesNo),
				HomeLanguage:      rd.in.String(c.v(stHomeLanguage)),
			}),
			Ext: c.extOf(),
		}
		p := roster.Programs{
			IEPStatus:        rd.in.String(iep(c.v(stIEP))),
			Section504Status: rd.mapped(rec, "section_504_status", c.v(st504), normYesNo, msgYesNo),
			FRLStatus:        rd.mapped(rec, "frl_status", c.v(stFRL), normFRL, msgFRL),
			GiftedStatus:     rd.mapped(rec, "gifted_status", c.v(stGifted), normYesNo, msgYesNo),
		}
		if p != (roster.Programs{}) {
			st.Programs = &p
		}
		u := roster.User{
			ID:    id,
			Name:  roster.Name{First: c.v(stFirst), Middle: c.v(stMiddle), Last: c.v(stLast)},
			Email: c.v(stEmail),
			Roles: roster.Roles{Student: st},
		}
		if at, ok := rd.users[id]; ok {
			rd.mergeUser(t.name, at, &u, roster.EntityStudent, rec, true)
			return
		}
		rd.addUser(u)
	}
}

// iep maps an IEP status: Y and N as the other flags, any other text as
// written (Clever's API does not restrict it).
func iep(s string) string {
	if v, ok := normYesNo(s); ok {
		return v
	}
	return s
}

func (rd *reader) teacherRows(t *table) func(*table) {
	c := resolve(t, teacherColumns, nil)
	return func(*table) {
		sis, ok := c.require(tcID)
		if !ok {
			return
		}
		id := UserID(roster.RoleTeacher, sis)
		rec := record{entity: roster.EntityTeacher, id: id, sisID: sis}
		school := rd.in.String(SchoolID(c.v(tcSchool)))
		u := roster.User{
			ID:    id,
			Name:  roster.Name{First: c.v(tcFirst), Middle: c.v(tcMiddle), Last: c.v(tcLast)},
			Email: c.v(tcEmail),
			Roles: roster.Roles{Teacher: &roster.Teacher{
				SISID:         sis,
				TeacherNumber: c.v(tcNumber),
				StateID:       c.v(tcStateID),
				Username:      c.v(tcUsername),
				Title:         rd.in.String(c.v(tcTitle)),
				School:        school,
				Schools:       schoolList(school),
				Ext:           c.extOf(),
			}},
		}
		if at, ok := rd.users[id]; ok {
			rd.mergeUser(t.name, at, &u, roster.EntityTeacher, rec, true)
			return
		}
		at := rd.addUser(u)
		if _, seen := rd.teacherLast[sis]; !seen {
			rd.teacherLast[sis] = u.Name.Last
		}
		if email := strings.ToLower(u.Email); email != "" {
			if _, shared := rd.teacherEmails[email]; shared {
				rd.teacherEmails[email] = -1
			} else {
				rd.teacherEmails[email] = at
			}
		}
	}
}

// staffRows maps staff.csv, and admins.csv the same way. A staff member
// whose email is a teacher's (and no other teacher's) is that teacher,
// holding both roles, as Clever merges them.
func (rd *reader) staffRows(t *table) func(*table) {
	c := resolve(t, staffColumns, nil)
	email := func() string {
		if v := c.v(sfEmail); v != "" {
			return v
		}
		return c.v(sfAdminEmail)
	}
	title := func() string {
		if v := c.v(sfTitle); v != "" {
			return v
		}
		return c.v(sfAdminTitle)
	}
	return func(*table) {
		sis, ok := c.require(sfID)
		if !ok {
			return
		}
		id := UserID(roster.RoleStaff, sis)
		school := rd.in.String(SchoolID(c.v(sfSchool)))
		st := &roster.Staff{
			StaffID:    sis,
			Username:   c.v(sfUsername),
			Title:      rd.in.String(title()),
			Department: rd.in.String(c.v(sfDepartment)),
			Schools:    schoolList(school),
			Ext:        c.extOf(),
		}
		u := roster.User{
			ID:    id,
			Name:  roster.Name{First: c.v(sfFirst), Middle: c.v(sfMiddle), Last: c.v(sfLast)},
			Email: email(),
			Roles: roster.Roles{Staff: st},
		}
		if at, ok := rd.staffUsers[sis]; ok {
			holder := &rd.r.Users[at]
			rec := record{entity: roster.EntityStaff, id: holder.ID, sisID: holder.SISID()}
			rd.mergeUser(t.name, at, &u, roster.EntityStaff, rec, holder.Roles.Teacher == nil)
			return
		}
		if at, ok := rd.teacherEmails[strings.ToLower(u.Email)]; ok && at >= 0 && u.Email != "" && rd.r.Users[at].Roles.Staff == nil {
			rd.r.Users[at].Roles.Staff = st
			rd.staffUsers[sis] = at
			return
		}
		rd.staffUsers[sis] = rd.addUser(u)
	}
}

// addUser appends u and returns its position.
func (rd *reader) addUser(u roster.User) int {
	at := len(rd.r.Users)
	rd.r.Users = append(rd.r.Users, u)
	rd.users[u.ID] = at
	return at
}

// userID returns the ID string of the user id, shared with the user
// record when there is one.
func (rd *reader) userID(id string) string {
	if at, ok := rd.users[id]; ok {
		return rd.r.Users[at].ID
	}
	return rd.in.String(id)
}

// schoolList is the Schools of a user listed at school.
func schoolList(school string) []string {
	if school == "" {
		return nil
	}
	return []string{school}
}

// mergeUser completes the user at position at with src, the record of a
// later row of file listing the same user as entity e: Clever's files
// list a user once per school (and a student once per contact). src's
// school joins the user's schools; a field on which the rows disagree is
// a field error, and the first row's value is kept. common says whether
// the fields every role shares (name, email) are compared: not when a
// staff role merged into a teacher's user, whose name is the teacher's.
func (rd *reader) mergeUser(file string, at int, src *roster.User, e roster.Entity, rec record, common bool) {
	dst := &rd.r.Users[at]
	msg := fmt.Sprintf("%s lists this %s on several rows that disagree on this field; the first row's value is kept", file, e)
	for _, path := range roster.FieldNames(e) {
		switch path {
		case "id", "district", "school", "schools":
			continue
		case "name.first", "name.middle", "name.last", "email":
			if !common {
				continue
			}
		}
		f, err := roster.LookupField(e, path)
		if err != nil {
			continue
		}
		if !slices.Equal(f.AppendValues(nil, dst), f.AppendValues(nil, src)) {
			rd.fieldError(rec, path, msg)
		}
	}
	switch e {
	case roster.EntityStudent:
		d, s := dst.Roles.Student, src.Roles.Student
		d.Schools = addSchool(d.Schools, s.School)
		rd.compareExt(rec, d.Ext, s.Ext, msg)
	case roster.EntityTeacher:
		d, s := dst.Roles.Teacher, src.Roles.Teacher
		d.Schools = addSchool(d.Schools, s.School)
		rd.compareExt(rec, d.Ext, s.Ext, msg)
	case roster.EntityStaff:
		d, s := dst.Roles.Staff, src.Roles.Staff
		for _, school := range s.Schools {
			d.Schools = addSchool(d.Schools, school)
		}
		rd.compareExt(rec, d.Ext, s.Ext, msg)
	}
}

// compareExt reports each ext key two rows of one user disagree on.
func (rd *reader) compareExt(rec record, a, b roster.Ext, msg string) {
	var keys []string
	for k, v := range a.All() {
		if w, _ := b.Raw(k); !bytes.Equal(v, w) {
			keys = append(keys, k)
		}
	}
	for k := range b.All() {
		if _, ok := a.Raw(k); !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		rd.fieldError(rec, "ext."+k, msg)
	}
}

func addSchool(schools []string, school string) []string {
	if school == "" || slices.Contains(schools, school) {
		return schools
	}
	return append(schools, school)
}
