package preflight_test

import (
	stdjson "encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/rosterd/rosterd/preflight"
	"github.com/rosterd/rosterd/roster"
)

// wantIssue is an issue as a test states it: the record and field it
// names, and an ID or phrase its message must mention.
type wantIssue struct {
	Severity preflight.Severity
	Code     string
	Entity   roster.Entity
	ID       string
	SISID    string
	Field    string
	Mentions string
}

func gotIssues(issues []preflight.Issue) []wantIssue {
	out := make([]wantIssue, len(issues))
	for i, is := range issues {
		out[i] = wantIssue{is.Severity, is.Code, is.Entity, is.ID, is.SISID, is.Field, ""}
	}
	return out
}

// assertIssues compares issues with want, field by field, and checks that
// each message mentions what want says, that every issue has a message
// and a hint, and that no message repeats a personal value of the roster.
func assertIssues(t *testing.T, want []wantIssue, got []preflight.Issue) {
	t.Helper()
	if diff := cmp.Diff(want, gotIssues(got), cmpopts.IgnoreFields(wantIssue{}, "Mentions"), cmpopts.EquateEmpty()); diff != "" {
		t.Fatalf("issues mismatch (-want +got):\n%s", diff)
	}
	for i, is := range got {
		if !strings.Contains(is.Message, want[i].Mentions) {
			t.Errorf("%s message %q does not mention %q", is.Code, is.Message, want[i].Mentions)
		}
		if is.Message == "" || is.Hint == "" {
			t.Errorf("%s has message %q and hint %q; want both", is.Code, is.Message, is.Hint)
		}
		for _, personal := range []string{"Ana", "Diaz", "Pat Doe", "Sam", "Kim", "Lee", "caf\xe9"} {
			if strings.Contains(is.Message, personal) {
				t.Errorf("%s message %q repeats the personal value %q", is.Code, is.Message, personal)
			}
		}
	}
}

// Ensure a clean roster, checked with the default options, has no issues.
func TestCheck_CleanRoster(t *testing.T) {
	res, err := preflight.Check(cleanRoster(), nil, preflight.Options{MaxHomeroomsPerStudent: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Issues) != 0 {
		t.Errorf("issues on a clean roster: %+v", res.Issues)
	}
}

// Ensure each check fires on a minimal roster and names the entity, ID,
// SIS ID and field of the record.
func TestCheck_Issues(t *testing.T) {
	const E, W = preflight.SeverityError, preflight.SeverityWarning
	tests := []struct {
		name string
		edit func(t *testing.T, r *roster.Roster)
		opts preflight.Options
		want []wantIssue
	}{
		{
			name: "section.duplicate_id",
			edit: func(t *testing.T, r *roster.Roster) { r.Sections = append(r.Sections, r.Sections[0]) },
			want: []wantIssue{{E, "section.duplicate_id", "section", "x1", "sis-x1", "id", "2 sections"}},
		},
		{
			name: "student.duplicate_id",
			edit: func(t *testing.T, r *roster.Roster) {
				stu := *user(t, r, "stu1")
				r.Users = append(r.Users, stu, stu)
			},
			want: []wantIssue{{E, "student.duplicate_id", "student", "stu1", "sis-stu1", "id", "3 users"}},
		},
		{
			name: "teacher.duplicate_id names the primary role",
			edit: func(t *testing.T, r *roster.Roster) {
				tch := *user(t, r, "tch1")
				tch.Roles.Staff = &roster.Staff{}
				r.Users = append(r.Users, tch)
			},
			want: []wantIssue{{E, "teacher.duplicate_id", "teacher", "tch1", "sis-tch1", "id", "2 users"}},
		},
		{
			name: "school.missing_id",
			edit: func(t *testing.T, r *roster.Roster) {
				r.Schools = append(r.Schools, roster.School{Name: "Nameless", SISID: "sis-s9"})
			},
			want: []wantIssue{{E, "school.missing_id", "school", "", "sis-s9", "id", "record 2 of the 2 schools"}},
		},
		{
			name: "student.missing_field",
			edit: func(t *testing.T, r *roster.Roster) { user(t, r, "stu1").Name.Last = "" },
			want: []wantIssue{{E, "student.missing_field", "student", "stu1", "sis-stu1", "name.last", "name.last"}},
		},
		{
			name: "section.missing_field school",
			edit: func(t *testing.T, r *roster.Roster) { r.Sections[0].School = "" },
			want: []wantIssue{{E, "section.missing_field", "section", "x1", "sis-x1", "school", "school"}},
		},
		{
			name: "district.missing_field",
			edit: func(t *testing.T, r *roster.Roster) { r.Districts[0].Name = "" },
			want: []wantIssue{{E, "district.missing_field", "district", "d1", "", "name", "name"}},
		},
		{
			name: "contact.missing_field",
			edit: func(t *testing.T, r *roster.Roster) { user(t, r, "ct1").Name.Last = "" },
			want: []wantIssue{{E, "contact.missing_field", "contact", "ct1", "sis-ct1", "name.last", "name.last"}},
		},
		{
			name: "required fields from the options replace the defaults",
			edit: func(t *testing.T, r *roster.Roster) {
				r.Terms[0].Name = ""
				user(t, r, "stu1").Name.Last = ""
			},
			opts: preflight.Options{Required: map[roster.Entity][]string{roster.EntityTerm: {"name", "start_date"}}},
			want: []wantIssue{
				{E, "term.missing_field", "term", "t1", "", "name", "name"},
				{E, "term.missing_field", "term", "t1", "", "start_date", "start_date"},
			},
		},
		{
			name: "student.invalid_field from the source",
			edit: func(t *testing.T, r *roster.Roster) {
				r.FieldErrors = append(r.FieldErrors, roster.FieldError{
					Entity: roster.EntityStudent, ID: "stu1", SISID: "sis-stu1", Field: "dob", Message: "not a date in any known form",
				})
			},
			want: []wantIssue{{E, "student.invalid_field", "student", "stu1", "sis-stu1", "dob", "not a date"}},
		},
		{
			name: "section.invalid_field that does not encode",
			edit: func(t *testing.T, r *roster.Roster) {
				r.Sections[0].Ext = roster.ExtOf(map[string]stdjson.RawMessage{"room": []byte(`{nope`)})
			},
			want: []wantIssue{{E, "section.invalid_field", "section", "x1", "sis-x1", "ext.room", "not valid JSON"}},
		},
		{
			name: "teacher.invalid_field inside a role",
			edit: func(t *testing.T, r *roster.Roster) {
				user(t, r, "tch1").Roles.Teacher.Ext = roster.ExtOf(map[string]stdjson.RawMessage{"badge": []byte(`"unterminated`)})
			},
			want: []wantIssue{{E, "teacher.invalid_field", "teacher", "tch1", "sis-tch1", "ext.badge", "not valid JSON"}},
		},
		{
			name: "student.invalid_field of text that is not UTF-8",
			edit: func(t *testing.T, r *roster.Roster) { user(t, r, "stu1").Name.First = "caf\xe9" },
			want: []wantIssue{{E, "student.invalid_field", "student", "stu1", "sis-stu1", "name.first", "UTF-8"}},
		},
		{
			name: "section references",
			edit: func(t *testing.T, r *roster.Roster) {
				s := &r.Sections[0]
				s.School, s.Course, s.Term = "s404", "c404", "t404"
				s.Teachers = append(s.Teachers, "tch404")
				s.Students = append(s.Students, "stu404", "stu405")
			},
			want: []wantIssue{
				{E, "section.unknown_course", "section", "x1", "sis-x1", "course", `"c404"`},
				{E, "section.unknown_school", "section", "x1", "sis-x1", "school", `"s404"`},
				{E, "section.unknown_student", "section", "x1", "sis-x1", "students", `"stu404"`},
				{E, "section.unknown_student", "section", "x1", "sis-x1", "students", `"stu405"`},
				{E, "section.unknown_teacher", "section", "x1", "sis-x1", "teachers", `"tch404"`},
				{E, "section.unknown_term", "section", "x1", "sis-x1", "term", `"t404"`},
			},
		},
		{
			name: "primary schools",
			edit: func(t *testing.T, r *roster.Roster) {
				user(t, r, "stu1").Roles.Student.School = "s404"
				user(t, r, "stu1").Roles.Student.Schools = []string{"s404"}
				user(t, r, "tch1").Roles.Teacher.School = "s405"
			},
			want: []wantIssue{
				{E, "student.unknown_school", "student", "stu1", "sis-stu1", "school", `"s404"`},
				{E, "teacher.unknown_school", "teacher", "tch1", "sis-tch1", "school", `"s405"`},
			},
		},
		{
			name: "other schools are warnings",
			edit: func(t *testing.T, r *roster.Roster) {
				stu := user(t, r, "stu1").Roles.Student
				stu.Schools = append(stu.Schools, "s404")
				tch := user(t, r, "tch1").Roles.Teacher
				tch.Schools = append(tch.Schools, "s405")
				user(t, r, "stf1").Roles.Staff.Schools = []string{"s406"}
			},
			want: []wantIssue{
				{W, "staff.unknown_other_school", "staff", "stf1", "sis-stf1", "schools", `"s406"`},
				{W, "student.unknown_other_school", "student", "stu1", "sis-stu1", "schools", `"s404"`},
				{W, "teacher.unknown_other_school", "teacher", "tch1", "sis-tch1", "schools", `"s405"`},
			},
		},
		{
			name: "contact.unknown_student",
			edit: func(t *testing.T, r *roster.Roster) {
				c := user(t, r, "ct1").Roles.Contact
				c.Relationships = append(c.Relationships, roster.Relationship{Student: "stu404"})
			},
			want: []wantIssue{{W, "contact.unknown_student", "contact", "ct1", "sis-ct1", "students", `"stu404"`}},
		},
		{
			name: "student.multiple_homerooms",
			edit: func(t *testing.T, r *roster.Roster) {
				r.Sections[0].Subject = roster.SubjectHomeroom
				second := r.Sections[0]
				second.ID, second.SISID = "x2", "sis-x2"
				second.Students = []string{"stu1", "stu1"} // listed twice, counted once
				third := second
				third.ID, third.SISID, third.Subject = "x3", "sis-x3", "math"
				r.Sections = append(r.Sections, second, third)
			},
			opts: preflight.Options{MaxHomeroomsPerStudent: 1},
			want: []wantIssue{{E, "student.multiple_homerooms", "student", "stu1", "sis-stu1", "sections", `2 homeroom/advisory sections ("x1", "x2")`}},
		},
		{
			name: "multiple homerooms pass when the check is off",
			edit: func(t *testing.T, r *roster.Roster) {
				r.Sections[0].Subject = roster.SubjectHomeroom
				second := r.Sections[0]
				second.ID = "x2"
				r.Sections = append(r.Sections, second)
			},
		},
		{
			name: "user.no_role",
			edit: func(t *testing.T, r *roster.Roster) { r.Users = append(r.Users, roster.User{ID: "nobody"}) },
			want: []wantIssue{{E, "user.no_role", "user", "nobody", "", "roles", "no role"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := cleanRoster()
			tt.edit(t, r)
			res, err := preflight.Check(r, nil, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			assertIssues(t, tt.want, res.Issues)
		})
	}
}

// Ensure the options change a code's severity or drop its issues.
func TestCheck_SeverityOverrides(t *testing.T) {
	r := cleanRoster()
	r.Sections[0].School = "s404"
	stu := user(t, r, "stu1").Roles.Student
	stu.Schools = append(stu.Schools, "s405")

	tests := []struct {
		name     string
		severity map[string]preflight.Severity
		want     []wantIssue
		errors   int
	}{
		{
			name: "defaults",
			want: []wantIssue{
				{"error", "section.unknown_school", "section", "x1", "sis-x1", "school", "s404"},
				{"warning", "student.unknown_other_school", "student", "stu1", "sis-stu1", "schools", "s405"},
			},
			errors: 1,
		},
		{
			name:     "error to warning and warning to error",
			severity: map[string]preflight.Severity{"section.unknown_school": "warning", "student.unknown_other_school": "error"},
			want: []wantIssue{
				{"error", "student.unknown_other_school", "student", "stu1", "sis-stu1", "schools", "s405"},
				{"warning", "section.unknown_school", "section", "x1", "sis-x1", "school", "s404"},
			},
			errors: 1,
		},
		{
			name:     "ignore",
			severity: map[string]preflight.Severity{"section.unknown_school": "ignore"},
			want: []wantIssue{
				{"warning", "student.unknown_other_school", "student", "stu1", "sis-stu1", "schools", "s405"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := preflight.Check(r, nil, preflight.Options{Severity: tt.severity})
			if err != nil {
				t.Fatal(err)
			}
			assertIssues(t, tt.want, res.Issues)
			if res.Errors() != tt.errors || res.Warnings() != len(tt.want)-tt.errors {
				t.Errorf("Errors, Warnings = %d, %d; want %d, %d", res.Errors(), res.Warnings(), tt.errors, len(tt.want)-tt.errors)
			}
		})
	}
}

// Ensure Check refuses options Validate refuses, before doing any work.
func TestCheck_InvalidOptions(t *testing.T) {
	_, err := preflight.Check(cleanRoster(), nil, preflight.Options{Severity: map[string]preflight.Severity{"nope": "error"}})
	if err == nil || !strings.Contains(err.Error(), `"nope"`) {
		t.Errorf("Check with an unknown code: %v", err)
	}
	if _, err := preflight.Check(nil, nil, preflight.Options{}); err == nil {
		t.Error("Check(nil) succeeded")
	}
}

// Ensure issues come errors first, then by code, entity, id and field.
func TestSortIssues(t *testing.T) {
	issues := []preflight.Issue{
		{Severity: "warning", Code: "a.x", Entity: "a", ID: "1"},
		{Severity: "error", Code: "b.x", Entity: "b", ID: "2", Field: "z"},
		{Severity: "error", Code: "b.x", Entity: "b", ID: "2", Field: "a"},
		{Severity: "error", Code: "b.x", Entity: "b", ID: "1"},
		{Severity: "error", Code: "a.y", Entity: "a", ID: "9"},
	}
	preflight.SortIssues(issues)
	var got []string
	for _, is := range issues {
		got = append(got, string(is.Severity)+" "+is.Code+" "+is.ID+" "+is.Field)
	}
	want := []string{"error a.y 9 ", "error b.x 1 ", "error b.x 2 a", "error b.x 2 z", "warning a.x 1 "}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("order mismatch (-want +got):\n%s", diff)
	}
}
