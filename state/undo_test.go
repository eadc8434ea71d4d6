package state_test

import (
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rosterd/rosterd/roster"
	"github.com/rosterd/rosterd/state"
	bolt "go.etcd.io/bbolt"
)

func TestStore_RosterAt(t *testing.T) {
	// Ensure every run of a series of commits (adds, updates, deletes
	// across kinds, a commit that changes nothing, a kind emptied and
	// filled again, another connection's commits in between) reads back
	// as the roster it committed.
	t.Run("OK", func(t *testing.T) {
		s := mustOpen(t, tempPath(t))
		var runs []state.Run
		var rosters []*roster.Roster
		commit := func(c *roster.Change) {
			t.Helper()
			var base uint64
			if len(runs) > 0 {
				base = head(t, s, testConn).RunID
			}
			runs = append(runs, mustCommit(t, s, base, c, nil))
			rosters = append(rosters, committedRoster(t, s, testConn))
			// Another connection commits between every two runs.
			other := newRun(t, s)
			other.Connection = "district-b"
			var oc roster.Change
			oc.AddPut(roster.KindUsers, roster.Record{ID: "u01", Data: mustEncode(t, &roster.User{ID: "u01", Email: fmt.Sprint(other.ID)})})
			if err := s.Commit("district-b", head(t, s, "district-b").RunID, &oc, nil, other, nil); err != nil {
				t.Fatal(err)
			}
		}

		// 1: a first sync.
		want := testRoster()
		commit(encodeRoster(t, want))
		if diff := cmp.Diff(sorted(want), rosters[0]); diff != "" {
			t.Fatalf("roster of the first sync mismatch (-want +got):\n%s", diff)
		}

		// 2: updates, deletes and an add across kinds.
		c := &roster.Change{}
		u := want.Users[0]
		u.Roles.Student = &roster.Student{SISID: "9001", Grade: "6", School: "s2", Schools: []string{"s2"}}
		c.AddPut(roster.KindUsers, roster.Record{ID: u.ID, Data: mustEncode(t, &u)})
		c.AddPut(roster.KindUsers, roster.Record{ID: "u05", Data: mustEncode(t, &roster.User{ID: "u05", District: "d1"})})
		c.AddDelete(roster.KindUsers, "u02")
		c.AddDelete(roster.KindCourses, "c2")
		x := want.Sections[0]
		x.Students = []string{"u01"}
		c.AddPut(roster.KindSections, roster.Record{ID: x.ID, Data: mustEncode(t, &x)})
		commit(c)

		// 3: nothing changes.
		commit(&roster.Change{})

		// 4: a school goes, a term arrives, the district is renamed; one
		// user is put twice (the later wins), one put rewrites the same
		// bytes, one delete misses.
		c = &roster.Change{}
		c.AddDelete(roster.KindSchools, "s1")
		c.AddDelete(roster.KindUsers, "u99")
		c.AddPut(roster.KindTerms, roster.Record{ID: "t2", Data: mustEncode(t, &roster.Term{ID: "t2", District: "d1", Name: "2026-27"})})
		d := want.Districts[0]
		d.Name = "Renamed District"
		c.AddPut(roster.KindDistricts, roster.Record{ID: d.ID, Data: mustEncode(t, &d)})
		c.AddPut(roster.KindUsers, roster.Record{ID: "u03", Data: mustEncode(t, &roster.User{ID: "u03", Email: "first@example.org"})})
		c.AddPut(roster.KindUsers, roster.Record{ID: "u03", Data: mustEncode(t, &roster.User{ID: "u03", Email: "second@example.org"})})
		c.AddPut(roster.KindUsers, roster.Record{ID: "u10", Data: mustEncode(t, &want.Users[3])})
		commit(c)

		// 5: every user goes.
		c = &roster.Change{}
		for _, u := range rosters[len(rosters)-1].Users {
			c.AddDelete(roster.KindUsers, u.ID)
		}
		commit(c)

		// 6: users arrive in the emptied kind, and terms are all replaced.
		c = &roster.Change{}
		c.AddPut(roster.KindUsers, roster.Record{ID: "u50", Data: mustEncode(t, &roster.User{ID: "u50"})})
		c.AddDelete(roster.KindTerms, "t1")
		c.AddDelete(roster.KindTerms, "t2")
		c.AddPut(roster.KindTerms, roster.Record{ID: "t3", Data: mustEncode(t, &roster.Term{ID: "t3"})})
		commit(c)

		for i, run := range runs {
			got, err := s.RosterAt(testConn, run.ID)
			if err != nil {
				t.Fatalf("RosterAt(run %d, commit %d): %v", run.ID, i+1, err)
			}
			if diff := cmp.Diff(rosters[i], got); diff != "" {
				t.Errorf("RosterAt(run %d, commit %d) mismatch (-want +got):\n%s", run.ID, i+1, diff)
			}
		}
		if diff := cmp.Diff(rosters[1], rosters[2]); diff != "" {
			t.Errorf("a commit that changed nothing changed the roster (-want +got):\n%s", diff)
		}
		if got := rosters[4].Users; got != nil {
			t.Errorf("roster after every user went has %d users", len(got))
		}
	})

	// Ensure the undo log holds a before-image for exactly what a commit
	// changed: old bytes for updates and deletes, a tombstone for adds,
	// one "empty" per kind for a first sync, nothing for a commit that
	// changed nothing.
	t.Run("UndoLog", func(t *testing.T) {
		path := tempPath(t)
		s := mustOpen(t, path)
		first := &roster.Change{}
		first.AddPut(roster.KindUsers, roster.Record{ID: "u1", Data: []byte("one")})
		first.AddPut(roster.KindUsers, roster.Record{ID: "u2", Data: []byte("two")})
		first.AddPut(roster.KindSchools, roster.Record{ID: "s1", Data: []byte("school")})
		first.AddDelete(roster.KindTerms, "t1")
		r1 := mustCommit(t, s, 0, first, nil)
		second := &roster.Change{}
		second.AddPut(roster.KindUsers, roster.Record{ID: "u1", Data: []byte("ONE")})
		second.AddPut(roster.KindUsers, roster.Record{ID: "u2", Data: []byte("two")})
		second.AddPut(roster.KindUsers, roster.Record{ID: "u3", Data: []byte("three")})
		second.AddDelete(roster.KindSchools, "s1")
		second.AddDelete(roster.KindSchools, "s2")
		second.AddPut(roster.KindCourses, roster.Record{ID: "c1", Data: []byte("course")})
		r2 := mustCommit(t, s, r1.ID, second, nil)
		mustCommit(t, s, r2.ID, &roster.Change{}, []byte("cursor"))
		mustClose(t, s)

		want := map[uint64]map[string]string{
			r1.ID: {"base": "0", "users": "empty", "schools": "empty"},
			r2.ID: {
				"base":       strconv.FormatUint(r1.ID, 10),
				"users/u1":   "one",
				"users/u3":   "<tombstone>",
				"schools/s1": "school",
				"courses":    "empty",
			},
		}
		if diff := cmp.Diff(want, readUndo(t, path, testConn)); diff != "" {
			t.Errorf("undo logs mismatch (-want +got):\n%s", diff)
		}
	})

	// Ensure a file whose early commits predate undo logs serves the runs
	// the logs reach and refuses the older ones instead of guessing.
	t.Run("BeforeUndoLogs", func(t *testing.T) {
		path := tempPath(t)
		s := mustOpen(t, path)
		r1 := mustCommit(t, s, 0, userChange("u1", "one"), nil)
		r2 := mustCommit(t, s, r1.ID, userChange("u2", "two"), nil)
		mustClose(t, s)
		editStateFile(t, path, func(tx *bolt.Tx) error {
			return tx.Bucket([]byte("connections")).Bucket([]byte(testConn)).DeleteBucket([]byte("undo"))
		})

		s = mustOpen(t, path)
		checkRosterAt(t, s, r2.ID, map[string]string{"u1": "one", "u2": "two"})
		checkRosterAtErr(t, s, r1.ID, state.ErrHistoryPruned)
		r3 := mustCommit(t, s, r2.ID, userChange("u3", "three"), nil)
		checkRosterAt(t, s, r3.ID, map[string]string{"u1": "one", "u2": "two", "u3": "three"})
		checkRosterAt(t, s, r2.ID, map[string]string{"u1": "one", "u2": "two"})
		checkRosterAtErr(t, s, r1.ID, state.ErrHistoryPruned)
	})

	// Ensure only committed runs of the connection have a roster.
	t.Run("ErrNotFound", func(t *testing.T) {
		s := mustOpen(t, tempPath(t))
		committed := mustCommit(t, s, 0, userChange("u1", "one"), nil)
		refused := newRun(t, s)
		refused.Verdict = "refused"
		if err := s.RecordRun(refused, nil); err != nil {
			t.Fatal(err)
		}
		other := newRun(t, s)
		other.Connection = "district-b"
		if err := s.Commit("district-b", 0, userChange("u1", "b"), nil, other, nil); err != nil {
			t.Fatal(err)
		}
		for _, tt := range []struct {
			name string
			conn string
			id   uint64
		}{
			{name: "Refused", conn: testConn, id: refused.ID},
			{name: "OtherConnection", conn: testConn, id: other.ID},
			{name: "UnknownConnection", conn: "district-c", id: committed.ID},
			{name: "Unrecorded", conn: testConn, id: 42},
			{name: "Zero", conn: testConn, id: 0},
		} {
			t.Run(tt.name, func(t *testing.T) {
				if _, err := s.RosterAt(tt.conn, tt.id); !errors.Is(err, state.ErrNotFound) {
					t.Errorf("RosterAt(%s, %d) = %v, want ErrNotFound", tt.conn, tt.id, err)
				}
			})
		}
	})
}

// sorted returns r sorted as the store reads a roster back.
func sorted(r *roster.Roster) *roster.Roster {
	r.SortByID()
	return r
}

// committedRoster decodes conn's committed roster.
func committedRoster(tb testing.TB, s *state.Store, conn string) *roster.Roster {
	tb.Helper()
	var r *roster.Roster
	err := s.View(conn, func(sn *state.Snapshot) error {
		var err error
		r, err = sn.Roster()
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

// userChange puts one user, whose record is a User holding email.
func userChange(id, email string) *roster.Change {
	var c roster.Change
	c.AddPut(roster.KindUsers, roster.Record{ID: id, Data: fmt.Appendf(nil, `{"id":%q,"email":%q}`, id, email)})
	return &c
}

// checkRosterAt checks that testConn's roster at run id holds exactly the
// users put by userChange with these emails, and nothing else.
func checkRosterAt(t *testing.T, s *state.Store, id uint64, emails map[string]string) {
	t.Helper()
	got, err := s.RosterAt(testConn, id)
	if err != nil {
		t.Fatalf("RosterAt(%d): %v", id, err)
	}
	want := &roster.Roster{}
	for _, uid := range slices.Sorted(maps.Keys(emails)) {
		want.Users = append(want.Users, roster.User{ID: uid, Email: emails[uid]})
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("RosterAt(%d) mismatch (-want +got):\n%s", id, diff)
	}
}

func checkRosterAtErr(t *testing.T, s *state.Store, id uint64, want error) {
	t.Helper()
	if r, err := s.RosterAt(testConn, id); !errors.Is(err, want) {
		t.Errorf("RosterAt(%d) = %v, %v; want %v", id, r, err, want)
	}
}

// readUndo returns conn's undo logs from the closed state file at path,
// by run ID: "base" as a decimal run ID, "<kind>" for a kind marked
// empty, and "<kind>/<id>" for a before-image ("<tombstone>" when empty).
func readUndo(tb testing.TB, path, conn string) map[uint64]map[string]string {
	tb.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	out := make(map[uint64]map[string]string)
	err = db.View(func(tx *bolt.Tx) error {
		logs := tx.Bucket([]byte("connections")).Bucket([]byte(conn)).Bucket([]byte("undo"))
		if logs == nil {
			return nil
		}
		return logs.ForEachBucket(func(run []byte) error {
			m := make(map[string]string)
			out[binary.BigEndian.Uint64(run)] = m
			ub := logs.Bucket(run)
			return ub.ForEach(func(k, v []byte) error {
				switch {
				case string(k) == "base":
					m["base"] = strconv.FormatUint(binary.BigEndian.Uint64(v), 10)
				case v != nil:
					m[string(k)] = string(v)
				default:
					return ub.Bucket(k).ForEach(func(id, old []byte) error {
						if len(old) == 0 {
							old = []byte("<tombstone>")
						}
						m[string(k)+"/"+string(id)] = string(old)
						return nil
					})
				}
				return nil
			})
		})
	})
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// editStateFile changes the closed state file at path with bbolt
// directly, as another version of rosterd might have written it.
func editStateFile(tb testing.TB, path string, fn func(tx *bolt.Tx) error) {
	tb.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	if err := db.Update(fn); err != nil {
		tb.Fatal(err)
	}
}
