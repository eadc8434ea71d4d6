package preflight_test

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/rosterd/rosterd/preflight"
	"github.com/rosterd/rosterd/roster"
)

// Ensure guards trip above their count or share of the committed records,
// never on a first sync by share, and with the defaults on mass deletes.
func TestCheckGuards(t *testing.T) {
	// counts builds the counts of one entity from committed, added,
	// updated and deleted records.
	counts := func(e roster.Entity, committed, added, updated, deleted int) map[roster.Entity]*preflight.Counts {
		return map[roster.Entity]*preflight.Counts{e: {Kept: committed - deleted + added, Added: added, Updated: updated, Deleted: deleted}}
	}
	for _, tt := range []struct {
		name   string
		guards []preflight.Guard
		counts map[roster.Entity]*preflight.Counts
		want   []preflight.GuardTrip
	}{
		{"DefaultStudentDeletes", nil, counts(roster.EntityStudent, 1000, 0, 0, 101),
			[]preflight.GuardTrip{{Entity: "student", Action: "delete", Count: 101, Committed: 1000, Percent: 10.1, Limit: "more than 10% of the 1000 committed student records"}}},
		{"DefaultUnderTheLimit", nil, counts(roster.EntityStudent, 1000, 0, 0, 100), []preflight.GuardTrip{}},
		{"DefaultDeleteEverything", nil, counts(roster.EntityTeacher, 40, 0, 0, 40),
			[]preflight.GuardTrip{{Entity: "teacher", Action: "delete", Count: 40, Committed: 40, Percent: 100, Limit: "more than 99.99% of the 40 committed teacher records"}}},
		{"DefaultFirstSync", nil, counts(roster.EntitySection, 0, 5000, 0, 0), []preflight.GuardTrip{}},
		{"ByCount", []preflight.Guard{{Entity: roster.EntitySection, Action: "update", MaxCount: 100}}, counts(roster.EntitySection, 5000, 0, 101, 0),
			[]preflight.GuardTrip{{Entity: "section", Action: "update", Count: 101, Committed: 5000, Percent: 2.02, Limit: "more than 100 section records"}}},
		{"ByCountOnFirstSync", []preflight.Guard{{Action: "add", MaxCount: 10}}, counts(roster.EntityStudent, 0, 11, 0, 0),
			[]preflight.GuardTrip{{Entity: "student", Action: "add", Count: 11, Limit: "more than 10 student records"}}},
		{"Disabled", []preflight.Guard{}, counts(roster.EntityStudent, 10, 0, 0, 10), []preflight.GuardTrip{}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			guards := tt.guards
			if guards == nil {
				guards = preflight.DefaultGuards()
			}
			got := preflight.CheckGuards(guards, tt.counts)
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateApprox(0, 0.01)); diff != "" {
				t.Errorf("trips (-want +got):\n%s", diff)
			}
		})
	}
}

// Ensure a guard that cannot apply is refused by Validate.
func TestOptions_ValidateGuards(t *testing.T) {
	for _, g := range []preflight.Guard{
		{Entity: "robot", Action: "delete", MaxCount: 1},
		{Action: "purge", MaxCount: 1},
		{Action: "delete"},
		{Action: "delete", MaxPercent: 150},
	} {
		if err := (preflight.Options{Guards: []preflight.Guard{g}}).Validate(); !errors.Is(err, preflight.ErrBadGuard) {
			t.Errorf("Validate(%+v) = %v, want ErrBadGuard", g, err)
		}
	}
}
