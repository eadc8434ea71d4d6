package clevercsv_test

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rosterd/rosterd/clevercsv"
	"github.com/rosterd/rosterd/internal/synth"
	"github.com/rosterd/rosterd/roster"
)

// writeCleverCSV writes r as a Clever SFTP package in dir, the way a SIS
// export would: SIS IDs for every reference, one row per user and school,
// grades as K and PK, genders as words, races as codes, free-text
// subjects, M/D/YY birth dates and M/D/YYYY term dates, CRLF line endings
// in some files. Contacts and district admins have no file and are left
// out.
func writeCleverCSV(t testing.TB, dir string, r *roster.Roster) {
	t.Helper()
	sis := map[string]string{}
	for _, s := range r.Schools {
		sis[s.ID] = s.SISID
	}
	for _, s := range r.Sections {
		sis[s.ID] = s.SISID
	}
	for i := range r.Users {
		u := &r.Users[i]
		switch {
		case u.Roles.Student != nil:
			sis[u.ID] = u.Roles.Student.SISID
		case u.Roles.Teacher != nil:
			sis[u.ID] = u.Roles.Teacher.SISID
		}
	}
	terms := map[string]*roster.Term{}
	for i := range r.Terms {
		terms[r.Terms[i].ID] = &r.Terms[i]
	}
	courses := map[string]*roster.Course{}
	for i := range r.Courses {
		courses[r.Courses[i].ID] = &r.Courses[i]
	}

	write := func(name string, crlf bool, header []string, rows [][]string) {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		w := csv.NewWriter(f)
		w.UseCRLF = crlf
		w.Write(header)
		w.WriteAll(rows)
		if err := w.Error(); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
	}
	sisGrade := func(g string) string {
		switch g {
		case "Kindergarten":
			return "K"
		case "PreKindergarten":
			return "PK"
		}
		return g
	}
	mdy := func(d roster.Date, twoDigit bool) string {
		if d.IsZero() {
			return ""
		}
		y := strconv.Itoa(int(d.Year))
		if twoDigit {
			y = y[2:]
		}
		return fmt.Sprintf("%d/%d/%s", d.Month, d.Day, y)
	}

	var rows [][]string
	for _, s := range r.Schools {
		rows = append(rows, []string{s.SISID, s.Name, s.SchoolNumber, s.StateID, s.NCESID, sisGrade(s.LowGrade),
			sisGrade(s.HighGrade), s.Address.Street, s.Address.City, s.Address.State, s.Address.Zip, s.Phone, "Pat Principal"})
	}
	write("schools.csv", true, []string{"School_id", "School_name", "School_number", "State_id", "Nces_id", "Low_grade",
		"High_grade", "School_address", "School_city", "School_state", "School_zip", "School_phone", "Principal"}, rows)

	genders := map[string]string{"F": "female", "M": "male", "X": "X"}
	races := map[string]string{"Caucasian": "W", "Asian": "A", "Black or African American": "B", "American Indian": "I",
		"Hawaiian or Other Pacific Islander": "P", "Two or More Races": "M"}
	var extKeys []string
	for i := range r.Users {
		if s := r.Users[i].Roles.Student; s != nil {
			for k := range s.Ext {
				if !slices.Contains(extKeys, k) {
					extKeys = append(extKeys, k)
				}
			}
		}
	}
	sort.Strings(extKeys)
	rows = nil
	var teachers, staff [][]string
	for i := range r.Users {
		u := &r.Users[i]
		if s := u.Roles.Student; s != nil {
			p := s.Programs
			if p == nil {
				p = &roster.Programs{}
			}
			for _, school := range s.Schools {
				row := []string{sis[school], s.SISID, s.StudentNumber, s.StateID, u.Name.Last, u.Name.Middle, u.Name.First,
					sisGrade(s.Grade), genders[s.Gender], mdy(s.DOB, true), races[s.Race], s.HispanicEthnicity, s.ELLStatus,
					s.HomeLanguage, s.GraduationYear, u.Email, s.Username, p.FRLStatus, p.IEPStatus, p.Section504Status,
					p.GiftedStatus, ""}
				for _, k := range extKeys {
					v, _ := s.Ext.Get(k)
					row = append(row, v)
				}
				rows = append(rows, row)
			}
		}
		if tc := u.Roles.Teacher; tc != nil {
			for _, school := range tc.Schools {
				teachers = append(teachers, []string{sis[school], tc.SISID, tc.TeacherNumber, tc.StateID, u.Email,
					u.Name.First, u.Name.Middle, u.Name.Last, tc.Title, tc.Username, ""})
			}
		}
		if st := u.Roles.Staff; st != nil {
			for _, school := range st.Schools {
				staff = append(staff, []string{sis[school], st.StaffID, u.Email, u.Name.First, u.Name.Middle, u.Name.Last,
					st.Title, st.Department, st.Username})
			}
		}
	}
	header := []string{"School_id", "Student_id", "Student_number", "State_id", "Last_name", "Middle_name", "First_name",
		"Grade", "Gender", "DOB", "Race", "Hispanic_Latino", "Ell_status", "Home_language", "Graduation_year",
		"Student_email", "Username", "Frl_status", "IEP_status", "Section_504_status", "Gifted_status", "Password"}
	for _, k := range extKeys {
		header = append(header, "ext."+k)
	}
	write("students.csv", false, header, rows)
	write("teachers.csv", true, []string{"School_id", "Teacher_id", "Teacher_number", "State_teacher_id", "Teacher_email",
		"First_name", "Middle_name", "Last_name", "Title", "Username", "Password"}, teachers)
	write("staff.csv", false, []string{"School_id", "Staff_id", "Staff_email", "First_name", "Middle_name", "Last_name",
		"Title", "Department", "Username"}, staff)

	subjects := map[string]string{
		"english/language arts": "ELA", "math": "Mathematics", "science": "Science", "social studies": "Social Studies",
		"language": "World Languages", roster.SubjectHomeroom: "Homeroom", "PE and health": "Physical Education",
		"arts and music": "Music", "technology and engineering": "Technology", "other": "Other",
	}
	maxTeachers := 1
	for _, s := range r.Sections {
		maxTeachers = max(maxTeachers, len(s.Teachers))
	}
	header = []string{"School_id", "Section_id"}
	for i := range maxTeachers {
		if i == 0 {
			header = append(header, "Teacher_id")
		} else {
			header = append(header, fmt.Sprintf("Teacher_%d_id", i+1))
		}
	}
	header = append(header, "Name", "Section_number", "Grade", "Course_name", "Course_number", "Period", "Subject",
		"Term_name", "Term_start", "Term_end")
	rows = nil
	var enrollments [][]string
	for _, s := range r.Sections {
		row := []string{sis[s.School], s.SISID}
		for i := range maxTeachers {
			if i < len(s.Teachers) {
				row = append(row, sis[s.Teachers[i]])
			} else {
				row = append(row, "")
			}
		}
		var course roster.Course
		if c := courses[s.Course]; c != nil {
			course = *c
		}
		var term roster.Term
		if tm := terms[s.Term]; tm != nil {
			term = *tm
		}
		row = append(row, s.Name, s.SectionNumber, sisGrade(s.Grade), course.Name, course.Number, s.Period,
			subjects[s.Subject], term.Name, mdy(term.StartDate, false), mdy(term.EndDate, false))
		rows = append(rows, row)
		for _, id := range s.Students {
			enrollments = append(enrollments, []string{sis[s.School], s.SISID, sis[id]})
		}
	}
	write("sections.csv", true, header, rows)
	write("enrollments.csv", false, []string{"School_id", "Section_id", "Student_id"}, enrollments)
}

// normaliseAsCSV returns what r becomes through Clever's CSV format, and
// the field errors reading it back must report. What cannot round-trip:
//   - IDs: Clever's 24-hex IDs become the SIS-based IDs of the ID scheme,
//     and terms and courses get IDs built from their content;
//   - the district, every District field and every LastModified, which
//     the files do not carry;
//   - term and course SIS IDs and course subjects (no column holds them),
//     and terms and courses no section refers to (Clever builds both
//     from sections);
//   - contacts and district admins (no file), and so users left with no
//     role;
//   - frl_status: the generator writes Y and N, not Clever's Free,
//     Reduced, Paid, Other. N reads as Paid; Y is no lunch status, so it
//     is a field error and the field empty.
func normaliseAsCSV(r *roster.Roster) (*roster.Roster, []roster.FieldError) {
	ids := map[string]string{}
	out := &roster.Roster{}
	for _, s := range r.Schools {
		ids[s.ID] = clevercsv.SchoolID(s.SISID)
		s.ID, s.District, s.LastModified = ids[s.ID], "", time.Time{}
		out.Schools = append(out.Schools, s)
	}
	termIDs, courseIDs := map[string]string{}, map[string]string{}
	for _, tm := range r.Terms {
		termIDs[tm.ID] = clevercsv.TermID(tm.Name, tm.StartDate, tm.EndDate)
	}
	for _, c := range r.Courses {
		courseIDs[c.ID] = clevercsv.CourseID(c.Number, c.Name)
	}
	for i := range r.Users {
		u := &r.Users[i]
		switch {
		case u.Roles.Teacher != nil:
			ids[u.ID] = clevercsv.UserID(roster.RoleTeacher, u.Roles.Teacher.SISID)
		case u.Roles.Staff != nil:
			ids[u.ID] = clevercsv.UserID(roster.RoleStaff, u.Roles.Staff.StaffID)
		case u.Roles.Student != nil:
			ids[u.ID] = clevercsv.UserID(roster.RoleStudent, u.Roles.Student.SISID)
		}
	}
	mapIDs := func(in []string) []string {
		var o []string
		for _, id := range in {
			o = append(o, ids[id])
		}
		return o
	}
	usedTerms, usedCourses := map[string]bool{}, map[string]bool{}
	for _, s := range r.Sections {
		usedTerms[s.Term], usedCourses[s.Course] = true, true
		s.ID, s.District, s.LastModified = clevercsv.SectionID(s.SISID), "", time.Time{}
		s.School, s.Term, s.Course = ids[s.School], termIDs[s.Term], courseIDs[s.Course]
		s.Teachers, s.Students = mapIDs(s.Teachers), mapIDs(s.Students)
		out.Sections = append(out.Sections, s)
	}
	for _, tm := range r.Terms {
		if usedTerms[tm.ID] {
			out.Terms = append(out.Terms, roster.Term{ID: termIDs[tm.ID], Name: tm.Name, StartDate: tm.StartDate, EndDate: tm.EndDate})
		}
	}
	for _, c := range r.Courses {
		if usedCourses[c.ID] {
			out.Courses = append(out.Courses, roster.Course{ID: courseIDs[c.ID], Name: c.Name, Number: c.Number})
		}
	}
	var errs []roster.FieldError
	for i := range r.Users {
		u := r.Users[i]
		u.Roles.Contact, u.Roles.DistrictAdmin = nil, nil
		if u.Roles.List() == nil {
			continue
		}
		u.ID, u.District, u.LastModified = ids[u.ID], "", time.Time{}
		if s := u.Roles.Student; s != nil {
			c := *s
			c.School, c.Schools = ids[c.School], mapIDs(c.Schools)
			if c.Programs != nil {
				p := *c.Programs
				switch p.FRLStatus {
				case "N":
					p.FRLStatus = "Paid"
				case "Y":
					p.FRLStatus = ""
					errs = append(errs, roster.FieldError{Entity: roster.EntityStudent, ID: u.ID, SISID: c.SISID,
						Field: "frl_status", Message: "not a lunch status Clever knows (Free, Reduced, Paid, Other, or F, R, N)"})
				}
				c.Programs = &p
			}
			u.Roles.Student = &c
		}
		if tc := u.Roles.Teacher; tc != nil {
			c := *tc
			c.School, c.Schools = ids[c.School], mapIDs(c.Schools)
			u.Roles.Teacher = &c
		}
		if st := u.Roles.Staff; st != nil {
			c := *st
			c.Schools = mapIDs(c.Schools)
			u.Roles.Staff = &c
		}
		out.Users = append(out.Users, u)
	}
	out.SortByID()
	return out, errs
}

// Ensure a synthetic district written as Clever CSV reads back as the
// same district, but for what the format cannot carry (normaliseAsCSV).
func TestRead_RoundTrip(t *testing.T) {
	p, _ := synth.ProfileByName("small")
	src, _ := synth.Generate(p)
	dir := t.TempDir()
	writeCleverCSV(t, dir, src)

	got, err := clevercsv.Read(dir)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	gotErrs := got.FieldErrors
	got.FieldErrors = nil
	got.SortByID()
	want, wantErrs := normaliseAsCSV(src)

	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("roster mismatch (-want +got):\n%s", diff)
	}
	sortErrs := func(e []roster.FieldError) {
		sort.Slice(e, func(i, j int) bool { return e[i].ID < e[j].ID })
	}
	sortErrs(gotErrs)
	sortErrs(wantErrs)
	if diff := cmp.Diff(wantErrs, gotErrs); diff != "" {
		t.Errorf("field errors mismatch (-want +got):\n%s", diff)
	}
	n := got.Count()
	if n[roster.EntityStudent] != p.Students || n[roster.EntityStaff] != p.Staff || n[roster.EntitySchool] != p.Schools {
		t.Errorf("counts %v", n)
	}
}
