package state_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rosterd/rosterd/internal/codec"
	"github.com/rosterd/rosterd/roster"
	"github.com/rosterd/rosterd/state"
)

func TestStore_Commit(t *testing.T) {
	// Ensure a roster reads back as committed, a second commit applies
	// exactly its puts and deletes, an empty change rewrites nothing, and
	// a change computed against an old head writes nothing.
	t.Run("OK", func(t *testing.T) {
		path := tempPath(t)
		s := mustOpen(t, path)

		// First sync: the whole roster.
		want := testRoster()
		first := mustCommit(t, s, 0, encodeRoster(t, want), []byte("event-1"))
		checkRoster(t, s, want)
		if diff := cmp.Diff(state.Head{RunID: first.ID, CommittedAt: first.Finished}, head(t, s, testConn)); diff != "" {
			t.Errorf("head mismatch (-want +got):\n%s", diff)
		}

		// Second sync: a student changes grade, a section loses a
		// student, a course goes; a student arrives.
		var change roster.Change
		want.Users[0].Roles.Student.Grade = "6"
		want.Sections[0].Students = []string{"u01"}
		newcomer := roster.User{ID: "u04", District: "d1", Roles: roster.Roles{Student: &roster.Student{SISID: "9004", School: "s1"}}}
		for _, u := range []*roster.User{&want.Users[0], &newcomer} {
			change.AddPut(roster.KindUsers, roster.Record{ID: u.ID, Data: mustEncode(t, u)})
		}
		change.AddPut(roster.KindSections, roster.Record{ID: "x1", Data: mustEncode(t, &want.Sections[0])})
		change.AddDelete(roster.KindUsers, "u02")
		change.AddDelete(roster.KindCourses, "c2")
		want.Users = slices.Insert(slices.Delete(want.Users, 1, 2), 2, newcomer)
		want.Courses = want.Courses[:1]
		second := mustCommit(t, s, first.ID, &change, nil)
		checkRoster(t, s, want)
		if got := head(t, s, testConn).RunID; got != second.ID {
			t.Errorf("head after second commit = run %d, want %d", got, second.ID)
		}

		// Nothing changed: the run is recorded, the cursor moves, the
		// roster and head stay exactly as they were.
		mustClose(t, s)
		rootBefore, _ := rosterRoot(t, path, testConn)
		s = mustOpen(t, path)
		recordsBefore := dump(t, s, testConn)
		empty := mustCommit(t, s, second.ID, &roster.Change{}, []byte("event-2"))
		if _, err := s.Run(empty.ID); err != nil {
			t.Errorf("run of the empty commit: %v", err)
		}
		if got := head(t, s, testConn).RunID; got != second.ID {
			t.Errorf("head after empty commit = run %d, want %d (unchanged)", got, second.ID)
		}
		if diff := cmp.Diff(recordsBefore, dump(t, s, testConn)); diff != "" {
			t.Errorf("records changed by an empty commit (-want +got):\n%s", diff)
		}
		checkCursor(t, s, "event-2")
		mustClose(t, s)
		if rootAfter, _ := rosterRoot(t, path, testConn); rootAfter != rootBefore {
			t.Errorf("roster bucket moved from page %d to %d: an empty change rewrote records", rootBefore, rootAfter)
		}

		// A change computed against the first commit is stale now.
		s = mustOpen(t, path)
		var stale roster.Change
		stale.AddDelete(roster.KindUsers, "u01")
		stale.AddPut(roster.KindSchools, roster.Record{ID: "s9", Data: []byte(`{"id":"s9"}`)})
		run := newRun(t, s)
		err := s.Commit(testConn, first.ID, &stale, []byte("event-3"), run, []byte("report"))
		if !errors.Is(err, state.ErrConflict) {
			t.Fatalf("Commit with a stale base = %v, want ErrConflict", err)
		}
		checkRoster(t, s, want)
		checkNotRecorded(t, s, run.ID)
		checkCursor(t, s, "event-2")
		mustClose(t, s)
		if rootAfter, _ := rosterRoot(t, path, testConn); rootAfter != rootBefore {
			t.Errorf("roster bucket moved from page %d to %d after a refused commit", rootBefore, rootAfter)
		}
	})

	// Ensure a change rewrites only the kinds it names. The buckets are
	// big enough to live on their own pages, so their root pages tell.
	t.Run("OnlyNamedKinds", func(t *testing.T) {
		path := tempPath(t)
		s := mustOpen(t, path)
		var first roster.Change
		for _, kind := range []roster.Kind{roster.KindSchools, roster.KindUsers} {
			for _, rec := range syntheticUsers(t, "id", 100) {
				first.AddPut(kind, rec)
			}
		}
		run := mustCommit(t, s, 0, &first, nil)
		mustClose(t, s)
		_, before := rosterRoot(t, path, testConn)

		s = mustOpen(t, path)
		var change roster.Change
		change.AddPut(roster.KindUsers, roster.Record{ID: "id0000050", Data: []byte("changed")})
		mustCommit(t, s, run.ID, &change, nil)
		mustClose(t, s)
		_, after := rosterRoot(t, path, testConn)

		if before[roster.KindSchools] == 0 {
			t.Fatal("schools bucket is inline; its root page proves nothing")
		}
		if before[roster.KindSchools] != after[roster.KindSchools] {
			t.Errorf("schools bucket moved from page %d to %d; the change did not name it", before[roster.KindSchools], after[roster.KindSchools])
		}
		if before[roster.KindUsers] == after[roster.KindUsers] {
			t.Errorf("users bucket stayed at page %d; the change rewrote one of its records", before[roster.KindUsers])
		}
	})

	// Ensure records arriving out of key order are stored all the same,
	// the later of two puts of one ID wins, and the caller's change is
	// left in its own order.
	t.Run("Unsorted", func(t *testing.T) {
		s := mustOpen(t, tempPath(t))
		var change roster.Change
		for _, rec := range []roster.Record{
			{ID: "c", Data: []byte("c1")}, {ID: "a", Data: []byte("a1")}, {ID: "c", Data: []byte("c2")}, {ID: "b", Data: []byte("b1")},
		} {
			change.AddPut(roster.KindTerms, rec)
		}
		orig := slices.Clone(change.Put[roster.KindTerms])
		mustCommit(t, s, 0, &change, nil)

		want := map[roster.Kind]map[string]string{roster.KindTerms: {"a": "a1", "b": "b1", "c": "c2"}}
		if diff := cmp.Diff(want, dump(t, s, testConn)); diff != "" {
			t.Errorf("records mismatch (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(orig, change.Put[roster.KindTerms]); diff != "" {
			t.Errorf("Commit reordered the caller's change (-want +got):\n%s", diff)
		}
	})

	// Ensure deleting what is not there does nothing, and does not create
	// a bucket for a kind never written.
	t.Run("DeleteAbsent", func(t *testing.T) {
		s := mustOpen(t, tempPath(t))
		var first roster.Change
		first.AddPut(roster.KindUsers, roster.Record{ID: "u1", Data: []byte("one")})
		run := mustCommit(t, s, 0, &first, nil)

		var change roster.Change
		change.AddDelete(roster.KindUsers, "u0")
		change.AddDelete(roster.KindUsers, "u2")
		change.AddDelete(roster.KindSchools, "s1")
		mustCommit(t, s, run.ID, &change, nil)

		want := map[roster.Kind]map[string]string{roster.KindUsers: {"u1": "one"}}
		if diff := cmp.Diff(want, dump(t, s, testConn)); diff != "" {
			t.Errorf("records mismatch (-want +got):\n%s", diff)
		}
	})

	// Ensure a nil cursor keeps the stored one and an empty one clears it.
	t.Run("Cursor", func(t *testing.T) {
		s := mustOpen(t, tempPath(t))
		// The head stays 0 throughout: no commit here changes the roster.
		mustCommit(t, s, 0, nil, []byte("e1"))
		checkCursor(t, s, "e1")
		mustCommit(t, s, 0, nil, nil)
		checkCursor(t, s, "e1")
		mustCommit(t, s, 0, nil, []byte{})
		checkCursor(t, s, "")
		if got := head(t, s, testConn); got != (state.Head{}) {
			t.Errorf("head after cursor-only commits = %+v, want zero", got)
		}
	})

	// Ensure bad input is refused with an error naming what is wrong, and
	// nothing at all is written.
	t.Run("ErrInvalid", func(t *testing.T) {
		put := func(kind roster.Kind, id, data string) *roster.Change {
			var c roster.Change
			c.AddPut(roster.KindSchools, roster.Record{ID: "s-ok", Data: []byte("fine")})
			c.AddPut(kind, roster.Record{ID: id, Data: []byte(data)})
			return &c
		}
		for _, tt := range []struct {
			name    string
			conn    string
			change  *roster.Change
			editRun func(*state.Run)
			want    string
		}{
			{name: "EmptyConnection", conn: "", change: put(roster.KindUsers, "u1", "x"), want: "connection name is empty"},
			{name: "UnknownPutKind", conn: testConn, change: put("students", "u1", "x"), want: `unknown kind "students"`},
			{name: "UnknownDeleteKind", conn: testConn, change: &roster.Change{Delete: map[roster.Kind][]string{"enrollments": {"e1"}}}, want: `unknown kind "enrollments"`},
			{name: "EmptyID", conn: testConn, change: put(roster.KindUsers, "", "x"), want: "put users[0]: empty id"},
			{name: "EmptyRecord", conn: testConn, change: put(roster.KindUsers, "u1", ""), want: "put users/u1: empty record"},
			{name: "EmptyDeleteID", conn: testConn, change: &roster.Change{Delete: map[roster.Kind][]string{roster.KindUsers: {""}}}, want: "delete users[0]: empty id"},
			{name: "PutAndDelete", conn: testConn, change: func() *roster.Change {
				c := put(roster.KindUsers, "u1", "x")
				c.AddDelete(roster.KindUsers, "u1")
				return c
			}(), want: "both puts and deletes users/u1"},
			{name: "RunIDZero", conn: testConn, change: put(roster.KindUsers, "u1", "x"), editRun: func(r *state.Run) { r.ID = 0 }, want: "run id 0 was not allocated"},
			{name: "RunIDUnallocated", conn: testConn, change: put(roster.KindUsers, "u1", "x"), editRun: func(r *state.Run) { r.ID += 100 }, want: "was not allocated by NextRunID"},
			{name: "OtherConnection", conn: testConn, change: put(roster.KindUsers, "u1", "x"), editRun: func(r *state.Run) { r.Connection = "district-b" }, want: "run belongs to connection district-b"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				path := tempPath(t)
				s := mustOpen(t, path)
				run := newRun(t, s)
				if tt.editRun != nil {
					tt.editRun(&run)
				}
				err := s.Commit(tt.conn, 0, tt.change, []byte("cursor"), run, []byte("report"))
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("Commit = %v, want an error containing %q", err, tt.want)
				}
				checkNotRecorded(t, s, run.ID)
				if got := dump(t, s, testConn); len(got) != 0 {
					t.Errorf("records written by a refused commit: %v", got)
				}
				checkCursor(t, s, "")
				if names, err := s.Connections(); err != nil || len(names) != 0 {
					t.Errorf("Connections() = %v, %v; want none", names, err)
				}
			})
		}
	})

	// Ensure a run is recorded once: a second commit with the same run
	// fails and leaves the first one's writes alone.
	t.Run("ErrRunRecorded", func(t *testing.T) {
		s := mustOpen(t, tempPath(t))
		run := newRun(t, s)
		first := &roster.Change{}
		first.AddPut(roster.KindUsers, roster.Record{ID: "u1", Data: []byte("one")})
		if err := s.Commit(testConn, 0, first, nil, run, nil); err != nil {
			t.Fatal(err)
		}
		again := &roster.Change{}
		again.AddPut(roster.KindUsers, roster.Record{ID: "u1", Data: []byte("two")})
		err := s.Commit(testConn, run.ID, again, nil, run, nil)
		if !errors.Is(err, state.ErrRunRecorded) {
			t.Fatalf("second Commit of run %d = %v, want ErrRunRecorded", run.ID, err)
		}
		want := map[roster.Kind]map[string]string{roster.KindUsers: {"u1": "one"}}
		if diff := cmp.Diff(want, dump(t, s, testConn)); diff != "" {
			t.Errorf("records mismatch (-want +got):\n%s", diff)
		}
	})
}

func TestStore_Connections(t *testing.T) {
	// Ensure only connections whose roster was committed are listed, in
	// name order.
	s := mustOpen(t, tempPath(t))
	for _, conn := range []string{"zeta", "alpha", "cursor-only"} {
		run := newRun(t, s)
		run.Connection = conn
		var change *roster.Change
		if conn != "cursor-only" {
			change = &roster.Change{}
			change.AddPut(roster.KindDistricts, roster.Record{ID: "d", Data: []byte("d")})
		}
		if err := s.Commit(conn, 0, change, []byte("c"), run, nil); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Connections()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"alpha", "zeta"}, got); diff != "" {
		t.Errorf("Connections mismatch (-want +got):\n%s", diff)
	}
}

func mustEncode(t *testing.T, rec any) []byte {
	t.Helper()
	data, err := codec.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// checkRoster compares testConn's committed roster with want, sorted as
// the store reads it back.
func checkRoster(t *testing.T, s *state.Store, want *roster.Roster) {
	t.Helper()
	want.SortByID()
	err := s.View(testConn, func(sn *state.Snapshot) error {
		got, err := sn.Roster()
		if err != nil {
			return err
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("committed roster mismatch (-want +got):\n%s", diff)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func checkCursor(t *testing.T, s *state.Store, want string) {
	t.Helper()
	err := s.View(testConn, func(sn *state.Snapshot) error {
		if got := string(sn.Cursor()); got != want {
			t.Errorf("cursor = %q, want %q", got, want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// checkNotRecorded fails unless run id and its report are absent.
func checkNotRecorded(t *testing.T, s *state.Store, id uint64) {
	t.Helper()
	if _, err := s.Run(id); !errors.Is(err, state.ErrNotFound) {
		t.Errorf("Run(%d) = %v, want ErrNotFound", id, err)
	}
	if _, err := s.Report(id); !errors.Is(err, state.ErrNotFound) {
		t.Errorf("Report(%d) = %v, want ErrNotFound", id, err)
	}
}
