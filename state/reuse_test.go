package state_test

import (
	"errors"
	"testing"

	"github.com/rosterd/rosterd/roster"
	"github.com/rosterd/rosterd/state"
)

// Ensure a reuse note is kept per connection, replaced whole, survives a
// reopen and a later commit, and cannot be left for a connection that
// has nothing stored.
func TestStore_Reuse(t *testing.T) {
	path := tempPath(t)
	s := mustOpen(t, path)
	if err := s.SaveReuse(testConn, []byte("note")); !errors.Is(err, state.ErrNotFound) {
		t.Fatalf("SaveReuse before any commit = %v, want ErrNotFound", err)
	}
	var change roster.Change
	for _, rec := range syntheticUsers(t, "u", 3) {
		change.AddPut(roster.KindUsers, rec)
	}
	run := mustCommit(t, s, 0, &change, nil)
	if got, err := s.Reuse(testConn); err != nil || got != nil {
		t.Fatalf("Reuse before any note = %q, %v; want nil, nil", got, err)
	}
	for _, note := range []string{"first note", "second"} {
		if err := s.SaveReuse(testConn, []byte(note)); err != nil {
			t.Fatal(err)
		}
	}
	mustClose(t, s)

	s = mustOpen(t, path)
	mustCommit(t, s, run.ID, &roster.Change{Delete: map[roster.Kind][]string{roster.KindUsers: {change.Put[roster.KindUsers][0].ID}}}, nil)
	if got, err := s.Reuse(testConn); err != nil || string(got) != "second" {
		t.Errorf("Reuse = %q, %v; want %q", got, err, "second")
	}
	if got, err := s.Reuse("other"); err != nil || got != nil {
		t.Errorf("Reuse of a connection never seen = %q, %v; want nil, nil", got, err)
	}
}
