package preflight_test

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rosterd/rosterd/preflight"
	"github.com/rosterd/rosterd/roster"
)

// Ensure every update names its changed fields with old and new values
// (lists as IDs removed and added, sensitive fields redacted), and that
// adds and deletes are listed.
func TestCheck_ChangeDetail(t *testing.T) {
	committed := commit(t, cleanRoster())
	r := cleanRoster()
	stu := user(t, r, "stu1")
	stu.Name.Last = "Diaz-Ortiz"
	stu.Roles.Student.Grade = "10"
	stu.Roles.Student.DOB = roster.Date{Year: 2010, Month: 4, Day: 1}
	stu.Roles.Student.Ext = roster.ExtOf(map[string]json.RawMessage{"consent": json.RawMessage(`"Y"`)})
	// A demographic field the student had none of: named as the
	// student's own field, so that its redaction applies.
	stu.Roles.Student.SetDemo(roster.Demographics{HomeLanguage: "Spanish"})
	tch := user(t, r, "tch1")
	tch.Roles.Staff = &roster.Staff{Title: "Coach"}
	r.Sections[0].Students = []string{"stu2"}
	r.Users = append(r.Users, roster.User{ID: "stu2", Name: roster.Name{First: "Bo", Last: "Li"},
		Roles: roster.Roles{Student: &roster.Student{SISID: "sis-stu2", School: "s1"}}})
	r.Courses = nil

	res, err := preflight.Check(r, committed, preflight.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := preflight.ChangeDetail{
		Fields: []preflight.FieldCount{
			{Entity: "section", Field: "students", Count: 1},
			{Entity: "staff", Field: "role", Count: 1},
			{Entity: "student", Field: "dob", Count: 1},
			{Entity: "student", Field: "ext.consent", Count: 1},
			{Entity: "student", Field: "grade", Count: 1},
			{Entity: "student", Field: "home_language", Count: 1},
			{Entity: "student", Field: "name.last", Count: 1},
		},
		Updates: []preflight.RecordUpdate{
			{Entity: "section", ID: "x1", SISID: "sis-x1", Fields: []preflight.FieldChange{{Field: "students", Old: "stu1", New: "stu2", List: true}}},
			{Entity: "student", ID: "stu1", SISID: "sis-stu1", Fields: []preflight.FieldChange{
				{Field: "name.last", Old: "Diaz", New: "Diaz-Ortiz"},
				{Field: "grade", Old: "", New: "10"},
				{Field: "dob", Redacted: true},
				{Field: "home_language", Redacted: true},
				{Field: "ext.consent", Old: "", New: `"Y"`},
			}},
			{Entity: "teacher", ID: "tch1", SISID: "sis-tch1", Fields: []preflight.FieldChange{{Field: "staff.role", Old: "", New: "present"}}},
		},
		Added:   []preflight.RecordRef{{Entity: "student", ID: "stu2", SISID: "sis-stu2"}},
		Deleted: []preflight.RecordRef{{Entity: "course", ID: "c1"}},
	}
	if diff := cmp.Diff(want, res.Changes); diff != "" {
		t.Errorf("change detail (-want +got):\n%s", diff)
	}
}

// Ensure an empty list beside an absent one is no change, and a list that
// empties or fills is one, when an update is detailed: a section read back
// from the store has no teachers list where the fetched one has [].
func TestCheck_ChangeDetailEmptyLists(t *testing.T) {
	old := cleanRoster()
	old.Sections[0].Teachers = nil
	committed := commit(t, old)
	r := cleanRoster()
	r.Sections[0].Teachers = []string{}
	r.Sections[0].Name = "Algebra II"
	r.Sections[0].Students = nil

	res, err := preflight.Check(r, committed, preflight.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []preflight.RecordUpdate{{Entity: "section", ID: "x1", SISID: "sis-x1", Fields: []preflight.FieldChange{
		{Field: "name", Old: old.Sections[0].Name, New: "Algebra II"},
		{Field: "students", Old: "stu1", New: "", List: true},
	}}}
	if diff := cmp.Diff(want, res.Changes.Updates); diff != "" {
		t.Errorf("updates (-want +got):\n%s", diff)
	}
}
