package spill

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Ensure every slice Append returns keeps its bytes, across segments and
// records larger than a segment, after Release, and until Close.
func TestArena_AppendKeepsBytes(t *testing.T) {
	a, err := newArena(t.TempDir(), 4096)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	var want [][]byte
	var got [][]byte
	for i := range 3000 {
		rec := []byte(fmt.Sprintf(`{"id":"%024d","name":"record %d"}`, i, i))
		if i%700 == 0 {
			rec = bytes.Repeat([]byte{byte(i)}, 10_000) // larger than a segment
		}
		want = append(want, rec)
		got = append(got, a.Append(rec))
		if i%3 == 0 {
			a.Release(got[len(got)-1])
		}
	}
	if e := a.Append(nil); e == nil || len(e) != 0 {
		t.Errorf("Append(nil) = %v, want an empty non-nil slice", e)
	}
	if err := a.Seal(); err != nil {
		t.Fatalf("Seal: %v", err)
	}
	for i := range want {
		if !bytes.Equal(got[i], want[i]) {
			t.Fatalf("record %d reads back %q, want %q", i, got[i], want[i])
		}
		if cap(got[i]) != len(got[i]) {
			t.Fatalf("record %d has room to grow into its neighbour: cap %d, len %d", i, cap(got[i]), len(got[i]))
		}
	}
	var total int64
	for _, w := range want {
		total += int64(len(w))
	}
	if a.Len() != total {
		t.Errorf("Len() = %d, want %d", a.Len(), total)
	}
	if err := a.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
}

// Ensure records appended after a Seal read back once sealed again, and
// that the stage's bytes land where their slices point when a record
// starts a new segment or is larger than the stage.
func TestArena_AppendAfterSeal(t *testing.T) {
	a, err := newArena(t.TempDir(), 3*stageSize)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	recs := [][]byte{
		[]byte("first"),
		bytes.Repeat([]byte("b"), stageSize+1), // written at once
		[]byte("after the big one"),
		bytes.Repeat([]byte("c"), 2*stageSize), // no room left: a new segment
		[]byte("last"),
	}
	var got [][]byte
	for i, rec := range recs {
		got = append(got, a.Append(rec))
		if i == 1 {
			if err := a.Seal(); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := a.Seal(); err != nil {
		t.Fatal(err)
	}
	for i := range recs {
		if !bytes.Equal(got[i], recs[i]) {
			t.Errorf("record %d reads back %.20q (%d bytes), want %.20q (%d bytes)", i, got[i], len(got[i]), recs[i], len(recs[i]))
		}
	}
}

// Ensure a write the file refuses makes Seal fail, so that a change whose
// records may not read back is never used.
func TestArena_SealReportsFailedWrite(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the arena writes a file on Linux only")
	}
	a, err := newArena(t.TempDir(), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	a.Append([]byte("kept"))
	if err := a.Seal(); err != nil {
		t.Fatal(err)
	}
	a.file.Close() // every later write fails
	a.Append([]byte("lost"))
	if err := a.Seal(); err == nil || !strings.Contains(err.Error(), "write spill file") {
		t.Errorf("Seal after a failed write = %v, want an error naming the spill file", err)
	}
	a.file = nil
	a.Close()
}

// Ensure the arena leaves nothing in its directory, even while open.
func TestArena_LeavesNoFile(t *testing.T) {
	dir := t.TempDir()
	a, err := New(dir)
	if err != nil {
		t.Fatal(err)
	}
	a.Append([]byte("student record"))
	entries, _ := os.ReadDir(dir)
	if len(entries) != 0 {
		t.Errorf("the directory holds %v while the arena is open; want nothing to find after a crash", entries)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
}

// Ensure filled segments leave the resident set: appending far more than
// a segment grows the process's file-backed RSS by little more than one.
func TestArena_FilledSegmentsLeaveMemory(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the arena maps its file on Linux only")
	}
	const segment = 8 << 20
	a, err := newArena(t.TempDir(), segment)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	before := rssFile(t)
	rec := bytes.Repeat([]byte("0123456789abcdef"), 64) // 1 KiB
	for range 48 << 10 {                                // 48 MiB: six segments
		a.Append(rec)
	}
	grown := rssFile(t) - before
	if grown > 2*segment {
		t.Errorf("file-backed RSS grew by %d MiB for 48 MiB appended; want at most two %d MiB segments resident", grown>>20, segment>>20)
	}
	t.Logf("file-backed RSS grew by %.1f MiB for 48 MiB appended", float64(grown)/(1<<20))
}

// rssFile reads the process's file-backed resident set, in bytes.
func rssFile(t *testing.T) int64 {
	t.Helper()
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skipf("no /proc/self/status: %v", err)
	}
	for line := range strings.Lines(string(status)) {
		if v, ok := strings.CutPrefix(line, "RssFile:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				t.Fatalf("RssFile %q: %v", v, err)
			}
			return kb << 10
		}
	}
	t.Skip("no RssFile in /proc/self/status")
	return 0
}

// Ensure ReleaseAll lets go of what a reader has read back: a commit reads
// the whole change, which would otherwise end up resident again.
func TestArena_ReleaseAllAfterReading(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the arena maps its file on Linux only")
	}
	rec := bytes.Repeat([]byte("0123456789abcdef"), 64) // 1 KiB
	a, kept := sealedRecords(t, 8<<20, 32<<10, rec)     // 32 MiB: four segments
	before := rssFile(t)
	var sum int
	for _, b := range kept { // read everything back, as a commit does
		sum += int(b[0])
	}
	read := rssFile(t) - before
	a.ReleaseAll()
	released := rssFile(t) - before
	if read < 16<<20 {
		t.Fatalf("reading 32 MiB back grew file-backed RSS by only %d MiB; the test measures nothing", read>>20)
	}
	if released > 1<<20 {
		t.Errorf("after ReleaseAll %d MiB of the read change stay resident; want none", released>>20)
	}
	for _, b := range kept[:10] { // still readable
		if !bytes.Equal(b, rec) {
			t.Fatal("a released slice reads back changed")
		}
	}
	t.Logf("read back: +%.1f MiB, after ReleaseAll: %+.1f MiB (checksum %d)", float64(read)/(1<<20), float64(released)/(1<<20), sum)
}

// Ensure Append hands full stages to the writer rather than waiting on
// the file, and that Seal waits until every one of them is written.
func TestArena_AppendDoesNotWaitOnTheFile(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the arena writes a file on Linux only")
	}
	a, err := newArena(t.TempDir(), 16*stageSize)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	a.writer.stop()
	release := make(chan struct{})
	file := a.file
	a.writer = newStageWriter(func(b []byte, off int64) (int, error) {
		<-release // a disk that has stalled
		return file.WriteAt(b, off)
	})

	// Four records fill a stage. The writer holds one stage and queues
	// stagesInFlight more; the last stage stays with the arena until Seal.
	stages := stagesInFlight + 1
	rec := bytes.Repeat([]byte("r"), stageSize/4-16)
	var want, got [][]byte
	appended := make(chan struct{})
	go func() {
		defer close(appended)
		for i := range 4 * stages {
			r := append([]byte(strconv.Itoa(i)), rec...)
			want = append(want, r)
			got = append(got, a.Append(r))
		}
	}()
	select {
	case <-appended:
	case <-time.After(10 * time.Second):
		close(release)
		<-appended
		t.Fatal("Append waited for the file to take its stages")
	}

	sealed := make(chan error, 1)
	go func() { sealed <- a.Seal() }()
	select {
	case err := <-sealed:
		t.Fatalf("Seal returned (%v) before the stalled writes were done", err)
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	if err := <-sealed; err != nil {
		t.Fatalf("Seal: %v", err)
	}
	for i := range want {
		if !bytes.Equal(got[i], want[i]) {
			t.Fatalf("record %d does not read back after Seal", i)
		}
	}
}

// Ensure Discard frees from the file the pages of what it is given, in the
// order Append returned it: the commit hands the spill's page cache back
// as it writes, for its own writes to reuse.
func TestArena_DiscardFreesThePages(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the arena maps its file on Linux only")
	}
	rec := bytes.Repeat([]byte("0123456789abcde\n"), 64) // 1 KiB
	a, kept := sealedRecords(t, 8<<20, 32<<10, rec)      // 32 MiB: four segments
	before := fileBytes(t, a)
	for _, b := range kept[:24<<10] { // the first three segments
		a.Discard(b)
	}
	a.Discard(kept[len(kept)-1][:0]) // an empty slice is nothing to free
	freed := before - fileBytes(t, a)
	// Each segment's last page waits for a discard that follows it in the
	// same segment, which never comes.
	if want := int64(24<<20 - 3*os.Getpagesize()); freed < want {
		t.Errorf("discarding 24 MiB freed %d KiB of the file, want at least %d KiB", freed>>10, want>>10)
	}
	if freed > 24<<20 {
		t.Errorf("discarding 24 MiB freed %d KiB of the file, more than was discarded", freed>>10)
	}
	for i, b := range kept[24<<10:] {
		if !bytes.Equal(b, rec) {
			t.Fatalf("record %d, never discarded, reads back changed", 24<<10+i)
		}
	}
	t.Logf("discarding 24 MiB freed %.1f MiB of the file", float64(freed)/(1<<20))
}

// Ensure Discard never frees a byte it was not given, whatever order,
// gaps and sizes the discarded slices come in.
func TestArena_DiscardKeepsWhatItWasNotGiven(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3} {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, seed))
			a, err := newArena(t.TempDir(), 64<<10)
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			var want, got [][]byte
			for i := range 4000 {
				size := 1 + rng.IntN(600)
				if rng.IntN(50) == 0 {
					size = 5000 + rng.IntN(70_000) // over a page, sometimes over a segment
				}
				rec := bytes.Repeat([]byte{byte('a' + i%26)}, size)
				want = append(want, rec)
				got = append(got, a.Append(rec))
			}
			if err := a.Seal(); err != nil {
				t.Fatal(err)
			}
			// Mostly in order, as a commit discards, with gaps, runs
			// backwards and repeats.
			discarded := make([]bool, len(got))
			for i := 0; i < len(got); i++ {
				switch r := rng.IntN(20); {
				case r == 0:
					i += rng.IntN(5) // a gap
				case r == 1 && i > 10:
					for j := i; j > i-10; j-- {
						if rng.IntN(2) == 0 {
							discarded[j] = true
							a.Discard(got[j])
						}
					}
				default:
					discarded[i] = true
					a.Discard(got[i])
				}
			}
			for i := range got {
				if !discarded[i] && !bytes.Equal(got[i], want[i]) {
					t.Fatalf("record %d (%d bytes) was never discarded and reads back changed", i, len(want[i]))
				}
			}
		})
	}
}

// Ensure Prefault readies the file ahead of the records, in the
// background, and that the records appended afterwards read back intact:
// the first Append stops the zeros before it writes, even when they have
// not reached their target yet.
func TestArena_Prefault(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the arena writes a file on Linux only")
	}
	t.Run("AheadOfTheRecords", func(t *testing.T) {
		a, err := newArena(t.TempDir(), 4<<20)
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		a.Prefault(4 << 20)
		a.Prefault(8 << 20) // raised from several calls
		a.Prefault(2 << 20) // never lowered
		deadline := time.Now().Add(10 * time.Second)
		for fileBytes(t, a) < 8<<20 {
			if time.Now().After(deadline) {
				t.Fatalf("after 10 s the file holds %d KiB, want the 8 MiB prefaulted", fileBytes(t, a)>>10)
			}
			time.Sleep(10 * time.Millisecond)
		}
		want, got := appendRecords(t, a, 3<<20)
		checkRecords(t, want, got)
	})
	t.Run("StoppedByAppend", func(t *testing.T) {
		a, err := newArena(t.TempDir(), 4<<20)
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		// At prefaultRate 64 MiB takes a quarter of a second: the records
		// land long before the zeros would have reached them.
		for range 4 {
			go a.Prefault(64 << 20)
		}
		a.Prefault(64 << 20)
		want, got := appendRecords(t, a, 8<<20)
		a.Prefault(128 << 20) // after the first Append: nothing
		time.Sleep(400 * time.Millisecond)
		checkRecords(t, want, got)
		if n := fileBytes(t, a); n > 64<<20 {
			t.Errorf("the file holds %d MiB once appending began, want the prefault stopped short of 64 MiB", n>>20)
		}
	})
	t.Run("Paced", func(t *testing.T) {
		a, err := newArena(t.TempDir(), 4<<20)
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		start := time.Now()
		a.Prefault(256 << 20)
		for range 20 {
			time.Sleep(5 * time.Millisecond)
			n := fileBytes(t, a)
			// Whatever the scheduler did, no more than the rate allows
			// since Prefault, and the chunk being written.
			if limit := int64(time.Since(start).Seconds()*prefaultRate) + 2*prefaultChunk; n > limit {
				t.Fatalf("%v after Prefault the file holds %d MiB, over the %d MiB the pace allows", time.Since(start), n>>20, limit>>20)
			}
		}
	})
	t.Run("OnTheHeap", func(t *testing.T) {
		a := &Arena{segmentSize: 1 << 20}
		a.Prefault(1 << 20)
		want, got := appendRecords(t, a, 1<<20)
		checkRecords(t, want, got)
	})
}

// appendRecords appends about size bytes of numbered records to a and
// seals it, returning what it appended and the slices Append returned.
func appendRecords(t *testing.T, a *Arena, size int) (want, got [][]byte) {
	t.Helper()
	for i := 0; len(want)*100 < size; i++ {
		rec := []byte(fmt.Sprintf("%099d", i))
		want = append(want, rec)
		got = append(got, a.Append(rec))
	}
	if err := a.Seal(); err != nil {
		t.Fatal(err)
	}
	return want, got
}

func checkRecords(t *testing.T, want, got [][]byte) {
	t.Helper()
	for i := range want {
		if !bytes.Equal(got[i], want[i]) {
			t.Fatalf("record %d reads back %q, want %q", i, got[i], want[i])
		}
	}
}

// sealedRecords appends n copies of rec to a new arena of segments of the
// given size, seals it and returns it with what Append returned; the
// arena closes when the test ends.
func sealedRecords(t *testing.T, segment, n int, rec []byte) (*Arena, [][]byte) {
	t.Helper()
	a, err := newArena(t.TempDir(), segment)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	var kept [][]byte
	for range n {
		kept = append(kept, a.Append(rec))
	}
	if err := a.Seal(); err != nil {
		t.Fatal(err)
	}
	return a, kept
}
