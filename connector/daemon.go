package connector

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/robfig/cron/v3"
	"github.com/rosterd/rosterd/preflight"
	"github.com/rs/zerolog"
)

// Scheduled is a connection the daemon runs on a schedule.
type Scheduled struct {
	Connection *Connection
	// Schedule is a cron expression (five fields, or a descriptor such as
	// "@hourly"), optionally prefixed with CRON_TZ=Zone; empty runs the
	// connection only when triggered.
	Schedule string
	// Jitter delays each scheduled run by a random duration below it, so
	// that many daemons on one schedule do not hit the source together.
	Jitter time.Duration
	// RunAtStart runs the connection once when the daemon starts.
	RunAtStart bool
}

// DaemonOptions configure a Daemon.
type DaemonOptions struct {
	Logger zerolog.Logger
	// OnRun is called after every run with its report (metrics,
	// notifications); it must not block for long.
	OnRun func(*preflight.Report)
}

// ErrUnknownConnection is returned for a connection the daemon does not
// run.
var ErrUnknownConnection = errors.New("unknown connection")

// ErrBusy is returned when a connection's run, approval or rejection is
// already under way.
var ErrBusy = errors.New("a run of this connection is under way")

// Daemon runs connections on their schedules and on demand, at most one
// run per connection at a time, whoever asks.
type Daemon struct {
	engine *Engine
	opts   DaemonOptions
	log    zerolog.Logger
	cron   *cron.Cron
	conns  map[string]*scheduled
	order  []string

	// runCtx is the context every run gets; cancelling it stops runs at
	// once (the second signal).
	runCtx    context.Context
	cancelRun context.CancelFunc
	stopping  chan struct{} // closed when Stop begins
	wg        sync.WaitGroup
	started   atomic.Bool
	stopped   atomic.Bool
}

// scheduled is the state of one connection.
type scheduled struct {
	Scheduled
	entry   cron.EntryID
	busy    sync.Mutex // held for a run, an approval or a rejection
	running atomic.Bool

	mu   sync.Mutex
	last *preflight.Report
}

// NewDaemon parses every schedule; nothing runs before Start.
func NewDaemon(engine *Engine, conns []Scheduled, opts DaemonOptions) (*Daemon, error) {
	d := &Daemon{
		engine: engine,
		opts:   opts,
		log:    opts.Logger.With().Str("component", "scheduler").Logger(),
		conns:  make(map[string]*scheduled, len(conns)),
	}
	cronLog := cronLogger{d.log, &d.stopped}
	d.cron = cron.New(cron.WithLogger(cronLog), cron.WithChain(cron.Recover(cronLog)))
	d.runCtx, d.cancelRun = context.WithCancel(context.Background())
	d.stopping = make(chan struct{})
	for _, sc := range conns {
		name := sc.Connection.Name
		if _, dup := d.conns[name]; dup {
			return nil, fmt.Errorf("connection %s is scheduled twice", name)
		}
		s := &scheduled{Scheduled: sc}
		d.conns[name] = s
		d.order = append(d.order, name)
		if sc.Schedule == "" {
			continue
		}
		id, err := d.cron.AddFunc(sc.Schedule, func() { d.scheduledRun(s) })
		if err != nil {
			return nil, fmt.Errorf("connection %s: schedule %q: %w", name, sc.Schedule, err)
		}
		s.entry = id
	}
	return d, nil
}

// Start starts the scheduler and the runs asked for at start.
func (d *Daemon) Start() {
	d.started.Store(true)
	d.cron.Start()
	for _, name := range d.order {
		if s := d.conns[name]; s.RunAtStart {
			d.launch(s, "start")
		}
	}
	d.log.Info().Int("connections", len(d.order)).Msg("scheduler started")
}

// Has reports whether the daemon runs connection name.
func (d *Daemon) Has(name string) bool {
	_, ok := d.conns[name]
	return ok
}

// Running reports whether the scheduler runs.
func (d *Daemon) Running() bool { return d.started.Load() && !d.stopped.Load() }

// Stop stops scheduling, then waits for the runs under way to finish
// until ctx is done; then it cancels them and waits for them to return,
// which they do promptly with a failed, uncommitted run. It returns ctx's
// error when it had to cancel.
func (d *Daemon) Stop(ctx context.Context) error {
	if d.stopped.Swap(true) {
		return nil
	}
	close(d.stopping)
	<-d.cron.Stop().Done() // cron waits for no job: ours run in goroutines
	done := make(chan struct{})
	go func() { d.wg.Wait(); close(done) }()
	select {
	case <-done:
		d.cancelRun()
		d.log.Info().Msg("scheduler stopped")
		return nil
	case <-ctx.Done():
		d.log.Warn().Msg("stopping the runs under way")
		d.cancelRun()
		<-done
		return ctx.Err()
	}
}

// Trigger starts a sync of name now, in the background. started is false
// when a run of name is already under way.
func (d *Daemon) Trigger(name string) (started bool, err error) {
	s, ok := d.conns[name]
	if !ok {
		return false, fmt.Errorf("%w %q", ErrUnknownConnection, name)
	}
	if d.stopped.Load() {
		return false, errors.New("the daemon is shutting down")
	}
	return d.launch(s, "trigger"), nil
}

// scheduledRun is a cron job: it waits its jitter, then runs.
func (d *Daemon) scheduledRun(s *scheduled) {
	if j := s.Jitter; j > 0 {
		t := time.NewTimer(rand.N(j))
		defer t.Stop()
		select {
		case <-t.C:
		case <-d.stopping:
			return
		}
	}
	if !d.launch(s, "schedule") {
		d.log.Warn().Str(logConnection, s.Connection.Name).Msg("skipped a scheduled run: the previous one is still under way")
	}
}

// launch runs s in a goroutine unless it is busy; it reports whether it
// started one.
func (d *Daemon) launch(s *scheduled, why string) bool {
	if d.stopped.Load() || !s.busy.TryLock() {
		return false
	}
	s.running.Store(true)
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		defer s.busy.Unlock()
		defer s.running.Store(false)
		d.run(s, why)
	}()
	return true
}

func (d *Daemon) run(s *scheduled, why string) {
	defer func() {
		// The engine records a run that panics; this catches a panic
		// outside it, so the daemon lives on.
		if p := recover(); p != nil {
			d.log.Error().Interface("panic", p).Str(logConnection, s.Connection.Name).Msg("run panicked outside the engine")
		}
	}()
	d.log.Debug().Str(logConnection, s.Connection.Name).Str("trigger", why).Msg("starting a run")
	rep, err := d.engine.Run(d.runCtx, s.Connection, RunOptions{Mode: ModeSync})
	if err != nil {
		d.log.Error().Err(err).Str(logConnection, s.Connection.Name).Msg("run failed")
	}
	if rep == nil {
		return
	}
	s.mu.Lock()
	s.last = rep
	s.mu.Unlock()
	if d.opts.OnRun != nil {
		d.opts.OnRun(rep)
	}
}

// Approve approves held run id under its connection's lock, so it never
// races a run of the same connection.
func (d *Daemon) Approve(id uint64, by string) (*preflight.Report, error) {
	return d.decide(id, func() (*preflight.Report, error) { return d.engine.Approve(id, by) })
}

// Reject rejects held run id under its connection's lock.
func (d *Daemon) Reject(id uint64, by string) (*preflight.Report, error) {
	return d.decide(id, func() (*preflight.Report, error) { return d.engine.Reject(id, by) })
}

func (d *Daemon) decide(id uint64, fn func() (*preflight.Report, error)) (*preflight.Report, error) {
	staged, err := d.engine.store.Staged(id)
	if err != nil {
		return nil, fmt.Errorf("run %d: %w", id, err)
	}
	s, ok := d.conns[staged.Connection]
	if !ok {
		return nil, fmt.Errorf("run %d: %w %q", id, ErrUnknownConnection, staged.Connection)
	}
	if !s.busy.TryLock() {
		return nil, fmt.Errorf("run %d: %w", id, ErrBusy)
	}
	defer s.busy.Unlock()
	rep, err := fn()
	if err == nil && rep != nil {
		s.mu.Lock()
		s.last = rep
		s.mu.Unlock()
		if d.opts.OnRun != nil {
			d.opts.OnRun(rep) // an approval commits: metrics count it
		}
	}
	return rep, err
}

// Status is what the daemon knows of one connection.
type Status struct {
	Name     string
	Source   string
	Schedule string
	Next     time.Time // zero when not scheduled
	Running  bool
	// Last is the report of the last run since the daemon started, or nil.
	Last *preflight.Report
}

// Statuses lists every connection in configuration order.
func (d *Daemon) Statuses() []Status {
	out := make([]Status, 0, len(d.order))
	for _, name := range d.order {
		s := d.conns[name]
		st := Status{Name: name, Source: s.Connection.Source.Kind(), Schedule: s.Schedule, Running: s.running.Load()}
		if s.entry != 0 && d.Running() {
			st.Next = d.cron.Entry(s.entry).Next
		}
		s.mu.Lock()
		st.Last = s.last
		s.mu.Unlock()
		out = append(out, st)
	}
	return out
}

// cronLogger feeds cron's logs to zerolog until the daemon stops. cron's
// loop logs its "stop" after Stop has handed it the signal, when whoever
// stopped the daemon may already have closed the log's writer (a test's
// t.Log panics after the test ends, and -race reports it); the daemon says
// it stopped itself.
type cronLogger struct {
	log     zerolog.Logger
	stopped *atomic.Bool
}

func (l cronLogger) Info(msg string, kv ...any) {
	if l.stopped.Load() {
		return
	}
	l.log.Debug().Fields(kv).Msg("cron: " + msg)
}

// Error logs even after the daemon stopped: cron reports only a job's
// panic with it, and Stop waits for the jobs.
func (l cronLogger) Error(err error, msg string, kv ...any) {
	l.log.Error().Err(err).Fields(kv).Msg("cron: " + msg)
}
