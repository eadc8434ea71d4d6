package preflight

import (
	"runtime"
	"sync"

	"github.com/rosterd/rosterd/internal/codec"
)

// encodeChunkSize is the number of records one worker encodes at a time:
// large enough that handing out chunks costs little next to encoding them
// (a user takes a few microseconds), small enough that the chunks waiting
// for the store hold little memory.
const encodeChunkSize = 512

// encodeChunk is a run of positions in order that one worker encodes.
type encodeChunk struct {
	lo, hi int      // order[lo:hi]
	data   [][]byte // data[k] encodes recs[order[lo+k]]
	errs   []error  // errs[k] says why it did not encode; nil when all did
	done   chan struct{}
}

// encodeOrdered encodes recs[order[0]], recs[order[1]], ... on every core
// and calls visit with each encoding (or the error that prevented it),
// from the calling goroutine and in the order of order. Only a bounded
// number of chunks is in flight, so an encoding that visit does not keep
// is garbage soon after: a run that changes little never holds the whole
// roster encoded.
func encodeOrdered[T any](recs []T, order []int32, visit func(pos int32, data []byte, encodeErr error)) {
	chunks := (len(order) + encodeChunkSize - 1) / encodeChunkSize
	workers := min(runtime.GOMAXPROCS(0), chunks)
	if workers <= 1 {
		for _, pos := range order {
			data, err := codec.Marshal(&recs[pos])
			visit(pos, data, err)
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
				c.data = make([][]byte, c.hi-c.lo)
				for k, pos := range order[c.lo:c.hi] {
					data, err := codec.Marshal(&recs[pos])
					if err != nil {
						if c.errs == nil {
							c.errs = make([]error, c.hi-c.lo)
						}
						c.errs[k] = err
					}
					c.data[k] = data
				}
				close(c.done)
			}
		}()
	}

	for c := range inOrder {
		<-c.done
		for k, pos := range order[c.lo:c.hi] {
			var err error
			if c.errs != nil {
				err = c.errs[k]
			}
			visit(pos, c.data[k], err)
		}
	}
	wg.Wait()
}
