package state_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rosterd/rosterd/roster"
	"github.com/rosterd/rosterd/state"
	bolt "go.etcd.io/bbolt"
)

func TestOpen(t *testing.T) {
	// Ensure a new file is private, in a private directory, and carries
	// the schema version.
	t.Run("OK", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "var", "rosterd", "state.db")
		s := mustOpen(t, path)
		if got := s.Path(); got != path {
			t.Errorf("Path() = %q, want %q", got, path)
		}
		mustClose(t, s)

		for _, tt := range []struct {
			path string
			want os.FileMode
		}{
			{path, 0o600},
			{filepath.Dir(path), 0o700 | os.ModeDir},
		} {
			fi, err := os.Stat(tt.path)
			if err != nil {
				t.Fatal(err)
			}
			if got := fi.Mode(); got != tt.want {
				t.Errorf("mode of %s = %v, want %v", tt.path, got, tt.want)
			}
		}
		if got := readVersion(t, path); got != "1" {
			t.Errorf("meta/version = %q, want %q", got, "1")
		}
	})

	// Ensure reopening keeps what was written and does not rewrite the
	// version.
	t.Run("Reopen", func(t *testing.T) {
		path := tempPath(t)
		s := mustOpen(t, path)
		run := newRun(t, s)
		if err := s.RecordRun(run, nil); err != nil {
			t.Fatal(err)
		}
		mustClose(t, s)

		s = mustOpen(t, path)
		if _, err := s.Run(run.ID); err != nil {
			t.Errorf("Run(%d) after reopen: %v", run.ID, err)
		}
	})

	// Ensure a new file gets big pages, and a file an older rosterd made
	// with bbolt's 4 KiB pages keeps them and takes a large batched
	// commit as before.
	t.Run("PageSize", func(t *testing.T) {
		s := mustOpen(t, tempPath(t))
		if got, want := state.PageSize(s), 16<<10; got != want {
			t.Errorf("page size of a new file = %d, want %d", got, want)
		}

		path := tempPath(t)
		db, err := bolt.Open(path, 0o600, &bolt.Options{PageSize: 4096})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		s = mustOpen(t, path)
		if got, want := state.PageSize(s), 4096; got != want {
			t.Errorf("page size of an older file = %d, want %d", got, want)
		}
		state.SetCommitLimits(s, state.Batched(100))
		var change roster.Change
		for _, rec := range syntheticUsers(t, "5a25ffb0c1bc2a003", 1000) {
			change.AddPut(roster.KindUsers, rec)
		}
		mustCommit(t, s, 0, &change, nil)
		mustClose(t, s)
		s = mustOpen(t, path)
		if got := len(dump(t, s, testConn)[roster.KindUsers]); got != 1000 {
			t.Errorf("after reopening, %d users, want 1000", got)
		}
	})

	// Ensure a file written by a newer rosterd is refused, naming both
	// versions.
	t.Run("ErrSchema", func(t *testing.T) {
		path := tempPath(t)
		mustClose(t, mustOpen(t, path))
		writeVersion(t, path, "2")

		_, err := state.Open(path, state.Options{Timeout: time.Second})
		if !errors.Is(err, state.ErrSchema) {
			t.Fatalf("Open = %v, want ErrSchema", err)
		}
		for _, want := range []string{path, "schema version 2", "rosterd's 1"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not mention %q", err, want)
			}
		}
	})

	// Ensure a read-only open of a bbolt file rosterd never initialised is
	// refused rather than read as empty.
	t.Run("ErrSchemaUninitialised", func(t *testing.T) {
		path := tempPath(t)
		db, err := bolt.Open(path, 0o600, nil)
		if err != nil {
			t.Fatal(err)
		}
		db.Close()

		_, err = state.Open(path, state.Options{ReadOnly: true, Timeout: time.Second})
		if !errors.Is(err, state.ErrSchema) {
			t.Fatalf("Open = %v, want ErrSchema", err)
		}
	})

	// Ensure a file that is not a bbolt file is an error, not a panic.
	t.Run("ErrNotBolt", func(t *testing.T) {
		path := tempPath(t)
		if err := os.WriteFile(path, []byte(strings.Repeat("not a database\n", 1000)), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := state.Open(path, state.Options{Timeout: time.Second}); err == nil || !strings.Contains(err.Error(), path) {
			t.Fatalf("Open = %v, want an error naming %s", err, path)
		}
	})

	// Ensure a second Open of a file in use gives up after its timeout and
	// says why in plain words. bbolt's flock belongs to the open file
	// description, so a second open in the same process contends like a
	// second process would.
	t.Run("ErrLocked", func(t *testing.T) {
		path := tempPath(t)
		mustOpen(t, path)

		for _, readOnly := range []bool{false, true} {
			const timeout = 150 * time.Millisecond
			s, err := state.Open(path, state.Options{Timeout: timeout, ReadOnly: readOnly})
			if err == nil {
				s.Close()
				t.Fatalf("Open(ReadOnly: %v) of a file in use succeeded", readOnly)
			}
			if !errors.Is(err, state.ErrLocked) {
				t.Fatalf("Open(ReadOnly: %v) = %v, want ErrLocked", readOnly, err)
			}
			want := "state file " + path + " is in use by another rosterd process (waited 150ms)"
			if err.Error() != want {
				t.Errorf("error = %q, want %q", err, want)
			}
		}
	})

	// Ensure a read-only store reads what a writer left and refuses to
	// write, and that several readers share the file.
	t.Run("ReadOnly", func(t *testing.T) {
		path := tempPath(t)
		s := mustOpen(t, path)
		run := newRun(t, s)
		if err := s.RecordRun(run, []byte("report")); err != nil {
			t.Fatal(err)
		}
		mustClose(t, s)

		r1, err := state.Open(path, state.Options{ReadOnly: true, Timeout: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		defer r1.Close()
		r2, err := state.Open(path, state.Options{ReadOnly: true, Timeout: time.Second})
		if err != nil {
			t.Fatalf("second read-only Open: %v", err)
		}
		defer r2.Close()

		if _, err := r2.Run(run.ID); err != nil {
			t.Errorf("Run: %v", err)
		}
		if err := r1.Check(); err != nil {
			t.Error(err)
		}
		if _, err := r1.NextRunID(); err == nil {
			t.Error("NextRunID on a read-only store succeeded")
		}
	})

	// Ensure a read-only Open does not create a missing file.
	t.Run("ReadOnlyMissing", func(t *testing.T) {
		path := tempPath(t)
		if _, err := state.Open(path, state.Options{ReadOnly: true, Timeout: time.Second}); err == nil {
			t.Fatal("read-only Open of a missing file succeeded")
		}
		if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("Stat after read-only Open = %v, want not exist", err)
		}
	})
}

// readVersion returns meta/version of the closed state file at path.
func readVersion(t *testing.T, path string) string {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var v string
	err = db.View(func(tx *bolt.Tx) error {
		v = string(tx.Bucket([]byte("meta")).Get([]byte("version")))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// writeVersion sets meta/version of the closed state file at path.
func writeVersion(t *testing.T, path, version string) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte("meta")).Put([]byte("version"), []byte(version))
	})
	if err != nil {
		t.Fatal(err)
	}
}
