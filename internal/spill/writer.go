package spill

import (
	"fmt"
	"sync"
)

// stagesInFlight is how many full stages may wait for the file while
// Append fills the next one.
const stagesInFlight = 4

// stageWriter writes full stages to the arena's file on a goroutine of
// its own, so that the goroutine appending does not wait on pwrite: at XL
// a first sync's diff appends 1.2 GB, and filling that much fresh page
// cache took it 2 to 3 CPU-seconds on this project's 2-core machine,
// during which the encoders feeding it sat idle. Slices only read their
// bytes after Seal, which waits for every queued write.
type stageWriter struct {
	writeAt func(b []byte, off int64) (int, error)
	queue   chan stagedWrite
	free    chan []byte
	pending sync.WaitGroup
	stopped chan struct{}

	mu  sync.Mutex
	err error // the first failed write
}

type stagedWrite struct {
	b  []byte
	at int64
}

func newStageWriter(writeAt func(b []byte, off int64) (int, error)) *stageWriter {
	w := &stageWriter{
		writeAt: writeAt,
		queue:   make(chan stagedWrite, stagesInFlight),
		free:    make(chan []byte, stagesInFlight+1),
		stopped: make(chan struct{}),
	}
	go w.run()
	return w
}

func (w *stageWriter) run() {
	defer close(w.stopped)
	for sw := range w.queue {
		if w.failed() == nil {
			if _, err := w.writeAt(sw.b, sw.at); err != nil {
				w.fail(fmt.Errorf("write spill file: %w", err))
			}
		}
		select {
		case w.free <- sw.b[:0]:
		default:
		}
		w.pending.Done()
	}
}

// submit queues b, which the writer owns from now on, for offset at. It
// blocks while stagesInFlight stages wait already.
func (w *stageWriter) submit(b []byte, at int64) {
	w.pending.Add(1)
	w.queue <- stagedWrite{b: b, at: at}
}

// buffer returns an empty stage to fill: one the writer has written, or a
// new one.
func (w *stageWriter) buffer() []byte {
	select {
	case b := <-w.free:
		return b
	default:
		return make([]byte, 0, stageSize)
	}
}

// wait waits for every submitted write and returns the first that failed.
func (w *stageWriter) wait() error {
	w.pending.Wait()
	return w.failed()
}

// stop waits for the writes submitted and ends the goroutine; submit must
// not be called afterwards.
func (w *stageWriter) stop() {
	close(w.queue)
	<-w.stopped
}

func (w *stageWriter) fail(err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err == nil {
		w.err = err
	}
}

func (w *stageWriter) failed() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}
