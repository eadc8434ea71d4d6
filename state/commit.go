package state

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/rosterd/rosterd/roster"
	bolt "go.etcd.io/bbolt"
)

// Head names the run whose commit last changed a connection's roster. The
// zero Head means nothing was ever committed.
type Head struct {
	RunID       uint64
	CommittedAt time.Time
}

// headRecord is how a Head is stored.
type headRecord struct {
	RunID       uint64    `json:"run_id"`
	CommittedAt time.Time `json:"committed_at"`
}

// readHead returns the head stored in the connection bucket conn, which
// may be nil when the connection was never written.
func readHead(conn *bolt.Bucket) (Head, error) {
	if conn == nil {
		return Head{}, nil
	}
	raw := conn.Get(keyHead)
	if raw == nil {
		return Head{}, nil
	}
	var rec headRecord
	if err := json.Unmarshal(raw, &rec); err != nil {
		return Head{}, fmt.Errorf("read head: %w", err)
	}
	return Head(rec), nil
}

// Commit applies change to the roster of connection conn and records run
// and report, all at once: a crash leaves either all of it or none of it.
//
// base is the head run ID the change was computed against (0 for a
// connection never committed). When the connection's head is no longer
// base, Commit writes nothing and returns an error wrapping ErrConflict.
//
// A non-empty change moves the head to {run.ID, run.Finished} and writes
// the change's undo log, from which RosterAt rebuilds the roster as it
// stood before; an empty one leaves the roster, the head and the undo
// logs untouched. A non-nil cursor replaces the stored one, and an empty
// non-nil cursor clears it. run.ID must come from NextRunID and not be
// recorded yet; run.Connection, when set, must be conn. A change naming
// an unknown kind, an empty ID or an empty record is refused before
// anything is written.
//
// A change of more than bigChangeWrites writes or bigChangeBytes bytes is
// written in batches of bounded size, in transactions of their own, and
// then swapped in by one last transaction (batch.go): the same all or
// nothing, and the same undo log, for a bounded amount of memory. Readers
// see the old roster until the swap.
//
// bbolt refers to the record data of a change until the transaction that
// writes it commits (in the batched path, each record's batch), so the
// caller must not modify it while Commit runs.
func (s *Store) Commit(conn string, base uint64, change *roster.Change, cursor []byte, run Run, report []byte) error {
	run, err := runOf(conn, run)
	if err != nil {
		return fmt.Errorf("commit run %d: %w", run.ID, err)
	}
	plans, err := planChange(change)
	if err != nil {
		return fmt.Errorf("commit run %d to %s: %w", run.ID, conn, err)
	}
	record, err := encodeRun(run)
	if err != nil {
		return fmt.Errorf("commit run %d to %s: %w", run.ID, conn, err)
	}
	if writes, size := planSize(plans); s.limits.big(writes, size) {
		err = s.writeBatched(&batchedCommit{
			conn: conn, base: base, run: run, cursor: cursor, kinds: planMerges(plans),
			check:    func(tx *bolt.Tx) error { return checkNewRun(tx, run.ID) },
			writeRun: func(tx *bolt.Tx) error { return putRun(tx, run.ID, record, report) },
			written:  writtenHook(change),
		})
	} else {
		err = s.db.Update(func(tx *bolt.Tx) error {
			return commitTx(tx, conn, base, plans, cursor, run, func() error {
				return putRun(tx, run.ID, record, report)
			})
		})
	}
	if err != nil {
		return fmt.Errorf("commit run %d to %s: %w", run.ID, conn, err)
	}
	return nil
}

// writtenHook returns change's Written, which the batched writes call as
// each batch commits; a single transaction has nothing to write after it.
func writtenHook(change *roster.Change) func(roster.Kind, []roster.Record) {
	if change == nil {
		return nil
	}
	return change.Written
}

// commitTx is the body of Commit and CommitStaged, inside tx: it checks
// that conn's head is still base (ErrConflict), stores the run through
// writeRun, then applies plans with their undo log, moves the head to
// {run.ID, run.Finished} when plans is not empty, and stores cursor. The
// run goes first, so a bad run ID fails before a large change is written
// only to be rolled back.
func commitTx(tx *bolt.Tx, conn string, base uint64, plans []kindPlan, cursor []byte, run Run, writeRun func() error) error {
	conns := tx.Bucket(bucketConnections)
	cb := conns.Bucket([]byte(conn))
	current, err := readHead(cb)
	if err != nil {
		return err
	}
	if current.RunID != base {
		return fmt.Errorf("%w: head is run %d, the change was computed against run %d", ErrConflict, current.RunID, base)
	}
	if err := writeRun(); err != nil {
		return err
	}
	if len(plans) == 0 && cursor == nil {
		return nil
	}
	if cb, err = conns.CreateBucketIfNotExists([]byte(conn)); err != nil {
		return fmt.Errorf("create connection bucket: %w", err)
	}
	if len(plans) > 0 {
		undo, err := newUndo(cb, run.ID, base)
		if err != nil {
			return err
		}
		if err := applyPlans(cb, plans, undo); err != nil {
			return err
		}
		head, err := json.Marshal(headRecord{RunID: run.ID, CommittedAt: run.Finished})
		if err != nil {
			return fmt.Errorf("encode head: %w", err)
		}
		if err := cb.Put(keyHead, head); err != nil {
			return fmt.Errorf("put head: %w", err)
		}
	}
	return putCursor(cb, cursor)
}

// runOf returns run as a run of connection conn: its Connection set to
// conn when empty, an error when it names another one.
func runOf(conn string, run Run) (Run, error) {
	switch {
	case conn == "":
		return run, errors.New("connection name is empty")
	case run.Connection == "":
		run.Connection = conn
	case run.Connection != conn:
		return run, fmt.Errorf("run belongs to connection %s, not %s", run.Connection, conn)
	}
	return run, nil
}

func putCursor(conn *bolt.Bucket, cursor []byte) error {
	switch {
	case cursor == nil:
		return nil
	case len(cursor) == 0:
		if err := conn.Delete(keyCursor); err != nil {
			return fmt.Errorf("clear cursor: %w", err)
		}
	default:
		if err := conn.Put(keyCursor, cursor); err != nil {
			return fmt.Errorf("put cursor: %w", err)
		}
	}
	return nil
}
