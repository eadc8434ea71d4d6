package state

import (
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
)

// Encoding and decoding a raw roster is mostly encoding and decoding its
// records as JSON, one at a time, while the stream itself (framing, and
// zstd when reading) must be written and read in order. So both split
// the records into batches that workers encode or decode in parallel,
// around one goroutine that handles the stream: runPipeline. Encoding
// compresses the stream in parts, on workers too (raw_encode.go).

// rawPipelineWorkers is how many workers runPipeline starts: one per CPU,
// beside the stream's goroutine. On 2 CPUs that keeps both busy: a
// medium district encodes 1.2 times as fast as with one worker and
// decodes 1.5 times as fast, and 3 or 4 workers are no faster. (Encoding
// runs a second pipeline of as many workers, which compress the stream:
// raw_encode.go.)
func rawPipelineWorkers() int { return runtime.GOMAXPROCS(0) }

// rawBatchRecords is how many records a batch holds, at most: 100-250 KB
// of frames for users and sections, so that handing batches between
// goroutines costs nothing next to encoding them, and the batches in
// flight stay at a few MB.
const rawBatchRecords = 256

// rawBatchKeep is the largest buffer a batch, encoded or decoded, keeps
// for the next one. A batch of unusually large records (sections of
// thousands of students) lets its buffers go once used, so that it does
// not pin that much memory for the rest of the stream.
const rawBatchKeep = 4 << 20

// runPipeline passes batches from produce through work to consume:
//
//   - produce runs on a goroutine of its own. It calls next for an unused
//     batch, fills it, and hands it on with send, one batch at a time;
//     next returns false once the pipeline is stopping, and produce
//     should then return.
//   - work runs on each batch sent, on one of workers goroutines.
//   - consume runs on the calling goroutine, on each batch after work, in
//     the order sent. When it returns, the batch is reused.
//
// There are two batches per worker (one being worked while another waits
// for consume), so memory stays bounded however much is produced;
// batches are reused without being cleared.
//
// The first error, from work or consume on a batch in the order sent, or
// else from produce, is returned: the batches sent before produce failed
// are all consumed first, as if the three ran one after another. After an
// error, nothing more is worked or consumed, but runPipeline returns only
// once its goroutines have.
//
// A panic in any of the three stops the pipeline in the same way, and is
// raised again on the calling goroutine, so that a caller can recover it
// as if the pipeline had run there (the engine fails the run).
func runPipeline[B any](workers int,
	produce func(next func() (*B, bool), send func()) error,
	work func(*B) error,
	consume func(*B) error,
) error {
	type slot struct {
		batch B
		err   error         // from work
		ready chan struct{} // receives once work is done
	}
	slots := 2 * workers
	free := make(chan *slot, slots)
	for range slots {
		free <- &slot{ready: make(chan struct{}, 1)}
	}
	// A sent batch goes to order, which consume reads in order, and to
	// todo, which the workers read. Neither can hold more than the slots
	// there are, so sending to them never blocks.
	order := make(chan *slot, slots)
	todo := make(chan *slot, slots)
	var (
		stop atomic.Bool
		// panicked holds the first panic, with the stack where it
		// happened, which the stack of the panic raised again would not
		// show.
		panicked atomic.Value
	)
	catch := func(f func() error) (err error) {
		defer func() {
			if p := recover(); p != nil {
				panicked.CompareAndSwap(nil, fmt.Sprintf("%v\n\n%s", p, debug.Stack()))
				err = errPipelinePanicked
			}
		}()
		return f()
	}

	var produceErr error
	go func() {
		defer close(order)
		defer close(todo)
		var filling *slot // the batch next last returned
		produceErr = catch(func() error {
			return produce(
				func() (*B, bool) {
					filling = <-free
					if stop.Load() {
						return nil, false
					}
					return &filling.batch, true
				},
				func() {
					s := filling
					filling, s.err = nil, nil
					order <- s
					todo <- s
				})
		})
	}()

	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for s := range todo {
				if !stop.Load() {
					s.err = catch(func() error { return work(&s.batch) })
				}
				s.ready <- struct{}{}
			}
		})
	}

	var err error
	for s := range order {
		<-s.ready
		if err == nil {
			if err = s.err; err == nil {
				err = catch(func() error { return consume(&s.batch) })
			}
			if err != nil {
				stop.Store(true)
			}
		}
		free <- s
	}
	wg.Wait()
	if p := panicked.Load(); p != nil {
		panic(p)
	}
	if err != nil {
		return err
	}
	// produce has returned: order is closed only then.
	return produceErr
}

// errPipelinePanicked stops runPipeline after a panic, until the panic
// is raised again.
var errPipelinePanicked = errors.New("panicked")

// errPipelineStopped is what a produce returns when next says the
// pipeline is stopping, if it needs an error to stop (a produce that
// runs a pipeline of its own). runPipeline never returns it: the error
// that stopped the pipeline comes first.
var errPipelineStopped = errors.New("pipeline stopped")
