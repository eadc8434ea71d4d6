package synth_test

import (
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rosterd/rosterd/internal/synth"
	"github.com/rosterd/rosterd/roster"
)

func profile(t testing.TB, name string) synth.Profile {
	t.Helper()
	p, ok := synth.ProfileByName(name)
	if !ok {
		t.Fatalf("no profile %q", name)
	}
	return p
}

// Ensure the same profile gives a deeply equal roster and another seed
// gives another district.
func TestGenerate_Deterministic(t *testing.T) {
	for _, name := range []string{"tiny", "small"} {
		t.Run(name, func(t *testing.T) {
			p := profile(t, name)
			a, _ := synth.Generate(p)
			b, _ := synth.Generate(p)
			if diff := cmp.Diff(a, b); diff != "" {
				t.Fatalf("same profile, different rosters (-first +second):\n%s", diff)
			}
			c, _ := synth.Generate(p.WithSeed(p.Seed + 1))
			if cmp.Equal(a, c) {
				t.Fatal("another seed gave the same roster")
			}
			if a.Districts[0].ID == c.Districts[0].ID || a.Users[0].ID == c.Users[0].ID {
				t.Errorf("another seed kept IDs %s, %s", a.Districts[0].ID, a.Users[0].ID)
			}
		})
	}
}

// Ensure turning contacts off removes the contacts and changes nothing
// else, so tests can vary one knob at a time.
func TestGenerate_ContactsIndependent(t *testing.T) {
	p := profile(t, "small")
	with, _ := synth.Generate(p)
	p.Contacts = false
	without, _ := synth.Generate(p)
	kept := *with
	kept.Users = nil
	for _, u := range with.Users {
		if !u.Is(roster.RoleContact) {
			kept.Users = append(kept.Users, u)
		}
	}
	if len(kept.Users) == len(with.Users) {
		t.Fatal("the small profile has no contacts")
	}
	if diff := cmp.Diff(&kept, without); diff != "" {
		t.Errorf("contacts changed the rest of the district (-with contacts +without):\n%s", diff)
	}
}

// Ensure each profile's counts and averages are those of a real district
// of its size: about 14 students per teacher, 4.7 sections per student and
// 22 students per section.
func TestGenerate_Sizes(t *testing.T) {
	tests := []struct {
		name     string
		schools  int
		students int
		// Targets for counts that follow from the size; 0 skips a check
		// that a tiny district is too small for.
		teachers, sections, enrollments int
	}{
		{name: "tiny", schools: 2, students: 60},
		{name: "small", schools: 6, students: 3_000, teachers: 3_000 / 14, sections: 3_000 * 76 / 350, enrollments: 3_000 * 165 / 35},
		{name: "medium", schools: 60, students: 35_000, teachers: 2_500, sections: 7_600, enrollments: 165_000},
		{name: "large", schools: 600, students: 350_000, teachers: 25_000, sections: 76_000, enrollments: 1_650_000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.name == "large" && testing.Short() {
				t.Skip("large profile in -short mode")
			}
			r, defects := synth.Generate(profile(t, tt.name))
			if defects != nil {
				t.Errorf("a profile without defects listed %d", len(defects))
			}
			n := r.Count()
			enr := enrollments(r)
			within(t, "schools", n[roster.EntitySchool], tt.schools)
			within(t, "students", n[roster.EntityStudent], tt.students)
			if tt.teachers > 0 {
				within(t, "teachers", n[roster.EntityTeacher], tt.teachers)
				within(t, "sections", n[roster.EntitySection], tt.sections)
				within(t, "enrollments", enr, tt.enrollments)
				perStudent := float64(enr) / float64(n[roster.EntityStudent])
				perSection := float64(enr) / float64(n[roster.EntitySection])
				if perStudent < 4.3 || perStudent > 5.1 {
					t.Errorf("%.2f sections per student, want about 4.7", perStudent)
				}
				if perSection < 20 || perSection > 24 {
					t.Errorf("%.1f students per section, want about 22", perSection)
				}
			}
			for _, e := range []roster.Entity{roster.EntityDistrict, roster.EntityTerm} {
				if n[e] == 0 {
					t.Errorf("no %s", e)
				}
			}
			p := profile(t, tt.name)
			if n[roster.EntityStaff] != p.Staff || n[roster.EntityDistrictAdmin] != p.DistrictAdmins {
				t.Errorf("%d staff and %d district admins, want %d and %d",
					n[roster.EntityStaff], n[roster.EntityDistrictAdmin], p.Staff, p.DistrictAdmins)
			}
			if got := n[roster.EntityContact]; p.Contacts && (got < tt.students || got > 2*tt.students) {
				t.Errorf("%d contacts for %d students, want one or two each", got, tt.students)
			}
		})
	}
}

// within fails t unless got is within 5% of want.
func within(t *testing.T, what string, got, want int) {
	t.Helper()
	if math.Abs(float64(got-want)) > 0.05*float64(want) {
		t.Errorf("%d %s, want %d ± 5%%", got, what, want)
	}
}

// Ensure the two-school district is one elementary and one high school,
// as tests of tiny rosters expect.
func TestGenerate_TinySchools(t *testing.T) {
	r, _ := synth.Generate(profile(t, "tiny"))
	levels := map[string]bool{}
	for _, s := range r.Schools {
		levels[s.HighGrade] = true
	}
	if diff := cmp.Diff(map[string]bool{"5": true, "12": true}, levels); diff != "" {
		t.Errorf("tiny schools' high grades mismatch (-want +got):\n%s", diff)
	}
}

// Ensure odd profiles (one school, no students, more schools than
// students) still give a consistent roster.
func TestGenerate_EdgeProfiles(t *testing.T) {
	tests := []synth.Profile{
		{Name: "one school", Seed: 3, Schools: 1, Students: 40, Staff: 12, DistrictAdmins: 1, Contacts: true},
		{Name: "empty", Seed: 3, Schools: 3},
		{Name: "sparse", Seed: 3, Schools: 20, Students: 7, Staff: 30},
		{Name: "negative seed", Seed: -42, Schools: 4, Students: 200, StudentsPerTeacher: 9},
	}
	for _, p := range tests {
		t.Run(p.Name, func(t *testing.T) {
			r, _ := synth.Generate(p)
			n := r.Count()
			if n[roster.EntitySchool] != max(1, p.Schools) || n[roster.EntityStudent] != p.Students || n[roster.EntityStaff] != p.Staff {
				t.Errorf("counts %v for profile %+v", n, p)
			}
			checkShape(t, r)
		})
	}
}
