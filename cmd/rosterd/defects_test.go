package main

import (
	"fmt"
	"testing"

	"github.com/rosterd/rosterd/internal/fakeclever"
	"github.com/rosterd/rosterd/internal/synth"
	"github.com/rosterd/rosterd/preflight"
	"github.com/rosterd/rosterd/roster"
	"github.com/rosterd/rosterd/state"
)

// Ensure a defect of each kind the generator injects makes preflight
// refuse the run with an issue naming the record and field, and that
// nothing is committed.
func TestSync_DefectsRefused(t *testing.T) {
	tests := map[string]synth.Defects{
		"missing_field":   {MissingRequired: 0.01},
		"dangling":        {Dangling: 0.01},
		"duplicate_id":    {DuplicateID: 0.01},
		"double_homeroom": {DoubleHomeroom: 0.01},
	}
	for kind, rates := range tests {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			district, defects := generated(t, "small", 5, rates)
			if len(defects) == 0 {
				t.Fatal("generator injected no defect")
			}
			h := newHarness(t, fakeclever.FromRoster(district), "    preflight:\n      max_homerooms_per_student: 1\n")
			r, rep := h.syncJSON("sync")
			if r.code != exitRefused || rep.Verdict != preflight.VerdictRefused {
				t.Fatalf("sync exit %d verdict %v, want %d refused\nstderr:\n%s", r.code, rep.Verdict, exitRefused, r.stderr)
			}
			for _, d := range defects {
				if d.Kind != kind {
					t.Fatalf("asked for %s defects, got %+v", kind, d)
				}
				if !reported(rep.Issues, d) {
					t.Errorf("no error issue names defect %+v", d)
				}
			}
			h.view(func(sn *state.Snapshot) {
				for _, k := range roster.Kinds {
					if n := sn.Count(k); n != 0 {
						t.Errorf("a refused run committed %d %s", n, k)
					}
				}
			})
		})
	}
}

// reported reports whether an error issue names the defect's record and
// field.
func reported(issues []preflight.Issue, d synth.Defect) bool {
	for _, is := range issues {
		if is.Severity != preflight.SeverityError || is.ID != d.ID {
			continue
		}
		switch d.Kind {
		case "missing_field":
			if is.Code == fmt.Sprintf("%s.missing_field", d.Entity) && is.Field == d.Field {
				return true
			}
		case "dangling":
			if is.Field == d.Field && is.Entity == d.Entity {
				return true
			}
		case "duplicate_id":
			if is.Code == fmt.Sprintf("%s.duplicate_id", d.Entity) {
				return true
			}
		case "double_homeroom":
			if is.Code == "student.multiple_homerooms" {
				return true
			}
		}
	}
	return false
}
