package clevercsv_test

import (
	"archive/zip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rosterd/rosterd/clevercsv"
	"github.com/rosterd/rosterd/roster"
)

// richFiles exercise most columns, with quoting of every kind.
var richFiles = map[string]string{
	"schools.csv": "School_id,School_name,School_number,State_id,Nces_id,Low_grade,High_grade,Principal,Principal_email,School_address,School_city,School_state,School_zip,School_phone\n" +
		"S1,\"Lincoln, Elementary\",0100,ST-1,360007000000,K,5,Pat Doe,pat@example.org,\"1 \"\"Main\"\" St\",Springfield,IL,62701,(217) 555-0100\n",
	"students.csv": "School_id,Student_id,Student_number,State_id,Last_name,Middle_name,First_name,Grade,Gender,Dob,Race,Hispanic_Latino,Ell_status,Student_email,Username,Password,Contact_name,Contact_email\n" +
		"S1,100,N100,ST100,Lee,Q,\"Ann\nMarie\",0,female,2/11/07,B,Y,N,ann@example.org,annl,s3cret,Kim Lee,kim@example.org\n",
	"teachers.csv":    "School_id,Teacher_id,Teacher_number,State_teacher_id,Teacher_email,First_name,Middle_name,Last_name,Title,Username,Password\nS1,7,T7,ST7,ray@example.org,Tom,,Ray,Grade K Teacher,tray,pw\n",
	"sections.csv":    "School_id,Section_id,Teacher_id,Name,Section_number,Grade,Course_name,Course_number,Period,Subject,Term_name,Term_start,Term_end\nS1,50,7,K Homeroom,1,K,Homeroom K,HR00,HR,Homeroom,Y1,8/24/2026,6/11/2027\n",
	"enrollments.csv": "School_id,Section_id,Student_id\nS1,50,100\n",
}

// Ensure LF, CRLF and bare CR line endings and a byte order mark all read
// the same roster, quoted line breaks included.
func TestReadFS_LineEndings(t *testing.T) {
	want := mustRead(t, pkg(richFiles))
	convert := map[string]func(string) string{
		"CRLF":   func(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") },
		"CR":     func(s string) string { return strings.ReplaceAll(s, "\n", "\r") },
		"BOM":    func(s string) string { return "\xEF\xBB\xBF" + s },
		"no EOL": func(s string) string { return strings.TrimSuffix(s, "\n") },
	}
	for name, f := range convert {
		t.Run(name, func(t *testing.T) {
			files := map[string]string{}
			for k, v := range richFiles {
				files[k] = f(v)
			}
			if diff := cmp.Diff(want, mustRead(t, pkg(files))); diff != "" {
				t.Errorf("roster mismatch (-LF +%s):\n%s", name, diff)
			}
		})
	}
}

// Ensure every mapped column lands in its roster field, quoted commas,
// quotes and line breaks intact, and values normalised to Clever's API.
func TestReadFS_Columns(t *testing.T) {
	r := mustRead(t, pkg(richFiles))
	wantSchool := roster.School{
		ID: "school:S1", Name: "Lincoln, Elementary", SISID: "S1", SchoolNumber: "0100", StateID: "ST-1",
		NCESID: "360007000000", LowGrade: "Kindergarten", HighGrade: "5", Phone: "(217) 555-0100",
		Address: roster.Address{Street: `1 "Main" St`, City: "Springfield", State: "IL", Zip: "62701"},
	}
	if diff := cmp.Diff([]roster.School{wantSchool}, r.Schools); diff != "" {
		t.Errorf("schools mismatch (-want +got):\n%s", diff)
	}
	wantStudent := roster.User{
		ID: "student:100", Name: roster.Name{First: "Ann\nMarie", Middle: "Q", Last: "Lee"}, Email: "ann@example.org",
		Roles: roster.Roles{Student: &roster.Student{
			Demographics: &roster.Demographics{Gender: "F", Race: "Black or African American", HispanicEthnicity: "Y", ELLStatus: "N"},
			SISID:        "100", StudentNumber: "N100", StateID: "ST100", Username: "annl", Grade: "Kindergarten",
			School: "school:S1", Schools: []string{"school:S1"}, DOB: roster.MustDate("2007-02-11"),
		}},
	}
	if diff := cmp.Diff(wantStudent, *user(t, r, "student:100")); diff != "" {
		t.Errorf("student mismatch (-want +got):\n%s", diff)
	}
	wantTeacher := roster.User{
		ID: "teacher:7", Name: roster.Name{First: "Tom", Last: "Ray"}, Email: "ray@example.org",
		Roles: roster.Roles{Teacher: &roster.Teacher{
			SISID: "7", TeacherNumber: "T7", StateID: "ST7", Username: "tray", Title: "Grade K Teacher",
			School: "school:S1", Schools: []string{"school:S1"},
		}},
	}
	if diff := cmp.Diff(wantTeacher, *user(t, r, "teacher:7")); diff != "" {
		t.Errorf("teacher mismatch (-want +got):\n%s", diff)
	}
	term := clevercsv.TermID("Y1", roster.MustDate("2026-08-24"), roster.MustDate("2027-06-11"))
	course := clevercsv.CourseID("HR00", "Homeroom K")
	wantSection := roster.Section{
		ID: "section:50", School: "school:S1", Course: course, Term: term,
		Name: "Homeroom K - Ray - HR", SISID: "50", SectionNumber: "1", Subject: roster.SubjectHomeroom,
		Grade: "Kindergarten", Period: "HR", Teachers: []string{"teacher:7"}, Students: []string{"student:100"},
	}
	if diff := cmp.Diff([]roster.Section{wantSection}, r.Sections); diff != "" {
		t.Errorf("sections mismatch (-want +got):\n%s", diff)
	}
	wantTerms := []roster.Term{{ID: term, Name: "Y1", StartDate: roster.MustDate("2026-08-24"), EndDate: roster.MustDate("2027-06-11")}}
	if diff := cmp.Diff(wantTerms, r.Terms); diff != "" {
		t.Errorf("terms mismatch (-want +got):\n%s", diff)
	}
	wantCourses := []roster.Course{{ID: course, Name: "Homeroom K", Number: "HR00"}}
	if diff := cmp.Diff(wantCourses, r.Courses); diff != "" {
		t.Errorf("courses mismatch (-want +got):\n%s", diff)
	}
	if len(r.Districts) != 0 || len(r.FieldErrors) != 0 {
		t.Errorf("districts %v, field errors %v", r.Districts, r.FieldErrors)
	}
}

// Ensure headers match without regard to case, spacing or order, files
// without regard to case, and unnamed columns are ignored.
func TestReadFS_Headers(t *testing.T) {
	r := mustRead(t, pkg(map[string]string{
		"students.csv": "",
		"Students.CSV": "last name,FIRST_NAME,Student ID,school-id,,Grade\nLee,Ann,100,S1,,K\n",
	}))
	u := user(t, r, "student:100")
	if u.Name.First != "Ann" || u.Name.Last != "Lee" || u.Roles.Student.School != "school:S1" || u.Roles.Student.Grade != "Kindergarten" {
		t.Errorf("student = %+v %+v", u, u.Roles.Student)
	}
	if !u.Roles.Student.Ext.IsZero() {
		t.Errorf("ext = %v", u.Roles.Student.Ext)
	}
}

// Ensure columns the format does not map are kept in ext (ext.<key> under
// <key>), while passwords and columns the roster has no field for are
// dropped.
func TestReadFS_Ext(t *testing.T) {
	r := mustRead(t, pkg(map[string]string{
		"schools.csv":  "School_id,School_name,Principal,Mdr_number,ext.charter_school\nS1,One,Pat,123,N\n",
		"students.csv": "School_id,Student_id,First_name,Last_name,Password,Student_street,Contact_type,Contact_2_name,ext.Bus_Route,Locker,Weighted_gpa\nS1,100,Ann,Lee,pw,1 Elm,Mother,Kim,12,\"A, 7\",3.9\n",
		"teachers.csv": "School_id,Teacher_id,First_name,Last_name,OLD_TEACHER_ID,teacher_password\nS1,7,Tom,Ray,,x\n",
		"sections.csv": "School_id,Section_id,Teacher_id,Course_description,Room\nS1,50,7,long text,B2\n",
	}))
	got := map[string]roster.Ext{
		"school":  r.Schools[0].Ext,
		"student": user(t, r, "student:100").Roles.Student.Ext,
		"teacher": user(t, r, "teacher:7").Roles.Teacher.Ext,
		"section": r.Sections[0].Ext,
	}
	want := map[string]roster.Ext{
		"school":  roster.ExtStrings(map[string]string{"charter_school": "N"}),
		"student": roster.ExtStrings(map[string]string{"Bus_Route": "12", "Locker": "A, 7"}),
		"teacher": {},
		"section": roster.ExtStrings(map[string]string{"Room": "B2"}),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ext mismatch (-want +got):\n%s", diff)
	}
}

// Ensure a section's teachers are Teacher_id and then Teacher_<n>_id in
// number order, whatever the column order, each once, the primary first.
func TestReadFS_TeacherOrder(t *testing.T) {
	tests := []struct {
		name string
		head string
		row  string
		want []string
	}{
		{"primary only", "Teacher_id", "1", []string{"teacher:1"}},
		{"in order", "Teacher_id,Teacher_2_id,Teacher_3_id", "1,2,3", []string{"teacher:1", "teacher:2", "teacher:3"}},
		{"columns shuffled", "Teacher_3_id,Teacher_id,Teacher_10_id,Teacher_2_id", "3,1,10,2", []string{"teacher:1", "teacher:2", "teacher:3", "teacher:10"}},
		{"gaps", "Teacher_id,Teacher_2_id,Teacher_3_id", "1,,3", []string{"teacher:1", "teacher:3"}},
		{"no primary", "Teacher_id,Teacher_2_id", ",2", []string{"teacher:2"}},
		{"repeated", "Teacher_id,Teacher_2_id,Teacher_3_id", "1,1,2", []string{"teacher:1", "teacher:2"}}, // section 711 of Clever's sample
		{"none", "Teacher_id,Teacher_2_id", ",", nil},
		{"spaced names", "Teacher id,Teacher 2 id", "1,2", []string{"teacher:1", "teacher:2"}},
		{"a Teacher_1_id", "Teacher_2_id,Teacher_1_id,Teacher_id", "2,1b,1", []string{"teacher:1", "teacher:1b", "teacher:2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := mustRead(t, pkg(map[string]string{
				"sections.csv": "School_id,Section_id," + tt.head + "\nS1,50," + tt.row + "\n",
			}))
			if diff := cmp.Diff(tt.want, r.Sections[0].Teachers); diff != "" {
				t.Errorf("teachers mismatch (-want +got):\n%s", diff)
			}
			if !r.Sections[0].Ext.IsZero() {
				t.Errorf("a teacher column went to ext: %v", r.Sections[0].Ext)
			}
		})
	}
}

// Ensure terms and courses are built from sections as Clever builds them:
// a term per name and dates, a course per name and number, none without
// a course name, and section names as Clever names them.
func TestReadFS_TermsAndCourses(t *testing.T) {
	r := mustRead(t, pkg(map[string]string{
		"teachers.csv": "School_id,Teacher_id,First_name,Last_name\nS1,7,Tom,Ray\n",
		"sections.csv": "School_id,Section_id,Teacher_id,Name,Course_name,Course_number,Period,Term_name,Term_start,Term_end\n" +
			"S1,1,7,Given,Group Guidance,101,0,Y1,8/1/15,6/1/16\n" +
			"S1,2,7,Given,Group Guidance,102,1,Y1,2015-08-01,2016-06-01\n" + // same term, other dates' form
			"S1,3,7,Given,Physics,101,2,Y1,8/1/16,6/1/17\n" + // same name, other dates: another term
			"S1,4,7,Given,Group Guidance,101,,S1,,\n" + // same course; a term with a name only
			"S1,5,7,Given,,101,3,,,6/1/16\n" + // no course without a name; a term with an end only
			"S1,6,,Given,Physics,,,,,\n" + // no teacher, no period, no term
			"S1,7,99,Given,Physics,,4,Y1,13/1/15,6/1/16\n", // an unknown teacher; a bad date
		"enrollments.csv": "School_id,Section_id,Student_id\nS1,1,100\n",
	}))
	y1 := clevercsv.TermID("Y1", roster.MustDate("2015-08-01"), roster.MustDate("2016-06-01"))
	y1b := clevercsv.TermID("Y1", roster.MustDate("2016-08-01"), roster.MustDate("2017-06-01"))
	s1 := clevercsv.TermID("S1", roster.Date{}, roster.Date{})
	endOnly := clevercsv.TermID("", roster.Date{}, roster.MustDate("2016-06-01"))
	badStart := clevercsv.TermID("Y1", roster.Date{}, roster.MustDate("2016-06-01"))
	gg101, gg102 := clevercsv.CourseID("101", "Group Guidance"), clevercsv.CourseID("102", "Group Guidance")
	ph101, ph := clevercsv.CourseID("101", "Physics"), clevercsv.CourseID("", "Physics")

	type sec struct{ Name, Course, Term string }
	var got []sec
	for _, s := range r.Sections {
		got = append(got, sec{s.Name, s.Course, s.Term})
	}
	want := []sec{
		{"Group Guidance - Ray - 0", gg101, y1},
		{"Group Guidance - Ray - 1", gg102, y1},
		{"Physics - Ray - 2", ph101, y1b},
		{"Group Guidance - Ray", gg101, s1},
		{"Given", "", endOnly},
		{"Physics", ph, ""},
		{"Physics - 4", ph, badStart},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("sections mismatch (-want +got):\n%s", diff)
	}
	var terms, courses []string
	for _, x := range r.Terms {
		terms = append(terms, x.ID)
	}
	for _, x := range r.Courses {
		courses = append(courses, x.ID)
	}
	if diff := cmp.Diff([]string{y1, y1b, s1, endOnly, badStart}, terms); diff != "" {
		t.Errorf("terms mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{gg101, gg102, ph101, ph}, courses); diff != "" {
		t.Errorf("courses mismatch (-want +got):\n%s", diff)
	}
	wantErrs := []roster.FieldError{{Entity: roster.EntitySection, ID: "section:7", SISID: "7", Field: "term_start",
		Message: "not a date in M/D/YYYY, M/D/YY or YYYY-MM-DD form"}}
	if diff := cmp.Diff(wantErrs, r.FieldErrors); diff != "" {
		t.Errorf("field errors mismatch (-want +got):\n%s", diff)
	}
}

// Ensure a user on several rows of a file is one user in every school it
// is listed at, a disagreement between the rows a field error.
func TestReadFS_MultiRowUsers(t *testing.T) {
	r := mustRead(t, pkg(map[string]string{
		"schools.csv": "School_id,School_name\nS1,One\nS2,Two\n",
		"teachers.csv": "School_id,Teacher_id,First_name,Last_name,Title\n" +
			"S2,7,Tom,Ray,Music\nS1,7,Tom,Ray,Music\nS1,7,Tom,Ray,Music\n",
		// One row per contact, and a second school on the third row, whose
		// grade disagrees.
		"students.csv": "School_id,Student_id,First_name,Last_name,Grade,Contact_name\n" +
			"S1,100,Ann,Lee,3,Kim Lee\nS1,100,Ann,Lee,3,Jo Lee\nS2,100,Ann,Lee,4,Jo Lee\n",
	}))
	if n := len(r.Users); n != 2 {
		t.Fatalf("%d users, want 2", n)
	}
	tch := user(t, r, "teacher:7").Roles.Teacher
	if tch.School != "school:S2" || !cmp.Equal(tch.Schools, []string{"school:S2", "school:S1"}) {
		t.Errorf("teacher school %q, schools %v", tch.School, tch.Schools)
	}
	st := user(t, r, "student:100").Roles.Student
	if st.School != "school:S1" || !cmp.Equal(st.Schools, []string{"school:S1", "school:S2"}) || st.Grade != "3" {
		t.Errorf("student school %q, schools %v, grade %q", st.School, st.Schools, st.Grade)
	}
	want := []roster.FieldError{{Entity: roster.EntityStudent, ID: "student:100", SISID: "100", Field: "grade",
		Message: "students.csv lists this student on several rows that disagree on this field; the first row's value is kept"}}
	if diff := cmp.Diff(want, r.FieldErrors); diff != "" {
		t.Errorf("field errors mismatch (-want +got):\n%s", diff)
	}
}

// Ensure staff read from staff.csv (and admins.csv), a staff member with a
// teacher's email being that teacher.
func TestReadFS_Staff(t *testing.T) {
	r := mustRead(t, pkg(map[string]string{
		"schools.csv": "School_id,School_name\nS1,One\nS2,Two\n",
		"teachers.csv": "School_id,Teacher_id,First_name,Last_name,Teacher_email\n" +
			"S1,7,Tom,Ray,Ray@Example.org\nS1,8,Al,Bo,shared@example.org\nS1,9,Cy,Do,shared@example.org\n",
		"staff.csv": "School_id,Staff_id,Staff_email,First_name,Last_name,Title,Department\n" +
			"S1,A1,ray@example.org,Thomas,Ray,Coach,Athletics\n" + // the teacher 7
			"S2,A1,ray@example.org,Thomas,Ray,Coach,Athletics\n" + // ... in a second school
			"S1,A2,shared@example.org,Al,Bo,Clerk,Office\n" + // two teachers share the email: no merge
			"S2,A3,,Ed,Fu,Principal,Administration\n",
		"admins.csv": "School_id,Staff_id,Admin_email,First_name,Last_name,Admin_title\nS1,A4,gi@example.org,Gus,Gi,Dean\n",
	}))
	got := map[string]*roster.User{}
	for i := range r.Users {
		got[r.Users[i].ID] = &r.Users[i]
	}
	t7 := got["teacher:7"]
	wantStaff := &roster.Staff{StaffID: "A1", Title: "Coach", Department: "Athletics", Schools: []string{"school:S1", "school:S2"}}
	if t7 == nil || t7.Roles.Teacher == nil || !cmp.Equal(wantStaff, t7.Roles.Staff) || t7.Name.First != "Tom" {
		t.Errorf("teacher 7 = %+v (staff %+v)", t7, t7.Roles.Staff)
	}
	if u := got["staff:A2"]; u == nil || u.Roles.Teacher != nil || got["teacher:8"].Roles.Staff != nil {
		t.Error("a staff member whose email two teachers share was merged")
	}
	if u := got["staff:A3"]; u == nil || u.Email != "" || u.Roles.Staff.Title != "Principal" {
		t.Errorf("staff A3 = %+v", u)
	}
	if u := got["staff:A4"]; u == nil || u.Email != "gi@example.org" || u.Roles.Staff.Title != "Dean" {
		t.Errorf("admins.csv staff = %+v", u)
	}
	if _, ok := got["staff:A1"]; ok {
		t.Error("staff A1 is a user of its own as well as teacher 7")
	}
	if n := r.Count(); n[roster.EntityStaff] != 4 || n[roster.EntityTeacher] != 3 || len(r.FieldErrors) != 0 {
		t.Errorf("counts %v, field errors %v", n, r.FieldErrors)
	}
}

// Ensure enrollments fill sections in file order, each student once, and
// report sections sections.csv lacks while keeping unknown students for
// preflight.
func TestReadFS_Enrollments(t *testing.T) {
	var b strings.Builder
	b.WriteString("School_id,Section_id,Student_id\nS1,50,100\nS1,50,999\nS1,50,100\nS1,60,100\nS1,60,101\n")
	var big []string
	for i := range 200 {
		id := string(rune('a'+i%26)) + strings.Repeat("x", i/26)
		big = append(big, "student:"+id)
		b.WriteString("S1,51," + id + "\n")
		b.WriteString("S1,51," + id + "\n")
	}
	r := mustRead(t, pkg(map[string]string{
		"sections.csv":    "School_id,Section_id,Teacher_id\nS1,50,7\nS1,51,7\n",
		"enrollments.csv": b.String(),
	}))
	if diff := cmp.Diff([]string{"student:100", "student:999"}, section(t, r, "section:50").Students); diff != "" {
		t.Errorf("section 50 mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(big, section(t, r, "section:51").Students); diff != "" {
		t.Errorf("section 51 mismatch (-want +got):\n%s", diff)
	}
	want := []roster.FieldError{{Entity: roster.EntitySection, ID: "section:60", SISID: "60", Field: "students",
		Message: "enrollments.csv enrolls students in this section, which sections.csv does not hold"}}
	if diff := cmp.Diff(want, r.FieldErrors); diff != "" {
		t.Errorf("field errors mismatch (-want +got):\n%s", diff)
	}
}

// Ensure values that cannot be mapped leave the field empty and are field
// errors naming record and field, never the value.
func TestReadFS_FieldErrors(t *testing.T) {
	r := mustRead(t, pkg(map[string]string{
		"schools.csv": "School_id,School_name,Low_grade\nS1,One,Nursery\n",
		"students.csv": "School_id,Student_id,First_name,Last_name,Grade,Gender,Dob,Race,Hispanic_Latino,Frl_status,Iep_status\n" +
			"S1,100,Ann,Lee,Fifth,Q,31/12/2007,Z,Maybe,Half,Pending\n",
		"sections.csv": "School_id,Section_id,Teacher_id,Grade,Subject\nS1,50,7,Year 9,Woodwork\n",
	}))
	type fe struct{ Entity, ID, Field string }
	var got []fe
	for _, e := range r.FieldErrors {
		got = append(got, fe{string(e.Entity), e.ID, e.Field})
		for _, v := range []string{"Nursery", "Fifth", "31/12/2007", "Maybe", "Half", "Year 9"} {
			if strings.Contains(e.Message, v) {
				t.Errorf("%+v repeats the value", e)
			}
		}
		if e.Message == "" {
			t.Errorf("%+v has no message", e)
		}
	}
	want := []fe{
		{"school", "school:S1", "low_grade"},
		{"student", "student:100", "grade"},
		{"student", "student:100", "dob"},
		{"student", "student:100", "gender"},
		{"student", "student:100", "race"},
		{"student", "student:100", "hispanic_ethnicity"},
		{"student", "student:100", "frl_status"},
		{"section", "section:50", "grade"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("field errors mismatch (-want +got):\n%s", diff)
	}
	st := user(t, r, "student:100").Roles.Student
	if st.Grade != "" || !st.DOB.IsZero() || st.Demo().Gender != "" || st.Programs == nil || st.Programs.IEPStatus != "Pending" {
		t.Errorf("student = %+v, programs %+v", st, st.Programs)
	}
	if s := r.Sections[0]; s.Grade != "" || s.Subject != "other" {
		t.Errorf("section grade %q, subject %q", s.Grade, s.Subject)
	}
}

// Ensure a school without School_number takes its School_id, as Clever's
// API shows.
func TestReadFS_SchoolNumber(t *testing.T) {
	r := mustRead(t, pkg(map[string]string{"schools.csv": "School_id,School_name,School_number\nS1,One,\nS2,Two,0200\n"}))
	if r.Schools[0].SchoolNumber != "S1" || r.Schools[1].SchoolNumber != "0200" {
		t.Errorf("school numbers %q, %q", r.Schools[0].SchoolNumber, r.Schools[1].SchoolNumber)
	}
}

// Ensure Read takes a folder and a zip file, and a zip whose files sit in
// one folder.
func TestRead_FolderAndZip(t *testing.T) {
	want := mustRead(t, pkg(richFiles))
	dir := t.TempDir()
	for name, body := range richFiles {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	got, err := clevercsv.Read(dir)
	if err != nil {
		t.Fatalf("Read folder: %v", err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("folder mismatch (-want +got):\n%s", diff)
	}

	for _, prefix := range []string{"", "export-2026-08-24/"} {
		zipPath := filepath.Join(t.TempDir(), "package.zip")
		f, err := os.Create(zipPath)
		if err != nil {
			t.Fatal(err)
		}
		zw := zip.NewWriter(f)
		if _, err := zw.Create("__MACOSX/"); err != nil {
			t.Fatal(err)
		}
		for name, body := range richFiles {
			w, err := zw.Create(prefix + name)
			if err != nil {
				t.Fatal(err)
			}
			w.Write([]byte(body))
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		f.Close()
		got, err := clevercsv.Read(zipPath)
		if err != nil {
			t.Fatalf("Read zip (prefix %q): %v", prefix, err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("zip (prefix %q) mismatch (-want +got):\n%s", prefix, diff)
		}
	}

	notZip := filepath.Join(t.TempDir(), "schools.csv")
	os.WriteFile(notZip, []byte(richFiles["schools.csv"]), 0o600)
	if _, err := clevercsv.Read(notZip); err == nil || !strings.Contains(err.Error(), "not a folder or a zip file") {
		t.Errorf("Read of a CSV file: %v", err)
	}
}
