package main

import (
	"errors"
	"fmt"

	"github.com/rosterd/rosterd/connector"
	"github.com/rosterd/rosterd/preflight"
	"github.com/rosterd/rosterd/roster"
	"github.com/rosterd/rosterd/server"
	"github.com/rosterd/rosterd/state"
)

// backend serves the daemon and its store to the HTTP server.
type backend struct {
	daemon *connector.Daemon
	store  *state.Store
}

var _ server.Backend = backend{}

func (b backend) Connections() []server.ConnectionStatus {
	var out []server.ConnectionStatus
	for _, st := range b.daemon.Statuses() {
		cs := server.ConnectionStatus{Name: st.Name, Source: st.Source, Schedule: st.Schedule, Next: st.Next, Running: st.Running}
		// The history knows the last run even from before this process.
		if runs, err := b.store.Runs(state.RunFilter{Connection: st.Name, Limit: 1}); err == nil && len(runs) == 1 {
			r := server.Run(runs[0])
			cs.Last = &r
		}
		out = append(out, cs)
	}
	return out
}

func (b backend) Trigger(conn string) (bool, error) {
	started, err := b.daemon.Trigger(conn)
	if errors.Is(err, connector.ErrUnknownConnection) {
		return false, fmt.Errorf("%w: %w", server.ErrNotFound, err)
	}
	return started, err
}

func (b backend) Runs(f server.RunFilter) ([]server.Run, error) {
	// The store filters by connection; the verdict is filtered here, so
	// read on until the limit is met.
	runs, err := b.store.Runs(state.RunFilter{Connection: f.Connection})
	if err != nil {
		return nil, err
	}
	out := []server.Run{}
	for _, r := range runs {
		if f.Verdict != "" && r.Verdict != f.Verdict {
			continue
		}
		out = append(out, server.Run(r))
		if f.Limit > 0 && len(out) == f.Limit {
			break
		}
	}
	return out, nil
}

func (b backend) Report(id uint64) (*preflight.Report, error) {
	data, err := b.store.Report(id)
	if err != nil {
		return nil, serverErr(err)
	}
	return preflight.ReadReportJSON(data)
}

func (b backend) Approve(id uint64, by string) (*preflight.Report, error) {
	rep, err := b.daemon.Approve(id, by)
	return rep, serverErr(err)
}

func (b backend) Reject(id uint64, by string) (*preflight.Report, error) {
	rep, err := b.daemon.Reject(id, by)
	return rep, serverErr(err)
}

func (b backend) Roster(conn string, fn func(server.RosterView) error) error {
	if !b.daemon.Has(conn) {
		return fmt.Errorf("%w: connection %q", server.ErrNotFound, conn)
	}
	return b.store.View(conn, func(sn *state.Snapshot) error { return fn(rosterView{sn}) })
}

func (b backend) Ready() error {
	if !b.daemon.Running() {
		return errors.New("the scheduler is not running")
	}
	_, err := b.store.Connections() // the store answers
	return err
}

// rosterView adapts a state snapshot to the server's view.
type rosterView struct{ *state.Snapshot }

func (v rosterView) HeadRunID() uint64 { return v.Head().RunID }

func (v rosterView) Page(kind roster.Kind, after string, limit int, fn func(id, data []byte) error) error {
	return v.Snapshot.Page(kind, after, limit, fn)
}

// serverErr wraps the store's and engine's errors in the server's
// sentinels, so the API answers with the right status.
func serverErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, state.ErrNotFound):
		return fmt.Errorf("%w: %w", server.ErrNotFound, err)
	case errors.Is(err, connector.ErrNotHeld):
		return fmt.Errorf("%w: %w", server.ErrNotHeld, err)
	case errors.Is(err, state.ErrConflict), errors.Is(err, connector.ErrBusy):
		return fmt.Errorf("%w: %w", server.ErrConflict, err)
	}
	return err
}
