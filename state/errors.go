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

	// ErrNotFound is returned when a run, report or staged change is not
	// in the store, and by RosterAt for a run that is not a committed run
	// of the connection.
	ErrNotFound = errors.New("not found")

	// ErrConflict is returned by Commit and CommitStaged when the
	// connection's committed roster moved after the change was computed:
	// its head is no longer the base the change names. Nothing was
	// written; computing the change again against the new head resolves
	// it.
	ErrConflict = errors.New("committed roster changed since the diff")

	// ErrSchema is returned by Open when the file's schema version is not
	// one this code can read: written by a newer rosterd, or missing.
	ErrSchema = errors.New("unsupported state schema")

	// ErrRunRecorded is returned by RecordRun, Commit and Stage for a run
	// ID the history already holds: a run is recorded once; only
	// UpdateRun, CommitStaged and DropStaged replace its record.
	ErrRunRecorded = errors.New("run already recorded")

	// ErrHistoryPruned is returned by RosterAt when the history no longer
	// reaches the run asked for: Prune deleted the run, or the undo log of
	// a later commit (or that commit predates undo logs), so the roster as
	// that run left it cannot be rebuilt.
	ErrHistoryPruned = errors.New("history pruned")
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
