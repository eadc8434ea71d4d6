package state

import (
	"encoding/json"
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
// and report, all in one write transaction: a crash leaves either all of
// it or none of it.
//
// base is the head run ID the change was computed against (0 for a
// connection never committed). When the connection's head is no longer
// base, Commit writes nothing and returns an error wrapping ErrConflict.
//
// A non-empty change moves the head to {run.ID, run.Finished}; an empty
// one leaves the roster and the head untouched. A non-nil cursor replaces
// the stored one, and an empty non-nil cursor clears it. run.ID must come
// from NextRunID and not be recorded yet; run.Connection, when set, must
// be conn. A change naming an unknown kind, an empty ID or an empty record
// is refused before anything is written.
//
// bbolt refers to the change's record data until the transaction commits,
// so the caller must not modify it while Commit runs.
func (s *Store) Commit(conn string, base uint64, change *roster.Change, cursor []byte, run Run, report []byte) error {
	if conn == "" {
		return fmt.Errorf("commit run %d: connection name is empty", run.ID)
	}
	switch run.Connection {
	case "":
		run.Connection = conn
	case conn:
	default:
		return fmt.Errorf("commit run %d to %s: run belongs to connection %s", run.ID, conn, run.Connection)
	}
	plans, err := planChange(change)
	if err != nil {
		return fmt.Errorf("commit run %d to %s: %w", run.ID, conn, err)
	}
	record, err := encodeRun(run)
	if err != nil {
		return fmt.Errorf("commit run %d to %s: %w", run.ID, conn, err)
	}
	head, err := json.Marshal(headRecord{RunID: run.ID, CommittedAt: run.Finished})
	if err != nil {
		return fmt.Errorf("commit run %d to %s: %w", run.ID, conn, err)
	}

	err = s.db.Update(func(tx *bolt.Tx) error {
		conns := tx.Bucket(bucketConnections)
		cb := conns.Bucket([]byte(conn))
		current, err := readHead(cb)
		if err != nil {
			return err
		}
		if current.RunID != base {
			return fmt.Errorf("%w: head is run %d, the change was computed against run %d", ErrConflict, current.RunID, base)
		}
		// The run first: a bad run ID fails before a large change is
		// written only to be rolled back.
		if err := putRun(tx, run.ID, record, report); err != nil {
			return err
		}
		if len(plans) == 0 && cursor == nil {
			return nil
		}
		if cb, err = conns.CreateBucketIfNotExists([]byte(conn)); err != nil {
			return fmt.Errorf("create connection bucket: %w", err)
		}
		if len(plans) > 0 {
			if err := applyPlans(cb, plans); err != nil {
				return err
			}
			if err := cb.Put(keyHead, head); err != nil {
				return fmt.Errorf("put head: %w", err)
			}
		}
		return putCursor(cb, cursor)
	})
	if err != nil {
		return fmt.Errorf("commit run %d to %s: %w", run.ID, conn, err)
	}
	return nil
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
