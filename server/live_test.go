package server_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/rosterd/rosterd/clever"
	"github.com/rosterd/rosterd/connector"
	"github.com/rosterd/rosterd/internal/fakeclever"
	"github.com/rosterd/rosterd/internal/stateadapter"
	"github.com/rosterd/rosterd/internal/transport"
	"github.com/rosterd/rosterd/preflight"
	"github.com/rosterd/rosterd/roster"
	"github.com/rosterd/rosterd/server"
	"github.com/rosterd/rosterd/state"
	"github.com/rs/zerolog"
)

// The files of this test package from here on build a real backend: a
// fake Clever feeding a connector.Engine over a state.Store in a temp
// dir, as the daemon wires them.

// liveBackend is a Backend over a real engine and store. A triggered
// sync runs in a goroutine, one at a time per connection.
type liveBackend struct {
	store  *state.Store
	engine *connector.Engine
	conns  map[string]*connector.Connection
	order  []string

	locks map[string]*sync.Mutex // held while a sync of the connection runs
	wg    sync.WaitGroup
}

var _ server.Backend = (*liveBackend)(nil)

// newLiveBackend serves ds from a fake Clever and returns a backend with
// one connection, "district", syncing it into a store in a temp dir.
func newLiveBackend(t *testing.T, ds *fakeclever.Dataset) (*liveBackend, *fakeclever.Server) {
	t.Helper()
	const cleverToken = "clever-t0ken-for-the-fake"
	fake := fakeclever.NewServer(ds, fakeclever.Options{Token: cleverToken})
	cs := httptest.NewServer(fake)
	t.Cleanup(cs.Close)
	store, err := state.Open(filepath.Join(t.TempDir(), "state.db"), state.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	log := zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel)
	client, err := clever.NewClient(clever.Options{Connection: "district", BaseURL: cs.URL + "/v3.0", AuthURL: cs.URL,
		Token: cleverToken, Transport: transport.Options{Logger: log, Retries: 1, RetryWaitMin: time.Millisecond, RetryWaitMax: time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	// Students without a middle name make warnings, so that every run's
	// report has issues to list.
	conn := &connector.Connection{Name: "district", Source: clever.NewSource(client, clever.SourceOptions{}),
		Preflight: preflight.Options{
			Required: map[roster.Entity][]string{roster.EntityStudent: {"name.middle"}},
			Severity: map[string]preflight.Severity{"student.missing_field": preflight.SeverityWarning},
		}}
	b := &liveBackend{
		store:  store,
		engine: connector.NewEngine(stateadapter.Store{Store: store}, log),
		conns:  map[string]*connector.Connection{"district": conn},
		order:  []string{"district"},
		locks:  map[string]*sync.Mutex{"district": {}},
	}
	t.Cleanup(func() {
		b.wg.Wait()
		store.Close()
	})
	return b, fake
}

// sync runs one sync of conn now and returns its report.
func (b *liveBackend) sync(t *testing.T, conn string) *preflight.Report {
	t.Helper()
	rep, err := b.engine.Run(context.Background(), b.conns[conn], connector.RunOptions{Mode: connector.ModeSync})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// wait waits for the triggered syncs to finish.
func (b *liveBackend) wait() { b.wg.Wait() }

func (b *liveBackend) Connections() []server.ConnectionStatus {
	var out []server.ConnectionStatus
	for _, name := range b.order {
		st := server.ConnectionStatus{Name: name, Source: b.conns[name].Source.Kind()}
		if b.locks[name].TryLock() {
			b.locks[name].Unlock()
		} else {
			st.Running = true
		}
		if runs, err := b.store.Runs(state.RunFilter{Connection: name, Limit: 1}); err == nil && len(runs) > 0 {
			last := server.Run(runs[0])
			st.Last = &last
		}
		out = append(out, st)
	}
	return out
}

func (b *liveBackend) Trigger(name string) (bool, error) {
	c, ok := b.conns[name]
	if !ok {
		return false, fmt.Errorf("connection %q: %w", name, server.ErrNotFound)
	}
	mu := b.locks[name]
	if !mu.TryLock() {
		return false, nil
	}
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		defer mu.Unlock()
		b.engine.Run(context.Background(), c, connector.RunOptions{Mode: connector.ModeSync})
	}()
	return true, nil
}

func (b *liveBackend) Runs(f server.RunFilter) ([]server.Run, error) {
	runs, err := b.store.Runs(state.RunFilter{Connection: f.Connection})
	if err != nil {
		return nil, err
	}
	var out []server.Run
	for _, r := range runs {
		if (f.Verdict == "" || r.Verdict == f.Verdict) && len(out) < f.Limit {
			out = append(out, server.Run(r))
		}
	}
	return out, nil
}

func (b *liveBackend) Report(id uint64) (*preflight.Report, error) {
	data, err := b.store.Report(id)
	if err != nil {
		return nil, classify(err)
	}
	return preflight.ReadReportJSON(data)
}

func (b *liveBackend) Approve(id uint64, by string) (*preflight.Report, error) {
	rep, err := b.engine.Approve(id, by)
	return rep, classify(err)
}

func (b *liveBackend) Reject(id uint64, by string) (*preflight.Report, error) {
	rep, err := b.engine.Reject(id, by)
	return rep, classify(err)
}

func (b *liveBackend) Roster(conn string, fn func(server.RosterView) error) error {
	if _, ok := b.conns[conn]; !ok {
		return fmt.Errorf("connection %q: %w", conn, server.ErrNotFound)
	}
	return b.store.View(conn, func(sn *state.Snapshot) error { return fn(rosterView{sn}) })
}

func (b *liveBackend) Ready() error { return nil }

// classified is an error of the store or the engine that also matches
// the server's sentinel for it, keeping its own message.
type classified struct{ err, kind error }

func (c classified) Error() string   { return c.err.Error() }
func (c classified) Unwrap() []error { return []error{c.err, c.kind} }

// classify maps the store's and the engine's errors to the server's.
func classify(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, state.ErrNotFound):
		return classified{err, server.ErrNotFound}
	case errors.Is(err, connector.ErrNotHeld):
		return classified{err, server.ErrNotHeld}
	case errors.Is(err, state.ErrConflict):
		return classified{err, server.ErrConflict}
	}
	return err
}

// rosterView is a snapshot as the server's view, as the daemon's is.
type rosterView struct{ sn *state.Snapshot }

func (v rosterView) HeadRunID() uint64 { return v.sn.Head().RunID }

func (v rosterView) Get(kind roster.Kind, id string) []byte { return v.sn.Get(kind, id) }

func (v rosterView) Page(kind roster.Kind, after string, limit int, fn func(id, data []byte) error) error {
	return v.sn.Page(kind, after, limit, fn)
}
