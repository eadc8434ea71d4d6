package spill

import (
	"fmt"
	"os"
	"sync"
)

// DefaultSegmentSize is how much of the file an Arena maps at a time. A
// record larger than a segment gets a segment of its own.
const DefaultSegmentSize = 64 << 20

// stageSize is how many appended bytes an Arena gathers before it writes
// them to its file.
const stageSize = 1 << 20

// Arena is an append-only store of byte slices; see the package doc. It is
// not safe for concurrent use.
//
// Appends to a mapped segment are written to the file with pwrite, a
// stage at a time, not copied into the mapping: the first store to a page
// of a fresh mapping makes the kernel read (zero) it first, and at XL
// that zeroing cost more than a second of a sync's preflight. Written
// pages reach the mapping through the page cache, so a slice Append
// returned reads its bytes once Seal has written the stage. Full stages
// are written by a goroutine of the arena's (stageWriter), so Append
// rarely waits on the file.
type Arena struct {
	file        *os.File // nil when segments live on the heap
	segmentSize int
	segments    []*segment
	cur         *segment
	size        int64 // bytes of file mapped so far
	appended    int64
	stage       []byte // appended bytes not yet written, from stageAt in the file
	stageAt     int64
	writer      *stageWriter // writes full stages; nil when there is no file
	err         error        // the first failed write of a record larger than the stage
	discarded   discardRun   // what Discard was given and has not yet punched out
	appending   bool         // Append has run: prefaulting is over
	// prefault writes zeros ahead of the records (prefault.go); nil
	// until Prefault first runs, and none starts once prefaultOnce has
	// run without starting one.
	prefault     *prefaulter
	prefaultOnce sync.Once
}

// discardRun is a stretch of one mapped segment, data[lo:hi].
type discardRun struct {
	seg    *segment
	lo, hi int
}

// segment is one mapped (or allocated) stretch of the arena.
type segment struct {
	data   []byte
	used   int
	mapped bool
	at     int64 // where data starts in the file, when mapped
}

// New returns an empty arena whose file is created in dir ("" for the
// system's temporary directory). The file is removed at once and lives
// only as long as the arena, so a crash leaves nothing behind; its pages
// are readable by the owner only meanwhile.
func New(dir string) (*Arena, error) {
	return newArena(dir, DefaultSegmentSize)
}

func newArena(dir string, segmentSize int) (*Arena, error) {
	a := &Arena{segmentSize: segmentSize}
	if !canMap {
		return a, nil
	}
	f, err := os.CreateTemp(dir, ".rosterd-spill-*")
	if err != nil {
		return nil, fmt.Errorf("create spill file: %w", err)
	}
	if err := os.Remove(f.Name()); err != nil {
		f.Close()
		return nil, fmt.Errorf("unlink spill file: %w", err)
	}
	a.file = f
	a.writer = newStageWriter(f.WriteAt)
	return a, nil
}

// Append copies b into the arena and returns the copy, which reads b's
// bytes once Seal returns without an error, until Close. An empty b
// returns an empty, non-nil slice.
func (a *Arena) Append(b []byte) []byte {
	if !a.appending {
		a.appending = true
		a.stopPrefault()
	}
	if a.cur == nil || len(b) > len(a.cur.data)-a.cur.used {
		a.grow(len(b))
	}
	s := a.cur
	out := s.data[s.used : s.used+len(b) : s.used+len(b)]
	if s.mapped {
		a.write(s.at+int64(s.used), b)
	} else {
		copy(out, b)
	}
	s.used += len(b)
	a.appended += int64(len(b))
	return out
}

// write queues b for the file at offset at, which follows what is
// staged, or writes it at once when it is larger than the stage.
func (a *Arena) write(at int64, b []byte) {
	if len(a.stage) > 0 && (a.stageAt+int64(len(a.stage)) != at || len(a.stage)+len(b) > stageSize) {
		a.flush()
	}
	if len(b) > stageSize {
		a.pwrite(b, at)
		return
	}
	if a.stage == nil {
		a.stage = a.writer.buffer()
	}
	if len(a.stage) == 0 {
		a.stageAt = at
	}
	a.stage = append(a.stage, b...)
}

// flush hands the stage to the writer and starts an empty one.
func (a *Arena) flush() {
	if len(a.stage) == 0 {
		return
	}
	a.writer.submit(a.stage, a.stageAt)
	a.stage = a.writer.buffer()
}

func (a *Arena) pwrite(b []byte, at int64) {
	if a.err != nil {
		return
	}
	if _, err := a.file.WriteAt(b, at); err != nil {
		a.err = fmt.Errorf("write spill file: %w", err)
	}
}

// Seal writes what Append has staged, after which every slice Append
// returned reads its bytes. An error means some may not: the file could
// not be written, and nothing appended may be used.
func (a *Arena) Seal() error {
	if a.writer == nil {
		return nil // every segment is on the heap
	}
	a.flush()
	if err := a.writer.wait(); err != nil {
		return err
	}
	return a.err
}

// Len returns the number of bytes appended so far.
func (a *Arena) Len() int64 { return a.appended }

// grow starts a segment with room for at least n bytes, letting the full
// one leave memory: it is written, and its records are read back only
// when their turn comes.
func (a *Arena) grow(n int) {
	a.flush()
	if a.cur != nil {
		a.cur.evict(0, a.cur.used)
	}
	size := max(a.segmentSize, n)
	s, err := a.mapSegment(size)
	if err != nil {
		// The file could not grow (a full disk, say): keep going on the
		// heap rather than failing a run over where its bytes sit.
		s = &segment{data: make([]byte, size)}
	}
	a.segments = append(a.segments, s)
	a.cur = s
}

// Release tells the arena that b, a slice it returned, will not be read
// for a while: its whole pages leave the resident set. Reading b again
// is still correct and brings the pages back. Slices on the heap are left
// alone.
func (a *Arena) Release(b []byte) {
	if len(b) == 0 {
		return
	}
	if s, off, ok := a.segmentOf(b); ok {
		s.evict(off, off+len(b))
	}
}

// segmentOf returns the segment b lies in and where b starts in it.
func (a *Arena) segmentOf(b []byte) (*segment, int, bool) {
	for _, s := range a.segments {
		if off, ok := s.offset(b); ok {
			return s, off, true
		}
	}
	return nil, 0, false
}

// ReleaseAll lets every page of the arena leave the resident set, as
// Release does for one slice. Unlike the rest of Arena it may run while
// other goroutines read the slices the arena returned (they fault back
// in), though not alongside Append: a commit reading a change back calls
// it now and then so that what it has read does not stay resident.
func (a *Arena) ReleaseAll() {
	for _, s := range a.segments {
		s.evict(0, len(s.data))
	}
}

// punchSize is how much discarded stretch Discard gathers before it
// frees it from the file.
const punchSize = 1 << 20

// Discard tells the arena that b, a slice it returned after Seal, will
// never be read again, and frees its whole pages from the file: their
// page cache and disk blocks go back to the system at once, so that a
// write that follows, such as the store's of the change b belongs to,
// takes memory that was just in use rather than fresh memory. On a
// virtual machine whose freed memory goes back to the host, fresh memory
// costs a fault on the host at first touch: an XL first sync's commit
// wrote 1.2 GB at 0.65 GB/s into fresh page cache, against several GB/s
// into pages a spill had just freed.
//
// Slices discarded one after another, in the order Append returned them,
// free every page they cover but the one where a gap or a segment's end
// interrupts them; a page that holds bytes not discarded is never freed.
// Reading b afterwards reads zeros. Discard may run alongside ReleaseAll,
// not alongside Append or another Discard; on the heap it does nothing.
func (a *Arena) Discard(b []byte) {
	if len(b) == 0 || a.file == nil {
		return
	}
	d := &a.discarded
	if d.seg != nil {
		if off, ok := d.seg.offset(b); ok && off == d.hi {
			d.hi += len(b)
			if d.hi-d.lo >= punchSize {
				a.punchDiscarded()
			}
			return
		}
	}
	a.punchDiscarded()
	*d = discardRun{}
	if s, off, ok := a.segmentOf(b); ok && s.mapped {
		*d = discardRun{seg: s, lo: off, hi: off + len(b)}
	}
}

// punchDiscarded frees the whole pages of the discarded run and moves its
// start past them; the partial page at its end waits for what follows.
func (a *Arena) punchDiscarded() {
	d := &a.discarded
	if d.seg == nil {
		return
	}
	page := os.Getpagesize()
	lo := (d.lo + page - 1) / page * page
	hi := d.hi / page * page
	if hi <= lo {
		return
	}
	d.seg.punch(a.file, lo, hi)
	d.lo = hi
}

// offset returns where b starts in s, if it lies within s.
func (s *segment) offset(b []byte) (int, bool) {
	if len(s.data) == 0 {
		return 0, false
	}
	start := &s.data[0]
	base, p := uintptrOf(start), uintptrOf(&b[0])
	if p < base || p+uintptr(len(b)) > base+uintptr(len(s.data)) {
		return 0, false
	}
	return int(p - base), true
}

// Close unmaps the arena and closes its file; every slice it returned is
// invalid afterwards.
func (a *Arena) Close() error {
	a.stopPrefault() // before the file it writes closes
	if a.writer != nil {
		a.writer.stop() // before the file it writes closes
		a.writer = nil
	}
	a.stage = nil
	var first error
	for _, s := range a.segments {
		if err := s.unmap(); err != nil && first == nil {
			first = err
		}
	}
	a.segments, a.cur = nil, nil
	if a.file != nil {
		if err := a.file.Close(); err != nil && first == nil {
			first = err
		}
		a.file = nil
	}
	if first != nil {
		return fmt.Errorf("close spill arena: %w", first)
	}
	return nil
}
