package stateadapter

import (
	"errors"
	"fmt"
	"time"

	"github.com/rosterd/rosterd/connector"
	"github.com/rosterd/rosterd/roster"
	"github.com/rosterd/rosterd/state"
)

// Store is a *state.Store seen as the engine's connector.Store.
type Store struct{ *state.Store }

var _ connector.Store = Store{}

// ReadCommitted calls fn with a consistent view of conn's committed roster.
func (s Store) ReadCommitted(conn string, fn func(connector.Committed) error) error {
	return s.View(conn, func(sn *state.Snapshot) error { return fn(committed{sn}) })
}

// Commit applies change and records run and report atomically.
func (s Store) Commit(conn string, base uint64, change *roster.Change, cursor []byte, run connector.RunRecord, report []byte) error {
	return s.Store.Commit(conn, base, change, cursor, Run(run), report)
}

// RecordRun stores a run that commits nothing.
func (s Store) RecordRun(run connector.RunRecord, report []byte) error {
	return s.Store.RecordRun(Run(run), report)
}

// UpdateRun replaces a recorded run's record and report.
func (s Store) UpdateRun(run connector.RunRecord, report []byte) error {
	return s.Store.UpdateRun(Run(run), report)
}

// Stage records a held run and stages its change.
func (s Store) Stage(conn string, base uint64, change *roster.Change, cursor []byte, run connector.RunRecord, report []byte) error {
	return s.Store.Stage(conn, base, change, cursor, Run(run), report)
}

// Cursor returns the cursor conn's last commit stored.
func (s Store) Cursor(conn string) ([]byte, error) {
	var c []byte
	err := s.View(conn, func(sn *state.Snapshot) error {
		c = append([]byte(nil), sn.Cursor()...)
		return nil
	})
	if len(c) == 0 {
		c = nil
	}
	return c, err
}

// LoadRaw returns conn's kept raw roster.
func (s Store) LoadRaw(conn string) (*roster.Roster, error) {
	r, _, err := s.Store.LoadRaw(conn)
	if errors.Is(err, state.ErrNotFound) {
		return nil, fmt.Errorf("%w: %w", connector.ErrNoRaw, err)
	}
	return r, err
}

// Staged returns a held run's staged change.
func (s Store) Staged(id uint64) (*connector.Staged, error) {
	st, err := s.Store.Staged(id)
	if err != nil {
		return nil, err
	}
	return &connector.Staged{Connection: st.Connection, Base: st.Base, Change: st.Change}, nil
}

// CommitStaged commits a held run's staged change.
func (s Store) CommitStaged(id uint64, run connector.RunRecord, report []byte) error {
	return s.Store.CommitStaged(id, Run(run), report)
}

// DropStaged drops a held run's staged change.
func (s Store) DropStaged(id uint64, run connector.RunRecord, report []byte) error {
	return s.Store.DropStaged(id, Run(run), report)
}

// SaveRaw keeps the fetched roster for the rules workbench.
func (s Store) SaveRaw(conn string, r *roster.Roster, fetched time.Time) (string, error) {
	info, err := s.Store.SaveRaw(conn, r, fetched)
	return info.Fingerprint, err
}

// StartRaw begins keeping the roster a fetch is still making.
func (s Store) StartRaw(conn string, r *roster.Roster) connector.RawSave {
	return rawSave{s.Store.StartRaw(conn, r)}
}

// rawSave is a state.RawSave as the engine's RawSave.
type rawSave struct{ *state.RawSave }

func (s rawSave) Finish(r *roster.Roster, fetched time.Time) (string, error) {
	info, err := s.RawSave.Finish(r, fetched)
	return info.Fingerprint, err
}

// KeptRaw describes the kept raw roster.
func (s Store) KeptRaw(conn string) (connector.KeptRaw, error) {
	info, err := s.Store.RawInfo(conn)
	if errors.Is(err, state.ErrNotFound) {
		return connector.KeptRaw{}, nil
	}
	if err != nil {
		return connector.KeptRaw{}, err
	}
	return connector.KeptRaw{
		Fingerprint: info.Fingerprint,
		Sizes:       connector.Sizes{Users: info.Users, Sections: info.Sections},
	}, nil
}

// committed is a snapshot as the engine's Committed view.
type committed struct{ *state.Snapshot }

func (v committed) HeadRunID() uint64 { return v.Head().RunID }

// Run converts the engine's run record to the store's.
func Run(r connector.RunRecord) state.Run {
	return state.Run{
		ID:         r.ID,
		Connection: r.Connection,
		Source:     r.Source,
		Mode:       string(r.Mode),
		Verdict:    string(r.Verdict),
		Error:      r.Error,
		Started:    r.Started,
		Finished:   r.Finished,
		Added:      r.Added,
		Updated:    r.Updated,
		Deleted:    r.Deleted,
		Errors:     r.Errors,
		Warnings:   r.Warnings,
		Decision:   r.Decision,
		DecidedBy:  r.DecidedBy,
		DecidedAt:  r.DecidedAt,
		RollbackTo: r.RollbackTo,
	}
}
