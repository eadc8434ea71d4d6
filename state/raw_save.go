package state

import (
	"errors"
	"fmt"
	"time"

	"github.com/rosterd/rosterd/roster"
)

// A RawSave is a SaveRaw begun while the roster is still being fetched.
// An XL district's users take seconds to encode and compress, and are
// final well before the fetch is (a Clever crawl lists the sections
// last), while the crawl's pace leaves a CPU idle: StartRaw takes the
// collections a fetch has finished and makes SaveRaw's passes over them
// in the background, and Finish hands over the rest and stores the
// stream. The stream, and so what is stored, is the one SaveRaw would
// write for the whole roster.
//
// Nothing is written to the store before Finish, so a fetch that fails
// after StartRaw leaves the kept raw roster as it was: Abort stops the
// passes and drops what they made.
type RawSave struct {
	s    *Store
	conn string
	err  error // a save that cannot start fails with it in Finish
	// early holds what StartRaw took, for Finish to check the roster
	// it is handed still holds the same collections.
	early []rawRecords
	feed  *rawFeed
	// pending is where the passes write the chunks of a large stream
	// before Finish puts them in place (raw_pending.go).
	pending rawPending
	done    chan struct{} // closed once the passes end, with res set
	res     rawPasses
	over    bool // Finish or Abort has run
}

// rawPasses is what the background passes of a RawSave found.
type rawPasses struct {
	kept     *rawInfoRecord // the kept raw roster, when it can be compared
	keptData []byte
	// same, when set, is the first pass's description of a stream that
	// is the kept one; otherwise chunks and rec are the stream
	// compressed.
	same     *rawInfoRecord
	chunks   [][]byte
	rec      *rawInfoRecord
	err      error
	panicked any // a panic in the passes, raised again by Finish
}

// StartRaw starts saving r as conn's raw roster, taking its districts,
// schools, terms, courses and users, which must not change after this
// call; the rest is taken by Finish. r is only read, by several
// goroutines at once, and those collections not after Finish or Abort
// returns. Every RawSave must be finished or aborted, and a connection
// may have one under way at a time (the engine runs one run per
// connection): a second would delete the first's pending chunks.
func (s *Store) StartRaw(conn string, r *roster.Roster) *RawSave {
	w := &RawSave{s: s, conn: conn, pending: rawPending{s: s, conn: conn}, done: make(chan struct{})}
	switch {
	case conn == "":
		w.err = errors.New("connection name is empty")
	case r == nil:
		w.err = errors.New("roster is nil")
	}
	if w.err != nil {
		close(w.done)
		return w
	}
	w.early = rawStreamOf(r, 0)[:rawEarly]
	w.feed = newRawFeed(w.early)
	go w.pass()
	return w
}

// pass makes SaveRaw's passes over the feed: a first pass comparing the
// stream with the kept one, when there is one to compare with, and, if
// it differs, one compressing it.
func (w *RawSave) pass() {
	defer close(w.done)
	defer func() {
		if p := recover(); p != nil {
			w.res.panicked = p
		}
	}()
	res := &w.res
	res.kept, res.keptData, res.err = w.s.keptRaw(w.conn)
	if res.err != nil {
		return
	}
	// A collection of another size than the kept one's cannot make the
	// kept stream: a first pass would be for nothing.
	if res.kept != nil && sizesAgree(w.early, res.kept) {
		rec, err := hashRaw(w.feed, res.kept)
		switch {
		case errors.Is(err, errRawDiffers):
		case err != nil:
			res.err = err
			return
		case res.kept.sameStream(rec):
			res.same = rec
			return
		}
	}
	res.chunks, res.rec, res.err = encodeRaw(w.feed, &w.pending)
}

// Finish takes the rest of r, whose districts, schools, terms, courses
// and users must be the collections StartRaw took, waits for the passes
// and stores the raw roster as SaveRaw does. When r holds other
// collections than StartRaw took (a fetch that built them again), r is
// saved whole, as SaveRaw would.
func (w *RawSave) Finish(r *roster.Roster, fetched time.Time) (RawInfo, error) {
	info, err := w.finish(r, fetched)
	switch {
	case err != nil && w.conn == "":
		return RawInfo{}, fmt.Errorf("save raw roster: %w", err)
	case err != nil:
		return RawInfo{}, fmt.Errorf("save raw roster of %s: %w", w.conn, err)
	}
	return info, nil
}

func (w *RawSave) finish(r *roster.Roster, fetched time.Time) (_ RawInfo, err error) {
	if w.over {
		return RawInfo{}, errors.New("raw roster save already finished")
	}
	if w.err != nil {
		w.over = true
		return RawInfo{}, w.err
	}
	if r == nil {
		w.Abort()
		return RawInfo{}, errors.New("roster is nil")
	}
	if !sameCollections(w.early, rawStreamOf(r, 0)[:rawEarly]) {
		w.Abort()
		return w.s.StartRaw(w.conn, r).finish(r, fetched)
	}
	w.over = true
	defer w.release()
	defer func() {
		if err != nil {
			err = errors.Join(err, w.pending.drop())
		}
	}()
	w.feed.hand(rawStreamOf(r, rawEarly))
	w.feed.end()
	<-w.done
	res := &w.res
	if res.panicked != nil {
		panic(res.panicked)
	}
	if res.err != nil {
		return RawInfo{}, res.err
	}
	if rec := res.same; rec != nil {
		kept := res.kept
		rec.Fetched = fetched.Round(0)
		rec.Chunks, rec.Bytes, rec.ChunksHash = kept.Chunks, kept.Bytes, kept.ChunksHash
		rec.Compression = kept.Compression // the chunks stay as they were
		touched, err := w.s.touchRaw(w.conn, kept, res.keptData, rec)
		if err != nil {
			return RawInfo{}, err
		}
		if touched {
			return rec.info(), nil
		}
		// The kept raw roster was replaced, or is damaged: write r whole.
		// The feed has every collection by now, and reads them again.
		if res.chunks, res.rec, err = encodeRaw(w.feed, &w.pending); err != nil {
			return RawInfo{}, err
		}
	}
	rec := res.rec
	rec.Fetched = fetched.Round(0)
	if w.pending.written == 0 {
		if err := w.s.writeRaw(w.conn, res.chunks, rec); err != nil {
			return RawInfo{}, err
		}
		return rec.info(), nil
	}
	if err := w.pending.place(res.chunks, rec); err != nil {
		return RawInfo{}, err
	}
	return rec.info(), nil
}

// Abort stops the save, writing nothing, and waits for its passes to
// end. It does nothing once Finish or Abort has run.
func (w *RawSave) Abort() {
	if w.over {
		return
	}
	w.over = true
	if w.feed != nil {
		w.feed.abort()
	}
	<-w.done
	// A pending raw roster this cannot delete is deleted by the next
	// save of the connection, or the next Open for writing; until then it
	// only takes room in the file.
	_ = w.pending.drop()
	w.release()
}

// release lets go of the roster's collections and of the stream made of
// them, once the save is over: a caller may hold the RawSave for the rest
// of a run, and at XL the collections are the fetched roster itself,
// which the engine lets go before its commit (a deferred Abort holding
// them raised a full sync's peak from 1.52 to 1.8 GB).
func (w *RawSave) release() {
	w.early, w.feed, w.res = nil, nil, rawPasses{}
}

// sizesAgree reports whether every collection of colls has as many
// records as kept's.
func sizesAgree(colls []rawRecords, kept *rawInfoRecord) bool {
	for _, c := range colls {
		if c.n != kept.Counts[rawCollections[c.tag]] {
			return false
		}
	}
	return true
}

// sameCollections reports whether a and b are the same collections: the
// same records in the same memory, not merely equal ones.
func sameCollections(a, b []rawRecords) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].tag != b[i].tag || a[i].n != b[i].n || a[i].first != b[i].first {
			return false
		}
	}
	return true
}
