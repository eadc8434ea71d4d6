package state

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/rosterd/rosterd/roster"
	bolt "go.etcd.io/bbolt"
)

// keyStagedInfo is the key, in a staged change's bucket, of its
// stagedInfo. Every other key there is a roster.Kind.
var keyStagedInfo = []byte("info")

// Staged is a held run's change, waiting for an operator.
type Staged struct {
	Connection string
	Base       uint64 // the head the change was computed against
	Change     *roster.Change
	// Cursor is the source cursor the commit stores: nil keeps the stored
	// one, empty clears it, as for Commit.
	Cursor []byte
}

// stagedInfo is how a staged change's connection, base and cursor are
// stored.
type stagedInfo struct {
	Connection string `json:"connection"`
	Base       uint64 `json:"base"`
	// Cursor is base64; null keeps the stored cursor and "" clears it.
	Cursor []byte `json:"cursor"`
}

// Stage records run (its record and report) and stages change, computed
// against base, under staged/<run id>, in one transaction; the roster,
// head and cursor are untouched. The change is checked as Commit checks
// it; base is not checked until CommitStaged. run.ID must come from
// NextRunID and not be recorded yet (ErrRunRecorded); run.Connection,
// when set, must be conn. A change as large as Commit would batch is
// written in batches too, and moved into place by the transaction that
// records the run (staged_batch.go).
func (s *Store) Stage(conn string, base uint64, change *roster.Change, cursor []byte, run Run, report []byte) error {
	run, err := runOf(conn, run)
	if err != nil {
		return fmt.Errorf("stage run %d: %w", run.ID, err)
	}
	plans, err := planChange(change)
	if err != nil {
		return fmt.Errorf("stage run %d of %s: %w", run.ID, conn, err)
	}
	record, err := encodeRun(run)
	if err != nil {
		return fmt.Errorf("stage run %d of %s: %w", run.ID, conn, err)
	}
	info, err := json.Marshal(stagedInfo{Connection: conn, Base: base, Cursor: cursor})
	if err != nil {
		return fmt.Errorf("stage run %d of %s: %w", run.ID, conn, err)
	}
	if writes, size := planSize(plans); s.limits.big(writes, size) {
		err = s.writeBatched(&batchedStage{
			conn: conn, id: run.ID, record: record, report: report, info: info, kinds: planOpsOf(plans),
			written: writtenHook(change),
		})
		if err != nil {
			return fmt.Errorf("stage run %d of %s: %w", run.ID, conn, err)
		}
		return nil
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		if err := putRun(tx, run.ID, record, report); err != nil {
			return err
		}
		sb, err := tx.Bucket(bucketStaged).CreateBucket(runKey(run.ID))
		if err != nil {
			return fmt.Errorf("create staged bucket: %w", err)
		}
		if err := sb.Put(keyStagedInfo, info); err != nil {
			return fmt.Errorf("put staged info: %w", err)
		}
		for _, p := range plans {
			if err := stageKind(sb, p); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("stage run %d of %s: %w", run.ID, conn, err)
	}
	return nil
}

// stageKind writes one kind's plan into the staged bucket sb: puts as
// their records, deletes as tombstones, in key order.
func stageKind(sb *bolt.Bucket, p kindPlan) error {
	kb, err := sb.CreateBucket([]byte(p.kind))
	if err != nil {
		return fmt.Errorf("create staged %s bucket: %w", p.kind, err)
	}
	// Written once, in key order, and never changed.
	kb.FillPercent = 1
	return walkPlan(p,
		func(rec roster.Record, _ bool) error {
			if err := kb.Put(keyBytes(rec.ID), rec.Data); err != nil {
				return fmt.Errorf("stage put %s/%s: %w", p.kind, rec.ID, err)
			}
			return nil
		},
		func(id string) error {
			if err := kb.Put(keyBytes(id), tombstone); err != nil {
				return fmt.Errorf("stage delete %s/%s: %w", p.kind, id, err)
			}
			return nil
		})
}

// readStaged reads the staged change in sb as plans, in roster.Kinds
// order, each in key order. With copyData the record bytes are copied;
// without, they point into the transaction.
func readStaged(sb *bolt.Bucket, copyData bool) (stagedInfo, []kindPlan, error) {
	var info stagedInfo
	if err := json.Unmarshal(sb.Get(keyStagedInfo), &info); err != nil {
		return info, nil, fmt.Errorf("read staged info: %w", err)
	}
	err := sb.ForEachBucket(func(name []byte) error {
		if !slices.Contains(roster.Kinds, roster.Kind(name)) {
			return fmt.Errorf("staged change holds unknown kind %q", name)
		}
		return nil
	})
	if err != nil {
		return info, nil, err
	}
	var plans []kindPlan
	for _, kind := range roster.Kinds {
		kb := sb.Bucket([]byte(kind))
		if kb == nil {
			continue
		}
		p := kindPlan{kind: kind}
		err := kb.ForEach(func(id, data []byte) error {
			if len(data) == 0 {
				p.deletes = append(p.deletes, string(id))
				return nil
			}
			if copyData {
				data = slices.Clone(data)
			}
			p.puts = append(p.puts, roster.Record{ID: string(id), Data: data})
			return nil
		})
		if err != nil {
			return info, nil, fmt.Errorf("read staged %s: %w", kind, err)
		}
		if len(p.puts) > 0 || len(p.deletes) > 0 {
			plans = append(plans, p)
		}
	}
	return info, plans, nil
}

// stagedBucket returns the bucket of run id's staged change, or nil. A
// file opened read-only that predates held runs has no staged/ at all.
func stagedBucket(tx *bolt.Tx, id uint64) *bolt.Bucket {
	staged := tx.Bucket(bucketStaged)
	if staged == nil {
		return nil
	}
	return staged.Bucket(runKey(id))
}

// Staged returns run id's staged change, copied out of the store, or an
// error wrapping ErrNotFound. Each kind's puts and deletes come in ID
// order, with a record put twice by the staged change given once.
func (s *Store) Staged(id uint64) (*Staged, error) {
	var st *Staged
	err := s.db.View(func(tx *bolt.Tx) error {
		sb := stagedBucket(tx, id)
		if sb == nil {
			return ErrNotFound
		}
		info, plans, err := readStaged(sb, true)
		if err != nil {
			return err
		}
		st = &Staged{Connection: info.Connection, Base: info.Base, Cursor: info.Cursor, Change: &roster.Change{}}
		for _, p := range plans {
			if len(p.puts) > 0 {
				if st.Change.Put == nil {
					st.Change.Put = make(map[roster.Kind][]roster.Record)
				}
				st.Change.Put[p.kind] = p.puts
			}
			if len(p.deletes) > 0 {
				if st.Change.Delete == nil {
					st.Change.Delete = make(map[roster.Kind][]string)
				}
				st.Change.Delete[p.kind] = p.deletes
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("get staged change of run %d: %w", id, err)
	}
	return st, nil
}

// CommitStaged commits run id's staged change exactly as Commit would
// (undo log, head = {id, run.Finished}, cursor), replaces the run's record
// and report with run and report (an empty report keeps the stored one),
// and drops the staged change, all at once: a large change is written in
// batches and swapped in as Commit does it, reading the staged change a
// batch at a time. run.ID must be id; run.Connection, when set, must be
// the staged change's; run.Verdict should be "committed", which is what
// RosterAt looks for. When the
// connection's head is no longer the staged base it writes nothing and
// returns an error wrapping ErrConflict; ErrNotFound when nothing is
// staged.
func (s *Store) CommitStaged(id uint64, run Run, report []byte) error {
	if run.ID != id {
		return fmt.Errorf("commit staged run %d: the run record is of run %d", id, run.ID)
	}
	bc, err := s.stagedBatch(id, run, report)
	if err != nil {
		return fmt.Errorf("commit staged run %d: %w", id, err)
	}
	if bc != nil {
		if err := s.writeBatched(bc); err != nil {
			return fmt.Errorf("commit staged run %d: %w", id, err)
		}
		return nil
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		sb := stagedBucket(tx, id)
		if sb == nil {
			return ErrNotFound
		}
		info, plans, err := readStaged(sb, false)
		if err != nil {
			return err
		}
		if run, err = runOf(info.Connection, run); err != nil {
			return err
		}
		err = commitTx(tx, info.Connection, info.Base, plans, info.Cursor, run, func() error {
			return replaceRun(tx, run, report)
		})
		if err != nil {
			return err
		}
		// Last: the plans point into the staged bucket's pages, which stay
		// readable until the transaction commits.
		if err := tx.Bucket(bucketStaged).DeleteBucket(runKey(id)); err != nil {
			return fmt.Errorf("drop staged change: %w", err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("commit staged run %d: %w", id, err)
	}
	return nil
}

// DropStaged drops run id's staged change and replaces its record and
// report (a rejection; an empty report keeps the stored one), in one
// transaction; ErrNotFound when nothing is staged. run.ID must be id;
// run.Connection, when set, must be the staged change's.
func (s *Store) DropStaged(id uint64, run Run, report []byte) error {
	if run.ID != id {
		return fmt.Errorf("drop staged run %d: the run record is of run %d", id, run.ID)
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		sb := stagedBucket(tx, id)
		if sb == nil {
			return ErrNotFound
		}
		var info stagedInfo
		if err := json.Unmarshal(sb.Get(keyStagedInfo), &info); err != nil {
			return fmt.Errorf("read staged info: %w", err)
		}
		run, err := runOf(info.Connection, run)
		if err != nil {
			return err
		}
		if err := replaceRun(tx, run, report); err != nil {
			return err
		}
		if err := tx.Bucket(bucketStaged).DeleteBucket(runKey(id)); err != nil {
			return fmt.Errorf("drop staged change: %w", err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("drop staged run %d: %w", id, err)
	}
	return nil
}
