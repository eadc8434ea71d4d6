package roster_test

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rosterd/rosterd/roster"
)

// Ensure every field of every user entity can be cleared, and clearing
// leaves no value behind.
func TestField_Clear(t *testing.T) {
	for _, e := range roster.UserEntities {
		for _, path := range append(roster.FieldNames(e), "ext.consent") {
			if path == "id" {
				continue
			}
			t.Run(string(e)+"."+path, func(t *testing.T) {
				u := fullUser()
				f, err := roster.LookupField(e, path)
				if err != nil {
					t.Skipf("%s has no ext: %v", e, err)
				}
				if !f.Present(&u) {
					t.Fatalf("the test user has no %s.%s", e, path)
				}
				if err := f.Clear(&u); err != nil {
					t.Fatal(err)
				}
				if f.Present(&u) {
					t.Errorf("%s.%s still present after Clear", e, path)
				}
			})
		}
	}
}

// Ensure a user's ID is never cleared, and a user without the entity's
// role is left alone.
func TestField_Clear_Refused(t *testing.T) {
	u := fullUser()
	f, _ := roster.LookupField(roster.EntityStudent, "id")
	if err := f.Clear(&u); err == nil || u.ID == "" {
		t.Errorf("Clear(id) = %v, ID %q", err, u.ID)
	}
	s := roster.User{ID: "s1", Name: roster.Name{First: "A"}, Roles: roster.Roles{Student: &roster.Student{Grade: "3"}}}
	before := s
	f, _ = roster.LookupField(roster.EntityTeacher, "name.first")
	if err := f.Clear(&s); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(before, s); diff != "" {
		t.Errorf("clearing a teacher field changed a student (-before +after):\n%s", diff)
	}
	if err := f.Clear(&roster.School{}); err == nil {
		t.Error("Clear accepted a school")
	}
}

// fullUser holds every role with every field set.
func fullUser() roster.User {
	ext := roster.ExtOf(map[string]json.RawMessage{"consent": json.RawMessage(`"Y"`), "house": json.RawMessage(`"red"`)})
	return roster.User{
		ID: "u1", District: "d1", Name: roster.Name{First: "F", Middle: "M", Last: "L"}, Email: "e@example.net",
		Roles: roster.Roles{
			Student: &roster.Student{
				Demographics: &roster.Demographics{Gender: "F", GraduationYear: "2030", Race: "r", HispanicEthnicity: "N", ELLStatus: "N", HomeLanguage: "en"},
				SISID:        "1", StudentNumber: "2", StateID: "3", Username: "u", Grade: "4", School: "s1", Schools: []string{"s1"},
				DOB:      roster.Date{Year: 2010, Month: 1, Day: 2},
				Programs: &roster.Programs{IEPStatus: "Y", Section504Status: "Y", FRLStatus: "Y", GiftedStatus: "Y"},
				Ext:      cloneExt(ext),
			},
			Teacher:       &roster.Teacher{SISID: "t", TeacherNumber: "n", StateID: "s", Username: "u", Title: "T", School: "s1", Schools: []string{"s1"}, Ext: cloneExt(ext)},
			Staff:         &roster.Staff{StaffID: "x", Username: "u", Title: "T", Department: "D", Schools: []string{"s1"}, Ext: cloneExt(ext)},
			DistrictAdmin: &roster.DistrictAdmin{Title: "Admin"},
			Contact:       &roster.Contact{SISID: "c", Phone: "p", PhoneType: "Cell", Relationships: []roster.Relationship{{Student: "s9"}}},
		},
	}
}

func cloneExt(x roster.Ext) roster.Ext { return roster.ExtOf(x.Map()) }

// Ensure clearing a demographic field changes only the student cleared,
// though others share its demographics.
func TestClear_SharedDemographics(t *testing.T) {
	var in roster.Interner
	shared := in.Demographics(roster.Demographics{Gender: "F", Race: "Asian"})
	if again := in.Demographics(roster.Demographics{Gender: "F", Race: "Asian"}); again != shared {
		t.Fatal("equal demographics were not shared")
	}
	if in.Demographics(roster.Demographics{}) != nil {
		t.Fatal("no demographics interned as a non-nil pointer")
	}
	a := roster.User{ID: "a", Roles: roster.Roles{Student: &roster.Student{Demographics: shared}}}
	b := roster.User{ID: "b", Roles: roster.Roles{Student: &roster.Student{Demographics: shared}}}
	for _, path := range []string{"gender", "race"} {
		if err := (roster.Field{Entity: roster.EntityStudent, Path: path}).Clear(&a); err != nil {
			t.Fatal(err)
		}
	}
	if a.Roles.Student.Demographics != nil {
		t.Errorf("a student cleared of every demographic has %+v, want none", *a.Roles.Student.Demographics)
	}
	if diff := cmp.Diff(roster.Demographics{Gender: "F", Race: "Asian"}, b.Roles.Student.Demo()); diff != "" {
		t.Errorf("clearing one student changed another's demographics (-want +got):\n%s", diff)
	}
}
