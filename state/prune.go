package state

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// Prune deletes, of each connection's runs, those beyond the keep newest
// (keep 0: no limit by count) and those finished before now-maxAge
// (maxAge 0: no limit by age), with their reports, staged changes and
// undo logs, in one transaction, and returns how many runs it deleted.
// It never deletes the run that is a connection's head, nor a held run
// whose staged change is younger than maxAge (any, when maxAge is 0).
//
// A run's age is its Finished time, or Started when Finished is zero. An
// undo log that the history can no longer reach, because a later one was
// deleted, goes too, even when its run stays. RosterAt of a run before
// what is left fails with ErrHistoryPruned.
func (s *Store) Prune(keep int, maxAge time.Duration, now time.Time) (int, error) {
	if keep < 0 || maxAge < 0 {
		return 0, fmt.Errorf("prune: negative limit (keep %d, max age %s)", keep, maxAge)
	}
	if keep == 0 && maxAge == 0 {
		return 0, nil
	}
	cutoff := now.Add(-maxAge)
	var deleted int
	err := s.db.Update(func(tx *bolt.Tx) error {
		victims, err := pruneVictims(tx, keep, maxAge, cutoff)
		if err != nil {
			return err
		}
		deleted = len(victims)
		return deleteRuns(tx, victims)
	})
	if err != nil {
		return 0, fmt.Errorf("prune history: %w", err)
	}
	return deleted, nil
}

// pruneVictim is a run Prune deletes.
type pruneVictim struct {
	id   uint64
	conn string
}

// pruneVictims returns the runs to delete, newest first.
func pruneVictims(tx *bolt.Tx, keep int, maxAge time.Duration, cutoff time.Time) ([]pruneVictim, error) {
	conns := tx.Bucket(bucketConnections)
	heads := make(map[string]uint64)
	headOf := func(conn string) (uint64, error) {
		if h, ok := heads[conn]; ok {
			return h, nil
		}
		h, err := readHead(conns.Bucket([]byte(conn)))
		if err != nil {
			return 0, fmt.Errorf("connection %s: %w", conn, err)
		}
		heads[conn] = h.RunID
		return h.RunID, nil
	}
	seen := make(map[string]int)
	var victims []pruneVictim
	c := tx.Bucket(bucketRuns).Cursor()
	for k, v := c.Last(); k != nil; k, v = c.Prev() {
		id := binary.BigEndian.Uint64(k)
		run, err := decodeRun(v)
		if err != nil {
			return nil, fmt.Errorf("run %d: %w", id, err)
		}
		seen[run.Connection]++
		finished := run.Finished
		if finished.IsZero() {
			finished = run.Started
		}
		old := maxAge > 0 && finished.Before(cutoff)
		over := keep > 0 && seen[run.Connection] > keep
		if !old && !over {
			continue
		}
		head, err := headOf(run.Connection)
		if err != nil {
			return nil, err
		}
		if id == head || (!old && stagedBucket(tx, id) != nil) {
			continue
		}
		victims = append(victims, pruneVictim{id: id, conn: run.Connection})
	}
	return victims, nil
}

// deleteRuns deletes victims, newest first, with everything kept for
// them, records per connection the newest run deleted, and drops the undo
// logs left out of reach.
func deleteRuns(tx *bolt.Tx, victims []pruneVictim) error {
	runs, reports, staged := tx.Bucket(bucketRuns), tx.Bucket(bucketReports), tx.Bucket(bucketStaged)
	conns := tx.Bucket(bucketConnections)
	newest := make(map[string]uint64)
	for _, v := range victims {
		key := runKey(v.id)
		if err := runs.Delete(key); err != nil {
			return fmt.Errorf("delete run %d: %w", v.id, err)
		}
		if err := reports.Delete(key); err != nil {
			return fmt.Errorf("delete report of run %d: %w", v.id, err)
		}
		if err := deleteBucketIfExists(staged, key); err != nil {
			return fmt.Errorf("delete staged change of run %d: %w", v.id, err)
		}
		if cb := conns.Bucket([]byte(v.conn)); cb != nil && cb.Bucket(bucketUndo) != nil {
			if err := deleteBucketIfExists(cb.Bucket(bucketUndo), key); err != nil {
				return fmt.Errorf("delete undo log of run %d: %w", v.id, err)
			}
		}
		newest[v.conn] = max(newest[v.conn], v.id)
	}
	for conn, id := range newest {
		if conn == "" {
			continue // not a run any writer records; nothing to mark
		}
		cb, err := conns.CreateBucketIfNotExists([]byte(conn))
		if err != nil {
			return fmt.Errorf("create connection bucket: %w", err)
		}
		if id > prunedThrough(cb) {
			if err := cb.Put(keyPruned, runKey(id)); err != nil {
				return fmt.Errorf("put pruned mark of %s: %w", conn, err)
			}
		}
		if err := dropUnreachableUndo(cb); err != nil {
			return fmt.Errorf("connection %s: %w", conn, err)
		}
	}
	return nil
}

// dropUnreachableUndo deletes the undo logs of the connection bucket cb
// that the walk from its head down no longer reaches: those below a
// missing log, which RosterAt could never apply.
func dropUnreachableUndo(cb *bolt.Bucket) error {
	logs := cb.Bucket(bucketUndo)
	if logs == nil {
		return nil
	}
	head, err := readHead(cb)
	if err != nil {
		return err
	}
	next := head.RunID // the log the walk needs next; 0 once it is done
	var drop [][]byte
	c := logs.Cursor()
	for k, _ := c.Last(); k != nil; k, _ = c.Prev() {
		if id := binary.BigEndian.Uint64(k); next != 0 && id == next {
			if next, err = undoBase(logs.Bucket(k)); err != nil {
				return fmt.Errorf("undo log of run %d: %w", id, err)
			}
			continue
		}
		drop = append(drop, slices.Clone(k))
	}
	for _, k := range drop {
		if err := logs.DeleteBucket(k); err != nil {
			return fmt.Errorf("delete undo log of run %d: %w", binary.BigEndian.Uint64(k), err)
		}
	}
	return nil
}

func deleteBucketIfExists(parent *bolt.Bucket, key []byte) error {
	err := parent.DeleteBucket(key)
	if errors.Is(err, bolterrors.ErrBucketNotFound) {
		return nil
	}
	return err
}
