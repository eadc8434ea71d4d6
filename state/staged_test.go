package state_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rosterd/rosterd/roster"
	"github.com/rosterd/rosterd/state"
	bolt "go.etcd.io/bbolt"
)

func TestStore_Stage(t *testing.T) {
	// Ensure staging records the run and keeps the change aside: the
	// roster, head and cursor stay as they were, and Staged returns the
	// change as staged, as a copy.
	t.Run("OK", func(t *testing.T) {
		s := mustOpen(t, tempPath(t))
		first := mustCommit(t, s, 0, encodeRoster(t, testRoster()), []byte("event-1"))
		before := dump(t, s, testConn)

		change := heldChange(t)
		run := heldRun(t, s)
		if err := s.Stage(testConn, first.ID, change, []byte("event-2"), run, []byte("held report")); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(before, dump(t, s, testConn)); diff != "" {
			t.Errorf("Stage changed the roster (-want +got):\n%s", diff)
		}
		if got := head(t, s, testConn).RunID; got != first.ID {
			t.Errorf("head after Stage = run %d, want %d", got, first.ID)
		}
		checkCursor(t, s, "event-1")
		if got, err := s.Run(run.ID); err != nil || !cmp.Equal(run, got) {
			t.Errorf("Run(%d) = %+v, %v; want %+v", run.ID, got, err, run)
		}
		if report, err := s.Report(run.ID); err != nil || string(report) != "held report" {
			t.Errorf("Report(%d) = %q, %v", run.ID, report, err)
		}

		want := &state.Staged{Connection: testConn, Base: first.ID, Change: change, Cursor: []byte("event-2")}
		got, err := s.Staged(run.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Staged mismatch (-want +got):\n%s", diff)
		}
		copy(got.Change.Put[roster.KindUsers][0].Data, "XXXX")
		got.Cursor[0] = 'X'
		if again, err := s.Staged(run.ID); err != nil || !cmp.Equal(want, again) {
			t.Errorf("Staged after the caller changed its copy = %+v, %v", again, err)
		}
	})

	// Ensure a nil cursor (keep the stored one) and an empty one (clear
	// it) stay apart, and an empty change stages as empty.
	t.Run("Cursor", func(t *testing.T) {
		s := mustOpen(t, tempPath(t))
		for _, cursor := range [][]byte{nil, {}} {
			run := heldRun(t, s)
			if err := s.Stage(testConn, 0, &roster.Change{}, cursor, run, nil); err != nil {
				t.Fatal(err)
			}
			got, err := s.Staged(run.ID)
			if err != nil {
				t.Fatal(err)
			}
			want := &state.Staged{Connection: testConn, Change: &roster.Change{}, Cursor: cursor}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Staged with cursor %#v mismatch (-want +got):\n%s", cursor, diff)
			}
		}
	})

	// Ensure puts come back in ID order, a record put twice once (the
	// later), deletes in ID order.
	t.Run("Unsorted", func(t *testing.T) {
		s := mustOpen(t, tempPath(t))
		var change roster.Change
		for _, rec := range []roster.Record{{ID: "c", Data: []byte("c1")}, {ID: "a", Data: []byte("a1")}, {ID: "c", Data: []byte("c2")}} {
			change.AddPut(roster.KindTerms, rec)
		}
		change.AddDelete(roster.KindTerms, "d")
		change.AddDelete(roster.KindTerms, "b")
		run := heldRun(t, s)
		if err := s.Stage(testConn, 0, &change, nil, run, nil); err != nil {
			t.Fatal(err)
		}
		got, err := s.Staged(run.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := &roster.Change{
			Put:    map[roster.Kind][]roster.Record{roster.KindTerms: {{ID: "a", Data: []byte("a1")}, {ID: "c", Data: []byte("c2")}}},
			Delete: map[roster.Kind][]string{roster.KindTerms: {"b", "d"}},
		}
		if diff := cmp.Diff(want, got.Change); diff != "" {
			t.Errorf("staged change mismatch (-want +got):\n%s", diff)
		}
	})

	// Ensure a run is staged once, and a bad change or run stages nothing.
	t.Run("ErrInvalid", func(t *testing.T) {
		s := mustOpen(t, tempPath(t))
		recorded := heldRun(t, s)
		if err := s.RecordRun(recorded, nil); err != nil {
			t.Fatal(err)
		}
		if err := s.Stage(testConn, 0, heldChange(t), nil, recorded, nil); !errors.Is(err, state.ErrRunRecorded) {
			t.Errorf("Stage of a recorded run = %v, want ErrRunRecorded", err)
		}
		if _, err := s.Staged(recorded.ID); !errors.Is(err, state.ErrNotFound) {
			t.Errorf("Staged(%d) = %v, want ErrNotFound", recorded.ID, err)
		}
		for _, tt := range []struct {
			name    string
			conn    string
			change  *roster.Change
			editRun func(*state.Run)
			want    string
		}{
			{name: "EmptyConnection", conn: "", change: heldChange(t), want: "connection name is empty"},
			{name: "UnknownKind", conn: testConn, change: &roster.Change{Delete: map[roster.Kind][]string{"enrollments": {"e1"}}}, want: `unknown kind "enrollments"`},
			{name: "EmptyRecord", conn: testConn, change: func() *roster.Change {
				c := userChange("u1", "x")
				c.AddPut(roster.KindUsers, roster.Record{ID: "u2"})
				return c
			}(), want: "put users/u2: empty record"},
			{name: "OtherConnection", conn: testConn, change: heldChange(t), editRun: func(r *state.Run) { r.Connection = "district-b" }, want: "run belongs to connection district-b"},
			{name: "Unallocated", conn: testConn, change: heldChange(t), editRun: func(r *state.Run) { r.ID += 100 }, want: "was not allocated by NextRunID"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				run := heldRun(t, s)
				if tt.editRun != nil {
					tt.editRun(&run)
				}
				err := s.Stage(tt.conn, 0, tt.change, nil, run, []byte("report"))
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("Stage = %v, want an error containing %q", err, tt.want)
				}
				checkNotRecorded(t, s, run.ID)
				if _, err := s.Staged(run.ID); !errors.Is(err, state.ErrNotFound) {
					t.Errorf("Staged(%d) = %v, want ErrNotFound", run.ID, err)
				}
			})
		}
	})

	// Ensure a file from before held runs, without staged/, gains it when
	// opened for writing and reads as having nothing staged when opened
	// read-only.
	t.Run("OldFile", func(t *testing.T) {
		path := tempPath(t)
		s := mustOpen(t, path)
		run := mustCommit(t, s, 0, userChange("u1", "one"), nil)
		mustClose(t, s)
		editStateFile(t, path, func(tx *bolt.Tx) error { return tx.DeleteBucket([]byte("staged")) })

		ro, err := state.Open(path, state.Options{ReadOnly: true, Timeout: time.Second})
		if err != nil {
			t.Fatalf("read-only Open of a file without staged/: %v", err)
		}
		if _, err := ro.Staged(run.ID); !errors.Is(err, state.ErrNotFound) {
			t.Errorf("Staged on a file without staged/ = %v, want ErrNotFound", err)
		}
		mustClose(t, ro)

		s = mustOpen(t, path)
		held := heldRun(t, s)
		if err := s.Stage(testConn, run.ID, heldChange(t), nil, held, nil); err != nil {
			t.Errorf("Stage after reopening a file without staged/: %v", err)
		}
	})
}

func TestStore_CommitStaged(t *testing.T) {
	// Ensure committing a staged change writes exactly what Commit of the
	// same change writes (roster, head, cursor, undo log), replaces the
	// run's record and report, and drops the staged change.
	t.Run("OK", func(t *testing.T) {
		direct, stagedPath := mustOpen(t, tempPath(t)), tempPath(t)
		s := mustOpen(t, stagedPath)
		for _, st := range []*state.Store{direct, s} {
			mustCommit(t, st, 0, encodeRoster(t, testRoster()), []byte("event-1"))
		}
		first := head(t, s, testConn).RunID
		wantBefore := committedRoster(t, s, testConn)

		run := heldRun(t, s)
		if err := s.Stage(testConn, first, heldChange(t), []byte("event-2"), run, []byte("held")); err != nil {
			t.Fatal(err)
		}
		approved := run
		approved.Verdict, approved.Decision, approved.DecidedBy = "committed", "approved", "ops@example.org"
		approved.DecidedAt = run.Finished.Add(time.Hour)
		approved.Finished = approved.DecidedAt
		if err := s.CommitStaged(run.ID, approved, []byte("approved")); err != nil {
			t.Fatal(err)
		}

		directRun := newRun(t, direct)
		directRun.Finished = approved.Finished
		if err := direct.Commit(testConn, first, heldChange(t), []byte("event-2"), directRun, nil); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(dump(t, direct, testConn), dump(t, s, testConn)); diff != "" {
			t.Errorf("roster after CommitStaged differs from Commit's (-commit +staged):\n%s", diff)
		}
		if diff := cmp.Diff(state.Head{RunID: run.ID, CommittedAt: approved.Finished}, head(t, s, testConn)); diff != "" {
			t.Errorf("head mismatch (-want +got):\n%s", diff)
		}
		checkCursor(t, s, "event-2")
		if got, err := s.Run(run.ID); err != nil || !cmp.Equal(approved, got) {
			t.Errorf("Run(%d) = %+v, %v; want %+v", run.ID, got, err, approved)
		}
		if report, err := s.Report(run.ID); err != nil || string(report) != "approved" {
			t.Errorf("Report(%d) = %q, %v; want the approved report", run.ID, report, err)
		}
		if _, err := s.Staged(run.ID); !errors.Is(err, state.ErrNotFound) {
			t.Errorf("Staged after CommitStaged = %v, want ErrNotFound", err)
		}
		if got, err := s.RosterAt(testConn, first); err != nil || !cmp.Equal(wantBefore, got) {
			t.Errorf("RosterAt(%d) after CommitStaged = %v; want the roster before (diff %s)", first, err, cmp.Diff(wantBefore, got))
		}
		if got, err := s.RosterAt(testConn, run.ID); err != nil || !cmp.Equal(committedRoster(t, s, testConn), got) {
			t.Errorf("RosterAt(%d) = %v, want the committed roster", run.ID, err)
		}
		if err := s.CommitStaged(run.ID, approved, nil); !errors.Is(err, state.ErrNotFound) {
			t.Errorf("second CommitStaged = %v, want ErrNotFound", err)
		}
	})

	// Ensure a staged change whose base is no longer the head is refused
	// and nothing at all is written.
	t.Run("ErrConflict", func(t *testing.T) {
		path := tempPath(t)
		s := mustOpen(t, path)
		first := mustCommit(t, s, 0, encodeRoster(t, testRoster()), []byte("event-1"))
		run := heldRun(t, s)
		if err := s.Stage(testConn, first.ID, heldChange(t), []byte("event-2"), run, []byte("held")); err != nil {
			t.Fatal(err)
		}
		second := mustCommit(t, s, first.ID, userChange("u77", "moved"), []byte("event-3"))
		mustClose(t, s)
		rootBefore, _ := rosterRoot(t, path, testConn)

		s = mustOpen(t, path)
		before := dump(t, s, testConn)
		approved := run
		approved.Verdict, approved.Decision = "committed", "approved"
		err := s.CommitStaged(run.ID, approved, []byte("approved"))
		if !errors.Is(err, state.ErrConflict) {
			t.Fatalf("CommitStaged after the head moved = %v, want ErrConflict", err)
		}
		if diff := cmp.Diff(before, dump(t, s, testConn)); diff != "" {
			t.Errorf("refused CommitStaged changed the roster (-want +got):\n%s", diff)
		}
		if got := head(t, s, testConn).RunID; got != second.ID {
			t.Errorf("head = run %d, want %d", got, second.ID)
		}
		checkCursor(t, s, "event-3")
		if got, err := s.Run(run.ID); err != nil || got.Verdict != "held" {
			t.Errorf("Run(%d) = %+v, %v; want the held record", run.ID, got, err)
		}
		if report, _ := s.Report(run.ID); string(report) != "held" {
			t.Errorf("Report(%d) = %q, want the held report", run.ID, report)
		}
		if _, err := s.Staged(run.ID); err != nil {
			t.Errorf("Staged after a refused CommitStaged = %v; the change must stay", err)
		}
		mustClose(t, s)
		if rootAfter, _ := rosterRoot(t, path, testConn); rootAfter != rootBefore {
			t.Errorf("roster bucket moved from page %d to %d after a refused CommitStaged", rootBefore, rootAfter)
		}
	})

	// Ensure a staged empty change commits the run and the cursor but
	// leaves the head alone, as Commit does.
	t.Run("Empty", func(t *testing.T) {
		s := mustOpen(t, tempPath(t))
		first := mustCommit(t, s, 0, userChange("u1", "one"), nil)
		run := heldRun(t, s)
		if err := s.Stage(testConn, first.ID, &roster.Change{}, []byte("event-2"), run, nil); err != nil {
			t.Fatal(err)
		}
		run.Verdict = "committed"
		if err := s.CommitStaged(run.ID, run, nil); err != nil {
			t.Fatal(err)
		}
		if got := head(t, s, testConn).RunID; got != first.ID {
			t.Errorf("head = run %d, want %d", got, first.ID)
		}
		checkCursor(t, s, "event-2")
		checkRosterAt(t, s, run.ID, map[string]string{"u1": "one"})
	})

	// Ensure only a staged run can be committed, under its own ID and
	// connection.
	t.Run("ErrInvalid", func(t *testing.T) {
		s := mustOpen(t, tempPath(t))
		committed := mustCommit(t, s, 0, userChange("u1", "one"), nil)
		if err := s.CommitStaged(committed.ID, committed, nil); !errors.Is(err, state.ErrNotFound) {
			t.Errorf("CommitStaged of a run never staged = %v, want ErrNotFound", err)
		}
		run := heldRun(t, s)
		if err := s.Stage(testConn, committed.ID, heldChange(t), nil, run, nil); err != nil {
			t.Fatal(err)
		}
		other := run
		other.ID = committed.ID
		if err := s.CommitStaged(run.ID, other, nil); err == nil || !strings.Contains(err.Error(), "record is of run") {
			t.Errorf("CommitStaged with another run's record = %v", err)
		}
		other = run
		other.Connection = "district-b"
		if err := s.CommitStaged(run.ID, other, nil); err == nil || !strings.Contains(err.Error(), "run belongs to connection") {
			t.Errorf("CommitStaged with another connection's run = %v", err)
		}
		if _, err := s.Staged(run.ID); err != nil {
			t.Errorf("Staged after refused CommitStaged calls = %v", err)
		}
	})
}

func TestStore_DropStaged(t *testing.T) {
	// Ensure a rejection drops the staged change and replaces the run's
	// record and report, leaving the roster alone.
	t.Run("OK", func(t *testing.T) {
		s := mustOpen(t, tempPath(t))
		first := mustCommit(t, s, 0, encodeRoster(t, testRoster()), []byte("event-1"))
		before := dump(t, s, testConn)
		run := heldRun(t, s)
		if err := s.Stage(testConn, first.ID, heldChange(t), []byte("event-2"), run, []byte("held")); err != nil {
			t.Fatal(err)
		}
		rejected := run
		rejected.Verdict, rejected.Decision, rejected.DecidedBy = "rejected", "rejected", "ops@example.org"
		rejected.DecidedAt = run.Finished.Add(time.Hour)
		rejected.Connection = "" // filled in from the staged change
		if err := s.DropStaged(run.ID, rejected, []byte("rejected")); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Staged(run.ID); !errors.Is(err, state.ErrNotFound) {
			t.Errorf("Staged after DropStaged = %v, want ErrNotFound", err)
		}
		rejected.Connection = testConn
		if got, err := s.Run(run.ID); err != nil || !cmp.Equal(rejected, got) {
			t.Errorf("Run(%d) = %+v, %v; want %+v", run.ID, got, err, rejected)
		}
		if report, err := s.Report(run.ID); err != nil || string(report) != "rejected" {
			t.Errorf("Report(%d) = %q, %v; want the rejected report", run.ID, report, err)
		}
		if diff := cmp.Diff(before, dump(t, s, testConn)); diff != "" {
			t.Errorf("DropStaged changed the roster (-want +got):\n%s", diff)
		}
		if got := head(t, s, testConn).RunID; got != first.ID {
			t.Errorf("head = run %d, want %d", got, first.ID)
		}
		checkCursor(t, s, "event-1")
	})

	// Ensure there is nothing to drop for a run never staged or already
	// decided.
	t.Run("ErrNotFound", func(t *testing.T) {
		s := mustOpen(t, tempPath(t))
		run := heldRun(t, s)
		if err := s.Stage(testConn, 0, heldChange(t), nil, run, nil); err != nil {
			t.Fatal(err)
		}
		if err := s.DropStaged(run.ID, run, nil); err != nil {
			t.Fatal(err)
		}
		if err := s.DropStaged(run.ID, run, nil); !errors.Is(err, state.ErrNotFound) {
			t.Errorf("second DropStaged = %v, want ErrNotFound", err)
		}
		if err := s.DropStaged(99, state.Run{ID: 99, Connection: testConn}, nil); !errors.Is(err, state.ErrNotFound) {
			t.Errorf("DropStaged of an unknown run = %v, want ErrNotFound", err)
		}
	})
}

// heldRun allocates a run of testConn held for approval.
func heldRun(tb testing.TB, s *state.Store) state.Run {
	tb.Helper()
	run := newRun(tb, s)
	run.Verdict = "held"
	return run
}

// heldChange is a change to testRoster worth holding: most students go,
// a section changes, a course arrives. Its lists are in ID order, as
// Staged returns them.
func heldChange(t *testing.T) *roster.Change {
	t.Helper()
	r := testRoster()
	var c roster.Change
	c.AddPut(roster.KindCourses, roster.Record{ID: "c3", Data: mustEncode(t, &roster.Course{ID: "c3", District: "d1", Name: "Art"})})
	x := r.Sections[1]
	x.Students = nil
	c.AddPut(roster.KindSections, roster.Record{ID: x.ID, Data: mustEncode(t, &x)})
	u := r.Users[3]
	u.Email = "dee.teacher@example.org"
	c.AddPut(roster.KindUsers, roster.Record{ID: u.ID, Data: mustEncode(t, &u)})
	for _, id := range []string{"u01", "u02", "u03"} {
		c.AddDelete(roster.KindUsers, id)
	}
	return &c
}
