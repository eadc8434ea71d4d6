package state_test

import (
	"errors"
	"testing"
	"time"

	"github.com/rosterd/rosterd/roster"
	"github.com/rosterd/rosterd/state"
)

// A 3,000-user bulky roster compresses to a little over 3 MB: in chunks
// of 256 KiB, written every 512 KiB, a save writes it to its pending
// bucket in about seven transactions. (A store's own chunking writes only
// rosters of more than 8 MB so.)
const (
	testRawChunk      = 256 << 10
	testRawWriteEvery = 512 << 10
)

// hasPendingRaw reports whether s holds a pending raw roster for conn.
func hasPendingRaw(tb testing.TB, s *state.Store, conn string) bool {
	tb.Helper()
	tree, err := state.Tree(s)
	if err != nil {
		tb.Fatal(err)
	}
	cb, _ := tree["connections"].(map[string]any)[conn].(map[string]any)
	_, ok := cb["raw_pending"]
	return ok
}

// checkKeptRaw fails t unless s keeps want as conn's raw roster, fetched
// at fetched; when names the moment, for the messages.
func checkKeptRaw(t *testing.T, s *state.Store, when string, want *roster.Roster, fetched time.Time) {
	t.Helper()
	got, info, err := s.LoadRaw(testConn)
	if err != nil {
		t.Fatalf("LoadRaw %s: %v", when, err)
	}
	checkSameRoster(t, want, got)
	if !info.Fetched.Equal(fetched) {
		t.Errorf("LoadRaw %s: fetched %s, want %s", when, info.Fetched, fetched)
	}
}

func TestStore_SaveRawPending(t *testing.T) {
	// Ensure a save too large to hold writes its chunks over several
	// transactions, that readers see the kept raw roster (or none) until
	// the last one, and that nothing pending is left after it.
	t.Run("OK", func(t *testing.T) {
		s := mustOpen(t, tempPath(t))
		state.SetRawChunking(s, testRawChunk, testRawWriteEvery)
		a, b := rawCrashRoster("A"), rawCrashRoster("B")

		writes := 0
		state.SetAfterRawWrite(s, func(int) error {
			writes++
			if _, _, err := s.LoadRaw(testConn); !errors.Is(err, state.ErrNotFound) {
				t.Errorf("LoadRaw during the first save: %v, want ErrNotFound", err)
			}
			return nil
		})
		info, err := s.SaveRaw(testConn, a, fetchedAt)
		if err != nil {
			t.Fatalf("SaveRaw A: %v", err)
		}
		if writes < 3 {
			t.Fatalf("SaveRaw of %d bytes wrote %d times to its pending bucket, want 3 or more", info.Bytes, writes)
		}
		if hasPendingRaw(t, s, testConn) {
			t.Error("SaveRaw A left a pending raw roster")
		}

		writes = 0
		later := fetchedAt.Add(time.Hour)
		state.SetAfterRawWrite(s, func(int) error {
			writes++
			if _, info, err := s.LoadRaw(testConn); err != nil || !info.Fetched.Equal(fetchedAt) {
				t.Errorf("LoadRaw during the second save: fetched %s, %v; want roster A, fetched %s", info.Fetched, err, fetchedAt)
			}
			return nil
		})
		if _, err := s.SaveRaw(testConn, b, later); err != nil {
			t.Fatalf("SaveRaw B: %v", err)
		}
		if writes < 3 {
			t.Errorf("SaveRaw B wrote %d times to its pending bucket, want 3 or more", writes)
		}
		state.SetAfterRawWrite(s, nil)
		checkKeptRaw(t, s, "after SaveRaw B", b, later)
		if hasPendingRaw(t, s, testConn) {
			t.Error("SaveRaw B left a pending raw roster")
		}
		mustClose(t, s) // runs tx.Check
	})

	// Ensure a save whose pending write fails keeps the kept raw roster
	// and deletes what it wrote.
	t.Run("FailedWrite", func(t *testing.T) {
		s := mustOpen(t, tempPath(t))
		state.SetRawChunking(s, testRawChunk, testRawWriteEvery)
		a := rawCrashRoster("A")
		if _, err := s.SaveRaw(testConn, a, fetchedAt); err != nil {
			t.Fatalf("SaveRaw A: %v", err)
		}
		full := errors.New("disk full")
		state.SetAfterRawWrite(s, func(written int) error {
			if written >= 2*testRawWriteEvery/testRawChunk {
				return full
			}
			return nil
		})
		if _, err := s.SaveRaw(testConn, rawCrashRoster("B"), fetchedAt.Add(time.Hour)); !errors.Is(err, full) {
			t.Fatalf("SaveRaw B = %v, want the write's error", err)
		}
		state.SetAfterRawWrite(s, nil)
		if hasPendingRaw(t, s, testConn) {
			t.Error("the failed save left a pending raw roster")
		}
		checkKeptRaw(t, s, "after the failed save (roster A)", a, fetchedAt)
		mustClose(t, s)
	})

	// Ensure a save aborted after writing to its pending bucket (a fetch
	// that failed once the users were final) deletes what it wrote, and
	// on a first sync leaves no connection behind.
	t.Run("Abort", func(t *testing.T) {
		s := mustOpen(t, tempPath(t))
		state.SetRawChunking(s, testRawChunk, testRawWriteEvery)
		wrote := make(chan struct{}, 1)
		state.SetAfterRawWrite(s, func(int) error {
			select {
			case wrote <- struct{}{}:
			default:
			}
			return nil
		})
		// StartRaw encodes the users, nearly all of the stream, before
		// Finish hands over the sections.
		save := s.StartRaw(testConn, rawCrashRoster("A"))
		select {
		case <-wrote:
		case <-time.After(time.Minute):
			t.Fatal("the save wrote nothing to its pending bucket before Finish")
		}
		save.Abort()
		if hasPendingRaw(t, s, testConn) {
			t.Error("the aborted save left a pending raw roster")
		}
		conns, err := s.Connections()
		if err != nil {
			t.Fatal(err)
		}
		tree, err := state.Tree(s)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := tree["connections"].(map[string]any)[testConn]; ok || len(conns) > 0 {
			t.Errorf("after an aborted first save: a connection bucket for %s (%t), connections %v; want none", testConn, ok, conns)
		}
		mustClose(t, s)
	})

	// Ensure a pending raw roster a process left when it died is
	// deleted by the next Open for writing, and never read.
	t.Run("LeftByDeadProcess", func(t *testing.T) {
		s := mustOpen(t, tempPath(t))
		state.SetRawChunking(s, testRawChunk, testRawWriteEvery)
		a := rawCrashRoster("A")
		if _, err := s.SaveRaw(testConn, a, fetchedAt); err != nil {
			t.Fatalf("SaveRaw A: %v", err)
		}
		// A copy of the file as of the second write of save B is the file
		// a process killed there leaves.
		left := tempPath(t)
		state.SetAfterRawWrite(s, func(written int) error {
			if written > testRawWriteEvery/testRawChunk {
				state.SetAfterRawWrite(s, nil)
				return state.CopyFile(s, left)
			}
			return nil
		})
		if _, err := s.SaveRaw(testConn, rawCrashRoster("B"), fetchedAt.Add(time.Hour)); err != nil {
			t.Fatalf("SaveRaw B: %v", err)
		}
		mustClose(t, s)

		ro, err := state.Open(left, state.Options{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		if !hasPendingRaw(t, ro, testConn) {
			t.Fatal("the copy holds no pending raw roster")
		}
		checkKeptRaw(t, ro, "beside a pending raw roster (roster A)", a, fetchedAt)
		mustClose(t, ro)

		s = mustOpen(t, left)
		if hasPendingRaw(t, s, testConn) {
			t.Error("Open for writing left the dead process's pending raw roster")
		}
		checkKeptRaw(t, s, "after Open (roster A)", a, fetchedAt)
		mustClose(t, s)
	})
}
