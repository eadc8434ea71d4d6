package state_test

import (
	"bytes"
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rosterd/rosterd/roster"
	"github.com/rosterd/rosterd/state"
)

// batchRoster is the roster the batched-commit tests start from:
// testRoster without its terms (a kind never written), and 30 more
// students.
func batchRoster(t *testing.T) *roster.Change {
	t.Helper()
	r := testRoster()
	r.Terms = nil
	c := encodeRoster(t, r)
	for _, rec := range syntheticUsers(t, "s", 30) {
		c.AddPut(roster.KindUsers, rec)
	}
	return c
}

// batchCases are changes that the batched commit must write exactly as
// the single transaction does: before are committed first, in one
// transaction each, then change.
func batchCases(t *testing.T) []struct {
	name   string
	before []*roster.Change
	change *roster.Change
} {
	t.Helper()
	base := batchRoster(t)
	r := testRoster()
	synth := syntheticUsers(t, "s", 30)

	first := encodeRoster(t, testRoster())
	for _, rec := range synth {
		first.AddPut(roster.KindUsers, rec)
	}

	// Updates, an unchanged put, adds, deletes, a delete that misses, a
	// user put twice, and deletes in a kind never written, out of order.
	mixed := &roster.Change{}
	u := r.Users[0]
	u.Roles.Student.Grade = "6"
	mixed.AddPut(roster.KindUsers, roster.Record{ID: u.ID, Data: mustEncode(t, &u)})
	mixed.AddPut(roster.KindUsers, roster.Record{ID: "u10", Data: mustEncode(t, &r.Users[3])})
	mixed.AddPut(roster.KindUsers, roster.Record{ID: "s0000029", Data: []byte("rewritten")})
	mixed.AddPut(roster.KindUsers, roster.Record{ID: "u04", Data: mustEncode(t, &roster.User{ID: "u04", District: "d1"})})
	mixed.AddPut(roster.KindUsers, roster.Record{ID: "u03", Data: mustEncode(t, &roster.User{ID: "u03", Email: "first@example.org"})})
	mixed.AddPut(roster.KindUsers, roster.Record{ID: "a0", Data: []byte("before every other user")})
	mixed.AddPut(roster.KindUsers, roster.Record{ID: "u03", Data: mustEncode(t, &roster.User{ID: "u03", Email: "second@example.org"})})
	mixed.AddPut(roster.KindUsers, roster.Record{ID: "zz", Data: []byte("after every other user")})
	for _, id := range []string{"u02", "s0000007", "s0000008", "s0000000", "u99"} {
		mixed.AddDelete(roster.KindUsers, id)
	}
	mixed.AddDelete(roster.KindCourses, "c2")
	mixed.AddPut(roster.KindSchools, roster.Record{ID: "s3", Data: []byte(`{"id":"s3"}`)})
	mixed.AddDelete(roster.KindTerms, "t1")

	deletes := &roster.Change{}
	for i, rec := range synth {
		if i%3 != 1 {
			deletes.AddDelete(roster.KindUsers, rec.ID)
		}
	}
	deletes.AddDelete(roster.KindUsers, "u02")
	deletes.AddDelete(roster.KindUsers, "absent")
	deletes.AddDelete(roster.KindSchools, "s2")

	emptied := &roster.Change{}
	for _, u := range r.Users {
		emptied.AddDelete(roster.KindUsers, u.ID)
	}
	for _, rec := range synth {
		emptied.AddDelete(roster.KindUsers, rec.ID)
	}
	emptied.AddPut(roster.KindDistricts, roster.Record{ID: "d1", Data: []byte(`{"id":"d1","name":"Renamed"}`)})

	noCourses := &roster.Change{}
	noCourses.AddDelete(roster.KindCourses, "c1")
	noCourses.AddDelete(roster.KindCourses, "c2")
	refilled := &roster.Change{}
	refilled.AddPut(roster.KindCourses, roster.Record{ID: "c8", Data: []byte(`{"id":"c8"}`)})
	refilled.AddPut(roster.KindCourses, roster.Record{ID: "c7", Data: []byte(`{"id":"c7"}`)})
	refilled.AddPut(roster.KindTerms, roster.Record{ID: "t5", Data: []byte(`{"id":"t5"}`)})

	// Rewrites what is there with the same bytes, deletes what is not: an
	// undo log of nothing but its base.
	same := &roster.Change{}
	for _, rec := range synth[:10] {
		same.AddPut(roster.KindUsers, rec)
	}
	same.AddDelete(roster.KindUsers, "absent")
	same.AddDelete(roster.KindTerms, "absent")

	return []struct {
		name   string
		before []*roster.Change
		change *roster.Change
	}{
		{name: "FirstSync", change: first},
		{name: "Mixed", before: []*roster.Change{base}, change: mixed},
		{name: "DeletesOnly", before: []*roster.Change{base}, change: deletes},
		{name: "KindEmptied", before: []*roster.Change{base}, change: emptied},
		{name: "EmptiedKindRefilled", before: []*roster.Change{base, noCourses}, change: refilled},
		{name: "NothingChanges", before: []*roster.Change{base}, change: same},
	}
}

// commitOutcome is everything a commit left in a store.
type commitOutcome struct {
	tree     map[string]any
	rosterAt []*roster.Roster // RosterAt of every run before the change
	run      state.Run
}

// commitWith commits before (in one transaction each) and then change to
// a new store, the change through Commit or, with staged, Stage and
// CommitStaged, under limits, and returns what the store holds.
func commitWith(t *testing.T, before []*roster.Change, change *roster.Change, staged bool, limits state.CommitLimits) commitOutcome {
	t.Helper()
	s := mustOpen(t, tempPath(t))
	var base uint64
	var want []*roster.Roster
	var runs []state.Run
	for _, c := range before {
		run := mustCommit(t, s, base, c, nil)
		base = run.ID
		runs = append(runs, run)
		want = append(want, committedRoster(t, s, testConn))
	}
	state.SetCommitLimits(s, limits)
	var batches int
	state.SetAfterBatch(s, func(int, bool) error { batches++; return nil })
	run := newRun(t, s)
	if staged {
		held := run
		held.Verdict = "held"
		if err := s.Stage(testConn, base, change, []byte("cursor-2"), held, []byte("held report")); err != nil {
			t.Fatalf("Stage: %v", err)
		}
		if err := s.CommitStaged(run.ID, run, []byte("report")); err != nil {
			t.Fatalf("CommitStaged: %v", err)
		}
	} else if err := s.Commit(testConn, base, change, []byte("cursor-2"), run, []byte("report")); err != nil {
		t.Fatalf("Commit: %v", err)
	}
	if batched := limits.BigWrites == 0; batched != (batches > 0) {
		t.Errorf("commit ran %d batches under limits %+v", batches, limits)
	}
	out := commitOutcome{tree: mustTree(t, s), run: run}
	for i, r := range runs {
		got, err := s.RosterAt(testConn, r.ID)
		if err != nil {
			t.Fatalf("RosterAt(run %d): %v", r.ID, err)
		}
		if diff := cmp.Diff(want[i], got); diff != "" {
			t.Errorf("RosterAt(run %d) is not the roster it committed (-want +got):\n%s", r.ID, diff)
		}
		out.rosterAt = append(out.rosterAt, got)
	}
	return out
}

func mustTree(tb testing.TB, s *state.Store) map[string]any {
	tb.Helper()
	tree, err := state.Tree(s)
	if err != nil {
		tb.Fatal(err)
	}
	return tree
}

// shadowOf returns testConn's shadow in tree, or nil.
func shadowOf(tree map[string]any) any {
	cb, _ := tree["connections"].(map[string]any)[testConn].(map[string]any)
	return cb["shadow"]
}

func TestStore_CommitBatched(t *testing.T) {
	// Ensure a change committed in batches leaves the store exactly as the
	// single transaction does, bucket for bucket and byte for byte: the
	// roster, the undo log, head, cursor, run and report, and no shadow;
	// and RosterAt of every earlier run is the roster that run committed.
	t.Run("SameAsSingle", func(t *testing.T) {
		eachBatchCase(t, func(t *testing.T, before []*roster.Change, change *roster.Change, staged bool) {
			want := commitWith(t, before, change, staged, state.SingleTransaction)
			for _, batch := range []int{1, 4, 1000} {
				got := commitWith(t, before, change, staged, state.Batched(batch))
				if diff := cmp.Diff(want.tree, got.tree); diff != "" {
					t.Errorf("batches of %d: store mismatch (-single +batched):\n%s", batch, diff)
				}
				if diff := cmp.Diff(want.rosterAt, got.rosterAt); diff != "" {
					t.Errorf("batches of %d: RosterAt mismatch (-single +batched):\n%s", batch, diff)
				}
			}
		})
	})

	// Ensure the batched writes tell the change's Written of every put,
	// once, and only when no write reads it again: puts scribbled over
	// once reported still leave the store as the single transaction does.
	t.Run("Written", func(t *testing.T) {
		eachBatchCase(t, func(t *testing.T, before []*roster.Change, original *roster.Change, staged bool) {
			want := commitWith(t, before, original, staged, state.SingleTransaction)
			for _, batch := range []int{1, 4, 1000} {
				change := cloneChange(original)
				reported := make(map[roster.Kind]int)
				change.Written = func(kind roster.Kind, puts []roster.Record) {
					reported[kind] += len(puts)
					for _, p := range puts {
						for i := range p.Data {
							p.Data[i] = '#'
						}
					}
				}
				got := commitWith(t, before, change, staged, state.Batched(batch))
				if diff := cmp.Diff(want.tree, got.tree); diff != "" {
					t.Errorf("batches of %d: store mismatch (-single +batched, puts scribbled once reported):\n%s", batch, diff)
				}
				puts := make(map[roster.Kind]int)
				for kind, p := range original.Put {
					puts[kind] = len(p)
				}
				if diff := cmp.Diff(puts, reported); diff != "" {
					t.Errorf("batches of %d: puts reported written per kind (-the change's +reported):\n%s", batch, diff)
				}
			}
		})
	})

	// Ensure Open's limits send a change of more than bigChangeWrites
	// writes, and no smaller one, down the batched path.
	t.Run("DefaultLimits", func(t *testing.T) {
		s := mustOpen(t, tempPath(t))
		run := mustCommit(t, s, 0, batchRoster(t), nil)
		var batches int
		state.SetAfterBatch(s, func(int, bool) error { batches++; return nil })
		for _, tt := range []struct {
			writes  int
			batched bool
		}{{state.DefaultCommitLimits.BigWrites, false}, {state.DefaultCommitLimits.BigWrites + 1, true}} {
			c := &roster.Change{}
			for i := range tt.writes {
				c.AddDelete(roster.KindUsers, fmt.Sprintf("absent%07d", i))
			}
			batches = 0
			run = mustCommit(t, s, run.ID, c, nil)
			if got := batches > 0; got != tt.batched {
				t.Errorf("%d deletes: batched = %v, want %v (%d batches)", tt.writes, got, tt.batched, batches)
			}
		}
	})

	// Ensure a change whose head moves while its batches are written, or
	// once they all are, fails with ErrConflict at the next batch or at
	// the swap, and leaves the store as the other commit left it: no
	// shadow, no run, no cursor.
	t.Run("ErrConflict", func(t *testing.T) {
		for _, at := range []string{"Batch", "Swap"} {
			t.Run(at, func(t *testing.T) {
				s := mustOpen(t, tempPath(t))
				base := mustCommit(t, s, 0, batchRoster(t), []byte("cursor-1"))
				state.SetCommitLimits(s, state.Batched(4))
				var want map[string]any
				state.SetAfterBatch(s, func(n int, last bool) error {
					if (at == "Batch" && n != 2) || (at == "Swap" && !last) {
						return nil
					}
					// Another commit lands, in one transaction: the batch
					// lock is held.
					state.SetCommitLimits(s, state.SingleTransaction)
					defer state.SetCommitLimits(s, state.Batched(4))
					mustCommit(t, s, base.ID, userChange("u01", "other@example.org"), nil)
					want = mustTree(t, s)
					if shadowOf(want) == nil {
						t.Errorf("batch %d: no shadow", n)
					}
					delete(want["connections"].(map[string]any)[testConn].(map[string]any), "shadow")
					return nil
				})
				run := newRun(t, s)
				err := s.Commit(testConn, base.ID, batchCases(t)[1].change, []byte("cursor-2"), run, []byte("report"))
				if !errors.Is(err, state.ErrConflict) {
					t.Fatalf("Commit = %v, want ErrConflict", err)
				}
				if want == nil {
					t.Fatal("the other commit never ran")
				}
				if diff := cmp.Diff(want, mustTree(t, s)); diff != "" {
					t.Errorf("store after the refused commit mismatch (-want +got):\n%s", diff)
				}
				checkNotRecorded(t, s, run.ID)
				checkCursor(t, s, "cursor-1")
			})
		}
	})

	// Ensure a batch that fails fails the commit and leaves the store as it
	// was: no shadow, and not even the connection bucket of a first sync.
	t.Run("ErrBatch", func(t *testing.T) {
		for _, first := range []bool{true, false} {
			t.Run(fmt.Sprintf("FirstSync=%v", first), func(t *testing.T) {
				s := mustOpen(t, tempPath(t))
				var base uint64
				if !first {
					base = mustCommit(t, s, 0, batchRoster(t), []byte("cursor-1")).ID
				}
				state.SetCommitLimits(s, state.Batched(4))
				errDisk := errors.New("disk on fire")
				state.SetAfterBatch(s, func(n int, _ bool) error {
					if n == 2 {
						return errDisk
					}
					return nil
				})
				run := newRun(t, s)
				want := mustTree(t, s)
				err := s.Commit(testConn, base, batchCases(t)[1].change, []byte("cursor-2"), run, []byte("report"))
				if !errors.Is(err, errDisk) {
					t.Fatalf("Commit = %v, want the batch's error", err)
				}
				if diff := cmp.Diff(want, mustTree(t, s)); diff != "" {
					t.Errorf("store after the failed commit mismatch (-want +got):\n%s", diff)
				}
				checkNotRecorded(t, s, run.ID)
			})
		}
	})

	// Ensure a process that dies between batches leaves the old roster,
	// readable and passing Check, beside a shadow that nothing reads; that
	// the next batched commit deletes the shadow and commits; and that
	// Open deletes it when no commit comes first.
	t.Run("Crash", func(t *testing.T) {
		for _, next := range []string{"Commit", "Open"} {
			t.Run(next, func(t *testing.T) {
				path := tempPath(t)
				s := mustOpen(t, path)
				baseRun := mustCommit(t, s, 0, batchRoster(t), []byte("cursor-1"))
				oldRoster := committedRoster(t, s, testConn)
				oldTree := mustTree(t, s)
				change := batchCases(t)[1].change
				state.SetCommitLimits(s, state.Batched(4))
				state.SetAfterBatch(s, func(n int, _ bool) error {
					if n == 3 {
						panic("killed")
					}
					return nil
				})
				run := newRun(t, s)
				func() {
					defer func() {
						if r := recover(); r != "killed" {
							t.Fatalf("Commit did not die: %v", r)
						}
					}()
					s.Commit(testConn, baseRun.ID, change, []byte("cursor-2"), run, []byte("report"))
				}()
				state.SetAfterBatch(s, nil)

				if shadowOf(mustTree(t, s)) == nil {
					t.Fatal("no shadow left behind")
				}
				if err := s.Check(); err != nil {
					t.Errorf("Check with a shadow left behind: %v", err)
				}
				if diff := cmp.Diff(oldRoster, committedRoster(t, s, testConn)); diff != "" {
					t.Errorf("roster after the crash mismatch (-want +got):\n%s", diff)
				}
				if got := head(t, s, testConn).RunID; got != baseRun.ID {
					t.Errorf("head after the crash = run %d, want %d", got, baseRun.ID)
				}
				checkCursor(t, s, "cursor-1")
				checkNotRecorded(t, s, run.ID)
				if _, err := s.RosterAt(testConn, baseRun.ID); err != nil {
					t.Errorf("RosterAt after the crash: %v", err)
				}

				switch next {
				case "Commit":
					run := mustCommit(t, s, baseRun.ID, change, []byte("cursor-2"))
					tree := mustTree(t, s)
					if shadowOf(tree) != nil {
						t.Error("the next commit left the shadow")
					}
					want := commitWith(t, []*roster.Change{batchRoster(t)}, change, false, state.SingleTransaction)
					if diff := cmp.Diff(dumpTree(want.tree), dump(t, s, testConn)); diff != "" {
						t.Errorf("roster of the next commit mismatch (-want +got):\n%s", diff)
					}
					if got := head(t, s, testConn).RunID; got != run.ID {
						t.Errorf("head = run %d, want %d", got, run.ID)
					}
				case "Open":
					mustClose(t, s)
					ro, err := state.Open(path, state.Options{ReadOnly: true})
					if err != nil {
						t.Fatal(err)
					}
					if shadowOf(mustTree(t, ro)) == nil {
						t.Error("a read-only Open deleted the shadow")
					}
					mustClose(t, ro)
					s = mustOpen(t, path)
					if diff := cmp.Diff(oldTree, mustTree(t, s)); diff != "" {
						t.Errorf("store after Open mismatch (-want +got):\n%s", diff)
					}
				}
			})
		}
	})

	// Ensure readers see the old roster while the batches are written, both
	// in new read transactions and in one that was open before the commit
	// began, and the new one once it is done.
	t.Run("Readers", func(t *testing.T) {
		s := mustOpen(t, tempPath(t))
		baseRun := mustCommit(t, s, 0, batchRoster(t), nil)
		old := dump(t, s, testConn)
		state.SetCommitLimits(s, state.Batched(4))
		var batches int
		state.SetAfterBatch(s, func(n int, _ bool) error {
			batches++
			if diff := cmp.Diff(old, dump(t, s, testConn)); diff != "" {
				t.Errorf("batch %d: roster mismatch (-want +got):\n%s", n, diff)
			}
			if got := head(t, s, testConn).RunID; got != baseRun.ID {
				t.Errorf("batch %d: head = run %d, want %d", n, got, baseRun.ID)
			}
			return nil
		})

		opened, release, done := make(chan struct{}), make(chan struct{}), make(chan struct{})
		var inView map[string]string
		go func() {
			defer close(done)
			s.View(testConn, func(sn *state.Snapshot) error {
				close(opened)
				<-release
				inView = make(map[string]string)
				return sn.ForEach(roster.KindUsers, func(id, data []byte) error {
					inView[string(id)] = string(data)
					return nil
				})
			})
		}()
		<-opened
		mustCommit(t, s, baseRun.ID, batchCases(t)[1].change, nil)
		close(release)
		<-done
		if batches < 3 {
			t.Fatalf("the commit ran %d batches, want several", batches)
		}
		if diff := cmp.Diff(old[roster.KindUsers], inView); diff != "" {
			t.Errorf("reader open across the commit: users mismatch (-want +got):\n%s", diff)
		}
		if got := dump(t, s, testConn); cmp.Equal(old, got) {
			t.Error("the commit changed nothing")
		}
	})
}

// dumpTree returns testConn's roster in tree, as dump returns it.
func dumpTree(tree map[string]any) map[roster.Kind]map[string]string {
	out := make(map[roster.Kind]map[string]string)
	cb := tree["connections"].(map[string]any)[testConn].(map[string]any)
	rb, _ := cb["roster"].(map[string]any)
	for kind, records := range rb {
		for id, data := range records.(map[string]any) {
			if out[roster.Kind(kind)] == nil {
				out[roster.Kind(kind)] = make(map[string]string)
			}
			out[roster.Kind(kind)][id] = data.(string)
		}
	}
	return out
}

// eachBatchCase runs fn in a subtest for each of batchCases, committed
// and staged.
func eachBatchCase(t *testing.T, fn func(t *testing.T, before []*roster.Change, change *roster.Change, staged bool)) {
	for _, tt := range batchCases(t) {
		for _, staged := range []bool{false, true} {
			name := tt.name
			if staged {
				name += "/Staged"
			}
			t.Run(name, func(t *testing.T) { fn(t, tt.before, tt.change, staged) })
		}
	}
}

// cloneChange copies c, records and all, so that a test may write over
// the copy's records.
func cloneChange(c *roster.Change) *roster.Change {
	out := &roster.Change{}
	for kind, puts := range c.Put {
		for _, p := range puts {
			out.AddPut(kind, roster.Record{ID: p.ID, Data: bytes.Clone(p.Data)})
		}
	}
	for kind, ids := range c.Delete {
		for _, id := range ids {
			out.AddDelete(kind, id)
		}
	}
	return out
}
