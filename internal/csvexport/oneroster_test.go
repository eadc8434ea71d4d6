package csvexport_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rosterd/rosterd/internal/csvexport"
	"github.com/rosterd/rosterd/internal/synth"
	"github.com/rosterd/rosterd/oneroster"
	"github.com/rosterd/rosterd/roster"
)

// readBack writes d as a package of version and reads it with the reader
// rosterd runs.
func readBack(t *testing.T, d *oneroster.Dataset, version string) (*roster.Roster, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "package")
	if err := csvexport.WriteOneRoster(dir, d, version); err != nil {
		t.Fatal(err)
	}
	p, err := oneroster.ReadPackage(dir)
	if err != nil {
		t.Fatalf("ReadPackage: %v", err)
	}
	if p.Manifest.OneRosterVersion != version {
		t.Errorf("manifest says oneroster.version %q, want %q", p.Manifest.OneRosterVersion, version)
	}
	r, err := p.Apply(nil, oneroster.MapOptions{})
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	return r, dir
}

// Ensure a 1.1 package (one role per user in users.csv, no roles.csv)
// reads back as the 1.2 package of the same district does, but for what
// 1.1 cannot say: a user's second role, and the staff and district admin
// titles (1.1 has only administrator), and a sex of other.
func TestWriteOneRoster_Versions(t *testing.T) {
	p, _ := synth.ProfileByName("small")
	gen, _ := synth.Generate(p)
	if !slices.ContainsFunc(gen.Users, func(u roster.User) bool { return u.Roles.Teacher != nil && u.Roles.Staff != nil }) {
		t.Fatal("the district has no teacher who is also staff: the 1.1 role choice is not exercised")
	}
	d := oneroster.FromRoster(gen)

	r12, _ := readBack(t, d, oneroster.Version12)
	r11, dir := readBack(t, d, oneroster.Version11)
	if _, err := os.Stat(filepath.Join(dir, "roles.csv")); err == nil {
		t.Error("a 1.1 package has roles.csv")
	}
	users, err := os.ReadFile(filepath.Join(dir, "users.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if header, _, _ := strings.Cut(string(users), "\r\n"); !strings.Contains(header, ",orgSourcedIds,role,") {
		t.Errorf("1.1 users.csv header %q lacks orgSourcedIds and role", header)
	}
	if r11.FieldErrors != nil || r12.FieldErrors != nil {
		t.Fatalf("field errors: 1.1 %v, 1.2 %v", r11.FieldErrors, r12.FieldErrors)
	}

	if diff := cmp.Diff(r12.Sections, r11.Sections); diff != "" {
		t.Errorf("sections (-1.2 +1.1):\n%s", diff)
	}
	for _, rr := range []*roster.Roster{r11, r12} {
		rr.Sections = nil
		for i := range rr.Users {
			u := &rr.Users[i]
			// 1.1 says one role: a teacher who is also staff is a
			// teacher, and every administrator is titled Administrator.
			// Its sex is male or female: X is none.
			if st := u.Roles.Student; st != nil && st.Demo().Gender == "X" {
				d := st.Demo()
				d.Gender = ""
				st.SetDemo(d)
			}
			if u.Roles.Teacher != nil {
				u.Roles.Staff = nil
			}
			if u.Roles.Staff != nil {
				u.Roles.Staff.Title = ""
			}
			if u.Roles.DistrictAdmin != nil {
				u.Roles.DistrictAdmin.Title = ""
			}
		}
	}
	if diff := cmp.Diff(r12, r11); diff != "" {
		t.Errorf("roster but for sections and roles (-1.2 +1.1):\n%s", diff)
	}
}

// Ensure an unknown version is refused, not written as 1.2.
func TestWriteOneRoster_BadVersion(t *testing.T) {
	if err := csvexport.WriteOneRoster(t.TempDir(), &oneroster.Dataset{}, "1.0"); err == nil {
		t.Error("version 1.0 was written")
	}
}
