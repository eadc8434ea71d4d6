package state_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rosterd/rosterd/roster"
	"github.com/rosterd/rosterd/state"
)

func TestStore_Prune(t *testing.T) {
	// Ensure pruning by count keeps each connection's newest runs, its
	// head and its held runs, deletes the rest with their reports and
	// undo logs, and RosterAt refuses the runs it can no longer rebuild.
	t.Run("ByCount", func(t *testing.T) {
		path := tempPath(t)
		s := mustOpen(t, path)
		r1 := mustCommit(t, s, 0, userChange("u1", "one"), nil)
		r2 := mustCommit(t, s, r1.ID, userChange("u2", "two"), nil)
		r3 := recordRun(t, s, testConn, "refused")
		r4 := mustCommit(t, s, r2.ID, userChange("u3", "three"), nil) // the head
		held := heldRun(t, s)                                         // run 5
		if err := s.Stage(testConn, r4.ID, userChange("u4", "four"), nil, held, []byte("held")); err != nil {
			t.Fatal(err)
		}
		r6 := recordRun(t, s, testConn, "passed")
		r7 := mustCommit(t, s, r4.ID, &roster.Change{}, nil)
		b8 := recordRun(t, s, "district-b", "refused")

		n, err := s.Prune(2, 0, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		// Kept: 7 and 6 (testConn's two newest: the count is per
		// connection), 5 (held), 4 (the head); 8 is district-b's only run.
		if n != 3 {
			t.Errorf("Prune deleted %d runs, want 3", n)
		}
		checkRunIDs(t, s, []uint64{b8.ID, r7.ID, r6.ID, held.ID, r4.ID})
		for _, id := range []uint64{r1.ID, r2.ID, r3.ID} {
			checkNotRecorded(t, s, id)
		}
		if _, err := s.Staged(held.ID); err != nil {
			t.Errorf("Staged(%d) after Prune = %v; a held run's change must stay", held.ID, err)
		}
		checkRosterAt(t, s, r4.ID, map[string]string{"u1": "one", "u2": "two", "u3": "three"})
		checkRosterAt(t, s, r7.ID, map[string]string{"u1": "one", "u2": "two", "u3": "three"})
		for _, id := range []uint64{r1.ID, r2.ID, r3.ID} {
			checkRosterAtErr(t, s, id, state.ErrHistoryPruned)
		}
		checkRosterAtErr(t, s, held.ID, state.ErrNotFound)
		checkRosterAtErr(t, s, 42, state.ErrNotFound)
		mustClose(t, s)
		if got := readUndo(t, path, testConn); len(got) != 1 || got[r4.ID] == nil {
			t.Errorf("undo logs after Prune = %v, want only run %d's", got, r4.ID)
		}
	})

	// Ensure pruning by age deletes the runs finished before the cutoff,
	// held or not, but never the head, and that a kept run whose roster
	// needs a deleted undo log is refused rather than rebuilt wrong.
	t.Run("ByAge", func(t *testing.T) {
		path := tempPath(t)
		s := mustOpen(t, path)
		now := time.Date(2025, 10, 1, 0, 0, 0, 0, time.UTC)
		at := func(r state.Run, age time.Duration) state.Run {
			r.Started = now.Add(-age - time.Minute)
			r.Finished = now.Add(-age)
			return r
		}
		commitAt := func(base uint64, c *roster.Change, age time.Duration) state.Run {
			t.Helper()
			run := at(newRun(t, s), age)
			if err := s.Commit(testConn, base, c, nil, run, []byte("report")); err != nil {
				t.Fatal(err)
			}
			return run
		}
		day := 24 * time.Hour
		r1 := commitAt(0, userChange("u1", "one"), 40*day)
		// Run 2 finished recently (its record was rewritten late), run 3,
		// after it, long ago.
		r2 := commitAt(r1.ID, userChange("u2", "two"), 1*day)
		r3 := commitAt(r2.ID, userChange("u3", "three"), 35*day)
		r4 := commitAt(r3.ID, userChange("u4", "four"), 31*day) // the head, old
		oldHeld := at(heldRun(t, s), 32*day)
		newHeld := at(heldRun(t, s), 2*day)
		for _, run := range []state.Run{oldHeld, newHeld} {
			if err := s.Stage(testConn, r4.ID, userChange("u5", "five"), nil, run, nil); err != nil {
				t.Fatal(err)
			}
		}

		n, err := s.Prune(0, 30*day, now)
		if err != nil {
			t.Fatal(err)
		}
		if n != 3 {
			t.Errorf("Prune deleted %d runs, want 3 (runs 1, 3 and the old held run)", n)
		}
		checkRunIDs(t, s, []uint64{newHeld.ID, r4.ID, r2.ID})
		if _, err := s.Staged(oldHeld.ID); !errors.Is(err, state.ErrNotFound) {
			t.Errorf("Staged(%d) of an old held run after Prune = %v, want ErrNotFound", oldHeld.ID, err)
		}
		if _, err := s.Staged(newHeld.ID); err != nil {
			t.Errorf("Staged(%d) of a young held run after Prune = %v", newHeld.ID, err)
		}
		checkRosterAt(t, s, r4.ID, map[string]string{"u1": "one", "u2": "two", "u3": "three", "u4": "four"})
		checkRosterAtErr(t, s, r3.ID, state.ErrHistoryPruned)
		checkRosterAtErr(t, s, r2.ID, state.ErrHistoryPruned) // kept, but run 3's undo log is gone
		checkRosterAtErr(t, s, r1.ID, state.ErrHistoryPruned)
		mustClose(t, s)
		// Run 2's undo log is out of reach now: it goes too.
		if got := readUndo(t, path, testConn); len(got) != 1 || got[r4.ID] == nil {
			t.Errorf("undo logs after Prune = %v, want only run %d's", got, r4.ID)
		}
	})

	// Ensure RosterAt works again for the runs after the pruned ones
	// once later commits land: Prune leaves a chain the next commit
	// extends.
	t.Run("ThenCommit", func(t *testing.T) {
		s := mustOpen(t, tempPath(t))
		r1 := mustCommit(t, s, 0, userChange("u1", "one"), nil)
		r2 := mustCommit(t, s, r1.ID, userChange("u2", "two"), nil)
		if _, err := s.Prune(1, 0, time.Now()); err != nil {
			t.Fatal(err)
		}
		r3 := mustCommit(t, s, r2.ID, userChange("u3", "three"), nil)
		checkRosterAt(t, s, r2.ID, map[string]string{"u1": "one", "u2": "two"})
		checkRosterAt(t, s, r3.ID, map[string]string{"u1": "one", "u2": "two", "u3": "three"})
		checkRosterAtErr(t, s, r1.ID, state.ErrHistoryPruned)
	})

	// Ensure no limits prune nothing and negative limits are refused.
	t.Run("NoLimit", func(t *testing.T) {
		s := mustOpen(t, tempPath(t))
		r1 := mustCommit(t, s, 0, userChange("u1", "one"), nil)
		r2 := recordRun(t, s, testConn, "refused")
		if n, err := s.Prune(0, 0, time.Now()); err != nil || n != 0 {
			t.Errorf("Prune(0, 0) = %d, %v; want 0, nil", n, err)
		}
		checkRunIDs(t, s, []uint64{r2.ID, r1.ID})
		for _, tt := range []struct {
			keep   int
			maxAge time.Duration
		}{{-1, 0}, {0, -time.Hour}} {
			if _, err := s.Prune(tt.keep, tt.maxAge, time.Now()); err == nil {
				t.Errorf("Prune(%d, %s) succeeded", tt.keep, tt.maxAge)
			}
		}
		checkRunIDs(t, s, []uint64{r2.ID, r1.ID})
	})
}

// recordRun records a run of conn with verdict and a report.
func recordRun(tb testing.TB, s *state.Store, conn, verdict string) state.Run {
	tb.Helper()
	run := newRun(tb, s)
	run.Connection, run.Verdict = conn, verdict
	if err := s.RecordRun(run, []byte("report")); err != nil {
		tb.Fatal(err)
	}
	return run
}

// checkRunIDs compares the IDs of every run in the history, newest first,
// with want.
func checkRunIDs(t *testing.T, s *state.Store, want []uint64) {
	t.Helper()
	runs, err := s.Runs(state.RunFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var got []uint64
	for _, r := range runs {
		got = append(got, r.ID)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("runs mismatch (-want +got):\n%s", diff)
	}
}
