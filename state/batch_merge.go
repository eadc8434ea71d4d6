package state

import (
	"bytes"
	"fmt"

	"github.com/rosterd/rosterd/roster"
	bolt "go.etcd.io/bbolt"
)

// A batch merges, kind by kind and in key order, the committed records of
// each kind a batched commit changes with the change itself, into the
// shadow's bucket of the kind: the records the change leaves alone are
// copied, puts written, deletes skipped. The before-images go to the
// shadow's undo log, exactly those applyPlans would write. A kindMerge
// remembers the last key merged, so the next batch, in a transaction of
// its own, picks up after it.

// kindMerge is where a batched commit stands in one kind, between
// batches.
type kindMerge struct {
	kind roster.Kind
	ops  opSource
	// after is the last key merged, copied out of the transaction; nil
	// before the first.
	after   []byte
	started bool
	// wasEmpty: the kind held no records before the commit. Its undo log
	// is undoEmptyKind, and it is replaced only when the change puts a
	// record, as applyPlans leaves it.
	wasEmpty bool
	done     bool
}

// opSource yields one kind's change in key order, an ID at a time.
type opSource interface {
	// seek readies the source, inside tx, to yield the ops after key
	// after (all of them for nil).
	seek(tx *bolt.Tx, after []byte) error
	// peek returns the next op's key and the record it puts, nil for a
	// delete; a nil key at the end.
	peek() (key, data []byte)
	advance()
}

// planOps is a kindPlan as an opSource. Its position is kept between
// transactions, so seek has nothing to do.
type planOps struct {
	p    kindPlan
	i, j int // the next put and delete
	last int // the last put of the ID at i, when peeked
	// reported is how many puts reportWritten has passed on.
	reported int
}

// reportWritten passes the puts merged since it last ran to written,
// which may be nil. It runs once they are committed.
func (o *planOps) reportWritten(written func(roster.Kind, []roster.Record)) {
	if written != nil && o.i > o.reported {
		written(o.p.kind, o.p.puts[o.reported:o.i])
	}
	o.reported = o.i
}

func (o *planOps) seek(*bolt.Tx, []byte) error { return nil }

func (o *planOps) peek() (key, data []byte) {
	puts, deletes := o.p.puts, o.p.deletes
	if o.j < len(deletes) && (o.i == len(puts) || deletes[o.j] < puts[o.i].ID) {
		return keyBytes(deletes[o.j]), nil
	}
	if o.i == len(puts) {
		return nil, nil
	}
	// Of several puts of one ID the last wins, as applied in order.
	o.last = o.i
	for o.last+1 < len(puts) && puts[o.last+1].ID == puts[o.i].ID {
		o.last++
	}
	return keyBytes(puts[o.i].ID), puts[o.last].Data
}

func (o *planOps) advance() {
	puts, deletes := o.p.puts, o.p.deletes
	if o.j < len(deletes) && (o.i == len(puts) || deletes[o.j] < puts[o.i].ID) {
		o.j++
		return
	}
	o.i = o.last + 1
}

// planOpsOf returns plans as opSources.
func planOpsOf(plans []kindPlan) []*planOps {
	out := make([]*planOps, len(plans))
	for i, p := range plans {
		out[i] = &planOps{p: p}
	}
	return out
}

// planMerges returns the merges of plans.
func planMerges(plans []kindPlan) []*kindMerge {
	out := make([]*kindMerge, len(plans))
	for i, o := range planOpsOf(plans) {
		out[i] = &kindMerge{kind: o.p.kind, ops: o}
	}
	return out
}

// seekAfter moves c to the first key after after (the first key for nil).
func seekAfter(c *bolt.Cursor, after []byte) (k, v []byte) {
	if after == nil {
		return c.First()
	}
	// Seek lands on after itself when it is still there: it was merged by
	// the batch before, and merging it again would never advance.
	k, v = c.Seek(after)
	if bytes.Equal(k, after) {
		k, v = c.Next()
	}
	return k, v
}

// batchWriter writes one batch: merges into the shadow's roster buckets
// (records) and undo log (undo), counting what it writes against limits.
type batchWriter struct {
	limits    commitLimits
	committed *bolt.Bucket // the connection's roster bucket, or nil
	records   *bolt.Bucket
	undo      *bolt.Bucket
	writes    int
	bytes     int64
}

// full reports that the batch reached its limits. An empty batch never
// is, so every batch makes progress.
func (w *batchWriter) full() bool {
	return w.writes > 0 && (w.writes >= w.limits.batchWrites || w.bytes >= w.limits.batchBytes)
}

func (w *batchWriter) count(key, value []byte) {
	w.writes++
	w.bytes += int64(len(key) + len(value))
}

// merge continues m inside tx until the kind is done or the batch is
// full: committed records the change leaves alone are copied, puts
// written, deletes skipped, and the before-images applyPlans would write
// go to the undo log.
func (w *batchWriter) merge(tx *bolt.Tx, m *kindMerge) error {
	name := []byte(m.kind)
	var c *bolt.Cursor
	var ck, cv []byte
	if w.committed != nil {
		if b := w.committed.Bucket(name); b != nil {
			c = b.Cursor()
			ck, cv = seekAfter(c, m.after)
		}
	}
	if !m.started {
		m.started, m.wasEmpty = true, ck == nil
		if !m.wasEmpty {
			if _, err := w.records.CreateBucket(name); err != nil {
				return fmt.Errorf("create shadow %s bucket: %w", m.kind, err)
			}
		}
	}
	if err := m.ops.seek(tx, m.after); err != nil {
		return err
	}
	k := shadowKind{w: w, kind: m.kind, name: name, records: w.records.Bucket(name), images: w.undo.Bucket(name)}
	if k.records != nil {
		// Not stored: every transaction sets it again.
		k.records.FillPercent = rosterFillPercent
	}
	if k.images != nil {
		k.images.FillPercent = 1
	}
	var last []byte // the last key merged, valid until tx ends
	defer func() {
		if last != nil {
			m.after = bytes.Clone(last)
		}
	}()
	for !w.full() {
		ok, data := m.ops.peek()
		if ck == nil && ok == nil {
			m.done = true
			return nil
		}
		var order int
		switch {
		case ck == nil:
			order = 1
		case ok == nil:
			order = -1
		default:
			order = bytes.Compare(ck, ok)
		}
		switch {
		case order < 0: // a record the change leaves alone
			if err := k.put(ck, cv); err != nil {
				return err
			}
			last = ck
			ck, cv = c.Next()
			continue
		case order > 0: // the change names a record that is absent
			if data != nil {
				if err := k.add(ok, data, m.wasEmpty); err != nil {
					return err
				}
			}
		default: // the change names a record that is there
			if data != nil {
				if err := k.put(ok, data); err != nil {
					return err
				}
			}
			if data == nil || !bytes.Equal(cv, data) {
				if err := k.image(ok, cv); err != nil {
					return err
				}
			}
			ck, cv = c.Next()
		}
		last = ok
		m.ops.advance()
	}
	return nil
}

// shadowKind writes one kind of a batch.
type shadowKind struct {
	w       *batchWriter
	kind    roster.Kind
	name    []byte
	records *bolt.Bucket // nil until the first put into a kind that was empty
	images  *bolt.Bucket // nil until the first before-image
}

func (k *shadowKind) put(key, data []byte) error {
	if k.records == nil {
		// Only a commit that moved the head can have filled the kind since
		// the first batch, and every batch checks the head first.
		return fmt.Errorf("put %s/%s: the kind was empty when the commit began", k.kind, key)
	}
	if err := k.records.Put(key, data); err != nil {
		return fmt.Errorf("put %s/%s: %w", k.kind, key, err)
	}
	k.w.count(key, data)
	return nil
}

// add puts a record the kind did not hold: with a tombstone for its
// before-image, or, in a kind that was empty, nothing but the kind's
// undoEmptyKind, written with its first record.
func (k *shadowKind) add(key, data []byte, wasEmpty bool) error {
	if !wasEmpty {
		if err := k.image(key, tombstone); err != nil {
			return err
		}
		return k.put(key, data)
	}
	if k.records == nil {
		var err error
		if k.records, err = k.w.records.CreateBucket(k.name); err != nil {
			return fmt.Errorf("create shadow %s bucket: %w", k.kind, err)
		}
		k.records.FillPercent = rosterFillPercent
		if err := k.w.undo.Put(k.name, undoEmptyKind); err != nil {
			return fmt.Errorf("put undo of %s: %w", k.kind, err)
		}
	}
	return k.put(key, data)
}

func (k *shadowKind) image(key, old []byte) error {
	if k.images == nil {
		var err error
		if k.images, err = k.w.undo.CreateBucket(k.name); err != nil {
			return fmt.Errorf("create undo bucket of %s: %w", k.kind, err)
		}
		// Written once, in key order, and never changed.
		k.images.FillPercent = 1
	}
	if err := k.images.Put(key, old); err != nil {
		return fmt.Errorf("put undo of %s/%s: %w", k.kind, key, err)
	}
	k.w.count(key, old)
	return nil
}
