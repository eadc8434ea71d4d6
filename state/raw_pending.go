package state

import (
	"encoding/json"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// A large raw roster is not stored in one transaction. bbolt refers to
// every value put until its transaction commits, and then writes the
// dirty pages from buffers it allocates, so storing an XL district's 78
// MB of chunks at once put them on the heap twice over, just before the
// collection that follows the snapshot: that was the sync's peak. Instead,
// once a save holds rawWriteEvery bytes of chunks, it appends them to
// connections/<name>/raw_pending/raw, in a transaction of their own, and
// fills the same chunks again; when the stream is whole, one small
// transaction deletes the kept chunks, moves the pending ones into their
// place and writes raw_info. Readers see the kept raw roster until then.
// A save that fails or is aborted deletes what it wrote, and what a
// process that died left is deleted by the next save of the connection
// or the next Open for writing. Together with chunks that fit bbolt's
// reused page buffers (rawChunkSize), this took an XL first sync's heap
// before that collection from 1,029-1,051 MiB to 939-941 MiB, and its
// snapshot phase from 1.24-1.78 s to 0.93-1.46 s (by hand, alternated).

// rawWriteEvery is how many bytes of compressed chunks a save holds
// before it writes them to the pending bucket: about ten transactions
// for an XL district. A save that never holds as much (a district of up
// to about 80,000 students) stores its chunks in one transaction, as it
// always did.
const rawWriteEvery = 8 << 20

// rawChunking is how a store cuts raw rosters into chunks and how many
// bytes of them a save holds before writing them to the pending bucket.
// Open sets rawChunkingFor its page size; tests set smaller ones (export_test.go)
// to write small rosters in several transactions.
type rawChunking struct {
	chunkSize  int
	writeEvery int
}

// rawChunkingFor is the chunking of a file of pageSize pages.
func rawChunkingFor(pageSize int) rawChunking {
	return rawChunking{chunkSize: rawChunkSize(pageSize), writeEvery: rawWriteEvery}
}

// rawChunkSize is the size of every chunk but the last in a file of
// pageSize pages: two chunks, their keys and bbolt's headers fill a leaf
// page (8,160 bytes of 16 KiB pages; an XL district's 78 MB are about
// 9,600 chunks). bbolt writes a transaction's dirty pages from buffers
// it allocates, and reuses only those of single pages: 1 MiB chunks,
// each on overflow pages of its own, made the heap find room for every
// byte stored again, 78 MB at XL. (Files hold chunks of either size;
// readers do not mind.)
func rawChunkSize(pageSize int) int {
	const leafOverhead = 16 + 2*(16+8) // page header, two elements, two keys
	return (pageSize - leafOverhead) / 2
}

// bucketRawPending is the key, in a connection bucket, of the bucket
// holding a raw roster being written: it holds one bucket, keyed
// bucketRaw, so that the swap can move it into place under that name.
var bucketRawPending = []byte("raw_pending")

// rawPending is the pending raw roster of one save.
type rawPending struct {
	s       *Store
	conn    string
	written int // chunks in the pending bucket, numbered from 0
}

// write appends chunks to the pending bucket, in a transaction of its
// own. The first write deletes whatever pending raw roster a save before
// left, and lays out this one's.
func (p *rawPending) write(chunks [][]byte) error {
	if len(chunks) == 0 {
		return nil
	}
	err := p.s.db.Update(func(tx *bolt.Tx) error {
		var rb *bolt.Bucket
		if p.written == 0 {
			conns := tx.Bucket(bucketConnections)
			if err := dropRawPending(conns, []byte(p.conn)); err != nil {
				return err
			}
			cb, err := conns.CreateBucketIfNotExists([]byte(p.conn))
			if err != nil {
				return fmt.Errorf("create connection bucket: %w", err)
			}
			pb, err := cb.CreateBucket(bucketRawPending)
			if err != nil {
				return fmt.Errorf("create pending raw bucket: %w", err)
			}
			if rb, err = pb.CreateBucket(bucketRaw); err != nil {
				return fmt.Errorf("create pending raw chunks: %w", err)
			}
		} else if rb = pendingRawChunks(tx, p.conn); rb == nil {
			return errRawPendingGone
		}
		return putRawChunks(rb, p.written, chunks)
	})
	if err != nil {
		return fmt.Errorf("write pending raw chunks: %w", err)
	}
	p.written += len(chunks)
	if hook := p.s.afterRawWrite; hook != nil {
		return hook(p.written)
	}
	return nil
}

// place writes the last chunks to the pending bucket and then, in one
// transaction, puts the pending chunks in place of the kept ones, with
// rec as their raw_info; nothing is pending after it succeeds.
func (p *rawPending) place(last [][]byte, rec *rawInfoRecord) error {
	if err := p.write(last); err != nil {
		return err
	}
	info, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	err = p.s.db.Update(func(tx *bolt.Tx) error {
		cb := tx.Bucket(bucketConnections).Bucket([]byte(p.conn))
		if pendingRawChunks(tx, p.conn) == nil {
			return errRawPendingGone
		}
		if err := deleteBucketIfExists(cb, bucketRaw); err != nil {
			return fmt.Errorf("delete old raw chunks: %w", err)
		}
		// The pending chunks were written by earlier transactions, and
		// this one changes nothing in them: bbolt's MoveBucket moves what
		// is on the page (see batchedCommit.swap).
		pb := cb.Bucket(bucketRawPending)
		if err := pb.MoveBucket(bucketRaw, cb); err != nil {
			return fmt.Errorf("move pending raw chunks into place: %w", err)
		}
		if err := cb.DeleteBucket(bucketRawPending); err != nil {
			return fmt.Errorf("delete pending raw bucket: %w", err)
		}
		if err := cb.Put(keyRawInfo, info); err != nil {
			return fmt.Errorf("put raw info: %w", err)
		}
		return nil
	})
	if err == nil {
		p.written = 0
	}
	return err
}

// drop deletes what the save wrote to the pending bucket, if anything.
func (p *rawPending) drop() error {
	if p.written == 0 {
		return nil
	}
	p.written = 0
	err := p.s.db.Update(func(tx *bolt.Tx) error {
		return dropRawPending(tx.Bucket(bucketConnections), []byte(p.conn))
	})
	if err != nil {
		return fmt.Errorf("delete pending raw chunks: %w", err)
	}
	return nil
}

// errRawPendingGone fails a save that finds no pending bucket where its
// earlier writes left one: only a bug, or a hand edit of the file, removes
// it.
var errRawPendingGone = errors.New("the pending raw roster is gone")

// pendingRawChunks returns the bucket of conn's pending chunks, or nil.
func pendingRawChunks(tx *bolt.Tx, conn string) *bolt.Bucket {
	cb := tx.Bucket(bucketConnections).Bucket([]byte(conn))
	if cb == nil {
		return nil
	}
	pb := cb.Bucket(bucketRawPending)
	if pb == nil {
		return nil
	}
	return pb.Bucket(bucketRaw)
}

// dropRawPending deletes the pending raw roster of connection conn, if
// any, and the connection bucket when nothing else is left in it: a first
// sync whose save never finished wrote nothing else there.
func dropRawPending(conns *bolt.Bucket, conn []byte) error {
	return dropLeftover(conns, conn, bucketRawPending)
}
