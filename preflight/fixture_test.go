package preflight_test

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/go-json-experiment/json"
	"github.com/google/go-cmp/cmp"
	"github.com/rosterd/rosterd/preflight"
	"github.com/rosterd/rosterd/roster"
)

// demoDistrict maps Clever's published demo district (a v3.0 list response
// per collection) into a roster, keeping only the fields preflight checks.
// The fixture has no schools, terms or courses collection, so the schools,
// terms and courses are the ones its sections name. Those three schools
// play the schools the district shares with the app, and, as Clever's
// "Share Schools" does, a student or teacher none of whose schools is
// shared is left out (two teachers of the district's two other schools).
func demoDistrict(t *testing.T) *roster.Roster {
	t.Helper()
	dir := fixturesDir(t, "clever", "demo-district-v3.0")
	type page[T any] struct {
		Data []struct {
			Data T `json:"data"`
		} `json:"data"`
	}
	read := func(name string, v any) {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(data, v); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	var districts page[struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}]
	var sections page[struct {
		ID       string   `json:"id"`
		Name     string   `json:"name"`
		SISID    string   `json:"sis_id"`
		School   string   `json:"school"`
		Course   string   `json:"course"`
		Term     string   `json:"term_id"`
		Subject  string   `json:"subject"`
		Teachers []string `json:"teachers"`
		Students []string `json:"students"`
	}]
	type schools struct {
		SISID   string   `json:"sis_id"`
		School  string   `json:"school"`
		Schools []string `json:"schools"`
	}
	var users page[struct {
		ID    string      `json:"id"`
		Name  roster.Name `json:"name"`
		Roles struct {
			Student *schools `json:"student"`
			Teacher *schools `json:"teacher"`
			Contact *struct {
				SISID         string `json:"sis_id"`
				Relationships []struct {
					Student string `json:"student"`
				} `json:"student_relationships"`
			} `json:"contact"`
			DistrictAdmin *struct{} `json:"district_admin"`
		} `json:"roles"`
	}]
	read("districts.json", &districts)
	read("sections.json", &sections)
	read("users.json", &users)

	r := &roster.Roster{}
	for _, d := range districts.Data {
		r.Districts = append(r.Districts, roster.District{ID: d.Data.ID, Name: d.Data.Name})
	}
	seen := map[string]bool{}
	for _, s := range sections.Data {
		s := s.Data
		r.Sections = append(r.Sections, roster.Section{
			ID: s.ID, Name: s.Name, SISID: s.SISID, School: s.School, Course: s.Course, Term: s.Term,
			Subject: s.Subject, Teachers: s.Teachers, Students: s.Students,
		})
		if !seen[s.School] {
			seen[s.School] = true
			r.Schools = append(r.Schools, roster.School{ID: s.School, Name: "school " + s.School})
		}
		if !seen[s.Course] {
			seen[s.Course] = true
			r.Courses = append(r.Courses, roster.Course{ID: s.Course})
		}
		if !seen[s.Term] {
			seen[s.Term] = true
			r.Terms = append(r.Terms, roster.Term{ID: s.Term})
		}
	}
	for _, u := range users.Data {
		u := u.Data
		ru := roster.User{ID: u.ID, Name: u.Name}
		if s := u.Roles.Student; s != nil {
			ru.Roles.Student = &roster.Student{SISID: s.SISID, School: s.School, Schools: s.Schools}
		}
		if s := u.Roles.Teacher; s != nil {
			ru.Roles.Teacher = &roster.Teacher{SISID: s.SISID, School: s.School, Schools: s.Schools}
		}
		if c := u.Roles.Contact; c != nil {
			ru.Roles.Contact = &roster.Contact{SISID: c.SISID}
			for _, rel := range c.Relationships {
				ru.Roles.Contact.Relationships = append(ru.Roles.Contact.Relationships, roster.Relationship{Student: rel.Student})
			}
		}
		if u.Roles.DistrictAdmin != nil {
			ru.Roles.DistrictAdmin = &roster.DistrictAdmin{}
		}
		if (ru.Is(roster.RoleStudent) || ru.Is(roster.RoleTeacher)) && !slices.ContainsFunc(ru.Schools(), func(id string) bool { return seen[id] }) {
			continue
		}
		r.Users = append(r.Users, ru)
	}
	return r
}

// Ensure Clever's own demo district passes with the default options: its
// students whose schools list names a school not shared with the app are
// warnings, and nothing else is reported.
func TestCheck_DemoDistrict(t *testing.T) {
	r := demoDistrict(t)
	res, err := preflight.Check(r, nil, preflight.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Errors() != 0 {
		t.Fatalf("%d errors on the demo district, first: %+v", res.Errors(), res.Issues[0])
	}
	// 10 students and 4 teachers list one of the two unshared schools.
	byCode := map[string]int{}
	for _, is := range res.Issues {
		byCode[is.Code]++
	}
	want := map[string]int{"student.unknown_other_school": 10, "teacher.unknown_other_school": 4}
	if diff := cmp.Diff(want, byCode); diff != "" {
		t.Errorf("warnings by code mismatch (-want +got):\n%s", diff)
	}
	wantAdded := map[roster.Entity]int{
		roster.EntitySection: 378, roster.EntityStudent: 1004, roster.EntityTeacher: 87,
		roster.EntityContact: 1002, roster.EntityDistrictAdmin: 3, roster.EntitySchool: 3,
	}
	for e, n := range wantAdded {
		if c := res.Counts[e]; c.Kept != n || c.Added != n {
			t.Errorf("%s counts = %+v, want %d kept and added", e, *c, n)
		}
	}
}

// Ensure the homeroom check finds the demo district's 417 students in two
// homeroom/advisory sections, the reason it is off by default.
func TestCheck_DemoDistrictHomerooms(t *testing.T) {
	r := demoDistrict(t)
	res, err := preflight.Check(r, nil, preflight.Options{MaxHomeroomsPerStudent: 1})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, is := range res.Issues {
		if is.Code == "student.multiple_homerooms" {
			n++
			if is.Severity != preflight.SeverityError || is.SISID == "" || is.Field != "sections" {
				t.Errorf("homeroom issue %+v", is)
			}
		}
	}
	if n != 417 {
		t.Errorf("%d students in several homerooms, want 417", n)
	}
}
