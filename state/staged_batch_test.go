package state_test

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rosterd/rosterd/roster"
	"github.com/rosterd/rosterd/state"
)

// stageWith commits before (in one transaction each) to a new store, then
// stages change under limits, and returns the store, the held run and how
// many batches the Stage ran.
func stageWith(t *testing.T, before []*roster.Change, change *roster.Change, limits state.CommitLimits) (*state.Store, state.Run, int) {
	t.Helper()
	s := mustOpen(t, tempPath(t))
	var base uint64
	for _, c := range before {
		base = mustCommit(t, s, base, c, nil).ID
	}
	state.SetCommitLimits(s, limits)
	var batches int
	state.SetAfterBatch(s, func(int, bool) error { batches++; return nil })
	run := heldRun(t, s)
	if err := s.Stage(testConn, base, change, []byte("cursor-2"), run, []byte("held report")); err != nil {
		t.Fatalf("Stage: %v", err)
	}
	state.SetAfterBatch(s, nil)
	return s, run, batches
}

func TestStore_StageBatched(t *testing.T) {
	// Ensure a change staged in batches leaves the store exactly as the
	// single transaction does: the staged change, its info, the run and
	// its report, and no shadow (nor a connection bucket the single
	// transaction would not create).
	t.Run("SameAsSingle", func(t *testing.T) {
		for _, tt := range batchCases(t) {
			t.Run(tt.name, func(t *testing.T) {
				want, wantRun, n := stageWith(t, tt.before, tt.change, state.SingleTransaction)
				if n != 0 {
					t.Fatalf("the single transaction ran %d batches", n)
				}
				wantStaged, err := want.Staged(wantRun.ID)
				if err != nil {
					t.Fatal(err)
				}
				for _, batch := range []int{1, 4, 1000} {
					got, gotRun, n := stageWith(t, tt.before, tt.change, state.Batched(batch))
					if n == 0 {
						t.Errorf("batches of %d: Stage ran no batch", batch)
					}
					if diff := cmp.Diff(mustTree(t, want), mustTree(t, got)); diff != "" {
						t.Errorf("batches of %d: store mismatch (-single +batched):\n%s", batch, diff)
					}
					gotStaged, err := got.Staged(gotRun.ID)
					if err != nil {
						t.Fatal(err)
					}
					if diff := cmp.Diff(wantStaged, gotStaged); diff != "" {
						t.Errorf("batches of %d: Staged mismatch (-single +batched):\n%s", batch, diff)
					}
				}
			})
		}
	})

	// Ensure a run recorded already is refused by the first batch, with
	// nothing written.
	t.Run("ErrRunRecorded", func(t *testing.T) {
		s := mustOpen(t, tempPath(t))
		state.SetCommitLimits(s, state.Batched(4))
		run := mustCommit(t, s, 0, userChange("u01", "a@example.org"), nil)
		want := mustTree(t, s)
		err := s.Stage(testConn, run.ID, batchRoster(t), nil, run, nil)
		if !errors.Is(err, state.ErrRunRecorded) {
			t.Fatalf("Stage of a recorded run = %v, want ErrRunRecorded", err)
		}
		if diff := cmp.Diff(want, mustTree(t, s)); diff != "" {
			t.Errorf("store after the refused Stage mismatch (-want +got):\n%s", diff)
		}
	})

	// Ensure a Stage whose batch fails, or whose process dies between
	// batches, leaves nothing staged and no run, readable by a read-only
	// Store, and that the shadow goes: at once for a failure, at the next
	// Open for writing after a crash.
	t.Run("Interrupted", func(t *testing.T) {
		for _, how := range []string{"Error", "Crash"} {
			t.Run(how, func(t *testing.T) {
				path := tempPath(t)
				s := mustOpen(t, path)
				want := mustTree(t, s) // a first Stage: not even a connection bucket
				state.SetCommitLimits(s, state.Batched(4))
				errDisk := errors.New("disk on fire")
				state.SetAfterBatch(s, func(n int, _ bool) error {
					if n < 2 {
						return nil
					}
					if how == "Crash" {
						panic("killed")
					}
					return errDisk
				})
				run := heldRun(t, s)
				func() {
					defer func() {
						if r := recover(); r != nil && r != "killed" {
							panic(r)
						}
					}()
					err := s.Stage(testConn, 0, batchRoster(t), []byte("cursor"), run, []byte("report"))
					if !errors.Is(err, errDisk) {
						t.Errorf("Stage = %v, want the batch's error", err)
					}
				}()
				checkNotRecorded(t, s, run.ID)
				if _, err := s.Staged(run.ID); !errors.Is(err, state.ErrNotFound) {
					t.Errorf("Staged after the interrupted Stage = %v, want ErrNotFound", err)
				}
				if how == "Error" {
					if diff := cmp.Diff(want, mustTree(t, s)); diff != "" {
						t.Errorf("store after the failed Stage mismatch (-want +got):\n%s", diff)
					}
					return
				}
				if shadowOf(mustTree(t, s)) == nil {
					t.Fatal("no shadow left behind")
				}
				mustClose(t, s)
				ro, err := state.Open(path, state.Options{ReadOnly: true})
				if err != nil {
					t.Fatalf("read-only Open with a shadow: %v", err)
				}
				if _, err := ro.Staged(run.ID); !errors.Is(err, state.ErrNotFound) {
					t.Errorf("Staged from a read-only Store = %v, want ErrNotFound", err)
				}
				if names, err := ro.Connections(); err != nil || len(names) != 0 {
					t.Errorf("Connections from a read-only Store = %q, %v; want none", names, err)
				}
				mustClose(t, ro)
				s = mustOpen(t, path)
				if diff := cmp.Diff(want, mustTree(t, s)); diff != "" {
					t.Errorf("store after Open mismatch (-want +got):\n%s", diff)
				}
			})
		}
	})
}
