package state

import (
	"errors"
	"fmt"
	"time"
)

var (
	// ErrLocked is returned by Open when another process holds the state
	// file for longer than Options.Timeout. bbolt locks the whole file, so
	// only one rosterd writer (or several readers) can have it open.
	ErrLocked = errors.New("state file is locked")

	// ErrNotFound is returned when a run or report is not in the store.
	ErrNotFound = errors.New("not found")

	// ErrConflict is returned by Commit when the connection's committed
	// roster moved after the change was computed: its head is no longer
	// the base the caller named. Nothing was written; computing the change
	// again against the new head resolves it.
	ErrConflict = errors.New("committed roster changed since the diff")

	// ErrSchema is returned by Open when the file's schema version is not
	// one this code can read: written by a newer rosterd, or missing.
	ErrSchema = errors.New("unsupported state schema")

	// ErrRunRecorded is returned by RecordRun and Commit for a run ID the
	// history already holds: a run is recorded once; only UpdateRun
	// replaces its record.
	ErrRunRecorded = errors.New("run already recorded")
)

// lockedError says in plain words who holds the file, for the operator
// who started a second rosterd by mistake.
type lockedError struct {
	path   string
	waited time.Duration
}

func (e *lockedError) Error() string {
	return fmt.Sprintf("state file %s is in use by another rosterd process (waited %s)", e.path, e.waited)
}

func (e *lockedError) Unwrap() error { return ErrLocked }
