package oneroster_test

import (
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rosterd/rosterd/internal/synth"
	"github.com/rosterd/rosterd/oneroster"
	"github.com/rosterd/rosterd/roster"
)

// Package.Apply merges a delta onto the roster before it by writing that
// roster back as OneRoster records, so FromRoster must invert ToRoster
// exactly on every roster ToRoster gives.

func TestFromRoster_RoundTrip(t *testing.T) {
	opts := oneroster.MapOptions{SISType: "rosterd-test"}
	check := func(t *testing.T, r *roster.Roster) {
		t.Helper()
		r.FieldErrors = nil
		got := oneroster.ToRoster(oneroster.FromRoster(r), opts)
		if diff := cmp.Diff(r, got, rosterOpts...); diff != "" {
			t.Errorf("ToRoster(FromRoster(r)) mismatch (-r +got):\n%s", diff)
		}
	}
	for _, name := range []string{"tiny", "small"} {
		t.Run("synth/"+name, func(t *testing.T) {
			// A generated district, first mapped to what ToRoster gives
			// (Clever-only fields, such as programs, do not survive).
			p, _ := synth.ProfileByName(name)
			gen, _ := synth.Generate(p)
			r := oneroster.ToRoster(oneroster.FromRoster(gen), opts)
			if diff := cmp.Diff(gen.Count(), r.Count()); diff != "" {
				t.Fatalf("counts mismatch (-generated +mapped):\n%s", diff)
			}
			check(t, r)

			// Ensure the same district through CSV files reads back alike:
			// the CSV writer of these tests and ReadPackage agree.
			pkg := mustReadPackage(t, datasetFolder(t, oneroster.FromRoster(r), oneroster.ModeBulk))
			fromCSV, err := pkg.Apply(nil, oneroster.MapOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(r, fromCSV, rosterOpts...); diff != "" {
				t.Errorf("through CSV mismatch (-r +got):\n%s", diff)
			}
		})
	}
	root := orFixtures(t)
	for _, tc := range csvFixtures {
		if tc.refused != nil {
			continue
		}
		t.Run(tc.path, func(t *testing.T) {
			p := mustReadPackage(t, filepath.Join(root, tc.path))
			r, err := p.Apply(nil, opts)
			if err != nil {
				t.Fatal(err)
			}
			check(t, r)
		})
	}
}

func TestPackage_Apply_DeltaOfNothing(t *testing.T) {
	// Ensure applying a bulk package and then the same records as a delta
	// changes nothing.
	p, _ := synth.ProfileByName("tiny")
	gen, _ := synth.Generate(p)
	d := oneroster.FromRoster(gen)
	r := mustApplyPackage(t, mustReadPackage(t, datasetFolder(t, d, oneroster.ModeBulk)), nil)
	again := mustApplyPackage(t, mustReadPackage(t, datasetFolder(t, d, oneroster.ModeDelta)), r)
	if diff := cmp.Diff(r, again, rosterOpts...); diff != "" {
		t.Errorf("delta of the same records changed the roster (-before +after):\n%s", diff)
	}
}

func mustApplyPackage(tb testing.TB, p *oneroster.Package, recBase *roster.Roster) *roster.Roster {
	tb.Helper()
	r, err := p.Apply(recBase, oneroster.MapOptions{})
	if err != nil {
		tb.Fatal(err)
	}
	return r
}
