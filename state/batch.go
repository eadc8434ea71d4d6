package state

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/rosterd/rosterd/roster"
	bolt "go.etcd.io/bbolt"
)

// A bbolt write transaction keeps every node it dirties in memory and, at
// commit, allocates a page buffer for each: a first sync of 880 MB of
// records peaked at 1,062 MB of page buffers and 126 MB of nodes, on top
// of the change itself. A large change is therefore committed in batches
// (see doc.go): the new roster of each kind the change names is written
// into connections/<name>/shadow/ over several transactions of bounded
// size, merging the committed records with the change in key order, along
// with the undo log; one small transaction then checks the head, swaps the
// shadow buckets in for the roster's and writes the head, cursor and run.
// Readers see the old roster until that last transaction commits, and a
// process that dies before it leaves only the shadow, which the next
// batched commit, or the next Open for writing, deletes.

const (
	// bigChangeWrites and bigChangeBytes are the size of change above which
	// Commit, Stage and CommitStaged write in batches: more writes (puts
	// and deletes), or more bytes of puts (IDs and records). A write that
	// lands on a page of its own dirties the whole page (16 KiB, see
	// pageSize) and its node. So, of 1.3M users (BenchmarkCommitHeap):
	//   - rewriting every tenth peaked at 828 MB in one transaction and
	//     135 MB in batches;
	//   - 25k writes spread over all of them, at 468 MB in 0.84 s against
	//     142 MB in 3.0 s in batches (with 4 KiB pages, 156 MB in 0.52 s).
	// A change in key order packs its writes and peaks at 1.4 times its
	// bytes: a first sync of 555 MB peaked at 784 MB (132 MB in batches).
	// Below both limits the single transaction is the better path: it
	// rewrites only the pages the change touches, where the batched path
	// copies every record the kinds it changes keep. Its heap never
	// exceeds the kind's size, and it runs after a sync has let its
	// fetched roster go, which is larger.
	bigChangeWrites = 25_000
	bigChangeBytes  = 64 << 20

	// batchWrites and batchBytes bound one batch: records copied or put,
	// and before-images, counted with their keys. A batch peaks at about
	// four times its bytes (nodes, page buffers, and the last batch's
	// garbage the collector has not reclaimed yet): a first sync of 1.3M
	// users peaked at 113, 148 and 206 MB for batches of 8, 16 and 32 MiB,
	// in about the same time (4 KiB pages; 132 MB at 16 MiB with 16 KiB
	// pages). 16 MiB is ~80 batches for an XL district, two fsyncs each.
	batchWrites = 100_000
	batchBytes  = 16 << 20
)

// bucketShadow is the key, in a connection bucket, of a batched write's
// work in progress (see doc.go).
var bucketShadow = []byte("shadow")

// errShadowGone fails a batch, or the swap, that finds no shadow where the
// batches before it left one: only a bug, or a hand edit of the file
// between batches, removes it.
var errShadowGone = errors.New("the shadow of the batched write is gone")

// commitLimits chooses between the single-transaction and the batched
// commit, and bounds the batches. Open sets defaultCommitLimits; tests set
// small ones (export_test.go) to run the batched path on small data.
type commitLimits struct {
	bigWrites   int   // a change of more writes is batched
	bigBytes    int64 // as is one putting more bytes
	batchWrites int   // at most this many writes per batch
	batchBytes  int64 // and this many bytes
}

var defaultCommitLimits = commitLimits{
	bigWrites: bigChangeWrites, bigBytes: bigChangeBytes,
	batchWrites: batchWrites, batchBytes: batchBytes,
}

func (l commitLimits) big(writes int, size int64) bool {
	return writes > l.bigWrites || size > l.bigBytes
}

// planSize returns the writes of plans and the bytes of their puts.
func planSize(plans []kindPlan) (writes int, size int64) {
	for _, p := range plans {
		writes += len(p.puts) + len(p.deletes)
		for _, rec := range p.puts {
			size += int64(len(rec.ID) + len(rec.Data))
		}
	}
	return writes, size
}

// batchedWrite is a write too large for one transaction (a commit, or a
// staged change), written into a connection's shadow in batches and then
// swapped into place by one last transaction, which is the write.
type batchedWrite interface {
	// connection names the connection whose shadow the write fills.
	connection() string
	// batch writes batch n (from 1) inside tx, within limits, and reports
	// whether it was the last. The first batch deletes every shadow left
	// behind and lays out this write's.
	batch(tx *bolt.Tx, n int, limits commitLimits) (done bool, err error)
	// swap is the last transaction: it checks the write may still go
	// ahead, moves the shadow's buckets into place, writes the rest and
	// deletes the shadow.
	swap(tx *bolt.Tx) error
	// committed runs once a batch's transaction has committed: the puts it
	// wrote from the change are on disk and will not be read again.
	committed()
}

// writeBatched writes w in batches and swaps it in. On failure it deletes
// the shadow in a transaction of its own; when that fails too, the next
// batched write or Open deletes it.
func (s *Store) writeBatched(w batchedWrite) error {
	// One batched write at a time, so that a shadow found by the first
	// batch is garbage and not another write's work in progress.
	s.batchMu.Lock()
	defer s.batchMu.Unlock()
	wrote, err := s.writeBatches(w, s.limits)
	if err == nil {
		err = s.db.Update(w.swap)
	}
	if err != nil && wrote {
		cleanup := s.db.Update(func(tx *bolt.Tx) error {
			return dropShadow(tx.Bucket(bucketConnections), []byte(w.connection()))
		})
		if cleanup != nil {
			return errors.Join(err, fmt.Errorf("remove shadow: %w", cleanup))
		}
	}
	return err
}

// writeBatches runs the batches of w, one write transaction each and each
// within limits, until w is written. wrote reports that at least one
// batch committed, leaving a shadow.
func (s *Store) writeBatches(w batchedWrite, limits commitLimits) (wrote bool, err error) {
	defer startWriteback(s.db.Path())()
	for n := 1; ; n++ {
		var done bool
		err := s.db.Update(func(tx *bolt.Tx) error {
			var err error
			done, err = w.batch(tx, n, limits)
			// A batch reads the committed records it merges once; the
			// pages it read need not stay resident (releaseMapped).
			releaseMapped(tx)
			return err
		})
		if err != nil {
			return wrote, err
		}
		wrote = true
		w.committed()
		if s.afterBatch != nil {
			if err := s.afterBatch(n, done); err != nil {
				return wrote, err
			}
		}
		if done {
			return wrote, nil
		}
	}
}

// batchedCommit is one commit written in batches.
type batchedCommit struct {
	conn   string
	base   uint64
	run    Run
	cursor []byte
	kinds  []*kindMerge // in roster.Kinds order
	// check fails the commit when it can no longer go ahead (the run ID is
	// taken, the staged change is gone); it runs in every batch and in the
	// swap, before anything is written.
	check func(tx *bolt.Tx) error
	// writeRun stores the run and its report in the swap, and anything
	// else the commit does there (drop the staged change).
	writeRun func(tx *bolt.Tx) error
	// written is the change's Written, or nil.
	written func(roster.Kind, []roster.Record)
}

func (bc *batchedCommit) connection() string { return bc.conn }

func (bc *batchedCommit) committed() {
	for _, m := range bc.kinds {
		if o, ok := m.ops.(*planOps); ok {
			o.reportWritten(bc.written)
		}
	}
}

// batch writes batch n (from 1) of bc inside tx, until limits are
// reached, and reports whether every kind is merged. The first batch
// deletes every shadow left behind and lays out this commit's.
func (bc *batchedCommit) batch(tx *bolt.Tx, n int, limits commitLimits) (done bool, err error) {
	conns := tx.Bucket(bucketConnections)
	cb := conns.Bucket([]byte(bc.conn))
	if err := checkBase(cb, bc.base); err != nil {
		return false, err
	}
	if err := bc.check(tx); err != nil {
		return false, err
	}
	var shadow *bolt.Bucket
	if n == 1 {
		if err := dropShadows(conns); err != nil {
			return false, err
		}
		if shadow, err = bc.layOut(conns); err != nil {
			return false, err
		}
		cb = conns.Bucket([]byte(bc.conn))
	} else if cb != nil {
		shadow = cb.Bucket(bucketShadow)
	}
	if shadow == nil {
		return false, errShadowGone
	}
	w := batchWriter{
		limits: limits, committed: cb.Bucket(bucketRoster),
		records: shadow.Bucket(bucketRoster), undo: shadow.Bucket(bucketUndo).Bucket(runKey(bc.run.ID)),
	}
	for _, m := range bc.kinds {
		if m.done {
			continue
		}
		if err := w.merge(tx, m); err != nil {
			return false, err
		}
		if !m.done {
			return false, nil // the batch is full
		}
	}
	return true, nil
}

// layOut creates the shadow of bc under its connection bucket, with the
// undo log's base.
func (bc *batchedCommit) layOut(conns *bolt.Bucket) (*bolt.Bucket, error) {
	cb, err := conns.CreateBucketIfNotExists([]byte(bc.conn))
	if err != nil {
		return nil, fmt.Errorf("create connection bucket: %w", err)
	}
	shadow, err := cb.CreateBucket(bucketShadow)
	if err != nil {
		return nil, fmt.Errorf("create shadow: %w", err)
	}
	if _, err := shadow.CreateBucket(bucketRoster); err != nil {
		return nil, fmt.Errorf("create shadow roster: %w", err)
	}
	logs, err := shadow.CreateBucket(bucketUndo)
	if err != nil {
		return nil, fmt.Errorf("create shadow undo: %w", err)
	}
	if _, err := newUndoIn(logs, bc.run.ID, bc.base); err != nil {
		return nil, err
	}
	return shadow, nil
}

// swap is the last transaction of a batched commit: it checks the head
// and bc.check again, stores the run, replaces each roster bucket the
// shadow holds with the shadow's, moves the undo log into place, writes
// the head and cursor, and deletes the shadow. It only moves buckets the
// batches wrote, never opens one to change it: bbolt's MoveBucket moves
// what is on the page and would drop a change made in the same
// transaction.
func (bc *batchedCommit) swap(tx *bolt.Tx) error {
	cb := tx.Bucket(bucketConnections).Bucket([]byte(bc.conn))
	if err := checkBase(cb, bc.base); err != nil {
		return err
	}
	if err := bc.check(tx); err != nil {
		return err
	}
	var shadow *bolt.Bucket
	if cb != nil {
		shadow = cb.Bucket(bucketShadow)
	}
	if shadow == nil {
		return errShadowGone
	}
	if err := bc.writeRun(tx); err != nil {
		return err
	}
	rb, err := cb.CreateBucketIfNotExists(bucketRoster)
	if err != nil {
		return fmt.Errorf("create roster bucket: %w", err)
	}
	records := shadow.Bucket(bucketRoster)
	var kinds [][]byte
	err = records.ForEachBucket(func(name []byte) error {
		kinds = append(kinds, bytes.Clone(name))
		return nil
	})
	if err != nil {
		return err
	}
	for _, name := range kinds {
		if err := deleteBucketIfExists(rb, name); err != nil {
			return fmt.Errorf("delete %s bucket: %w", name, err)
		}
		if err := records.MoveBucket(name, rb); err != nil {
			return fmt.Errorf("move %s bucket into the roster: %w", name, err)
		}
	}
	logs, err := cb.CreateBucketIfNotExists(bucketUndo)
	if err != nil {
		return fmt.Errorf("create undo bucket: %w", err)
	}
	if err := shadow.Bucket(bucketUndo).MoveBucket(runKey(bc.run.ID), logs); err != nil {
		return fmt.Errorf("move undo log of run %d: %w", bc.run.ID, err)
	}
	head, err := json.Marshal(headRecord{RunID: bc.run.ID, CommittedAt: bc.run.Finished})
	if err != nil {
		return fmt.Errorf("encode head: %w", err)
	}
	if err := cb.Put(keyHead, head); err != nil {
		return fmt.Errorf("put head: %w", err)
	}
	if err := putCursor(cb, bc.cursor); err != nil {
		return err
	}
	if err := cb.DeleteBucket(bucketShadow); err != nil {
		return fmt.Errorf("delete shadow: %w", err)
	}
	return nil
}

// checkBase fails with ErrConflict unless the head of the connection
// bucket cb (nil when it has none) is base.
func checkBase(cb *bolt.Bucket, base uint64) error {
	current, err := readHead(cb)
	if err != nil {
		return err
	}
	if current.RunID != base {
		return fmt.Errorf("%w: head is run %d, the change was computed against run %d", ErrConflict, current.RunID, base)
	}
	return nil
}

// dropShadows deletes the shadow of every connection in conns: what a
// batched commit left when its process died, or when it failed and could
// not clean up.
func dropShadows(conns *bolt.Bucket) error { return dropLeftovers(conns, bucketShadow) }

// dropShadow deletes the shadow of connection conn, if any, and the
// connection bucket when nothing else is left in it: a first sync that
// never completed wrote nothing else there.
func dropShadow(conns *bolt.Bucket, conn []byte) error {
	return dropLeftover(conns, conn, bucketShadow)
}

// dropLeftovers deletes the bucket key of every connection in conns that
// has one (dropLeftover).
func dropLeftovers(conns *bolt.Bucket, key []byte) error {
	var names [][]byte
	err := conns.ForEachBucket(func(name []byte) error {
		if conns.Bucket(name).Bucket(key) != nil {
			names = append(names, bytes.Clone(name))
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, name := range names {
		if err := dropLeftover(conns, name, key); err != nil {
			return err
		}
	}
	return nil
}

// dropLeftover deletes the bucket key, a write's work in progress, of
// connection conn, if any, and the connection bucket when nothing else is
// left in it.
func dropLeftover(conns *bolt.Bucket, conn, key []byte) error {
	cb := conns.Bucket(conn)
	if cb == nil || cb.Bucket(key) == nil {
		return nil
	}
	if err := cb.DeleteBucket(key); err != nil {
		return fmt.Errorf("delete %s of %s: %w", key, conn, err)
	}
	if k, _ := cb.Cursor().First(); k == nil {
		if err := conns.DeleteBucket(conn); err != nil {
			return fmt.Errorf("delete empty connection bucket %s: %w", conn, err)
		}
	}
	return nil
}
