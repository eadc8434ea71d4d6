package state_test

import (
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/rosterd/rosterd/internal/codec"
	"github.com/rosterd/rosterd/internal/spill"
	"github.com/rosterd/rosterd/internal/synth"
	"github.com/rosterd/rosterd/roster"
	"github.com/rosterd/rosterd/state"
)

// BenchmarkCommit measures a first sync: N student records of realistic
// size put into an empty store in one commit, fsync included. file/data
// is the file's size over the records' bytes; bbolt grows the file in
// chunks, so small stores overshoot.
//
// An XL district's first sync is about 1.3M records: set
// ROSTERD_BENCH_XL=1 to add that size (the process peaks near 2.5 GB).
func BenchmarkCommit(b *testing.B) {
	sizes := []int{10_000, 100_000}
	if os.Getenv("ROSTERD_BENCH_XL") != "" {
		sizes = append(sizes, 1_300_000)
	}
	for _, n := range sizes {
		b.Run(fmt.Sprintf("records=%d", n), func(b *testing.B) {
			var change roster.Change
			var size int64
			for _, rec := range syntheticUsers(b, "5a25ffb0c1bc2a003", n) {
				change.AddPut(roster.KindUsers, rec)
				size += int64(len(rec.ID) + len(rec.Data))
			}
			b.SetBytes(size)
			b.ReportAllocs()
			var fileSize int64
			for b.Loop() {
				b.StopTimer()
				s, err := state.Open(tempPath(b), state.Options{})
				if err != nil {
					b.Fatal(err)
				}
				run := newRun(b, s)
				b.StartTimer()

				if err := s.Commit(testConn, 0, &change, []byte("cursor"), run, nil); err != nil {
					b.Fatal(err)
				}

				b.StopTimer()
				if fi, err := os.Stat(s.Path()); err == nil {
					fileSize = fi.Size()
				}
				mustClose(b, s)
				b.StartTimer()
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
			b.ReportMetric(float64(fileSize)/float64(size), "file/data")
		})
	}
}

// BenchmarkSnapshotGet measures one lookup in a committed roster of 100k
// users, in random order: preflight's cost per record to tell a changed
// record from an unchanged one.
func BenchmarkSnapshotGet(b *testing.B) {
	const n = 100_000
	recs := syntheticUsers(b, "5a25ffb0c1bc2a003", n)
	s := mustOpen(b, tempPath(b))
	change := &roster.Change{Put: map[roster.Kind][]roster.Record{roster.KindUsers: recs}}
	mustCommit(b, s, 0, change, nil)

	ids := make([]string, n)
	for i, rec := range recs {
		ids[i] = rec.ID
	}
	rand.New(rand.NewPCG(1, 2)).Shuffle(n, func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })

	err := s.View(testConn, func(sn *state.Snapshot) error {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if sn.Get(roster.KindUsers, ids[i%n]) == nil {
				b.Fatalf("Get(%s) = nil", ids[i%n])
			}
			i++
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

// BenchmarkCommitProfile measures commits of a synth district (medium,
// or the comma-separated profiles in ROSTERD_BENCH_PROFILE), each onto a
// copy of a prepared state file, fsync included:
//
//   - first: the whole roster into an empty store (a first sync);
//   - readd: every other user put back into a store that lacks them;
//   - update: every user rewritten;
//   - delete: 60 % of users deleted.
//
// MB/s is over the change's bytes (IDs and records); file-MB is the size
// of the state file after the commit.
func BenchmarkCommitProfile(b *testing.B) {
	names := []string{"medium"}
	if env := os.Getenv("ROSTERD_BENCH_PROFILE"); env != "" {
		names = strings.Split(env, ",")
	}
	for _, name := range names {
		p, ok := synth.ProfileByName(name)
		if !ok {
			b.Fatalf("no synth profile %q", name)
		}
		r, _ := synth.Generate(p)
		full := encodeRoster(b, r)
		users := full.Put[roster.KindUsers]
		for _, tt := range []struct {
			mode   string
			before func() *roster.Change // the roster the store holds
			change func() *roster.Change
		}{
			{mode: "first", change: func() *roster.Change { return full }},
			{
				mode: "readd",
				before: func() *roster.Change {
					c := withUsers(full, nil)
					for i := 0; i < len(users); i += 2 {
						c.AddPut(roster.KindUsers, users[i])
					}
					return c
				},
				change: func() *roster.Change {
					var c roster.Change
					for i := 1; i < len(users); i += 2 {
						c.AddPut(roster.KindUsers, users[i])
					}
					return &c
				},
			},
			{
				mode:   "update",
				before: func() *roster.Change { return full },
				change: func() *roster.Change { return touchEvery(b, r.Users, 1) },
			},
			{
				// The steady state: a resync where 1% of the users
				// changed, spread over the whole tree as Clever's random
				// IDs spread them.
				mode:   "update1pct",
				before: func() *roster.Change { return full },
				change: func() *roster.Change { return touchEvery(b, r.Users, 100) },
			},
			{
				mode:   "delete",
				before: func() *roster.Change { return full },
				change: func() *roster.Change {
					var c roster.Change
					for i, rec := range users {
						if i%5 < 3 {
							c.AddDelete(roster.KindUsers, rec.ID)
						}
					}
					return &c
				},
			},
		} {
			b.Run(fmt.Sprintf("profile=%s/%s", name, tt.mode), func(b *testing.B) {
				benchCommitOnto(b, tt.before, tt.change())
			})
		}
	}
}

// touchEvery returns a change rewriting every step-th of users a day
// later than it was modified.
func touchEvery(b *testing.B, users []roster.User, step int) *roster.Change {
	var c roster.Change
	for i := 0; i < len(users); i += step {
		u := users[i]
		u.LastModified = u.LastModified.Add(24 * time.Hour)
		data, err := codec.Marshal(&u)
		if err != nil {
			b.Fatal(err)
		}
		c.AddPut(roster.KindUsers, roster.Record{ID: u.ID, Data: data})
	}
	return &c
}

// withUsers returns a copy of c whose users are users.
func withUsers(c *roster.Change, users []roster.Record) *roster.Change {
	out := &roster.Change{Put: maps.Clone(c.Put)}
	out.Put[roster.KindUsers] = users
	return out
}

// benchCommitOnto commits change onto a fresh copy of a state file holding
// the roster before commits (an empty store when before is nil).
func benchCommitOnto(b *testing.B, before func() *roster.Change, change *roster.Change) {
	base := tempPath(b)
	s, err := state.Open(base, state.Options{})
	if err != nil {
		b.Fatal(err)
	}
	var head uint64
	if before != nil {
		head = mustCommit(b, s, 0, before(), nil).ID
	}
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
	data, err := os.ReadFile(base)
	if err != nil {
		b.Fatal(err)
	}
	var size int64
	for _, recs := range change.Put {
		for _, rec := range recs {
			size += int64(len(rec.ID) + len(rec.Data))
		}
	}
	for _, ids := range change.Delete {
		for _, id := range ids {
			size += int64(len(id))
		}
	}
	b.SetBytes(size)
	b.ReportAllocs()
	var fileSize int64
	for b.Loop() {
		b.StopTimer()
		path := tempPath(b)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			b.Fatal(err)
		}
		s, err := state.Open(path, state.Options{})
		if err != nil {
			b.Fatal(err)
		}
		run := newRun(b, s)
		b.StartTimer()

		if err := s.Commit(testConn, head, change, []byte("cursor"), run, nil); err != nil {
			b.Fatal(err)
		}

		b.StopTimer()
		if fi, err := os.Stat(path); err == nil {
			fileSize = fi.Size()
		}
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
		os.Remove(path)
		b.StartTimer()
	}
	b.ReportMetric(float64(fileSize)/(1<<20), "file-MB")
}

// BenchmarkCommitHeap measures the heap a commit adds on top of the
// change it commits, in one transaction and in batches of the default
// size: a first sync of N users, an update rewriting every tenth of them
// (writes spread over the whole roster), and the largest change one
// transaction still takes (spread, bigChangeWrites writes as far apart as
// they go). peak-heap-MB is the highest
// HeapInuse seen while Commit runs, sampled every millisecond, less
// HeapInuse with the change built and collected around; change-MB is the
// bytes of its records. The records sit in a spill arena, off the heap,
// as a sync's do, so the collector's goal, and with it the garbage it
// lets pile up, is what the commit's own live heap makes it.
// ROSTERD_BENCH_XL=1 adds an XL district's 1.3M users.
func BenchmarkCommitHeap(b *testing.B) {
	sizes := []int{300_000}
	if os.Getenv("ROSTERD_BENCH_XL") != "" {
		sizes = append(sizes, 1_300_000)
	}
	batched := state.DefaultCommitLimits
	batched.BigWrites, batched.BigBytes = 0, 0
	for _, n := range sizes {
		arena, err := spill.New(b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { arena.Close() })
		// spread is the largest change that still takes one transaction,
		// its writes spread evenly over the roster.
		var first, update, spread roster.Change
		stride := n / state.DefaultCommitLimits.BigWrites
		for i, rec := range syntheticUsers(b, "5a25ffb0c1bc2a003", n) {
			first.AddPut(roster.KindUsers, roster.Record{ID: rec.ID, Data: arena.Append(rec.Data)})
			if i%10 == 0 || i%stride == 0 {
				rec.Data[len(rec.Data)-1] ^= 1
				changed := roster.Record{ID: rec.ID, Data: arena.Append(rec.Data)}
				if i%10 == 0 {
					update.AddPut(roster.KindUsers, changed)
				}
				if i%stride == 0 && len(spread.Put[roster.KindUsers]) < state.DefaultCommitLimits.BigWrites {
					spread.AddPut(roster.KindUsers, changed)
				}
			}
		}
		if err := arena.Seal(); err != nil {
			b.Fatal(err)
		}
		// The store the update is committed onto, copied for each commit.
		base := tempPath(b)
		s, err := state.Open(base, state.Options{})
		if err != nil {
			b.Fatal(err)
		}
		baseRun := mustCommit(b, s, 0, &first, nil)
		mustClose(b, s)

		for _, mode := range []string{"first", "update", "spread"} {
			change, onto := &first, ""
			switch mode {
			case "update":
				change, onto = &update, base
			case "spread":
				change, onto = &spread, base
			}
			var size int64
			for _, rec := range change.Put[roster.KindUsers] {
				size += int64(len(rec.ID) + len(rec.Data))
			}
			for _, tt := range []struct {
				name   string
				limits state.CommitLimits
			}{{"single", state.SingleTransaction}, {"batched", batched}} {
				b.Run(fmt.Sprintf("users=%d/%s/%s", n, mode, tt.name), func(b *testing.B) {
					b.SetBytes(size)
					var peak uint64
					for b.Loop() {
						b.StopTimer()
						s, head := openCopy(b, onto, baseRun.ID)
						state.SetCommitLimits(s, tt.limits)
						run := newRun(b, s)
						runtime.GC()
						stop := sampleHeap()
						b.StartTimer()

						if err := s.Commit(testConn, head, change, nil, run, nil); err != nil {
							b.Fatal(err)
						}

						b.StopTimer()
						peak = max(peak, stop())
						if err := s.Close(); err != nil {
							b.Fatal(err)
						}
						b.StartTimer()
					}
					b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
					b.ReportMetric(float64(size)/(1<<20), "change-MB")
				})
			}
		}
	}
}

// openCopy opens a copy of the state file at path, made by the kernel
// and not through the heap, and returns it with head; a new, empty store
// and 0 when path is "".
func openCopy(b *testing.B, path string, head uint64) (*state.Store, uint64) {
	b.Helper()
	dst := tempPath(b)
	if path == "" {
		head = 0
	} else {
		src, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		defer src.Close()
		out, err := os.Create(dst)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.Copy(out, src); err != nil {
			b.Fatal(err)
		}
		if err := out.Close(); err != nil {
			b.Fatal(err)
		}
	}
	s, err := state.Open(dst, state.Options{})
	if err != nil {
		b.Fatal(err)
	}
	return s, head
}

// sampleHeap starts sampling HeapInuse every millisecond; stop ends it and
// returns the highest sample less the first.
func sampleHeap() (stop func() uint64) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base, peak := ms.HeapInuse, ms.HeapInuse
	done, result := make(chan struct{}), make(chan uint64)
	go func() {
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				runtime.ReadMemStats(&ms)
				result <- max(peak, ms.HeapInuse) - base
				return
			case <-tick.C:
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapInuse)
			}
		}
	}()
	return func() uint64 {
		close(done)
		return <-result
	}
}
