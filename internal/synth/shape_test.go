package synth_test

import (
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/rosterd/rosterd/internal/synth"
	"github.com/rosterd/rosterd/roster"
)

// Ensure generated districts keep the invariants every consumer relies
// on, and have the shape of a real Clever district.
func TestGenerate_Shape(t *testing.T) {
	for _, name := range []string{"tiny", "small", "medium"} {
		t.Run(name, func(t *testing.T) {
			if name == "medium" && testing.Short() {
				t.Skip("medium profile in -short mode")
			}
			r, _ := synth.Generate(profile(t, name))
			checkShape(t, r)
			if name != "tiny" {
				checkShares(t, r)
			}
		})
	}
}

var objectID = regexp.MustCompile(`^[0-9a-f]{24}$`)

// checkShape checks the invariants of a roster generated without defects.
func checkShape(t *testing.T, r *roster.Roster) {
	t.Helper()
	// IDs: well formed, sorted and unique within each slice, and unique
	// across kinds.
	all := make(map[string]string)
	ids := func(kind string, list []string) {
		if !slices.IsSorted(list) {
			t.Errorf("%s are not sorted by ID", kind)
		}
		for _, id := range list {
			if !objectID.MatchString(id) {
				t.Errorf("%s ID %q is not 24 lower-case hex characters", kind, id)
			}
			if other, ok := all[id]; ok {
				t.Errorf("%s ID %s repeats a %s ID", kind, id, other)
			}
			all[id] = kind
		}
	}
	ids("districts", idsOf(r.Districts, func(d roster.District) string { return d.ID }))
	ids("schools", idsOf(r.Schools, func(s roster.School) string { return s.ID }))
	ids("terms", idsOf(r.Terms, func(s roster.Term) string { return s.ID }))
	ids("courses", idsOf(r.Courses, func(s roster.Course) string { return s.ID }))
	ids("sections", idsOf(r.Sections, func(s roster.Section) string { return s.ID }))
	ids("users", idsOf(r.Users, func(u roster.User) string { return u.ID }))
	if len(r.Districts) != 1 {
		t.Fatalf("%d districts, want 1", len(r.Districts))
	}
	if d := r.Districts[0]; d.Name == "" || d.SISType != "sis" {
		t.Errorf("district %+v lacks a name or sis_type", d)
	}

	// References resolve and required fields are present.
	for _, issue := range findIssues(r, nil) {
		t.Errorf("issue in a roster without defects: %+v", issue)
	}

	levels := make(map[string]string) // school ID -> high grade
	for _, s := range r.Schools {
		levels[s.ID] = s.HighGrade
		if s.SISID == "" || s.SchoolNumber == "" || s.Phone == "" || s.Address.Street == "" || s.LowGrade == "" {
			t.Errorf("school %s lacks a field: %+v", s.ID, s)
		}
	}
	for _, tm := range r.Terms {
		inYear := (tm.StartDate == roster.Date{Year: 2026, Month: 8, Day: 24} || tm.StartDate.Year == 2027) &&
			tm.EndDate.Year == 2027 && tm.EndDate.Month <= 6
		if !inYear || !tm.StartDate.Before(tm.EndDate) {
			t.Errorf("term %s runs %s to %s, not within the 2026-2027 school year", tm.Name, tm.StartDate, tm.EndDate)
		}
	}

	// Enrollments: every student in a section, PreK-5 students in exactly
	// one homeroom, older students in a day's worth of periods.
	sections := make(map[string]int)
	homerooms := make(map[string]int)
	for _, s := range r.Sections {
		if s.Name == "" || s.Subject == "" || s.Grade == "" || s.Period == "" || s.Term == "" || s.Course == "" {
			t.Errorf("section %s lacks a field: %+v", s.ID, s)
		}
		if !slices.Contains(subjects, s.Subject) {
			t.Errorf("section %s has subject %q, not in Clever's enum", s.ID, s.Subject)
		}
		for _, st := range s.Students {
			sections[st]++
			if s.Subject == roster.SubjectHomeroom {
				homerooms[st]++
			}
		}
	}
	teachers := make(map[string]bool)
	var students, older int
	for i := range r.Users {
		u := &r.Users[i]
		if u.LastModified.IsZero() || u.LastModified.Location() != time.UTC {
			t.Errorf("user %s last modified %v, want a fixed UTC time", u.ID, u.LastModified)
		}
		if te := u.Roles.Teacher; te != nil {
			teachers[u.ID] = true
			if len(te.Schools) == 0 || te.Schools[0] != te.School || te.SISID == "" || te.Username == "" {
				t.Errorf("teacher %s: school %q, schools %v, sis_id %q", u.ID, te.School, te.Schools, te.SISID)
			}
		}
		if c := u.Roles.Contact; c != nil {
			if u.Name.First != "" || u.Name.Middle != "" || u.Name.Last == "" || len(c.Relationships) == 0 {
				t.Errorf("contact %s has name %+v and %d relationships", u.ID, u.Name, len(c.Relationships))
			}
		}
		st := u.Roles.Student
		if st == nil {
			continue
		}
		if len(st.Schools) == 0 || st.Schools[0] != st.School {
			t.Errorf("student %s: school %q not first of schools %v", u.ID, st.School, st.Schools)
		}
		if !slices.Contains(grades, st.Grade) {
			t.Errorf("student %s in grade %q, not in Clever's enum", u.ID, st.Grade)
		}
		if checkAge(t, u.ID, st) {
			older++
		}
		students++
		if sections[u.ID] == 0 {
			t.Errorf("student %s is in no section", u.ID)
		}
		switch {
		case isElementaryGrade(st.Grade):
			if homerooms[u.ID] != 1 {
				t.Errorf("grade %s student %s is in %d homerooms, want 1", st.Grade, u.ID, homerooms[u.ID])
			}
			if levels[st.School] != "5" {
				t.Errorf("grade %s student %s is at a school up to grade %s", st.Grade, u.ID, levels[st.School])
			}
		default:
			if n := sections[u.ID]; n < 6 || n > 9 {
				t.Errorf("grade %s student %s is in %d sections, want 6 to 8 periods and an advisory", st.Grade, u.ID, n)
			}
		}
	}
	if students > 20 && older*10 > students {
		t.Errorf("%d of %d students are a year older than their grade, want a few held back", older, students)
	}
	for _, s := range r.Sections {
		for _, id := range s.Teachers {
			if !teachers[id] {
				t.Errorf("section %s lists %s, not a teacher, as teacher", s.ID, id)
			}
		}
	}
}

// checkAge checks that a student is five on 1 September 2026 in
// Kindergarten, and a year older per grade, or one more if held back; it
// reports whether the student was held back.
func checkAge(t *testing.T, id string, st *roster.Student) (heldBack bool) {
	t.Helper()
	if st.DOB.IsZero() {
		return false
	}
	grade := slices.Index(grades, st.Grade) - 1 // PreKindergarten is -1
	age := 2026 - int(st.DOB.Year)
	if st.DOB.Month > 9 || (st.DOB.Month == 9 && st.DOB.Day > 1) {
		age--
	}
	if want := 5 + grade; age != want && age != want+1 {
		t.Errorf("student %s in grade %s born %s is %d on 1 September 2026, want %d", id, st.Grade, st.DOB, age, want)
	}
	return age == 6+grade
}

// checkShares checks the shares of co-taught sections, sections without
// a teacher and teachers at several schools, which need a district of
// some size to settle.
func checkShares(t *testing.T, r *roster.Roster) {
	t.Helper()
	var taught, coTaught, untaught int
	for _, s := range r.Sections {
		switch {
		case len(s.Teachers) == 0:
			untaught++
		case len(s.Teachers) > 1:
			coTaught++
			taught++
		default:
			taught++
		}
	}
	var teachers, multiSchool int
	for i := range r.Users {
		if te := r.Users[i].Roles.Teacher; te != nil {
			teachers++
			if len(te.Schools) > 1 {
				multiSchool++
			}
		}
	}
	share := func(what string, n, of int, lo, hi float64) {
		if f := float64(n) / float64(of); f < lo || f > hi {
			t.Errorf("%s: %d of %d (%.3f), want %.3f to %.3f", what, n, of, f, lo, hi)
		}
	}
	share("co-taught sections", coTaught, taught, 0.10, 0.17)
	share("sections without a teacher", untaught, len(r.Sections), 0.0005, 0.015)
	share("teachers at several schools", multiSchool, teachers, 0.20, 0.30)
}

func idsOf[T any](list []T, id func(T) string) []string {
	out := make([]string, len(list))
	for i, rec := range list {
		out[i] = id(rec)
	}
	return out
}

var (
	subjects = []string{
		"english/language arts", "math", "science", "social studies", "language", "homeroom/advisory",
		"interventions/online learning", "technology and engineering", "PE and health", "arts and music", "other",
	}
	grades = []string{"PreKindergarten", "Kindergarten", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"}
)
