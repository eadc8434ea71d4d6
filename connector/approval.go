package connector

import (
	"context"
	"errors"
	"fmt"

	"github.com/rosterd/rosterd/preflight"
	"github.com/rosterd/rosterd/roster"
)

// ErrNotHeld is returned by Approve and Reject for a run that is not held
// (any more).
var ErrNotHeld = errors.New("run is not held for approval")

// Approve commits exactly the change held run id staged, recording who
// approved it and when, if the connection's committed roster has not moved
// since the run (otherwise the store's conflict error is returned and
// nothing is written: the change was computed against a roster that is no
// longer there, so a new run must compute it again).
func (e *Engine) Approve(id uint64, by string) (*preflight.Report, error) {
	rep, err := e.heldReport(id)
	if err != nil {
		return nil, err
	}
	start := e.now()
	rep.Verdict = preflight.VerdictCommitted
	rep.Decision = &preflight.Decision{Action: "approved", By: by, At: start}
	r := e.reopen(rep)
	data, err := r.encodeReport()
	if err != nil {
		return nil, err
	}
	if err := e.store.CommitStaged(id, r.record(), data); err != nil {
		return nil, fmt.Errorf("approve run %d: %w", id, err)
	}
	r.log.Info().Str("by", by).Msg("held run approved and committed")
	return rep, nil
}

// Reject drops the change held run id staged, recording who rejected it
// and when. The committed roster is untouched.
func (e *Engine) Reject(id uint64, by string) (*preflight.Report, error) {
	rep, err := e.heldReport(id)
	if err != nil {
		return nil, err
	}
	rep.Verdict = preflight.VerdictRejected
	rep.Decision = &preflight.Decision{Action: "rejected", By: by, At: e.now()}
	r := e.reopen(rep)
	data, err := r.encodeReport()
	if err != nil {
		return nil, err
	}
	if err := e.store.DropStaged(id, r.record(), data); err != nil {
		return nil, fmt.Errorf("reject run %d: %w", id, err)
	}
	r.log.Info().Str("by", by).Msg("held run rejected; its change was dropped")
	return rep, nil
}

// heldReport reads the report of run id and checks the run is held with
// a staged change.
func (e *Engine) heldReport(id uint64) (*preflight.Report, error) {
	data, err := e.store.Report(id)
	if err != nil {
		return nil, fmt.Errorf("run %d: %w", id, err)
	}
	rep, err := preflight.ReadReportJSON(data)
	if err != nil {
		return nil, fmt.Errorf("run %d: %w", id, err)
	}
	if rep.Verdict != preflight.VerdictHeld {
		return nil, fmt.Errorf("run %d is %s: %w", id, rep.Verdict, ErrNotHeld)
	}
	if _, err := e.store.Staged(id); err != nil {
		return nil, fmt.Errorf("run %d: its staged change: %w", id, err)
	}
	return rep, nil
}

// reopen wraps a stored report in a run, to record it again.
func (e *Engine) reopen(rep *preflight.Report) *run {
	return &run{
		engine: e,
		mode:   Mode(rep.Mode),
		log:    e.log.With().Uint64(logRunID, rep.RunID).Str(logConnection, rep.Connection).Logger(),
		report: rep,
	}
}

// Rollback restores c's roster to what run `to` committed, as a run of its
// own: the restored roster goes through preflight, the guards and the
// commit like any fetched roster (so a large rollback is held), without
// the sharing rules, which made it what it was. Pause windows do not stop
// a rollback: an operator asked for it.
func (e *Engine) Rollback(ctx context.Context, c *Connection, to uint64) (*preflight.Report, error) {
	rc := &Connection{
		Name:      c.Name,
		Source:    rollbackSource{store: e.store, conn: c.Name, to: to},
		Preflight: c.Preflight,
		Location:  c.Location,
	}
	return e.Run(ctx, rc, RunOptions{Mode: ModeSync, Force: true, rollbackTo: to})
}

// rollbackSource serves the roster an earlier run committed.
type rollbackSource struct {
	store Store
	conn  string
	to    uint64
}

func (s rollbackSource) Kind() string { return "rollback" }

func (s rollbackSource) Fetch(context.Context) (*roster.Roster, error) {
	r, err := s.store.RosterAt(s.conn, s.to)
	if err != nil {
		return nil, fmt.Errorf("roster as run %d committed it: %w", s.to, err)
	}
	return r, nil
}
