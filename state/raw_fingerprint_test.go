package state_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rosterd/rosterd/roster"
	"github.com/rosterd/rosterd/state"
	bolt "go.etcd.io/bbolt"
)

func TestStore_SaveRawUnchanged(t *testing.T) {
	later := fetchedAt.Add(24 * time.Hour)

	// Ensure saving the roster already kept, in a store reopened since,
	// makes one pass without compressing, leaves the chunks where they
	// are, and only moves the fetched time.
	t.Run("Same", func(t *testing.T) {
		path := tempPath(t)
		s := mustOpen(t, path)
		first, err := s.SaveRaw(testConn, bulkyRoster(t, 3_000), fetchedAt)
		if err != nil {
			t.Fatalf("SaveRaw: %v", err)
		}
		mustClose(t, s)
		root, info := rawRoot(t, path, testConn)
		for _, field := range []string{"fingerprint", "chunks_hash"} {
			if h, _ := info[field].(string); !strings.HasPrefix(h, "xxh64:") {
				t.Fatalf("raw_info %s = %q, want an xxh64 one", field, h)
			}
		}
		if want := fmt.Sprintf("%s/%d", info["fingerprint"], streamBytes(info)); first.Fingerprint != want {
			t.Errorf("SaveRaw fingerprint = %q, want %q", first.Fingerprint, want)
		}

		s = mustOpen(t, path)
		passes := recordPasses(t)
		got, err := s.SaveRaw(testConn, bulkyRoster(t, 3_000), later)
		if err != nil {
			t.Fatalf("SaveRaw again: %v", err)
		}
		if diff := cmp.Diff([]rawPass{{Compressed: false, Bytes: streamBytes(info)}}, *passes); diff != "" {
			t.Errorf("passes of an unchanged save mismatch (-want +got):\n%s", diff)
		}
		want := first
		want.Fetched = later
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("SaveRaw info mismatch (-want +got):\n%s", diff)
		}
		mustClose(t, s)

		gotRoot, gotInfo := rawRoot(t, path, testConn)
		if gotRoot != root {
			t.Errorf("raw bucket moved from page %d to %d: SaveRaw rewrote an unchanged roster", root, gotRoot)
		}
		for _, field := range []string{"fingerprint", "checkpoints", "stream_bytes", "bytes", "chunks", "chunks_hash", "counts"} {
			if diff := cmp.Diff(info[field], gotInfo[field]); diff != "" {
				t.Errorf("raw_info %s mismatch (-before +after):\n%s", field, diff)
			}
		}
		s = mustOpen(t, path)
		checkRaw(t, s, bulkyRoster(t, 3_000), want)
	})

	// Ensure a roster differing from the kept one in one field of one
	// record is written whole and loads back as the new one, whether the
	// first pass can stop at the first checkpoint (the change is early in
	// the stream) or runs to the end (no checkpoint follows the change).
	for _, tt := range []struct {
		name string
		user int
		stop bool // the first pass stops at the first checkpoint
	}{
		{name: "ChangedEarly", user: 0, stop: true},
		{name: "ChangedLast", user: 2_999, stop: false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := tempPath(t)
			s := mustOpen(t, path)
			first, err := s.SaveRaw(testConn, bulkyRoster(t, 3_000), fetchedAt)
			if err != nil {
				t.Fatalf("SaveRaw: %v", err)
			}
			mustClose(t, s)
			root, info := rawRoot(t, path, testConn)
			size := streamBytes(info)
			if size <= state.RawCheckpointBytes || size >= 2*state.RawCheckpointBytes {
				t.Fatalf("stream of %d bytes, want one checkpoint in it (%d bytes apart)", size, state.RawCheckpointBytes)
			}

			s = mustOpen(t, path)
			changed := bulkyRoster(t, 3_000)
			changed.Users[tt.user].Name.Last = "Changed"
			passes := recordPasses(t)
			saved, err := s.SaveRaw(testConn, changed, later)
			if err != nil {
				t.Fatalf("SaveRaw changed: %v", err)
			}
			mustClose(t, s)

			gotRoot, gotInfo := rawRoot(t, path, testConn)
			// Unstopped, the first pass runs over the whole new stream.
			firstPass := streamBytes(gotInfo)
			if tt.stop {
				firstPass = state.RawCheckpointBytes
			}
			wantPasses := []rawPass{{Compressed: false, Bytes: firstPass}, {Compressed: true, Bytes: streamBytes(gotInfo)}}
			if diff := cmp.Diff(wantPasses, *passes); diff != "" {
				t.Errorf("passes of a changed save mismatch (-want +got):\n%s", diff)
			}
			if gotRoot == root {
				t.Errorf("raw bucket still at page %d: a changed roster was not written", root)
			}
			if gotInfo["fingerprint"] == info["fingerprint"] {
				t.Errorf("fingerprint %v unchanged by a changed roster", info["fingerprint"])
			}
			if saved.Fingerprint == "" || saved.Fingerprint == first.Fingerprint {
				t.Errorf("SaveRaw fingerprint %q of a changed roster, first %q", saved.Fingerprint, first.Fingerprint)
			}
			s = mustOpen(t, path)
			checkRaw(t, s, changed, saved)
		})
	}

	// Ensure a roster with more records than the kept one is written
	// without a first pass: it cannot encode to the same stream.
	t.Run("CountsDiffer", func(t *testing.T) {
		s := mustOpen(t, tempPath(t))
		if _, err := s.SaveRaw(testConn, bulkyRoster(t, 3_000), fetchedAt); err != nil {
			t.Fatalf("SaveRaw: %v", err)
		}
		passes := recordPasses(t)
		more := bulkyRoster(t, 3_001)
		saved, err := s.SaveRaw(testConn, more, later)
		if err != nil {
			t.Fatalf("SaveRaw: %v", err)
		}
		wantOnlyCompressed(t, *passes)
		checkRaw(t, s, more, saved)
	})

	// Ensure a raw roster kept without a fingerprint, as rosterd saved
	// them before it kept one, is written whole, with one.
	t.Run("NoFingerprint", func(t *testing.T) {
		path := tempPath(t)
		s := mustOpen(t, path)
		if _, err := s.SaveRaw(testConn, bulkyRoster(t, 3_000), fetchedAt); err != nil {
			t.Fatalf("SaveRaw: %v", err)
		}
		mustClose(t, s)
		damageRaw(t, path, testConn, func(_ testing.TB, _ *bolt.Bucket, info map[string]any) {
			delete(info, "fingerprint")
			delete(info, "checkpoint_every")
			delete(info, "checkpoints")
		})
		root, _ := rawRoot(t, path, testConn)

		s = mustOpen(t, path)
		if _, _, err := s.LoadRaw(testConn); err != nil {
			t.Fatalf("LoadRaw of a raw roster without fingerprint: %v", err)
		}
		passes := recordPasses(t)
		saved, err := s.SaveRaw(testConn, bulkyRoster(t, 3_000), later)
		if err != nil {
			t.Fatalf("SaveRaw: %v", err)
		}
		wantOnlyCompressed(t, *passes)
		mustClose(t, s)
		wantRewritten(t, path, root, "fingerprint")
		s = mustOpen(t, path)
		checkRaw(t, s, bulkyRoster(t, 3_000), saved)
	})

	// Ensure a kept raw roster whose chunks are not as raw_info describes
	// them is mended by saving the same roster, not left damaged.
	t.Run("Damaged", func(t *testing.T) {
		path := tempPath(t)
		s := mustOpen(t, path)
		if _, err := s.SaveRaw(testConn, bulkyRoster(t, 3_000), fetchedAt); err != nil {
			t.Fatalf("SaveRaw: %v", err)
		}
		mustClose(t, s)
		damageRaw(t, path, testConn, func(tb testing.TB, raw *bolt.Bucket, _ map[string]any) {
			last, _ := raw.Cursor().Last()
			mustDelete(tb, raw, last)
		})

		s = mustOpen(t, path)
		if _, _, err := s.LoadRaw(testConn); err == nil {
			t.Fatal("LoadRaw of a raw roster missing a chunk succeeded")
		}
		saved, err := s.SaveRaw(testConn, bulkyRoster(t, 3_000), later)
		if err != nil {
			t.Fatalf("SaveRaw: %v", err)
		}
		checkRaw(t, s, bulkyRoster(t, 3_000), saved)
	})

	// Ensure a kept raw roster with a chunk damaged inside, where only
	// the chunk hash can tell (the chunks are as many and as large as
	// raw_info says), is mended by saving the same roster.
	t.Run("FlippedByte", func(t *testing.T) {
		path := tempPath(t)
		s := mustOpen(t, path)
		if _, err := s.SaveRaw(testConn, bulkyRoster(t, 3_000), fetchedAt); err != nil {
			t.Fatalf("SaveRaw: %v", err)
		}
		mustClose(t, s)
		damageRaw(t, path, testConn, func(tb testing.TB, raw *bolt.Bucket, _ map[string]any) {
			chunk := slices.Clone(raw.Get(chunkKey(1)))
			chunk[len(chunk)/2] ^= 0x55
			mustPut(tb, raw, chunkKey(1), chunk)
		})
		root, info := rawRoot(t, path, testConn)

		s = mustOpen(t, path)
		if _, _, err := s.LoadRaw(testConn); err == nil {
			t.Fatal("LoadRaw of a raw roster with a flipped byte succeeded")
		}
		passes := recordPasses(t)
		saved, err := s.SaveRaw(testConn, bulkyRoster(t, 3_000), later)
		if err != nil {
			t.Fatalf("SaveRaw: %v", err)
		}
		size := streamBytes(info)
		if diff := cmp.Diff([]rawPass{{Compressed: false, Bytes: size}, {Compressed: true, Bytes: size}}, *passes); diff != "" {
			t.Errorf("passes of a save over a damaged chunk mismatch (-want +got):\n%s", diff)
		}
		mustClose(t, s)
		if gotRoot, _ := rawRoot(t, path, testConn); gotRoot == root {
			t.Errorf("raw bucket still at page %d: a damaged chunk was kept", root)
		}
		s = mustOpen(t, path)
		checkRaw(t, s, bulkyRoster(t, 3_000), saved)
	})

	// Ensure a raw roster kept compressed with zstd, as rosterd saved
	// them before S2, is found unchanged by a save of the same roster,
	// which leaves its chunks, and its compression, as they are; and that
	// a changed roster is then written whole, with S2.
	t.Run("KeptInZstd", func(t *testing.T) {
		path := tempPath(t)
		s := mustOpen(t, path)
		if _, err := s.SaveRaw(testConn, bulkyRoster(t, 3_000), fetchedAt); err != nil {
			t.Fatalf("SaveRaw: %v", err)
		}
		mustClose(t, s)
		damageRaw(t, path, testConn, zstdParts)
		root, info := rawRoot(t, path, testConn)

		s = mustOpen(t, path)
		passes := recordPasses(t)
		saved, err := s.SaveRaw(testConn, bulkyRoster(t, 3_000), later)
		if err != nil {
			t.Fatalf("SaveRaw again: %v", err)
		}
		if diff := cmp.Diff([]rawPass{{Compressed: false, Bytes: streamBytes(info)}}, *passes); diff != "" {
			t.Errorf("passes of an unchanged save mismatch (-want +got):\n%s", diff)
		}
		mustClose(t, s)
		gotRoot, gotInfo := rawRoot(t, path, testConn)
		if gotRoot != root {
			t.Errorf("raw bucket moved from page %d to %d: SaveRaw rewrote an unchanged roster", root, gotRoot)
		}
		if c, ok := gotInfo["compression"]; ok {
			t.Errorf("raw_info compression = %v for chunks still in zstd, want none", c)
		}
		s = mustOpen(t, path)
		checkRaw(t, s, bulkyRoster(t, 3_000), saved)

		changed := bulkyRoster(t, 3_000)
		changed.Users[0].Email = "changed@example.org"
		saved, err = s.SaveRaw(testConn, changed, later.Add(time.Hour))
		if err != nil {
			t.Fatalf("SaveRaw of a changed roster: %v", err)
		}
		mustClose(t, s)
		if _, gotInfo = rawRoot(t, path, testConn); gotInfo["compression"] != "s2" {
			t.Errorf("raw_info compression = %v after a changed roster was written, want s2", gotInfo["compression"])
		}
		s = mustOpen(t, path)
		checkRaw(t, s, changed, saved)
	})

	// Ensure a raw roster kept without a chunk hash, as rosterd saved
	// them (in one zstd frame) before it kept one, is written whole once,
	// without a first pass, and found unchanged by the save after.
	t.Run("NoChunksHash", func(t *testing.T) {
		path := tempPath(t)
		s := mustOpen(t, path)
		if _, err := s.SaveRaw(testConn, bulkyRoster(t, 3_000), fetchedAt); err != nil {
			t.Fatalf("SaveRaw: %v", err)
		}
		mustClose(t, s)
		damageRaw(t, path, testConn, oneFrame)
		root, _ := rawRoot(t, path, testConn)

		s = mustOpen(t, path)
		passes := recordPasses(t)
		if _, err := s.SaveRaw(testConn, bulkyRoster(t, 3_000), later); err != nil {
			t.Fatalf("SaveRaw: %v", err)
		}
		wantOnlyCompressed(t, *passes)
		mustClose(t, s)
		gotInfo := wantRewritten(t, path, root, "chunks_hash")

		s = mustOpen(t, path)
		*passes = nil
		saved, err := s.SaveRaw(testConn, bulkyRoster(t, 3_000), later.Add(time.Hour))
		if err != nil {
			t.Fatalf("SaveRaw again: %v", err)
		}
		if diff := cmp.Diff([]rawPass{{Compressed: false, Bytes: streamBytes(gotInfo)}}, *passes); diff != "" {
			t.Errorf("passes of the save after mismatch (-want +got):\n%s", diff)
		}
		checkRaw(t, s, bulkyRoster(t, 3_000), saved)
	})

	// Ensure that when another save replaces the kept roster while the
	// first pass finds the roster unchanged from it, the roster is written
	// whole rather than described by the other's chunks.
	t.Run("ReplacedMeanwhile", func(t *testing.T) {
		s := mustOpen(t, tempPath(t))
		if _, err := s.SaveRaw(testConn, bulkyRoster(t, 3_000), fetchedAt); err != nil {
			t.Fatalf("SaveRaw: %v", err)
		}
		other := bulkyRoster(t, 3_000)
		other.Users[7].Name.First = "Other"
		var nested bool
		restore := state.SetRawPassHook(func(compressed bool, _ int64) {
			if compressed || nested {
				return
			}
			nested = true
			if _, err := s.SaveRaw(testConn, other, fetchedAt.Add(time.Hour)); err != nil {
				t.Errorf("SaveRaw of the other roster: %v", err)
			}
		})
		defer restore()
		saved, err := s.SaveRaw(testConn, bulkyRoster(t, 3_000), later)
		if err != nil {
			t.Fatalf("SaveRaw: %v", err)
		}
		if !nested {
			t.Fatal("the first pass never ran")
		}
		checkRaw(t, s, bulkyRoster(t, 3_000), saved)
	})
}

// rawPass is a pass SaveRaw made over a stream (state.SetRawPassHook).
type rawPass struct {
	Compressed bool
	Bytes      int64
}

// recordPasses records the passes SaveRaw makes until the test ends.
// wantOnlyCompressed fails tb unless passes is one compressed pass: the
// roster was written whole, with no hashing pass before it.
func wantOnlyCompressed(tb testing.TB, passes []rawPass) {
	tb.Helper()
	if len(passes) != 1 || !passes[0].Compressed {
		tb.Errorf("passes = %+v, want only a compressed one", passes)
	}
}

// wantRewritten fails tb unless the raw bucket at path has moved from
// root, as a rewrite moves it, and raw_info now holds field; it returns
// that raw_info.
func wantRewritten(tb testing.TB, path string, root uint64, field string) map[string]any {
	tb.Helper()
	gotRoot, gotInfo := rawRoot(tb, path, testConn)
	if gotRoot == root {
		tb.Errorf("raw bucket still at page %d: the kept raw roster was not rewritten", root)
	}
	if v, _ := gotInfo[field].(string); v == "" {
		tb.Errorf("no %s in raw_info after rewriting", field)
	}
	return gotInfo
}

func recordPasses(tb testing.TB) *[]rawPass {
	var passes []rawPass
	tb.Cleanup(state.SetRawPassHook(func(compressed bool, n int64) {
		passes = append(passes, rawPass{Compressed: compressed, Bytes: n})
	}))
	return &passes
}

// checkRaw fails unless s loads want back as conn's raw roster, described
// by info, as RawInfo describes it too.
func checkRaw(t *testing.T, s *state.Store, want *roster.Roster, info state.RawInfo) {
	t.Helper()
	got, gotInfo, err := s.LoadRaw(testConn)
	if err != nil {
		t.Fatalf("LoadRaw: %v", err)
	}
	checkSameRoster(t, want, got)
	if diff := cmp.Diff(info, gotInfo); diff != "" {
		t.Errorf("LoadRaw info mismatch (-SaveRaw +LoadRaw):\n%s", diff)
	}
	if described, err := s.RawInfo(testConn); err != nil {
		t.Errorf("RawInfo: %v", err)
	} else if diff := cmp.Diff(info, described); diff != "" {
		t.Errorf("RawInfo mismatch (-SaveRaw +RawInfo):\n%s", diff)
	}
}

// rawRoot returns the page conn's raw bucket is rooted at, and its
// raw_info decoded as a JSON object, reading the closed state file with
// bbolt directly. bbolt copies every page it changes to a new page, and
// SaveRaw writing chunks deletes the raw bucket and creates another, so
// an unchanged root proves the chunks were not rewritten.
func rawRoot(tb testing.TB, path, conn string) (root uint64, info map[string]any) {
	tb.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	err = db.View(func(tx *bolt.Tx) error {
		cb := tx.Bucket([]byte("connections")).Bucket([]byte(conn))
		if cb == nil || cb.Bucket([]byte("raw")) == nil {
			return fmt.Errorf("connection %s has no raw bucket", conn)
		}
		root = uint64(cb.Bucket([]byte("raw")).Root())
		return json.Unmarshal(cb.Get([]byte("raw_info")), &info)
	})
	if err != nil {
		tb.Fatal(err)
	}
	return root, info
}

// streamBytes returns the stream size raw_info records.
func streamBytes(info map[string]any) int64 {
	n, _ := info["stream_bytes"].(float64)
	return int64(n)
}
