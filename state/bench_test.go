package state_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"testing"

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
