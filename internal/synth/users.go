package synth

import (
	"strconv"
	"time"

	"github.com/rosterd/rosterd/roster"
)

// Shares of students and teachers with optional data or a second school.
const (
	secondSchoolShare  = 0.015 // secondary students also at another school
	multiSchoolTeacher = 0.25
	programsShare      = 0.12
	extShare           = 0.05
	staffTeacherEvery  = 10 // one staff member in ten is also a teacher
)

// users makes every user record in ID order: students, teachers, staff,
// district admins and contacts, with room for the duplicates the defects
// will insert.
func (g *generator) users() {
	staffOnTeachers := g.staffOnTeachers()
	contacts := 0
	if g.p.Contacts {
		contacts = g.contactCount()
	}
	dupStudents, _ := g.duplicateCounts()
	total := g.p.Students + len(g.teachers) + g.p.Staff - staffOnTeachers + g.p.DistrictAdmins + contacts
	g.r.Users = make([]roster.User, total, total+dupStudents)

	g.students(g.r.Users[:g.p.Students])
	teachers := g.r.Users[g.p.Students : g.p.Students+len(g.teachers)]
	g.teacherUsers(teachers)
	rest := g.staff(g.r.Users[g.p.Students+len(g.teachers):], teachers)
	rest = g.admins(rest)
	if g.p.Contacts {
		g.contacts(rest)
	}
}

// studentRec holds what is needed to make a student besides randomness.
type studentRec struct {
	idx, seq int
	school   *schoolPlan
	grade    int
}

// students fills us with every student, school by school and grade by
// grade, the order their IDs were minted in.
func (g *generator) students(us []roster.User) {
	r := newRNG(g.p.Seed, streamStudents)
	roles := make([]roster.Student, len(us))
	g.sisBase = 100_000_000 + r.intn(700_000_000)
	for si := range g.schools {
		s := &g.schools[si]
		for _, gs := range s.grades {
			for i := gs.first; i < gs.first+gs.n; i++ {
				g.student(&us[i], &roles[i], &r, studentRec{idx: i, seq: i, school: s, grade: gs.grade})
			}
		}
	}
}

// student fills u as the student rec describes. seq numbers the student's
// SIS ID and username, which stay unique even for a duplicate record.
func (g *generator) student(u *roster.User, st *roster.Student, r *rng, rec studentRec) {
	t := &g.text
	first, last := pick(r, firstNames), pick(r, lastNames)
	*u = roster.User{
		ID:           g.studentIDs[rec.idx],
		District:     g.districtID,
		Name:         roster.Name{First: first, Last: last},
		Roles:        roster.Roles{Student: st},
		LastModified: g.stamp(kindStudent, rec.seq),
	}
	if r.chance(0.65) {
		u.Name.Middle = pick(r, middleInitials)
	}
	// The username is the email's local part, and shares its bytes.
	// Young children often have no email address.
	t.begin().lower(first).lower(last[:1]).n(rec.seq)
	local := len(t.buf)
	var username string
	if r.chance(0.95) && (rec.grade > 2 || r.chance(0.5)) {
		u.Email = t.s("@").s(g.studentDom).done()
		username = u.Email[:local]
	} else {
		username = t.done()
	}

	// In the order the generator has always drawn them, so that a seed
	// makes the same district.
	sisID, dob := t.begin().n(g.sisBase+rec.seq).done(), birthDate(r, rec.grade)
	demo := roster.Demographics{
		Gender:            pick(r, genders),
		Race:              pick(r, races),
		HispanicEthnicity: pick(r, hispanic),
		ELLStatus:         pick(r, ellStatuses),
		HomeLanguage:      pick(r, homeLanguages),
	}
	*st = roster.Student{SISID: sisID, Grade: gradeName(rec.grade), School: rec.school.id, DOB: dob}
	if r.chance(0.9) {
		st.StudentNumber = st.SISID
	}
	if r.chance(0.95) {
		// An affine map with a multiplier prime to 10 is one-to-one on
		// ten-digit numbers, so state IDs never repeat.
		st.StateID = t.begin().pad((rec.seq*7919+3*g.sisBase+4_000_000_000)%10_000_000_000, 10).done()
	}
	if r.chance(0.9) {
		st.Username = username
	}
	if rec.grade >= 6 && r.chance(0.8) {
		demo.GraduationYear = graduationYears[rec.grade-6]
	}
	st.Schools = g.schoolsOf(r, rec.school, rec.school.level != elementary && r.chance(secondSchoolShare))
	if r.chance(programsShare) {
		st.Programs = g.programs.one()
		*st.Programs = roster.Programs{
			IEPStatus: pick(r, programValues), Section504Status: pick(r, programValues),
			FRLStatus: pick(r, programValues), GiftedStatus: pick(r, programValues),
		}
		if *st.Programs == (roster.Programs{}) {
			// Every status blank is no programs block at all, as the
			// store reads it back.
			st.Programs = nil
		}
	}
	if r.chance(extShare) {
		st.Ext = roster.ExtStrings(pick(r, photoConsents))
	}
	st.Demographics = g.demographics.Demographics(demo)
}

// graduationYears holds the class year of grades 6 to 12.
var graduationYears = func() [7]string {
	var y [7]string
	for i := range y {
		y[i] = strconv.Itoa(schoolYear + 1 + 12 - (i + 6))
	}
	return y
}()

// birthDate returns a date of birth for a student in grade in this school
// year: five on 1 September for Kindergarten, and a year older for a few
// who repeated a grade. A few have none.
func birthDate(r *rng, grade int) roster.Date {
	if r.chance(0.01) {
		return roster.Date{}
	}
	year := schoolYear - 6 - grade
	if r.chance(0.02) {
		year--
	}
	d := time.Date(year, time.September, 2+r.intn(365), 0, 0, 0, 0, time.UTC)
	return roster.Date{Year: int16(d.Year()), Month: uint8(d.Month()), Day: uint8(d.Day())}
}

// schoolsOf returns a user's school list: s, and with another another
// school of the same level when the district has one.
func (g *generator) schoolsOf(r *rng, s *schoolPlan, another bool) []string {
	other := ""
	if another {
		other = g.otherSchool(r, s)
	}
	if other == "" {
		ids := g.refs.take(1)
		ids[0] = s.id
		return ids
	}
	ids := g.refs.take(2)
	ids[0], ids[1] = s.id, other
	return ids
}

// otherSchool returns the ID of a school other than s, of s's level when
// there is one, or "" in a one-school district.
func (g *generator) otherSchool(r *rng, s *schoolPlan) string {
	if len(g.schools) < 2 {
		return ""
	}
	for range 8 {
		o := &g.schools[r.intn(len(g.schools))]
		if o != s && o.level == s.level {
			return o.id
		}
	}
	for {
		if o := &g.schools[r.intn(len(g.schools))]; o != s {
			return o.id
		}
	}
}

// teacherUsers fills us with the planned teachers.
func (g *generator) teacherUsers(us []roster.User) {
	r := newRNG(g.p.Seed, streamTeachers)
	roles := make([]roster.Teacher, len(us))
	t := &g.text
	for i := range us {
		tp := &g.teachers[i]
		s := &g.schools[tp.school]
		local := t.begin().lower(tp.first[:1]).lower(tp.last).n(i).done()
		us[i] = roster.User{
			ID:           tp.id,
			District:     g.districtID,
			Name:         roster.Name{First: tp.first, Middle: tp.middle, Last: tp.last},
			Roles:        roster.Roles{Teacher: &roles[i]},
			LastModified: g.stamp(kindTeacher, i),
		}
		if r.chance(0.97) {
			us[i].Email = t.begin().s(local).s("@").s(g.domain).done()
		}
		roles[i] = roster.Teacher{
			SISID:    t.begin().n(1000 + i).done(),
			Username: local,
			Title:    tp.title,
			School:   s.id,
		}
		if r.chance(0.8) {
			roles[i].TeacherNumber = t.begin().pad((i*7877+g.sisBase)%1_000_000, 6).done()
		}
		if r.chance(0.85) {
			roles[i].StateID = t.begin().pad((i*7919+g.sisBase/7)%1_000_000_000, 9).done()
		}
		roles[i].Schools = g.teacherSchools(&r, s)
	}
}

// teacherSchools returns the schools of a teacher of s: itinerant teachers
// list one or two more.
func (g *generator) teacherSchools(r *rng, s *schoolPlan) []string {
	if len(g.schools) < 2 || !r.chance(multiSchoolTeacher) {
		return g.schoolsOf(r, s, false)
	}
	extra := 1
	if len(g.schools) > 2 && r.chance(0.2) {
		extra = 2
	}
	ids := g.refs.take(1 + extra)
	ids[0] = s.id
	for j := 1; j <= extra; j++ {
		for ids[j] == "" || hasID(ids[:j], ids[j]) {
			ids[j] = g.otherSchool(r, s)
		}
	}
	return ids
}

func hasID(ids []string, id string) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// staff gives the staff role to one teacher in every staffTeacherEvery
// staff members and fills the front of us with the others; it returns the
// rest of us.
func (g *generator) staff(us []roster.User, teachers []roster.User) []roster.User {
	r := newRNG(g.p.Seed, streamStaff)
	t := &g.text
	roles := make([]roster.Staff, g.p.Staff)
	staffed := make(map[int]bool)
	onTeachers := g.staffOnTeachers()
	n := 0
	for i := range roles {
		s := &g.schools[i%len(g.schools)]
		title := staffTitles[(i/len(g.schools))%len(staffTitles)]
		role := &roles[i]
		*role = roster.Staff{
			StaffID:    t.begin().s("S").pad(1+i, 5).done(),
			Title:      title.title,
			Department: title.department,
			Schools:    g.schoolsOf(&r, s, r.chance(0.1)),
		}
		if (i+1)%staffTeacherEvery == 0 && len(staffed) < onTeachers {
			// The teacher of the school, or of the district, that holds
			// no staff role yet.
			k := s.firstTeacher
			if s.endTeacher == s.firstTeacher {
				k = 0
			}
			for staffed[k] {
				k = (k + 1) % len(teachers)
			}
			staffed[k] = true
			role.Username = teachers[k].Roles.Teacher.Username
			teachers[k].Roles.Staff = role
			continue
		}
		first, last := pick(&r, firstNames), pick(&r, lastNames)
		role.Username = t.begin().lower(first[:1]).lower(last).s("s").n(i).done()
		us[n] = roster.User{
			ID:           g.id(kindStaff, n),
			District:     g.districtID,
			Name:         roster.Name{First: first, Last: last},
			Email:        t.begin().s(role.Username).s("@").s(g.domain).done(),
			Roles:        roster.Roles{Staff: role},
			LastModified: g.stamp(kindStaff, n),
		}
		n++
	}
	return us[n:]
}

// staffOnTeachers returns how many staff roles teachers hold.
func (g *generator) staffOnTeachers() int {
	return min(g.p.Staff/staffTeacherEvery, len(g.teachers))
}

// admins fills the front of us with the district admins and returns the
// rest.
func (g *generator) admins(us []roster.User) []roster.User {
	r := newRNG(g.p.Seed, streamStaff+100)
	t := &g.text
	roles := make([]roster.DistrictAdmin, g.p.DistrictAdmins)
	for i := range roles {
		first, last := pick(&r, firstNames), pick(&r, lastNames)
		roles[i].Title = pick(&r, adminTitles)
		us[i] = roster.User{
			ID:           g.id(kindAdmin, i),
			District:     g.districtID,
			Name:         roster.Name{First: first, Last: last},
			Email:        t.begin().lower(first).s(".").lower(last).s("@").s(g.domain).done(),
			Roles:        roster.Roles{DistrictAdmin: &roles[i]},
			LastModified: g.stamp(kindAdmin, i),
		}
	}
	return us[len(roles):]
}
