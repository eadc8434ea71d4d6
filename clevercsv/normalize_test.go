package clevercsv_test

import (
	"testing"

	"github.com/rosterd/rosterd/clevercsv"
	"github.com/rosterd/rosterd/roster"
)

// Ensure grades as SIS exports write them map onto Clever's API grade
// enum, and unknown grades are refused rather than guessed.
func TestNormGrade(t *testing.T) {
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"", "", true},
		{"0", "Kindergarten", true},
		{"00", "Kindergarten", true},
		{"K", "Kindergarten", true},
		{"kg", "Kindergarten", true},
		{"KN", "Kindergarten", true},
		{"Kindergarten", "Kindergarten", true},
		{" kindergarten ", "Kindergarten", true},
		{"-1", "PreKindergarten", true},
		{"PK", "PreKindergarten", true},
		{"Pre-K", "PreKindergarten", true},
		{"pre k", "PreKindergarten", true},
		{"PreKindergarten", "PreKindergarten", true},
		{"Pre-Kindergarten", "PreKindergarten", true},
		{"TK", "TransitionalKindergarten", true},
		{"Transitional Kindergarten", "TransitionalKindergarten", true},
		{"IT", "InfantToddler", true},
		{"Infant/Toddler", "InfantToddler", true},
		{"PR", "Preschool", true},
		{"Preschool", "Preschool", true},
		{"1", "1", true},
		{"01", "1", true},
		{"9", "9", true},
		{"12", "12", true},
		{"13", "13", true},
		{"PG", "PostGraduate", true},
		{"PostGraduate", "PostGraduate", true},
		{"UG", "Ungraded", true},
		{"Ungraded", "Ungraded", true},
		{"Other", "Other", true},
		{"14", "", false},
		{"-2", "", false},
		{"Grade 5", "", false},
		{"5th", "", false},
		{"PS", "", false}, // Preschool in some exports, post-secondary in OneRoster
	}
	for _, tt := range tests {
		got, ok := clevercsv.NormGrade(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("NormGrade(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

// Ensure free-text subjects map onto Clever's API subject enum, with
// unknown text as "other" and an empty subject left empty.
func TestNormSubject(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"  ", ""},
		{"english/language arts", "english/language arts"},
		{"English/Language Arts", "english/language arts"},
		{"English / Language Arts", "english/language arts"},
		{"ELA", "english/language arts"},
		{"Reading", "english/language arts"},
		{"Language Arts", "english/language arts"},
		{"Math", "math"},
		{"Mathematics", "math"},
		{"Science", "science"},
		{"Social Studies", "social studies"},
		{"History", "social studies"},
		{"Language", "language"},
		{"World Languages", "language"},
		{"Foreign Language", "language"},
		{"Homeroom", "homeroom/advisory"},
		{"Homeroom/Advisory", "homeroom/advisory"},
		{"advisory", "homeroom/advisory"},
		{"Interventions/Online Learning", "interventions/online learning"},
		{"Intervention", "interventions/online learning"},
		{"Technology and Engineering", "technology and engineering"},
		{"Technology & Engineering", "technology and engineering"},
		{"Computer Science", "technology and engineering"},
		{"PE and Health", "PE and health"},
		{"PE & Health", "PE and health"},
		{"Physical Education", "PE and health"},
		{"Health", "PE and health"},
		{"Arts and Music", "arts and music"},
		{"Music", "arts and music"},
		{"Fine Arts", "arts and music"},
		{"Other", "other"},
		{"Driver's Education", "other"},
		{"Underwater Basket Weaving", "other"},
	}
	for _, tt := range tests {
		if got := clevercsv.NormSubject(tt.in); got != tt.want {
			t.Errorf("NormSubject(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// Ensure genders, races, flags and lunch statuses map onto the values of
// Clever's API, as its sample shows (female -> F, B -> Black or African
// American).
func TestNormEnums(t *testing.T) {
	type norm func(string) (string, bool)
	tests := []struct {
		name string
		f    norm
		in   string
		want string
		ok   bool
	}{
		{"gender", clevercsv.NormGender, "female", "F", true},
		{"gender", clevercsv.NormGender, "Male", "M", true},
		{"gender", clevercsv.NormGender, "F", "F", true},
		{"gender", clevercsv.NormGender, "m", "M", true},
		{"gender", clevercsv.NormGender, "X", "X", true},
		{"gender", clevercsv.NormGender, "Non-binary", "X", true},
		{"gender", clevercsv.NormGender, "", "", true},
		{"gender", clevercsv.NormGender, "U", "", false},

		{"race", clevercsv.NormRace, "W", "Caucasian", true},
		{"race", clevercsv.NormRace, "B", "Black or African American", true},
		{"race", clevercsv.NormRace, "I", "American Indian", true},
		{"race", clevercsv.NormRace, "A", "Asian", true},
		{"race", clevercsv.NormRace, "M", "Two or More Races", true},
		{"race", clevercsv.NormRace, "P", "Hawaiian or Other Pacific Islander", true},
		{"race", clevercsv.NormRace, "u", "Unknown", true},
		{"race", clevercsv.NormRace, "Black or African American", "Black or African American", true},
		{"race", clevercsv.NormRace, "two or more races", "Two or More Races", true},
		{"race", clevercsv.NormRace, "White", "Caucasian", true},
		{"race", clevercsv.NormRace, "", "", true},
		{"race", clevercsv.NormRace, "Z", "", false},

		{"yes/no", clevercsv.NormYesNo, "Y", "Y", true},
		{"yes/no", clevercsv.NormYesNo, "yes", "Y", true},
		{"yes/no", clevercsv.NormYesNo, "TRUE", "Y", true},
		{"yes/no", clevercsv.NormYesNo, "1", "Y", true},
		{"yes/no", clevercsv.NormYesNo, "N", "N", true},
		{"yes/no", clevercsv.NormYesNo, "No", "N", true},
		{"yes/no", clevercsv.NormYesNo, "0", "N", true},
		{"yes/no", clevercsv.NormYesNo, "", "", true},
		{"yes/no", clevercsv.NormYesNo, "maybe", "", false},

		{"frl", clevercsv.NormFRL, "F", "Free", true},
		{"frl", clevercsv.NormFRL, "Free", "Free", true},
		{"frl", clevercsv.NormFRL, "R", "Reduced", true},
		{"frl", clevercsv.NormFRL, "N", "Paid", true},
		{"frl", clevercsv.NormFRL, "Paid", "Paid", true},
		{"frl", clevercsv.NormFRL, "other", "Other", true},
		{"frl", clevercsv.NormFRL, "", "", true},
		{"frl", clevercsv.NormFRL, "Q", "", false},
	}
	for _, tt := range tests {
		got, ok := tt.f(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("%s(%q) = %q, %v; want %q, %v", tt.name, tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

// Ensure dates read in the forms Clever's files use, two-digit years by
// the fixed POSIX pivot, and impossible dates are refused.
func TestParseDate(t *testing.T) {
	tests := []struct {
		in   string
		want string // YYYY-MM-DD; "" with ok is the zero date
		ok   bool
	}{
		{"", "", true},
		{"2/11/07", "2007-02-11", true}, // Clever's sample, student 100095233
		{"11/1/98", "1998-11-01", true},
		{"8/1/15", "2015-08-01", true}, // the sample's Term_start
		{"1/1/68", "2068-01-01", true},
		{"1/1/69", "1969-01-01", true},
		{"1/1/00", "2000-01-01", true},
		{"2/11/2007", "2007-02-11", true}, // Clever's API form
		{"02/11/2007", "2007-02-11", true},
		{"2007-02-11", "2007-02-11", true},
		{"2015-08-25T00:00:00.000Z", "2015-08-25", true},
		{" 2/11/07 ", "2007-02-11", true},
		{"02/29/2005", "", false}, // in Clever's sample: 2005 is not a leap year
		{"2/29/04", "2004-02-29", true},
		{"13/1/2007", "", false},
		{"2/11/7", "", false},
		{"2/11/x7", "", false},
		{"11.2.2007", "", false},
		{"Feb 11 2007", "", false},
	}
	for _, tt := range tests {
		got, err := clevercsv.ParseDate(tt.in)
		if (err == nil) != tt.ok || got.String() != tt.want {
			t.Errorf("ParseDate(%q) = %v, %v; want %q, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
		if err != nil && contains(err.Error(), tt.in) {
			t.Errorf("ParseDate(%q): the error repeats the value: %v", tt.in, err)
		}
	}
}

// Ensure header names match as districts write them.
func TestNormColumn(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Student_id", "student_id"},
		{"Student_ID", "student_id"},
		{" student id ", "student_id"},
		{"Student-Id", "student_id"},
		{"Teacher 2 id", "teacher_2_id"},
		{"Teacher__2__id", "teacher_2_id"},
		{"ext.Bus_Route", "ext.bus_route"},
		{"DOB", "dob"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := clevercsv.NormColumn(tt.in); got != tt.want {
			t.Errorf("NormColumn(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// Ensure the ID helpers namespace SIS IDs per kind and give terms and
// courses IDs that depend on every part that defines them.
func TestIDs(t *testing.T) {
	if got := clevercsv.UserID(roster.RoleStudent, "47"); got != "student:47" {
		t.Errorf("student ID = %q", got)
	}
	if got := clevercsv.UserID(roster.RoleTeacher, "47"); got != "teacher:47" {
		t.Errorf("teacher ID = %q", got)
	}
	if clevercsv.SchoolID("") != "" || clevercsv.SectionID("") != "" {
		t.Error("an absent SIS ID must give an absent ID")
	}
	start, end := roster.MustDate("2015-08-01"), roster.MustDate("2016-06-01")
	ids := map[string]string{
		"term":         clevercsv.TermID("Y1", start, end),
		"other name":   clevercsv.TermID("S1", start, end),
		"other start":  clevercsv.TermID("Y1", roster.MustDate("2015-08-02"), end),
		"no dates":     clevercsv.TermID("Y1", roster.Date{}, roster.Date{}),
		"course":       clevercsv.CourseID("101", "Group Guidance"),
		"other number": clevercsv.CourseID("102", "Group Guidance"),
		"shifted":      clevercsv.CourseID("10", "1Group Guidance"),
	}
	seen := map[string]string{}
	for what, id := range ids {
		if other, dup := seen[id]; dup {
			t.Errorf("%s and %s share the ID %s", what, other, id)
		}
		seen[id] = what
	}
	if clevercsv.TermID("Y1", start, end) != ids["term"] {
		t.Error("TermID is not deterministic")
	}
	if got := ids["course"]; len(got) != len("course:")+16 {
		t.Errorf("course ID %q is not course:<16 hex>", got)
	}
}
