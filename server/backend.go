package server

import (
	"errors"
	"time"

	"github.com/rosterd/rosterd/preflight"
	"github.com/rosterd/rosterd/roster"
)

// Errors a Backend wraps, so that the server can answer with the right
// status. A backend wraps them (fmt.Errorf("run %d: %w", id, ErrNotFound),
// or alongside its own: fmt.Errorf("%w: %w", server.ErrConflict, err)),
// and the server tests with errors.Is.
var (
	// ErrNotFound is wrapped for an unknown connection, run or report
	// (404).
	ErrNotFound = errors.New("not found")

	// ErrNotHeld is wrapped by Approve and Reject for a run that is not
	// held for approval (any more) (409).
	ErrNotHeld = errors.New("run is not held for approval")

	// ErrConflict is wrapped by Approve when the committed roster moved
	// after the held run computed its change, so the change no longer
	// applies and a new run must compute it again (409).
	ErrConflict = errors.New("committed roster changed since the run")
)

// Backend is what the server serves: the daemon's connections, its run
// history and the committed rosters. Its methods are called from many
// request goroutines at once and must be safe for concurrent use.
type Backend interface {
	// Connections returns every configured connection and its state, in
	// the order the config lists them.
	Connections() []ConnectionStatus
	// Trigger starts a sync of conn now, in the background, and returns
	// at once. started is false when a sync of conn is already running
	// (scheduled or triggered). The error wraps ErrNotFound for an
	// unknown connection.
	Trigger(conn string) (started bool, err error)
	// Runs returns the history runs f selects, newest first.
	Runs(f RunFilter) ([]Run, error)
	// Report returns the report of run id; the error wraps ErrNotFound
	// when there is none.
	Report(id uint64) (*preflight.Report, error)
	// Approve commits the change held run id staged, recording by as the
	// approver, and returns the run's updated report. The error wraps
	// ErrNotFound, ErrNotHeld or ErrConflict.
	Approve(id uint64, by string) (*preflight.Report, error)
	// Reject drops the change held run id staged, recording by, and
	// returns the run's updated report. The error wraps ErrNotFound or
	// ErrNotHeld.
	Reject(id uint64, by string) (*preflight.Report, error)
	// Roster calls fn with a consistent read view of conn's committed
	// roster: one commit, whatever commits while fn runs. The view is
	// valid only during the call. A connection never committed has an
	// empty view with head 0; the error wraps ErrNotFound for an unknown
	// connection.
	Roster(conn string, fn func(RosterView) error) error
	// Ready returns nil when the daemon can serve: its store is open and
	// its scheduler running.
	Ready() error
}

// RosterView is a read view of one commit of a connection's roster. It
// and every byte slice it hands out are valid only during the Roster call
// that made it.
type RosterView interface {
	// HeadRunID is the run whose commit the view shows: the one that last
	// changed the roster; 0 when nothing was ever committed.
	HeadRunID() uint64
	// Get returns the record of kind with the given id in the store's
	// format (internal/codec JSON), or nil when there is none.
	Get(kind roster.Kind, id string) []byte
	// Page calls fn for the records of kind whose ID sorts after after
	// (every record when after is ""), in ID order, at most limit of
	// them, stopping at the first error fn returns (which Page returns).
	Page(kind roster.Kind, after string, limit int, fn func(id, data []byte) error) error
}

// ConnectionStatus is a configured connection and its state.
type ConnectionStatus struct {
	Name   string `json:"name"`
	Source string `json:"source"` // "clever"
	// Schedule is the connection's cron schedule as configured; "" when it
	// runs only when triggered.
	Schedule string `json:"schedule,omitempty"`
	// Next is when the scheduler runs it next; zero for none.
	Next    time.Time `json:"next,omitzero"`
	Running bool      `json:"running"`
	// Last is the connection's newest run; nil before the first.
	Last *Run `json:"last,omitempty"`
}

// Run is one run of the history. Its fields are those of state.Run, in
// the same order and of the same types, so that a backend reading the
// store converts with server.Run(r).
type Run struct {
	ID         uint64 `json:"id"`
	Connection string `json:"connection"`
	Source     string `json:"source"`
	Mode       string `json:"mode"`    // "sync" | "preflight"
	Verdict    string `json:"verdict"` // a preflight.Verdict
	Error      string `json:"error,omitempty"`

	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished,omitzero"`

	Added   int `json:"added"`
	Updated int `json:"updated"`
	Deleted int `json:"deleted"`

	Errors   int `json:"errors"`
	Warnings int `json:"warnings"`

	// Decision is "approved" or "rejected" for a held run an operator
	// decided, with who and when.
	Decision  string    `json:"decision,omitempty"`
	DecidedBy string    `json:"decided_by,omitempty"`
	DecidedAt time.Time `json:"decided_at,omitzero"`

	// RollbackTo is the run whose roster a rollback restored.
	RollbackTo uint64 `json:"rollback_to,omitempty"`
}

// RunFilter selects runs from the history.
type RunFilter struct {
	// Connection keeps the runs of one connection; "" keeps all.
	Connection string
	// Verdict keeps the runs with one verdict; "" keeps all.
	Verdict string
	// Limit caps the number of runs returned, after the filters; the
	// server always sets it.
	Limit int
}
