package spill

import (
	"sync/atomic"
	"time"
)

// A first sync's spill holds the whole roster encoded, and every page of
// it is fresh page cache. On a virtual machine whose freed memory goes
// back to the host, fresh memory costs a fault on the host at its first
// touch: at XL, filling 0.9 GB of fresh page cache made the stage writer
// the slowest part of preflight (2.0-2.3 s against 0.7-0.9 s into page
// cache already there), with the other core busy encoding. Prefault pays
// that cost earlier, while the fetch waits on the provider's pace and a
// core is idle: it writes zeros over the file ahead of any record, and
// the records later overwrite pages the page cache already holds.

const (
	// prefaultChunk is how much of the file one prefault write covers.
	prefaultChunk = 1 << 20
	// prefaultRate bounds how fast the prefaulter writes, in bytes a
	// second, so that it takes at most about a third of a core and
	// leaves the fetch's decoding its share. An XL Clever crawl asks
	// for about 120 MB a second.
	prefaultRate = 256 << 20
)

// prefaulter writes zeros over the arena's file up to a target that
// Prefault raises, on a goroutine of its own, until the first Append
// stops it.
type prefaulter struct {
	writeAt func(b []byte, off int64) (int, error)
	target  atomic.Int64
	kick    chan struct{} // a raised target, when the goroutine sleeps
	stop    chan struct{}
	done    chan struct{}
	// written is how far the zeros reach: the bytes Append may find in
	// the page cache. Only the goroutine writes it before done closes.
	written int64
	stopped atomic.Bool
}

func newPrefaulter(writeAt func(b []byte, off int64) (int, error)) *prefaulter {
	p := &prefaulter{
		writeAt: writeAt,
		kick:    make(chan struct{}, 1),
		stop:    make(chan struct{}),
		done:    make(chan struct{}),
	}
	go p.run()
	return p
}

// raise makes n the target, if it is higher, and wakes the goroutine.
func (p *prefaulter) raise(n int64) {
	for {
		cur := p.target.Load()
		if n <= cur {
			return
		}
		if p.target.CompareAndSwap(cur, n) {
			break
		}
	}
	select {
	case p.kick <- struct{}{}:
	default:
	}
}

func (p *prefaulter) run() {
	defer close(p.done)
	zeros := make([]byte, prefaultChunk)
	const perChunk = time.Duration(prefaultChunk * int64(time.Second) / prefaultRate)
	var next time.Time // the earliest the next chunk may be written
	for {
		for p.written < p.target.Load() {
			select {
			case <-p.stop:
				return
			default:
			}
			if now := time.Now(); next.Before(now) {
				next = now // time spent waiting for a target earns no burst
			}
			if _, err := p.writeAt(zeros, p.written); err != nil {
				// Advice only, as Release is: a full disk makes the
				// records' own writes fail, which Seal reports.
				return
			}
			p.written += prefaultChunk
			next = next.Add(perChunk)
			if wait := time.Until(next); wait > 0 {
				select {
				case <-time.After(wait):
				case <-p.stop:
					return
				}
			}
		}
		select {
		case <-p.kick:
		case <-p.stop:
			return
		}
	}
}

// halt stops the goroutine and waits for it, so that no zeros land where
// a record is written after it returns. It may run more than once.
func (p *prefaulter) halt() {
	if p.stopped.CompareAndSwap(false, true) {
		close(p.stop)
	}
	<-p.done
}

// Prefault readies the page cache for the first n bytes the arena will
// hold, in the background: zeros are written over them, paced, until n
// is reached or the first Append, which waits for the writing to stop.
// It is for a caller with time to spare before it appends, such as a
// fetch waiting on its provider. Calls raise n; calls after the first
// Append, on the heap, or once the file cannot be written do nothing.
// Unlike the rest of Arena it is safe to call from several goroutines,
// though not once Close has begun.
func (a *Arena) Prefault(n int64) {
	if a.file == nil || n <= 0 {
		return
	}
	a.prefaultOnce.Do(func() {
		a.prefault = newPrefaulter(a.file.WriteAt)
	})
	if p := a.prefault; p != nil && !p.stopped.Load() {
		p.raise(n)
	}
}

// stopPrefault ends prefaulting before the arena writes its own bytes.
func (a *Arena) stopPrefault() {
	a.prefaultOnce.Do(func() {}) // no prefaulter starts from now on
	if a.prefault != nil {
		a.prefault.halt()
	}
}
