package state_test

import (
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/rosterd/rosterd/internal/codec"
	"github.com/rosterd/rosterd/roster"
	"github.com/rosterd/rosterd/state"
	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// testConn is the connection name tests commit to.
const testConn = "district-a"

// tempPath returns a state file path in a fresh temporary directory.
func tempPath(tb testing.TB) string {
	tb.Helper()
	return filepath.Join(tb.TempDir(), "state.db")
}

// mustOpen opens the store at path and registers a cleanup that checks the
// file's consistency and closes it, unless the test closed it first.
func mustOpen(tb testing.TB, path string) *state.Store {
	tb.Helper()
	s, err := state.Open(path, state.Options{Timeout: time.Second})
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() {
		err := s.Check()
		if errors.Is(err, bolterrors.ErrDatabaseNotOpen) {
			return // closed by the test, through mustClose
		}
		if err != nil {
			tb.Error(err)
		}
		if err := s.Close(); err != nil {
			tb.Error(err)
		}
	})
	return s
}

// mustClose checks the store's consistency and closes it.
func mustClose(tb testing.TB, s *state.Store) {
	tb.Helper()
	if err := s.Check(); err != nil {
		tb.Error(err)
	}
	if err := s.Close(); err != nil {
		tb.Fatal(err)
	}
}

// newRun allocates a run ID and returns a sync run of testConn.
func newRun(tb testing.TB, s *state.Store) state.Run {
	tb.Helper()
	id, err := s.NextRunID()
	if err != nil {
		tb.Fatalf("NextRunID: %v", err)
	}
	started := time.Date(2025, 9, 1, 6, 0, 0, 0, time.UTC).Add(time.Duration(id) * time.Hour)
	return state.Run{
		ID: id, Connection: testConn, Source: "clever", Mode: "sync", Verdict: "committed",
		Started: started, Finished: started.Add(90 * time.Second),
	}
}

// mustCommit commits change to testConn and returns the run it recorded.
func mustCommit(tb testing.TB, s *state.Store, base uint64, change *roster.Change, cursor []byte) state.Run {
	tb.Helper()
	run := newRun(tb, s)
	if err := s.Commit(testConn, base, change, cursor, run, []byte(`{"run":1}`)); err != nil {
		tb.Fatalf("Commit: %v", err)
	}
	return run
}

// encodeRoster returns a change putting every record of r.
func encodeRoster(tb testing.TB, r *roster.Roster) *roster.Change {
	tb.Helper()
	var c roster.Change
	put := func(kind roster.Kind, id string, rec any) {
		data, err := codec.Marshal(rec)
		if err != nil {
			tb.Fatal(err)
		}
		c.AddPut(kind, roster.Record{ID: id, Data: data})
	}
	for i := range r.Districts {
		put(roster.KindDistricts, r.Districts[i].ID, &r.Districts[i])
	}
	for i := range r.Schools {
		put(roster.KindSchools, r.Schools[i].ID, &r.Schools[i])
	}
	for i := range r.Terms {
		put(roster.KindTerms, r.Terms[i].ID, &r.Terms[i])
	}
	for i := range r.Courses {
		put(roster.KindCourses, r.Courses[i].ID, &r.Courses[i])
	}
	for i := range r.Sections {
		put(roster.KindSections, r.Sections[i].ID, &r.Sections[i])
	}
	for i := range r.Users {
		put(roster.KindUsers, r.Users[i].ID, &r.Users[i])
	}
	return &c
}

// testRoster is a small district touching every kind and every role. The
// people in it are made up.
func testRoster() *roster.Roster {
	modified := time.Date(2025, 8, 20, 14, 3, 7, 250e6, time.UTC)
	return &roster.Roster{
		Districts: []roster.District{{ID: "d1", Name: "Demo District", SISType: "PowerSchool", LastModified: modified}},
		Schools: []roster.School{
			{ID: "s1", District: "d1", Name: "North Elementary", SISID: "101", LowGrade: "Kindergarten", HighGrade: "5",
				Address: roster.Address{City: "Springfield", State: "IL"}, Ext: roster.ExtStrings(map[string]string{"region": "north"})},
			{ID: "s2", District: "d1", Name: "South Middle", SISID: "102", LowGrade: "6", HighGrade: "8"},
		},
		Terms: []roster.Term{{ID: "t1", District: "d1", Name: "2025-26", StartDate: roster.MustDate("2025-08-25"), EndDate: roster.MustDate("2026-06-05")}},
		Courses: []roster.Course{
			{ID: "c1", District: "d1", Name: "Math 5", Number: "M5", Subject: "math"},
			{ID: "c2", District: "d1", Name: "Science 6", Number: "S6", Subject: "science"},
		},
		Sections: []roster.Section{
			{ID: "x1", District: "d1", School: "s1", Course: "c1", Term: "t1", Name: "Math 5 - P1", Period: "1",
				Teachers: []string{"u10"}, Students: []string{"u01", "u02"}},
			{ID: "x2", District: "d1", School: "s2", Course: "c2", Term: "t1", Name: "Science 6 - P3", Period: "3",
				Teachers: []string{"u11", "u10"}, Students: []string{"u03"}},
		},
		Users: []roster.User{
			{ID: "u01", District: "d1", Name: roster.Name{First: "Ada", Last: "Example"}, Roles: roster.Roles{Student: &roster.Student{
				SISID: "9001", Grade: "5", School: "s1", Schools: []string{"s1"}, DOB: roster.MustDate("2015-03-14"),
				Programs: &roster.Programs{IEPStatus: "Y"}}}, LastModified: modified},
			{ID: "u02", District: "d1", Name: roster.Name{First: "Ben", Last: "Sample"}, Roles: roster.Roles{Student: &roster.Student{
				SISID: "9002", Grade: "5", School: "s1", Schools: []string{"s1"}}}},
			{ID: "u03", District: "d1", Name: roster.Name{First: "Cy", Last: "Test"}, Roles: roster.Roles{Student: &roster.Student{
				SISID: "9003", Grade: "6", School: "s2", Schools: []string{"s2"}, Ext: roster.ExtStrings(map[string]string{"consent": "yes"})}}},
			{ID: "u10", District: "d1", Name: roster.Name{First: "Dee", Last: "Teacher"}, Email: "dee@example.org", Roles: roster.Roles{
				Teacher: &roster.Teacher{SISID: "T10", School: "s1", Schools: []string{"s1", "s2"}},
				Staff:   &roster.Staff{StaffID: "T10", Schools: []string{"s1"}}}},
			{ID: "u11", District: "d1", Name: roster.Name{Last: "Eve Teacher"}, Roles: roster.Roles{Teacher: &roster.Teacher{SISID: "T11", School: "s2"}}},
			{ID: "u20", District: "d1", Name: roster.Name{Last: "Fay Guardian"}, Roles: roster.Roles{Contact: &roster.Contact{
				SISID: "G20", Relationships: []roster.Relationship{{Student: "u01", Relationship: "Parent"}}}}},
		},
	}
}

// syntheticUsers returns n encoded student records with IDs
// "<prefix>NNNNNNN", in key order, about the average size of a record in
// an XL district (≈ 400 bytes; 500 MB over 1.3M records is 385).
func syntheticUsers(tb testing.TB, prefix string, n int) []roster.Record {
	tb.Helper()
	recs := make([]roster.Record, n)
	for i := range n {
		id := fmt.Sprintf("%s%07d", prefix, i)
		u := roster.User{
			ID: id, District: "5a0c91b95c7cc000010d417c",
			Name:  roster.Name{First: fmt.Sprintf("First%d", i), Middle: "M", Last: fmt.Sprintf("Last%d", i)},
			Email: fmt.Sprintf("student%d@example.org", i),
			Roles: roster.Roles{Student: &roster.Student{
				Demographics: &roster.Demographics{Gender: "F", HispanicEthnicity: "N"},
				SISID:        fmt.Sprint(100000000 + i), StudentNumber: fmt.Sprint(200000 + i),
				Grade: "7", School: "5a0c91b95c7cc000010d4180", Schools: []string{"5a0c91b95c7cc000010d4180"},
				DOB: roster.MustDate("2012-04-09"),
			}},
			LastModified: time.Date(2025, 8, 20, 14, 3, 7, 0, time.UTC),
		}
		data, err := codec.Marshal(&u)
		if err != nil {
			tb.Fatal(err)
		}
		recs[i] = roster.Record{ID: id, Data: data}
	}
	return recs
}

// rosterRoot returns the page the connection's roster bucket is rooted at,
// reading the closed state file with bbolt directly. bbolt copies every
// page it changes to a new page, and a change anywhere below the roster
// bucket changes its root, so an unchanged root proves nothing in the
// roster was rewritten.
func rosterRoot(tb testing.TB, path, conn string) (root uint64, kinds map[roster.Kind]uint64) {
	tb.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	kinds = make(map[roster.Kind]uint64)
	err = db.View(func(tx *bolt.Tx) error {
		rb := tx.Bucket([]byte("connections")).Bucket([]byte(conn)).Bucket([]byte("roster"))
		if rb == nil {
			return fmt.Errorf("connection %s has no roster bucket", conn)
		}
		root = uint64(rb.Root())
		for _, kind := range roster.Kinds {
			if b := rb.Bucket([]byte(kind)); b != nil {
				kinds[kind] = uint64(b.Root())
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return root, kinds
}

// dump returns every record of conn, keyed by kind then ID, copied out of
// the transaction.
func dump(tb testing.TB, s *state.Store, conn string) map[roster.Kind]map[string]string {
	tb.Helper()
	out := make(map[roster.Kind]map[string]string)
	err := s.View(conn, func(sn *state.Snapshot) error {
		for _, kind := range roster.Kinds {
			err := sn.ForEach(kind, func(id, data []byte) error {
				if out[kind] == nil {
					out[kind] = make(map[string]string)
				}
				out[kind][string(id)] = string(data)
				return nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// head returns conn's committed head.
func head(tb testing.TB, s *state.Store, conn string) state.Head {
	tb.Helper()
	var h state.Head
	if err := s.View(conn, func(sn *state.Snapshot) error { h = sn.Head(); return nil }); err != nil {
		tb.Fatal(err)
	}
	return h
}
