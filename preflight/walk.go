package preflight

import (
	"errors"
	"iter"

	"github.com/rosterd/rosterd/roster"
)

// committedWalk reads the committed records of one kind in ID order,
// beside a diff that visits the fetched records in ID order too, so that
// each committed record is matched by stepping forward, not by a lookup:
// looking up each of an XL district's 1.4M records walked the store's
// tree from its root every time, on the diff's one goroutine, and a second
// walk then looked every committed ID up in the fetched index to find the
// deletes.
type committedWalk struct {
	next func() ([]byte, []byte, bool)
	stop func()
	err  error // the walk's own, once it has ended

	// The record at the walk's position, while ok.
	id, data []byte
	ok       bool
}

// errWalkStopped ends the store's walk when the diff stops early.
var errWalkStopped = errors.New("walk stopped")

func walkCommitted(committed Committed, kind roster.Kind) *committedWalk {
	w := &committedWalk{}
	records := func(yield func(id, data []byte) bool) {
		err := committed.ForEach(kind, func(id, data []byte) error {
			if !yield(id, data) {
				return errWalkStopped
			}
			return nil
		})
		if err != nil && !errors.Is(err, errWalkStopped) {
			w.err = err
		}
	}
	w.next, w.stop = iter.Pull2(iter.Seq2[[]byte, []byte](records))
	w.advance()
	return w
}

// advance moves to the next committed record. The bytes of the one it
// leaves are invalid afterwards.
func (w *committedWalk) advance() { w.id, w.data, w.ok = w.next() }

// before reports whether the walk is at a record that sorts before id.
func (w *committedWalk) before(id string) bool { return w.ok && string(w.id) < id }

// at returns the committed record id, when the walk is at it.
func (w *committedWalk) at(id string) ([]byte, bool) {
	if w.ok && string(w.id) == id {
		return w.data, true
	}
	return nil, false
}

// close ends the walk and returns the store's error, if it had one.
func (w *committedWalk) close() error {
	w.stop()
	return w.err
}
