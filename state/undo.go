package state

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/rosterd/rosterd/roster"
	bolt "go.etcd.io/bbolt"
)

// Every commit that changes a connection's roster leaves an undo log under
// connections/<name>/undo/<run ID>/ (see doc.go): the before-image of each
// record it changed, and the head it replaced. The logs link each head to
// the one before it, so walking them from the current head down either
// reaches a run or stops at a missing link: a log Prune deleted, or a
// commit written before undo logs existed. RosterAt never guesses across
// a missing link.

// verdictCommitted is the Verdict of a run whose change was committed, the
// one verdict the store reads.
const verdictCommitted = "committed"

// keyUndoBase is the key, in an undo log, of the head the commit replaced:
// 8-byte big-endian, 0 for a connection's first commit. Every other key of
// an undo log is a roster.Kind.
var keyUndoBase = []byte("base")

// newUndo creates, under the connection bucket cb, the empty undo log of
// the commit of run id, replacing head base.
func newUndo(cb *bolt.Bucket, id, base uint64) (*bolt.Bucket, error) {
	logs, err := cb.CreateBucketIfNotExists(bucketUndo)
	if err != nil {
		return nil, fmt.Errorf("create undo bucket: %w", err)
	}
	return newUndoIn(logs, id, base)
}

// newUndoIn creates the empty undo log of the commit of run id, replacing
// head base, in logs: a connection's undo/, or a batched commit's shadow.
func newUndoIn(logs *bolt.Bucket, id, base uint64) (*bolt.Bucket, error) {
	ub, err := logs.CreateBucket(runKey(id))
	if err != nil {
		return nil, fmt.Errorf("create undo log of run %d: %w", id, err)
	}
	if err := ub.Put(keyUndoBase, runKey(base)); err != nil {
		return nil, fmt.Errorf("put undo base: %w", err)
	}
	return ub, nil
}

// undoLog returns the undo log of run id in the connection bucket cb, or
// nil.
func undoLog(cb *bolt.Bucket, id uint64) *bolt.Bucket {
	if cb == nil {
		return nil
	}
	logs := cb.Bucket(bucketUndo)
	if logs == nil {
		return nil
	}
	return logs.Bucket(runKey(id))
}

// undoBase returns the head that the commit whose undo log is ub replaced.
func undoBase(ub *bolt.Bucket) (uint64, error) {
	v := ub.Get(keyUndoBase)
	if len(v) != 8 {
		return 0, errors.New("undo log is damaged: no base")
	}
	return binary.BigEndian.Uint64(v), nil
}

// prunedThrough returns the newest run of the connection bucket cb that
// Prune deleted, or 0.
func prunedThrough(cb *bolt.Bucket) uint64 {
	if cb == nil {
		return 0
	}
	if v := cb.Get(keyPruned); len(v) == 8 {
		return binary.BigEndian.Uint64(v)
	}
	return 0
}

// RosterAt returns conn's roster as it stood right after run id committed
// (a run whose commit changed nothing gives the roster it found), every
// collection in ID order, as Snapshot.Roster returns it. It starts from
// the committed roster and undoes, newest first, every commit after id,
// all in one read transaction.
//
// It fails with ErrNotFound when id is not a run of conn with Verdict
// "committed", and with ErrHistoryPruned when Prune deleted the run, or
// an undo log it needs is gone (pruned, or the commit predates undo logs).
func (s *Store) RosterAt(conn string, id uint64) (*roster.Roster, error) {
	if conn == "" {
		return nil, fmt.Errorf("roster at run %d: connection name is empty", id)
	}
	var r *roster.Roster
	err := s.db.View(func(tx *bolt.Tx) error {
		cb := tx.Bucket(bucketConnections).Bucket([]byte(conn))
		if err := checkCommitted(tx, cb, conn, id); err != nil {
			return err
		}
		head, err := readHead(cb)
		if err != nil {
			return err
		}
		at := newRosterAt(cb)
		for h := head.RunID; h > id; {
			ub := undoLog(cb, h)
			if ub == nil {
				return fmt.Errorf("%w: no undo log of run %d, a later commit (pruned, or written before undo logs)", ErrHistoryPruned, h)
			}
			base, err := at.undo(ub)
			if err != nil {
				return fmt.Errorf("undo run %d: %w", h, err)
			}
			if base >= h {
				return fmt.Errorf("undo run %d: undo log is damaged: base run %d is not older", h, base)
			}
			h = base
		}
		r, err = decodeRoster(at)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("roster of %s at run %d: %w", conn, id, err)
	}
	return r, nil
}

// checkCommitted fails unless run id is a committed run of conn, whose
// connection bucket is cb (nil when it has none).
func checkCommitted(tx *bolt.Tx, cb *bolt.Bucket, conn string, id uint64) error {
	v := tx.Bucket(bucketRuns).Get(runKey(id))
	if v == nil {
		if id != 0 && id <= prunedThrough(cb) {
			return fmt.Errorf("%w: the history of %s before run %d was pruned", ErrHistoryPruned, conn, prunedThrough(cb)+1)
		}
		return ErrNotFound
	}
	run, err := decodeRun(v)
	if err != nil {
		return fmt.Errorf("run %d: %w", id, err)
	}
	if run.Connection != conn || run.Verdict != verdictCommitted {
		return fmt.Errorf("%w: run %d is a %q run of %s, not a committed run of %s", ErrNotFound, id, run.Verdict, run.Connection, conn)
	}
	return nil
}

// rosterAt is the committed roster of a connection with undo logs laid
// over it. It walks each kind in ID order for decodeRoster.
type rosterAt struct {
	committed []*bolt.Bucket // indexed like roster.Kinds; nil: no records
	overlays  []*kindOverlay // indexed like roster.Kinds
}

// kindOverlay is what the undo logs applied so far say of one kind.
type kindOverlay struct {
	// emptied: the kind held no records at the run reached, before the
	// records below; the committed bucket no longer counts.
	emptied bool
	// records maps an ID to its bytes at the run reached; nil bytes: the
	// record did not exist.
	records map[string][]byte
}

func newRosterAt(cb *bolt.Bucket) *rosterAt {
	at := &rosterAt{
		committed: make([]*bolt.Bucket, len(roster.Kinds)),
		overlays:  make([]*kindOverlay, len(roster.Kinds)),
	}
	var rb *bolt.Bucket
	if cb != nil {
		rb = cb.Bucket(bucketRoster)
	}
	for i, kind := range roster.Kinds {
		if rb != nil {
			at.committed[i] = rb.Bucket([]byte(kind))
		}
		at.overlays[i] = &kindOverlay{records: make(map[string][]byte)}
	}
	return at
}

// undo lays the undo log ub, of the oldest commit undone so far, over at
// and returns the head that commit replaced. The bytes kept point into the
// read transaction.
func (at *rosterAt) undo(ub *bolt.Bucket) (uint64, error) {
	base, err := undoBase(ub)
	if err != nil {
		return 0, err
	}
	for i, kind := range roster.Kinds {
		ov := at.overlays[i]
		name := []byte(kind)
		if images := ub.Bucket(name); images != nil {
			err := images.ForEach(func(id, old []byte) error {
				if len(old) == 0 {
					old = nil // a tombstone: the commit added the record
				}
				ov.records[string(id)] = old
				return nil
			})
			if err != nil {
				return 0, err
			}
			continue
		}
		switch v := ub.Get(name); {
		case v == nil:
		case bytes.Equal(v, undoEmptyKind):
			ov.emptied = true
			clear(ov.records)
		default:
			return 0, fmt.Errorf("undo log is damaged: %s is %q", kind, v)
		}
	}
	return base, nil
}

func (at *rosterAt) count(kind roster.Kind) int {
	i := slices.Index(roster.Kinds, kind)
	n := len(at.overlays[i].records)
	if b := at.committed[i]; b != nil && !at.overlays[i].emptied {
		n += b.Stats().KeyN
	}
	return n
}

// forEach merges the committed records of kind with the overlay, in ID
// order; where both hold an ID, the overlay wins.
func (at *rosterAt) forEach(kind roster.Kind, fn func(id, data []byte) error) error {
	i := slices.Index(roster.Kinds, kind)
	ov := at.overlays[i]
	ids := slices.Sorted(maps.Keys(ov.records))
	var c *bolt.Cursor
	var k, v []byte
	if b := at.committed[i]; b != nil && !ov.emptied {
		c = b.Cursor()
		k, v = c.First()
	}
	for k != nil || len(ids) > 0 {
		var order int
		switch {
		case k == nil:
			order = 1
		case len(ids) == 0:
			order = -1
		default:
			order = bytes.Compare(k, keyBytes(ids[0]))
		}
		if order < 0 {
			if v != nil { // nil: a nested bucket, never a record
				if err := fn(k, v); err != nil {
					return err
				}
			}
			k, v = c.Next()
			continue
		}
		if order == 0 {
			k, v = c.Next()
		}
		id := ids[0]
		ids = ids[1:]
		if data := ov.records[id]; data != nil {
			if err := fn(keyBytes(id), data); err != nil {
				return err
			}
		}
	}
	return nil
}
