package synth_test

import (
	"testing"

	"github.com/rosterd/rosterd/internal/synth"
)

// Ensure every named profile is found, in size order, and that the With
// helpers leave the profile they are called on alone.
func TestProfiles(t *testing.T) {
	names := []string{"tiny", "small", "medium", "large", "xl"}
	if len(synth.Profiles) != len(names) {
		t.Fatalf("%d profiles, want %d", len(synth.Profiles), len(names))
	}
	for i, name := range names {
		p, ok := synth.ProfileByName(name)
		if !ok || p.Name != name {
			t.Fatalf("ProfileByName(%q) = %+v, %v", name, p, ok)
		}
		if synth.Profiles[i].Name != name {
			t.Errorf("Profiles[%d] is %q, want %q", i, synth.Profiles[i].Name, name)
		}
		if i > 0 && p.Students <= synth.Profiles[i-1].Students {
			t.Errorf("profile %s is not larger than %s", name, synth.Profiles[i-1].Name)
		}
	}
	if _, ok := synth.ProfileByName("huge"); ok {
		t.Error(`ProfileByName("huge") found a profile`)
	}

	p, _ := synth.ProfileByName("tiny")
	q := p.WithSeed(99).WithDefects(synth.Defects{Dangling: 0.5})
	if q.Seed != 99 || q.Defects.Dangling != 0.5 || q.Students != p.Students {
		t.Errorf("With* gave %+v", q)
	}
	if p.Seed == 99 || p.Defects != (synth.Defects{}) {
		t.Errorf("With* changed the original: %+v", p)
	}
}
