package csvexport

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"

	"github.com/rosterd/rosterd/roster"
)

// WriteClever writes r as a Clever SFTP package (schools.csv,
// students.csv, teachers.csv, staff.csv, sections.csv and
// enrollments.csv) in dir, creating dir if needed.
func WriteClever(dir string, r *roster.Roster) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
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

	var err error
	write := func(name string, crlf bool, header []string, rows [][]string) {
		if err != nil {
			return
		}
		var f *os.File
		if f, err = os.Create(filepath.Join(dir, name)); err != nil {
			return
		}
		w := csv.NewWriter(f)
		w.UseCRLF = crlf
		w.Write(header)
		w.WriteAll(rows)
		err = w.Error()
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			err = fmt.Errorf("csvexport: %s: %w", name, err)
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
			for k := range s.Ext.All() {
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
					sisGrade(s.Grade), genders[s.Demo().Gender], mdy(s.DOB, true), races[s.Demo().Race], s.Demo().HispanicEthnicity, s.Demo().ELLStatus,
					s.Demo().HomeLanguage, s.Demo().GraduationYear, u.Email, s.Username, p.FRLStatus, p.IEPStatus, p.Section504Status,
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
	return err
}
