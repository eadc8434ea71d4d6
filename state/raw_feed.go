package state

import (
	"errors"
	"sync"

	"github.com/rosterd/rosterd/roster"
)

// The stream holds a roster's collections in rawStreamOrder, which is the
// order a crawl finishes them in: a Clever crawl has its district,
// schools, terms, courses and users whole seconds before its sections
// (they name the users), so StartRaw can encode the first rawEarly
// collections while the sections are still being fetched. The decoder
// takes the collections in any order, so streams written in tag order, as
// rosterd once wrote them, read the same.
var rawStreamOrder = [...]byte{
	rawTagDistricts, rawTagSchools, rawTagTerms, rawTagCourses, rawTagUsers,
	rawTagSections, rawTagFieldErrors,
}

// rawEarly is how many collections of rawStreamOrder StartRaw takes.
const rawEarly = 5

// rawStreamOf returns the collections of r as the stream holds them, in
// rawStreamOrder, from the from-th on.
func rawStreamOf(r *roster.Roster, from int) []rawRecords {
	var colls []rawRecords
	for _, tag := range rawStreamOrder[from:] {
		colls = append(colls, rawFields[tag].records(r, tag))
	}
	return colls
}

// rawFeed is the collections of one stream, in stream order, as they are
// handed over: a pass over the stream (writeStream) waits for a
// collection not yet handed over, and a later pass reads again those a
// pass before it read. Passes read the feed one after another, never at
// once; hand and end may be called while one does.
type rawFeed struct {
	colls []rawRecords      // handed over and seen by a pass
	more  chan []rawRecords // handed over and not yet seen; closed by end
	ended bool              // more is closed and drained
	// stop is closed by abort: a pass waiting for a collection then
	// fails with errRawAborted.
	stop     chan struct{}
	stopOnce sync.Once
	// Until end, the passes' work runs on one CPU at a time (busy): the
	// rest is the fetch's, which is still going, and whose crawl slips
	// its pace when it waits for a CPU. An XL fetch took 8.4 s instead of
	// 7.5 with the passes on both.
	cpu  chan struct{}
	free chan struct{} // closed by end
}

// errRawAborted ends the passes of a RawSave that was aborted.
var errRawAborted = errors.New("raw roster save aborted")

func newRawFeed(colls []rawRecords) *rawFeed {
	return &rawFeed{colls: colls, more: make(chan []rawRecords, 1), stop: make(chan struct{}),
		cpu: make(chan struct{}, 1), free: make(chan struct{})}
}

// hand hands over the collections that follow those handed over before.
// It may be called once, before end.
func (f *rawFeed) hand(colls []rawRecords) { f.more <- colls }

// end says no collection follows, and lets the passes use every CPU.
func (f *rawFeed) end() {
	close(f.more)
	close(f.free)
}

// busy runs work, a piece of a pass's encoding or compressing, once a CPU
// is the passes' to use.
func (f *rawFeed) busy(work func() error) error {
	select {
	case <-f.free:
		return work()
	case f.cpu <- struct{}{}:
		defer func() { <-f.cpu }()
		return work()
	}
}

// abort makes passes fail instead of waiting for collections.
func (f *rawFeed) abort() { f.stopOnce.Do(func() { close(f.stop) }) }

// coll returns the i-th collection of the stream, waiting until it is
// handed over; false once the stream has fewer.
func (f *rawFeed) coll(i int) (rawRecords, bool, error) {
	for i >= len(f.colls) && !f.ended {
		select {
		case colls, ok := <-f.more:
			if !ok {
				f.ended = true
			}
			f.colls = append(f.colls, colls...)
		case <-f.stop:
			return rawRecords{}, false, errRawAborted
		}
	}
	if i < len(f.colls) {
		return f.colls[i], true, nil
	}
	return rawRecords{}, false, nil
}

// counts returns how many records each collection read so far has, as
// raw_info counts them; a collection with none is absent.
func (f *rawFeed) counts() map[string]int {
	counts := make(map[string]int)
	for _, c := range f.colls {
		if c.n > 0 {
			counts[rawCollections[c.tag]] = c.n
		}
	}
	return counts
}
