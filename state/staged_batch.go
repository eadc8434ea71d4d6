package state

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/rosterd/rosterd/roster"
	bolt "go.etcd.io/bbolt"
)

// A held run's change can be as large as any commit, both when it is
// staged and when it is approved. Stage writes a large one into
// connections/<name>/shadow/staged/<run ID>/ in batches (batch.go) and
// moves it to staged/<run ID>/ in the transaction that records the run;
// CommitStaged reads a large one from staged/ a batch at a time, as the
// batched commit merges it.

// batchedStage is one Stage written in batches.
type batchedStage struct {
	conn   string
	id     uint64
	record []byte // the encoded run
	report []byte
	info   []byte // the encoded stagedInfo
	kinds  []*planOps
	k      int // the kind being written
	// written is the change's Written, or nil.
	written func(roster.Kind, []roster.Record)
}

func (bs *batchedStage) connection() string { return bs.conn }

func (bs *batchedStage) committed() {
	for _, o := range bs.kinds {
		o.reportWritten(bs.written)
	}
}

// batch writes the next puts and tombstones of bs, in kind and key order,
// until limits are reached. The first batch lays out the shadow, with the
// staged change's info.
func (bs *batchedStage) batch(tx *bolt.Tx, n int, limits commitLimits) (done bool, err error) {
	// As in the single transaction: a run recorded already is refused, and
	// before much is written.
	if err := checkNewRun(tx, bs.id); err != nil {
		return false, err
	}
	conns := tx.Bucket(bucketConnections)
	var sb *bolt.Bucket
	if n == 1 {
		if err := dropShadows(conns); err != nil {
			return false, err
		}
		if sb, err = bs.layOut(conns); err != nil {
			return false, err
		}
	} else if sb = bs.shadow(conns); sb == nil {
		return false, errShadowGone
	}
	w := batchWriter{limits: limits}
	for ; bs.k < len(bs.kinds); bs.k++ {
		o := bs.kinds[bs.k]
		name := []byte(o.p.kind)
		kb := sb.Bucket(name)
		if kb == nil {
			if kb, err = sb.CreateBucket(name); err != nil {
				return false, fmt.Errorf("create staged %s bucket: %w", o.p.kind, err)
			}
		}
		// Written once, in key order, and never changed; not stored, so
		// every batch sets it again.
		kb.FillPercent = 1
		for key, data := o.peek(); key != nil; key, data = o.peek() {
			if w.full() {
				return false, nil
			}
			if data == nil {
				data = tombstone // a delete
			}
			if err := kb.Put(key, data); err != nil {
				return false, fmt.Errorf("stage %s/%s: %w", o.p.kind, key, err)
			}
			w.count(key, data)
			o.advance()
		}
	}
	return true, nil
}

// layOut creates the shadow of bs, holding the staged change's bucket
// with its info, and returns that bucket.
func (bs *batchedStage) layOut(conns *bolt.Bucket) (*bolt.Bucket, error) {
	cb, err := conns.CreateBucketIfNotExists([]byte(bs.conn))
	if err != nil {
		return nil, fmt.Errorf("create connection bucket: %w", err)
	}
	shadow, err := cb.CreateBucket(bucketShadow)
	if err != nil {
		return nil, fmt.Errorf("create shadow: %w", err)
	}
	staged, err := shadow.CreateBucket(bucketStaged)
	if err != nil {
		return nil, fmt.Errorf("create shadow staged: %w", err)
	}
	sb, err := staged.CreateBucket(runKey(bs.id))
	if err != nil {
		return nil, fmt.Errorf("create staged bucket: %w", err)
	}
	if err := sb.Put(keyStagedInfo, bs.info); err != nil {
		return nil, fmt.Errorf("put staged info: %w", err)
	}
	return sb, nil
}

// shadow returns the shadow's staged/ bucket of bs, or nil.
func (bs *batchedStage) shadow(conns *bolt.Bucket) *bolt.Bucket {
	cb := conns.Bucket([]byte(bs.conn))
	if cb == nil {
		return nil
	}
	shadow := cb.Bucket(bucketShadow)
	if shadow == nil {
		return nil
	}
	staged := shadow.Bucket(bucketStaged)
	if staged == nil {
		return nil
	}
	return staged.Bucket(runKey(bs.id))
}

// swap records the run and moves the staged change from the shadow to
// staged/, without opening it (see batchedCommit.swap), then deletes the
// shadow and the connection bucket when the shadow was all it held, as the
// single transaction never creates it.
func (bs *batchedStage) swap(tx *bolt.Tx) error {
	if err := putRun(tx, bs.id, bs.record, bs.report); err != nil {
		return err
	}
	conns := tx.Bucket(bucketConnections)
	var shadowStaged *bolt.Bucket
	if cb := conns.Bucket([]byte(bs.conn)); cb != nil {
		if shadow := cb.Bucket(bucketShadow); shadow != nil {
			shadowStaged = shadow.Bucket(bucketStaged)
		}
	}
	if shadowStaged == nil {
		return errShadowGone
	}
	if err := shadowStaged.MoveBucket(runKey(bs.id), tx.Bucket(bucketStaged)); err != nil {
		return fmt.Errorf("move staged change into place: %w", err)
	}
	return dropShadow(conns, []byte(bs.conn))
}

// stagedBatch returns the batched commit of run id's staged change when
// the change is over the store's limits (batch.go), reading it from the
// staged bucket batch by batch; nil to commit it in one transaction, as
// for a change too small, or a run with nothing staged.
func (s *Store) stagedBatch(id uint64, run Run, report []byte) (*batchedCommit, error) {
	var bc *batchedCommit
	err := s.db.View(func(tx *bolt.Tx) error {
		sb := stagedBucket(tx, id)
		if sb == nil {
			return nil
		}
		var writes int
		var size int64
		var kinds []roster.Kind
		for _, kind := range roster.Kinds {
			kb := sb.Bucket([]byte(kind))
			if kb == nil {
				continue
			}
			// Stats reads every page of the bucket, once, and the batches
			// find them in the page cache.
			st := kb.Stats()
			if st.KeyN == 0 {
				continue
			}
			writes += st.KeyN
			size += int64(st.LeafInuse + st.InlineBucketInuse)
			kinds = append(kinds, kind)
		}
		if !s.limits.big(writes, size) {
			return nil
		}
		var info stagedInfo
		if err := json.Unmarshal(sb.Get(keyStagedInfo), &info); err != nil {
			return fmt.Errorf("read staged info: %w", err)
		}
		err := sb.ForEachBucket(func(name []byte) error {
			if !slices.Contains(roster.Kinds, roster.Kind(name)) {
				return fmt.Errorf("staged change holds unknown kind %q", name)
			}
			return nil
		})
		if err != nil {
			return err
		}
		if run, err = runOf(info.Connection, run); err != nil {
			return err
		}
		bc = &batchedCommit{
			conn: info.Connection, base: info.Base, run: run, cursor: info.Cursor,
			check: func(tx *bolt.Tx) error {
				if stagedBucket(tx, id) == nil {
					return ErrNotFound
				}
				return nil
			},
			writeRun: func(tx *bolt.Tx) error {
				if err := replaceRun(tx, run, report); err != nil {
					return err
				}
				if err := tx.Bucket(bucketStaged).DeleteBucket(runKey(id)); err != nil {
					return fmt.Errorf("drop staged change: %w", err)
				}
				return nil
			},
		}
		for _, kind := range kinds {
			bc.kinds = append(bc.kinds, &kindMerge{kind: kind, ops: &stagedOps{id: id, kind: kind}})
		}
		return nil
	})
	return bc, err
}

// stagedOps yields one kind of run id's staged change, read from the
// staged bucket in each transaction: puts as their records, tombstones as
// deletes.
type stagedOps struct {
	id   uint64
	kind roster.Kind
	c    *bolt.Cursor
	k, v []byte
}

func (o *stagedOps) seek(tx *bolt.Tx, after []byte) error {
	sb := stagedBucket(tx, o.id)
	if sb == nil {
		return ErrNotFound
	}
	kb := sb.Bucket([]byte(o.kind))
	if kb == nil {
		return fmt.Errorf("staged change lost its %s", o.kind)
	}
	o.c = kb.Cursor()
	o.k, o.v = seekAfter(o.c, after)
	return nil
}

func (o *stagedOps) peek() (key, data []byte) {
	if len(o.v) == 0 {
		return o.k, nil // a tombstone, or the end
	}
	return o.k, o.v
}

func (o *stagedOps) advance() { o.k, o.v = o.c.Next() }
