package codec

import (
	"testing"

	"github.com/rosterd/rosterd/internal/synth"
)

// Ensure every user and section of a generated district, with its mix of
// roles, programs, ext values and contacts, is written by the fast path
// exactly as the library writes it: the store's committed records of a
// district are these bytes.
func TestFast_SynthDistrict(t *testing.T) {
	profiles := []string{"small", "medium"}
	if testing.Short() {
		profiles = profiles[:1]
	}
	for _, name := range profiles {
		t.Run(name, func(t *testing.T) {
			p, ok := synth.ProfileByName(name)
			if !ok {
				t.Fatalf("no %s profile", name)
			}
			r, _ := synth.Generate(p.WithDefects(synth.Defects{MissingRequired: 0.01, Dangling: 0.01, DuplicateID: 0.01}))
			if len(r.Users) == 0 || len(r.Sections) == 0 {
				t.Fatalf("%s district has %d users and %d sections", name, len(r.Users), len(r.Sections))
			}
			var withExt int
			for i := range r.Users {
				if u := &r.Users[i]; u.Roles.Student != nil && u.Roles.Student.Ext.Len() > 0 {
					withExt++
				}
				checkSynth(t, &r.Users[i])
			}
			for i := range r.Sections {
				checkSynth(t, &r.Sections[i])
			}
			if withExt == 0 {
				t.Errorf("no student of the %s district has ext: the test misses the ext path", name)
			}
		})
	}
}

// checkSynth fails t unless the fast path itself writes rec, a valid
// record, as the library does.
func checkSynth(t *testing.T, rec any) {
	t.Helper()
	fast, problem := compareWithLibrary(rec)
	if problem != "" {
		t.Fatalf("%s: %s", recordID(rec), problem)
	}
	if !fast {
		t.Fatalf("%s: left to the library, want the fast path", recordID(rec))
	}
}
