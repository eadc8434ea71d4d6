package state

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Run is the record of one run, kept in history. The store keeps the
// strings as given and interprets one value only: RosterAt takes a run
// with Verdict "committed" for a run whose change was committed.
type Run struct {
	ID         uint64
	Connection string
	Source     string // "clever", ...
	Mode       string // "sync" | "preflight"
	Verdict    string // "committed", "refused", "failed", "passed", "held"
	Error      string // failure cause for failed runs

	Started, Finished time.Time

	// Totals of the diff.
	Added, Updated, Deleted int
	// Preflight issue counts.
	Errors, Warnings int

	// Decision is an operator's answer to a held run: "approved",
	// "rejected", or "" while undecided and for runs never held.
	Decision string
	// DecidedBy names who decided, and DecidedAt when.
	DecidedBy string
	DecidedAt time.Time

	// RollbackTo is, for a run that rolled the roster back, the run whose
	// roster it restored; 0 otherwise.
	RollbackTo uint64
}

// runRecord is how a Run is stored. It is separate from Run so the public
// type can change shape without touching what is on disk, and new fields
// can be added without a migration.
type runRecord struct {
	ID         uint64    `json:"id"`
	Connection string    `json:"connection"`
	Source     string    `json:"source,omitempty"`
	Mode       string    `json:"mode,omitempty"`
	Verdict    string    `json:"verdict,omitempty"`
	Error      string    `json:"error,omitempty"`
	Started    time.Time `json:"started"`
	Finished   time.Time `json:"finished"`
	Added      int       `json:"added,omitempty"`
	Updated    int       `json:"updated,omitempty"`
	Deleted    int       `json:"deleted,omitempty"`
	Errors     int       `json:"errors,omitempty"`
	Warnings   int       `json:"warnings,omitempty"`
	// Added after the first release: records written before lack them
	// and decode with the zero values.
	Decision   string    `json:"decision,omitempty"`
	DecidedBy  string    `json:"decided_by,omitempty"`
	DecidedAt  time.Time `json:"decided_at,omitzero"`
	RollbackTo uint64    `json:"rollback_to,omitempty"`
}

func encodeRun(r Run) ([]byte, error) {
	return json.Marshal(runRecord(r))
}

func decodeRun(data []byte) (Run, error) {
	var rec runRecord
	if err := json.Unmarshal(data, &rec); err != nil {
		return Run{}, err
	}
	return Run(rec), nil
}

// RunFilter selects runs from the history.
type RunFilter struct {
	// Connection keeps only the runs of one connection; "" keeps all.
	Connection string
	// Limit caps the number of runs returned; zero or less returns all.
	Limit int
}

// runKey is the 8-byte big-endian form of a run ID, so bbolt's byte order
// is run order.
func runKey(id uint64) []byte {
	return binary.BigEndian.AppendUint64(make([]byte, 0, 8), id)
}

// NextRunID allocates a new run ID, greater than every ID handed out
// before, in its own small write transaction. An ID is never reused, even
// when its run is never recorded.
func (s *Store) NextRunID() (uint64, error) {
	var id uint64
	err := s.db.Update(func(tx *bolt.Tx) error {
		var err error
		id, err = tx.Bucket(bucketRuns).NextSequence()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("allocate run id: %w", err)
	}
	return id, nil
}

// RecordRun stores a run and its report without touching any roster: for
// refused, failed and preflight-only runs. run.ID must come from NextRunID
// and must not be recorded yet (ErrRunRecorded). An empty report is not
// stored.
func (s *Store) RecordRun(run Run, report []byte) error {
	if run.Connection == "" {
		return fmt.Errorf("record run %d: connection name is empty", run.ID)
	}
	value, err := encodeRun(run)
	if err != nil {
		return fmt.Errorf("record run %d: %w", run.ID, err)
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		return putRun(tx, run.ID, value, report)
	})
	if err != nil {
		return fmt.Errorf("record run %d: %w", run.ID, err)
	}
	return nil
}

// UpdateRun replaces the record and report of a run already in the
// history (ErrNotFound otherwise), touching no roster: a committed run
// stores its final report, with the commit's own timing, once the commit
// has landed. An empty report leaves the stored one as it is.
func (s *Store) UpdateRun(run Run, report []byte) error {
	err := s.db.Update(func(tx *bolt.Tx) error {
		return replaceRun(tx, run, report)
	})
	if err != nil {
		return fmt.Errorf("update run %d: %w", run.ID, err)
	}
	return nil
}

// replaceRun replaces, inside tx, the record of a run already in the
// history (ErrNotFound otherwise) and of the same connection, and its
// report unless report is empty.
func replaceRun(tx *bolt.Tx, run Run, report []byte) error {
	value, err := encodeRun(run)
	if err != nil {
		return err
	}
	runs := tx.Bucket(bucketRuns)
	key := runKey(run.ID)
	old := runs.Get(key)
	if old == nil {
		return ErrNotFound
	}
	prev, err := decodeRun(old)
	if err != nil {
		return err
	}
	if prev.Connection != run.Connection {
		return fmt.Errorf("run belongs to connection %q, not %q", prev.Connection, run.Connection)
	}
	if err := runs.Put(key, value); err != nil {
		return fmt.Errorf("put run: %w", err)
	}
	if len(report) == 0 {
		return nil
	}
	if err := tx.Bucket(bucketReports).Put(key, report); err != nil {
		return fmt.Errorf("put report: %w", err)
	}
	return nil
}

// putRun writes a run record and its report inside tx, refusing IDs that
// NextRunID never handed out: such an ID could later be handed out again
// and collide.
func putRun(tx *bolt.Tx, id uint64, record, report []byte) error {
	if err := checkNewRun(tx, id); err != nil {
		return err
	}
	key := runKey(id)
	if err := tx.Bucket(bucketRuns).Put(key, record); err != nil {
		return fmt.Errorf("put run: %w", err)
	}
	if len(report) == 0 {
		return nil
	}
	if err := tx.Bucket(bucketReports).Put(key, report); err != nil {
		return fmt.Errorf("put report: %w", err)
	}
	return nil
}

// checkNewRun fails unless id was handed out by NextRunID and is not
// recorded yet.
func checkNewRun(tx *bolt.Tx, id uint64) error {
	runs := tx.Bucket(bucketRuns)
	if id == 0 || id > runs.Sequence() {
		return fmt.Errorf("run id %d was not allocated by NextRunID (last allocated: %d)", id, runs.Sequence())
	}
	if runs.Get(runKey(id)) != nil {
		return ErrRunRecorded
	}
	return nil
}

// Runs returns the recorded runs that f selects, newest first.
func (s *Store) Runs(f RunFilter) ([]Run, error) {
	var out []Run
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketRuns).Cursor()
		for k, v := c.Last(); k != nil; k, v = c.Prev() {
			if f.Limit > 0 && len(out) == f.Limit {
				break
			}
			run, err := decodeRun(v)
			if err != nil {
				return fmt.Errorf("run %d: %w", binary.BigEndian.Uint64(k), err)
			}
			if f.Connection != "" && run.Connection != f.Connection {
				continue
			}
			out = append(out, run)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list runs: %w", err)
	}
	return out, nil
}

// Run returns the run with the given ID, or an error wrapping ErrNotFound.
func (s *Store) Run(id uint64) (Run, error) {
	var run Run
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketRuns).Get(runKey(id))
		if v == nil {
			return ErrNotFound
		}
		var err error
		run, err = decodeRun(v)
		return err
	})
	if err != nil {
		return Run{}, fmt.Errorf("get run %d: %w", id, err)
	}
	return run, nil
}

// Report returns a copy of the report stored with run id, or an error
// wrapping ErrNotFound when there is none.
func (s *Store) Report(id uint64) ([]byte, error) {
	var report []byte
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketReports).Get(runKey(id))
		if v == nil {
			return ErrNotFound
		}
		report = append([]byte(nil), v...)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("get report of run %d: %w", id, err)
	}
	return report, nil
}
