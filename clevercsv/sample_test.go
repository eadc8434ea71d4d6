package clevercsv_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rosterd/rosterd/clevercsv"
	"github.com/rosterd/rosterd/roster"
)

// Ensure Clever's SFTP sample (three files with bare CR line endings, two
// with LF) loads with every record its files hold.
func TestRead_Sample(t *testing.T) {
	r := readSample(t)

	wantCounts := map[roster.Entity]int{
		roster.EntityDistrict: 0, roster.EntitySchool: 3, roster.EntityTerm: 3, roster.EntityCourse: 344,
		roster.EntitySection: 379, roster.EntityStudent: 1004, roster.EntityTeacher: 89,
	}
	if diff := cmp.Diff(wantCounts, r.Count()); diff != "" {
		t.Errorf("counts mismatch (-want +got):\n%s", diff)
	}
	enrollments, coTaught := 0, 0
	teaching := map[string]bool{}
	for _, s := range r.Sections {
		enrollments += len(s.Students)
		if len(s.Teachers) > 1 {
			coTaught++
		}
		for _, id := range s.Teachers {
			teaching[id] = true
		}
	}
	// 8,971 rows in enrollments.csv, none repeated; 53 sections with a
	// Teacher_2_id (52 once 711's repeated teacher is counted once); 12
	// teachers teach no section.
	if enrollments != 8971 || coTaught != 52 || len(teaching) != 89-12 {
		t.Errorf("%d enrollments, %d co-taught sections, %d teachers teaching; want 8971, 52, 77",
			enrollments, coTaught, len(teaching))
	}

	// The one value the sample holds that is no value: 2005 had no
	// February 29th.
	wantErrs := []roster.FieldError{{Entity: roster.EntityStudent, ID: "student:577226659", SISID: "577226659",
		Field: "dob", Message: "not a date in M/D/YYYY, M/D/YY or YYYY-MM-DD form"}}
	if diff := cmp.Diff(wantErrs, r.FieldErrors); diff != "" {
		t.Errorf("field errors mismatch (-want +got):\n%s", diff)
	}

	// Student 100095233, whom Clever's API returns too (see api_test.go).
	wantStudent := roster.User{
		ID:    "student:100095233",
		Name:  roster.Name{First: "Steve", Middle: "G", Last: "Ziemann"},
		Email: "z.steve@example.net",
		Roles: roster.Roles{Student: &roster.Student{
			Demographics: &roster.Demographics{Gender: "M", Race: "Black or African American", HispanicEthnicity: "Y", ELLStatus: "N"},
			SISID:        "100095233", StudentNumber: "100095233", StateID: "231786324", Username: "stevez33",
			Grade: "Kindergarten", School: "school:13K123", Schools: []string{"school:13K123"},
			DOB: roster.MustDate("2007-02-11"),
		}},
	}
	if diff := cmp.Diff(wantStudent, *user(t, r, "student:100095233")); diff != "" {
		t.Errorf("student 100095233 mismatch (-want +got):\n%s", diff)
	}
	wantTeacher := roster.User{
		ID:    "teacher:47",
		Name:  roster.Name{First: "Braeden", Middle: "L", Last: "Glover"},
		Email: "braeden_glover@example.net",
		Roles: roster.Roles{Teacher: &roster.Teacher{
			SISID: "47", TeacherNumber: "230186", StateID: "751884748", Username: "braeden.glover",
			Title: "Grade 9 English Teacher", School: "school:02M800", Schools: []string{"school:02M800"},
		}},
	}
	if diff := cmp.Diff(wantTeacher, *user(t, r, "teacher:47")); diff != "" {
		t.Errorf("teacher 47 mismatch (-want +got):\n%s", diff)
	}

	y1 := clevercsv.TermID("Y1", roster.MustDate("2015-08-01"), roster.MustDate("2016-06-01"))
	s581 := section(t, r, "section:581")
	wantSection := roster.Section{
		ID: "section:581", School: "school:02M800", Course: clevercsv.CourseID("101", "Group Guidance"), Term: y1,
		Name: "Group Guidance - Greene - 0", SISID: "581", Grade: "10", Period: "0",
		Teachers: []string{"teacher:86", "teacher:87", "teacher:88", "teacher:89"},
		Students: s581.Students,
	}
	if diff := cmp.Diff(wantSection, *s581); diff != "" {
		t.Errorf("section 581 mismatch (-want +got):\n%s", diff)
	}
	if len(s581.Students) == 0 {
		t.Error("section 581 has no students")
	}
	// Section 709 (Kindergarten homeroom) holds student 100095233, and
	// section 711 lists teacher 1 as Teacher_id and Teacher_2_id.
	if s := section(t, r, "section:709"); s.Grade != "Kindergarten" || !containsID(s.Students, "student:100095233") {
		t.Errorf("section 709: grade %q, students %v", s.Grade, s.Students)
	}
	if diff := cmp.Diff([]string{"teacher:1"}, section(t, r, "section:711").Teachers); diff != "" {
		t.Errorf("section 711 teachers mismatch (-want +got):\n%s", diff)
	}

	wantSchool := roster.School{
		ID: "school:13K123", Name: "Pineapple Elementary School", SISID: "13K123", SchoolNumber: "13K123",
		StateID: "30890", NCESID: "360007000000", LowGrade: "Kindergarten", HighGrade: "5", Phone: "(718) 555-4567",
		Address: roster.Address{Street: "110 Pineapple Street", City: "Brooklyn", State: "NY", Zip: "11201"},
	}
	if diff := cmp.Diff(wantSchool, r.Schools[1]); diff != "" {
		t.Errorf("school 13K123 mismatch (-want +got):\n%s", diff)
	}
	var terms []string
	for _, term := range r.Terms {
		terms = append(terms, term.Name+" "+term.StartDate.String()+" "+term.EndDate.String())
	}
	if diff := cmp.Diff([]string{"Y1 2015-08-01 2016-06-01", "S1 2015-08-01 2016-06-01", "S2 2015-08-01 2016-06-01"}, terms); diff != "" {
		t.Errorf("terms mismatch (-want +got):\n%s", diff)
	}
	// No password is read, though the column is there.
	for i := range r.Users {
		if u := &r.Users[i]; (u.Roles.Student != nil && !u.Roles.Student.Ext.IsZero()) || (u.Roles.Teacher != nil && !u.Roles.Teacher.Ext.IsZero()) {
			t.Fatalf("user %s has ext %v", u.ID, u.Roles)
		}
	}
}

func containsID(ids []string, id string) bool {
	for _, have := range ids {
		if have == id {
			return true
		}
	}
	return false
}
