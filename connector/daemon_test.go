package connector_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rosterd/rosterd/connector"
	"github.com/rosterd/rosterd/preflight"
	"github.com/rosterd/rosterd/roster"
	"github.com/rs/zerolog"
)

// changingSource serves district() with a section renamed on every fetch,
// so each run has something to commit; block, when set, holds each fetch
// until it is closed or the run's context ends.
type changingSource struct {
	n       atomic.Int32
	block   chan struct{}
	fetched chan struct{} // receives once per fetch that started
}

func (s *changingSource) Kind() string { return "fake" }

func (s *changingSource) Fetch(ctx context.Context) (*roster.Roster, error) {
	n := s.n.Add(1)
	if s.fetched != nil {
		s.fetched <- struct{}{}
	}
	if s.block != nil {
		select {
		case <-s.block:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	r := district()
	r.Sections[0].Name = "Homeroom " + string(rune('A'+n%26))
	return r, nil
}

// reports collects the reports a daemon's runs produce.
type reports struct {
	mu   sync.Mutex
	list []*preflight.Report
	ch   chan *preflight.Report
}

func newReports() *reports { return &reports{ch: make(chan *preflight.Report, 100)} }

func (r *reports) add(rep *preflight.Report) {
	r.mu.Lock()
	r.list = append(r.list, rep)
	r.mu.Unlock()
	r.ch <- rep
}

func (r *reports) next(t *testing.T, within time.Duration) *preflight.Report {
	t.Helper()
	select {
	case rep := <-r.ch:
		return rep
	case <-time.After(within):
		t.Fatalf("no run finished within %s", within)
		return nil
	}
}

func newDaemon(t *testing.T, store connector.Store, sc connector.Scheduled, got *reports) *connector.Daemon {
	t.Helper()
	d, err := connector.NewDaemon(newEngine(t, store), []connector.Scheduled{sc},
		connector.DaemonOptions{Logger: zerolog.New(zerolog.NewTestWriter(t)), OnRun: got.add})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// stopWatch is a log writer that counts what is written after closed is
// set, as a test's log would fail when written after the test ends.
type stopWatch struct {
	mu       sync.Mutex
	closed   bool
	late     int
	cronStop bool // cron's own "stop" was logged
}

func (w *stopWatch) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		w.late++
	}
	if strings.Contains(string(p), "cron: stop") {
		w.cronStop = true
	}
	return len(p), nil
}

// Ensure the daemon writes nothing to its log once Stop has returned:
// cron's loop logs its stop after Stop hands it the signal, which once
// wrote into a test's log after the test had ended.
func TestDaemon_LogsNothingAfterStop(t *testing.T) {
	w := &stopWatch{}
	d, err := connector.NewDaemon(newEngine(t, newMemStore()), []connector.Scheduled{{
		Connection: &connector.Connection{Name: "c", Source: &changingSource{}}, Schedule: "@every 1h",
	}}, connector.DaemonOptions{Logger: zerolog.New(w).Level(zerolog.DebugLevel)})
	if err != nil {
		t.Fatal(err)
	}
	d.Start()
	if err := d.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	w.mu.Lock()
	w.closed = true
	w.mu.Unlock()
	time.Sleep(50 * time.Millisecond) // room for a late write to show
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.late != 0 || w.cronStop {
		t.Errorf("after Stop the daemon wrote %d log lines (cron logged its stop: %v), want none", w.late, w.cronStop)
	}
}

// Ensure a schedule of every second commits run after run, and a stop
// lets the daemon end cleanly.
func TestDaemon_Schedule(t *testing.T) {
	store := newMemStore()
	got := newReports()
	d := newDaemon(t, store, connector.Scheduled{
		Connection: &connector.Connection{Name: "c", Source: &changingSource{}}, Schedule: "@every 1s",
	}, got)
	d.Start()
	for i := range 2 {
		if rep := got.next(t, 5*time.Second); rep.Verdict != preflight.VerdictCommitted {
			t.Fatalf("run %d: %s", i, rep.Verdict)
		}
	}
	st := d.Statuses()
	if len(st) != 1 || st[0].Next.IsZero() || st[0].Last == nil || st[0].Schedule != "@every 1s" {
		t.Errorf("status %+v", st)
	}
	if err := d.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if store.commits < 2 {
		t.Errorf("%d commits, want at least 2", store.commits)
	}
	if d.Running() {
		t.Error("Running after Stop")
	}
}

// Ensure a trigger while a run is under way starts none, and that Stop
// waits for the run to finish.
func TestDaemon_OneRunAtATime(t *testing.T) {
	store := newMemStore()
	got := newReports()
	src := &changingSource{block: make(chan struct{}), fetched: make(chan struct{}, 10)}
	d := newDaemon(t, store, connector.Scheduled{Connection: &connector.Connection{Name: "c", Source: src}}, got)
	d.Start()
	if started, err := d.Trigger("c"); !started || err != nil {
		t.Fatalf("Trigger = %v, %v", started, err)
	}
	<-src.fetched
	if started, _ := d.Trigger("c"); started {
		t.Error("a second run started while one was under way")
	}
	if _, err := d.Trigger("nope"); !errors.Is(err, connector.ErrUnknownConnection) {
		t.Errorf("Trigger(nope) = %v", err)
	}
	stopped := make(chan error)
	go func() { stopped <- d.Stop(context.Background()) }()
	select {
	case <-stopped:
		t.Fatal("Stop returned while a run was under way")
	case <-time.After(100 * time.Millisecond):
	}
	close(src.block)
	if err := <-stopped; err != nil {
		t.Fatal(err)
	}
	if rep := got.next(t, time.Second); rep.Verdict != preflight.VerdictCommitted {
		t.Errorf("the run Stop waited for: %s", rep.Verdict)
	}
}

// Ensure a stop whose deadline passes cancels the run under way, which
// ends failed with nothing committed.
func TestDaemon_StopDeadline(t *testing.T) {
	store := newMemStore()
	got := newReports()
	src := &changingSource{block: make(chan struct{}), fetched: make(chan struct{}, 10)}
	d := newDaemon(t, store, connector.Scheduled{Connection: &connector.Connection{Name: "c", Source: src}, RunAtStart: true}, got)
	d.Start()
	<-src.fetched
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := d.Stop(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Stop = %v, want the deadline", err)
	}
	if rep := got.next(t, time.Second); rep.Verdict != preflight.VerdictFailed {
		t.Errorf("the cancelled run: %s", rep.Verdict)
	}
	if store.commits != 0 {
		t.Errorf("a cancelled run committed")
	}
}

// Ensure a run that panics is recorded as failed and the daemon goes on.
func TestDaemon_Panic(t *testing.T) {
	store := newMemStore()
	got := newReports()
	src := &fakeSource{panic: "boom"}
	d := newDaemon(t, store, connector.Scheduled{Connection: &connector.Connection{Name: "c", Source: src}}, got)
	d.Start()
	defer d.Stop(context.Background())
	d.Trigger("c")
	if rep := got.next(t, time.Second); rep.Verdict != preflight.VerdictFailed {
		t.Fatalf("verdict %s", rep.Verdict)
	}
	src.panic = nil
	src.roster = district()
	for !func() bool { s, _ := d.Trigger("c"); return s }() {
		time.Sleep(10 * time.Millisecond)
	}
	if rep := got.next(t, time.Second); rep.Verdict != preflight.VerdictCommitted {
		t.Errorf("after the panic: %s", rep.Verdict)
	}
}
