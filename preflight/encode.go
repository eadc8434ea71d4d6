package preflight

import (
	"bytes"
	"runtime"
	"sync"

	"github.com/rosterd/rosterd/internal/codec"
)

// encodeChunkSize is the number of records one worker encodes at a time:
// large enough that handing out chunks costs little next to encoding them
// (a user takes a few microseconds), small enough that the chunks waiting
// for the store hold little memory.
const encodeChunkSize = 512

// encodeChunk is a run of positions in order that one worker encodes into
// one buffer: a million records make two thousand buffers, not a million
// allocations.
type encodeChunk struct {
	lo, hi int // order[lo:hi]
	buf    *bytes.Buffer
	ends   []int   // recs[order[lo+k]] is buf.Bytes()[ends[k-1]:ends[k]]
	errs   []error // errs[k] says why it did not encode; nil when all did
	done   chan struct{}
}

// chunkBuffers recycles the chunks' buffers: an encoding lives only until
// visit has copied what it keeps.
var chunkBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func (c *encodeChunk) encode(at func(pos int32) any, order []int32) {
	c.buf = chunkBuffers.Get().(*bytes.Buffer)
	c.buf.Reset()
	c.ends = make([]int, c.hi-c.lo)
	for k, pos := range order[c.lo:c.hi] {
		start := c.buf.Len()
		if err := codec.MarshalWrite(c.buf, at(pos)); err != nil {
			c.buf.Truncate(start)
			if c.errs == nil {
				c.errs = make([]error, c.hi-c.lo)
			}
			c.errs[k] = err
		}
		c.ends[k] = c.buf.Len()
	}
}

// visitAll calls visit with each record of the chunk and recycles the
// chunk's buffer.
func (c *encodeChunk) visitAll(order []int32, visit func(pos int32, data []byte, encodeErr error)) {
	b := c.buf.Bytes()
	start := 0
	for k, pos := range order[c.lo:c.hi] {
		var err error
		if c.errs != nil {
			err = c.errs[k]
		}
		var data []byte
		if err == nil {
			data = b[start:c.ends[k]:c.ends[k]]
		}
		visit(pos, data, err)
		start = c.ends[k]
	}
	chunkBuffers.Put(c.buf)
	c.buf = nil
}

// encodeOrdered encodes recs[order[0]], recs[order[1]], ... on every core
// and calls visit with each encoding (or the error that prevented it),
// from the calling goroutine and in the order of order. data is valid only
// during the call: visit copies what it keeps. Only a bounded number of
// chunks is in flight, so a run that changes little never holds the whole
// roster encoded.
func encodeOrdered[T any](recs []T, order []int32, visit func(pos int32, data []byte, encodeErr error)) {
	at := func(pos int32) any { return &recs[pos] }
	chunks := (len(order) + encodeChunkSize - 1) / encodeChunkSize
	workers := min(runtime.GOMAXPROCS(0), chunks)
	if workers <= 1 {
		for lo := 0; lo < len(order); lo += encodeChunkSize {
			c := &encodeChunk{lo: lo, hi: min(lo+encodeChunkSize, len(order))}
			c.encode(at, order)
			c.visitAll(order, visit)
		}
		return
	}

	work := make(chan *encodeChunk, workers)
	// inOrder's capacity bounds the chunks encoded ahead of visit.
	inOrder := make(chan *encodeChunk, 2*workers)
	go func() {
		defer close(work)
		defer close(inOrder)
		for lo := 0; lo < len(order); lo += encodeChunkSize {
			c := &encodeChunk{lo: lo, hi: min(lo+encodeChunkSize, len(order)), done: make(chan struct{})}
			// A chunk goes to visit's queue before the workers' queue, so
			// every chunk visit waits for is already with a worker.
			inOrder <- c
			work <- c
		}
	}()
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range work {
				c.encode(at, order)
				close(c.done)
			}
		}()
	}

	for c := range inOrder {
		<-c.done
		c.visitAll(order, visit)
	}
	wg.Wait()
}
