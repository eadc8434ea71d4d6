package state

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"unsafe"

	"github.com/rosterd/rosterd/roster"
	bolt "go.etcd.io/bbolt"
)

// rosterFillPercent is how full bbolt packs the pages of a roster bucket.
// Records arrive in key order, so a first sync appends to the right edge
// of the tree, and bbolt's default of 0.5 leaves every page half empty:
// for 300k records of 400 bytes it wrote 75k leaf pages in 1.1s where 0.9
// writes 43k in 0.45s. The last tenth is room for records that grow in a
// later sync without splitting their page.
const rosterFillPercent = 0.9

// kindPlan is one kind's share of a change, validated and in key order.
type kindPlan struct {
	kind    roster.Kind
	puts    []roster.Record
	deletes []string
}

// planChange validates change and returns, per kind in roster.Kinds order,
// what to write. An empty change returns no plans. The plans share the
// change's records (bbolt keeps referring to record data until the
// transaction commits); a list that is not in key order is sorted as a
// copy, leaving the caller's change as it was.
func planChange(change *roster.Change) ([]kindPlan, error) {
	if change == nil {
		return nil, nil
	}
	for kind := range change.Put {
		if !slices.Contains(roster.Kinds, kind) {
			return nil, unknownKind("put", kind)
		}
	}
	for kind := range change.Delete {
		if !slices.Contains(roster.Kinds, kind) {
			return nil, unknownKind("delete", kind)
		}
	}
	var plans []kindPlan
	for _, kind := range roster.Kinds {
		puts, deletes := change.Put[kind], change.Delete[kind]
		if len(puts) == 0 && len(deletes) == 0 {
			continue
		}
		if err := checkPuts(kind, puts); err != nil {
			return nil, err
		}
		if err := checkDeletes(kind, puts, deletes); err != nil {
			return nil, err
		}
		if !slices.IsSortedFunc(puts, compareRecordIDs) {
			// Stable, so that of two puts of one ID the later one wins, as
			// it would applied in order.
			puts = slices.Clone(puts)
			slices.SortStableFunc(puts, compareRecordIDs)
		}
		if !slices.IsSorted(deletes) {
			deletes = slices.Clone(deletes)
			slices.Sort(deletes)
		}
		plans = append(plans, kindPlan{kind: kind, puts: puts, deletes: deletes})
	}
	return plans, nil
}

func unknownKind(op string, kind roster.Kind) error {
	known := make([]string, len(roster.Kinds))
	for i, k := range roster.Kinds {
		known[i] = string(k)
	}
	return fmt.Errorf("%s: unknown kind %q (known: %s)", op, kind, strings.Join(known, ", "))
}

func compareRecordIDs(a, b roster.Record) int { return strings.Compare(a.ID, b.ID) }

func checkPuts(kind roster.Kind, puts []roster.Record) error {
	for i, rec := range puts {
		switch {
		case rec.ID == "":
			return fmt.Errorf("put %s[%d]: empty id", kind, i)
		case len(rec.ID) > bolt.MaxKeySize:
			return fmt.Errorf("put %s[%d]: id of %d bytes is longer than the store's limit of %d", kind, i, len(rec.ID), bolt.MaxKeySize)
		case len(rec.Data) == 0:
			// An empty value would read back like an absent record.
			return fmt.Errorf("put %s/%s: empty record", kind, rec.ID)
		}
	}
	return nil
}

// checkDeletes refuses empty IDs and IDs the change both puts and
// deletes: whichever way that was meant, applying it could lose a record.
func checkDeletes(kind roster.Kind, puts []roster.Record, deletes []string) error {
	if len(deletes) == 0 {
		return nil
	}
	deleted := make(map[string]struct{}, len(deletes))
	for i, id := range deletes {
		if id == "" {
			return fmt.Errorf("delete %s[%d]: empty id", kind, i)
		}
		deleted[id] = struct{}{}
	}
	for _, rec := range puts {
		if _, ok := deleted[rec.ID]; ok {
			return fmt.Errorf("change both puts and deletes %s/%s", kind, rec.ID)
		}
	}
	return nil
}

// tombstone is the value that stands for an absent record: in an undo
// log, the before-image of a record the commit added; in a staged change,
// a delete. Records are never empty (checkPuts), so a tombstone cannot be
// taken for one.
var tombstone = []byte{}

// undoEmptyKind is the value of undo/<run>/<kind>, in place of a bucket of
// before-images, when the kind held no records before the commit: undoing
// the commit empties the kind. A first sync's undo log is one such value
// per kind, however large the roster.
var undoEmptyKind = []byte("empty")

// applyPlans writes plans under the connection bucket conn. Deleting an ID
// that is not there does nothing, and a kind that was never written is
// not created just to delete from it.
//
// When undo is not nil, it also writes there, for every record the plans
// change, the record's before-image: its old bytes, or a tombstone for a
// record that was absent (see doc.go). A put that leaves a record's bytes
// as they were, and a delete of an absent record, need none.
func applyPlans(conn *bolt.Bucket, plans []kindPlan, undo *bolt.Bucket) error {
	rosterBucket, err := conn.CreateBucketIfNotExists(bucketRoster)
	if err != nil {
		return fmt.Errorf("create roster bucket: %w", err)
	}
	for _, p := range plans {
		name := []byte(p.kind)
		b := rosterBucket.Bucket(name)
		if b == nil {
			if len(p.puts) == 0 {
				continue
			}
			if b, err = rosterBucket.CreateBucket(name); err != nil {
				return fmt.Errorf("create %s bucket: %w", p.kind, err)
			}
		}
		b.FillPercent = rosterFillPercent
		k := kindWriter{kind: p.kind, records: b, cursor: b.Cursor()}
		if undo != nil {
			if first, _ := k.cursor.First(); first != nil {
				k.undo, k.undoName = undo, name
			} else if len(p.puts) > 0 {
				if err := undo.Put(name, undoEmptyKind); err != nil {
					return fmt.Errorf("put undo of %s: %w", p.kind, err)
				}
			}
		}
		if err := k.apply(p); err != nil {
			return err
		}
	}
	return nil
}

// kindWriter applies one kind's plan, keeping the before-images in a
// bucket named undoName under undo, created by the first image, when undo
// is set.
type kindWriter struct {
	kind     roster.Kind
	records  *bolt.Bucket
	cursor   *bolt.Cursor // over records, for reading before-images
	undo     *bolt.Bucket
	undoName []byte
	images   *bolt.Bucket
}

// apply writes puts and deletes, both in key order and sharing no ID, in
// one merged pass, so that both the roster bucket and the undo log are
// written front to back.
func (k *kindWriter) apply(p kindPlan) error {
	return walkPlan(p, k.put, k.delete)
}

func (k *kindWriter) delete(id string) error {
	key := keyBytes(id)
	if k.undo != nil {
		old := k.current(key)
		if old == nil {
			return nil // absent (or deleted twice): nothing to do
		}
		if err := k.image(key, old); err != nil {
			return err
		}
	}
	if err := k.records.Delete(key); err != nil {
		return fmt.Errorf("delete %s/%s: %w", k.kind, id, err)
	}
	return nil
}

// put writes rec; first is false for a second put of one ID, which must
// not see the first one's data as the record before the commit.
func (k *kindWriter) put(rec roster.Record, first bool) error {
	key := keyBytes(rec.ID)
	if k.undo != nil && first {
		switch old := k.current(key); {
		case old == nil:
			if err := k.image(key, tombstone); err != nil {
				return err
			}
		case !bytes.Equal(old, rec.Data):
			if err := k.image(key, old); err != nil {
				return err
			}
		}
	}
	if err := k.records.Put(key, rec.Data); err != nil {
		return fmt.Errorf("put %s/%s: %w", k.kind, rec.ID, err)
	}
	return nil
}

// current returns the stored bytes of key, or nil. They point into the
// transaction's pages, which stay valid until it commits, so the undo log
// refers to them without a copy, as it does to a put's data.
func (k *kindWriter) current(key []byte) []byte {
	got, v := k.cursor.Seek(key)
	if !bytes.Equal(got, key) {
		return nil
	}
	return v
}

func (k *kindWriter) image(key, old []byte) error {
	if k.images == nil {
		var err error
		if k.images, err = k.undo.CreateBucket(k.undoName); err != nil {
			return fmt.Errorf("create undo bucket of %s: %w", k.kind, err)
		}
		// Written once, in key order, and never changed.
		k.images.FillPercent = 1
	}
	if err := k.images.Put(key, old); err != nil {
		return fmt.Errorf("put undo of %s/%s: %w", k.kind, key, err)
	}
	return nil
}

// walkPlan calls put for every put of p and del for every delete, merged
// in key order. first is false for the second and later puts of one ID.
func walkPlan(p kindPlan, put func(rec roster.Record, first bool) error, del func(id string) error) error {
	puts, deletes := p.puts, p.deletes
	i, j := 0, 0
	for i < len(puts) || j < len(deletes) {
		if j < len(deletes) && (i == len(puts) || deletes[j] < puts[i].ID) {
			if err := del(deletes[j]); err != nil {
				return err
			}
			j++
			continue
		}
		if err := put(puts[i], i == 0 || puts[i-1].ID != puts[i].ID); err != nil {
			return err
		}
		i++
	}
	return nil
}

// keyBytes views s as bytes without copying. bbolt only reads the keys
// passed to Get, Seek and Delete and copies the keys passed to Put, so the
// view is never written to; this keeps Snapshot.Get free of allocations
// and spares a first sync a million throwaway copies.
func keyBytes(s string) []byte {
	return unsafe.Slice(unsafe.StringData(s), len(s))
}
