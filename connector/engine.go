package connector

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"time"

	"github.com/rosterd/rosterd/preflight"
	"github.com/rosterd/rosterd/roster"
	"github.com/rosterd/rosterd/sharing"
	"github.com/rs/zerolog"
)

// Engine runs connections against one store.
type Engine struct {
	store    Store
	log      zerolog.Logger
	now      func() time.Time
	newArena func() (Arena, error)
	// collect runs a garbage collection; releaseMemory also hands the
	// heap's free pages back to the system.
	collect, releaseMemory func()
}

// NewEngine returns an engine that records runs in store and logs to log.
func NewEngine(store Store, log zerolog.Logger) *Engine {
	return &Engine{
		store: store, log: log.With().Str("component", "connector").Logger(), now: time.Now,
		collect: runtime.GC, releaseMemory: debug.FreeOSMemory,
	}
}

// Arena holds the encoded records of one run's change until the run ends
// (spill.Arena keeps them in a file rather than on the heap).
type Arena interface {
	preflight.RecordArena
	// ReleaseAll lets the arena's pages leave the resident set; it runs
	// while the store reads the change (see releasing).
	ReleaseAll()
	// Discard frees the bytes of a record the store has written and will
	// not read again (see writtenFrom); it may run beside ReleaseAll.
	Discard(b []byte)
	// Prefault readies room for about n bytes of records in the
	// background, before the first Append (see prefault.go); an n below
	// one asked for before does nothing. It may be called from several
	// goroutines at once.
	Prefault(n int64)
	Close() error
}

// KeepChangesIn makes every run keep its change in an arena newArena
// returns, closed when the run ends, instead of on the heap: the change
// of a first sync is the whole roster encoded. A run whose arena cannot
// be had keeps its change on the heap.
func (e *Engine) KeepChangesIn(newArena func() (Arena, error)) *Engine {
	e.newArena = newArena
	return e
}

// Log field names, shared by every line of a run.
const (
	logRunID      = "run_id"
	logConnection = "connection"
	logMode       = "mode"
)

// RunOptions say how one run goes.
type RunOptions struct {
	Mode Mode
	// Force commits even inside one of the connection's pause windows.
	Force bool
	// Recheck runs the rules and preflight even when the run could reuse
	// an earlier run's result (see reuse.go); the run still leaves its
	// own for later runs.
	Recheck bool
	// rollbackTo marks a rollback run (see Rollback).
	rollbackTo uint64
}

// Run runs c once and returns its report, whatever the verdict. The error
// is non-nil when the run failed (the source, the store, or a bug) and
// then the report's verdict is failed; a refused, held or paused run is
// not an error.
func (e *Engine) Run(ctx context.Context, c *Connection, opts RunOptions) (rep *preflight.Report, err error) {
	mode := opts.Mode
	id, err := e.store.NextRunID()
	if err != nil {
		return nil, fmt.Errorf("start run: %w", err)
	}
	r := &run{
		engine:  e,
		conn:    c,
		mode:    mode,
		force:   opts.Force,
		recheck: opts.Recheck,
		log:     e.log.With().Uint64(logRunID, id).Str(logConnection, c.Name).Str(logMode, string(mode)).Logger(),
		report: &preflight.Report{
			Schema:     preflight.ReportSchema,
			RunID:      id,
			Connection: c.Name,
			Source:     c.Source.Kind(),
			Mode:       string(mode),
			Started:    e.now(),
			RollbackTo: opts.rollbackTo,
		},
	}
	defer func() {
		if p := recover(); p != nil {
			r.log.Error().Interface("panic", p).Str("stack", string(debug.Stack())).Msg("run panicked")
			rep, err = r.fail(fmt.Errorf("internal error: %v", p))
		}
	}()
	return r.execute(ctx)
}

// run is the state of one run.
type run struct {
	engine  *Engine
	conn    *Connection
	mode    Mode
	force   bool
	recheck bool
	log     zerolog.Logger
	report  *preflight.Report
	// reuseKey names the run's inputs for reuse.go; "" when it has none.
	reuseKey string
}

func (r *run) execute(ctx context.Context) (*preflight.Report, error) {
	r.log.Info().Str("source", r.report.Source).Msg("run started")

	var early *earlySnapshot
	// kept describes the roster kept from the last fetch. Only this run
	// writes it until the snapshot phase, so one read serves the fetch
	// (about how big the roster will be; without it the source sizes its
	// slices as it goes) and a run that finds it unchanged (its
	// fingerprint).
	var kept KeptRaw
	var keptErr error
	var trace *FetchTrace
	if r.conn.KeepRaw {
		early = &earlySnapshot{r: r}
		defer early.abort()
		trace = early.trace()
		if kept, keptErr = r.engine.store.KeptRaw(r.conn.Name); keptErr != nil {
			r.log.Warn().Err(keptErr).Msg("could not read the kept roster's description")
		}
		trace.Expect = kept.Sizes
	}
	// A first sync readies the arena for its change during the fetch
	// (prefault.go).
	arena, plan := r.prefaultArena()
	if arena != nil {
		defer r.closeArena(arena)
		trace = plan.traced(trace)
	}
	if trace != nil {
		ctx = WithFetchTrace(ctx, trace)
	}
	var fetched *roster.Roster
	var cursor []byte
	var rawUnchanged bool
	err := r.phase("fetch", func() (err error) {
		fetched, cursor, rawUnchanged, err = r.fetch(ctx)
		return err
	})
	if err != nil {
		return r.fail(fmt.Errorf("fetch: %w", err))
	}
	r.log.Info().Int("users", len(fetched.Users)).Int("sections", len(fetched.Sections)).Msg("fetched")
	counted := fetched.Count()

	// Data minimisation comes first, so that nothing after it, the kept
	// raw roster included, holds a field the rules drop. A snapshot
	// begun during the fetch minimised the users it took.
	save, dropped := early.take()
	if save != nil {
		defer save.Abort() // after Finish, it does nothing
	}
	if n := dropped + r.conn.Rules.Minimise(fetched); n > 0 {
		r.log.Info().Int("values", n).Msg("data minimisation dropped field values")
		rawUnchanged = false // the kept roster still holds what it dropped
	}
	var fingerprint string // of the fetched roster, as kept
	if r.conn.KeepRaw && rawUnchanged {
		// Storing it again would cost an XL district's no-change run a
		// third of its time, for the same bytes.
		r.log.Info().Msg("the fetched roster is the kept one, unchanged; not storing it again")
		if save != nil {
			save.Abort()
		}
		fingerprint = kept.Fingerprint // "" when it could not be read
	}
	if r.conn.KeepRaw && !rawUnchanged {
		// The kept roster only serves the rules workbench: failing to
		// store it is no reason to stop a sync.
		err := r.phase("snapshot", func() (err error) {
			if save != nil {
				fingerprint, err = save.Finish(fetched, r.engine.now())
				return err
			}
			fingerprint, err = r.engine.store.SaveRaw(r.conn.Name, fetched, r.engine.now())
			return err
		})
		if err != nil {
			fingerprint = ""
			r.log.Warn().Err(err).Msg("could not keep the fetched roster for the rules workbench")
			if _, ok := r.conn.Source.(IncrementalSource); ok && cursor != nil {
				// The next fetch builds on the kept roster, which is still
				// the last one: committing this run's cursor would skip
				// what this run fetched. The stored cursor stays, so the
				// next fetch fetches it again.
				r.log.Warn().Msg("the source's cursor stays where it was, since the kept roster did not move")
				cursor = nil
			}
		}
	}

	// The rules judge the current term at rulesAt, and the reuse key
	// names its Day: the same moment, or a run straddling midnight could
	// leave a result under the wrong day.
	rulesAt := r.engine.now()
	r.reuseKey = r.keyOf(fingerprint, r.conn.Rules.Day(rulesAt))
	if prev, base, ok := r.reusable(r.reuseKey); ok {
		return r.reuse(prev, base, counted, cursor)
	}
	// The fetch left the roster and as much garbage again, and the
	// collector would let the heap grow past both before its next cycle.
	// Collecting now lets the rules and preflight reuse the garbage
	// instead: an XL sync peaked at 1.54-1.61 GB instead of 1.72-1.92 GB,
	// in the same time within this machine's noise. A run that reuses a
	// result has no such phases ahead, and skips it: at XL that is 0.15 to
	// 0.2 s of a no-change resync, and collecting after the snapshot
	// rather than before left the full sync's peak within the spread
	// (1,465-1,494 MB against 1,442-1,462).
	r.engine.collect()

	var ruled *sharing.Result
	_ = r.phase("rules", func() error {
		ruled = r.conn.Rules.Apply(fetched, sharing.ApplyOptions{Now: rulesAt})
		return nil
	})

	var result *preflight.Result
	var base uint64
	checks := r.conn.Preflight
	if arena == nil {
		if arena = r.arena(); arena != nil {
			defer r.closeArena(arena)
		}
	}
	if arena != nil {
		checks.Arena = arena
	}
	err = r.phase("preflight", func() error {
		return r.engine.store.ReadCommitted(r.conn.Name, func(c Committed) error {
			base = c.HeadRunID()
			var err error
			result, err = preflight.Check(fetched, c, checks)
			return err
		})
	})
	if err != nil {
		return r.fail(fmt.Errorf("preflight: %w", err))
	}
	// Everything from here on reads the change, not the roster: letting
	// the roster go now takes it out of the commit's peak. Handing its
	// pages back to the system as well, before the store writes, lets the
	// page cache the write fills reuse them: an XL first sync's commit
	// (1.2 GB) took 3.3-3.4 s after it instead of 5.3-5.6 s, at the cost
	// of one collection of what is left of the heap.
	fetched = nil
	r.engine.releaseMemory()
	result.AddIssues(r.conn.Preflight, ruled.Issues)
	r.fillReport(counted, result, ruled)
	return r.conclude(base, result, cursor, arena)
}

// conclude gives the verdict on a checked run and, when it is to commit,
// commits result's change onto base, with cursor; arena holds the
// change, or is nil when the heap does.
func (r *run) conclude(base uint64, result *preflight.Result, cursor []byte, arena Arena) (*preflight.Report, error) {
	switch pause := r.conn.pausedAt(r.engine.now()); {
	case result.Errors() > 0:
		r.log.Warn().Int("errors", result.Errors()).Msg("preflight refused the run; nothing committed")
		return r.finish(preflight.VerdictRefused)
	case r.mode == ModePreflight:
		return r.finish(preflight.VerdictPassed)
	case pause != nil && !r.force:
		r.report.Pause = pause.String()
		r.log.Info().Str("pause", pause.Name).Msg("inside a pause window; nothing committed")
		return r.finish(preflight.VerdictPaused)
	case len(result.Guards) > 0:
		return r.hold(base, result, cursor, arena)
	}

	r.report.Verdict = preflight.VerdictCommitted
	err := r.phase("commit", func() error {
		r.report.Finished = r.engine.now()
		data, err := r.encodeReport()
		if err != nil {
			return err
		}
		result.Change.Written = writtenFrom(arena)
		return releasing(arena, func() error {
			return r.engine.store.Commit(r.conn.Name, base, &result.Change, cursor, r.record(), data)
		})
	})
	if err != nil {
		return r.fail(fmt.Errorf("commit: %w", err))
	}
	r.log.Info().Int("writes", result.Change.Len()).Msg("committed")
	r.noteReuse(base, result.Change.Len() > 0)
	// The commit stored the report as it stood before the commit's own
	// timing was known. Store the final one; failing to is no reason to
	// call a committed run failed.
	r.report.Finished = r.engine.now()
	if data, err := r.encodeReport(); err != nil {
		r.log.Warn().Err(err).Msg("could not store the final report; the stored one lacks the commit timing")
	} else if err := r.engine.store.UpdateRun(r.record(), data); err != nil {
		r.log.Warn().Err(err).Msg("could not store the final report; the stored one lacks the commit timing")
	}
	r.logFinished()
	return r.report, nil
}

// writtenFrom returns a Change.Written that discards from arena the
// records the store has written, so that the store's writes that follow
// reuse the page cache they held: on this project's 2-core virtual
// machine, whose freed memory goes back to the host, an XL first sync's
// commit wrote into fresh page cache at 0.65 GB/s, and 1.2 GB written
// into pages a file had just freed took 0.5-0.6 s instead of 2.5-3.4 s.
// A nil arena (the change on the heap) has nothing to free.
func writtenFrom(arena Arena) func(roster.Kind, []roster.Record) {
	if arena == nil {
		return nil
	}
	return func(_ roster.Kind, puts []roster.Record) {
		for i := range puts {
			arena.Discard(puts[i].Data)
		}
	}
}

// releaseInterval is how often releasing lets the change's pages go.
const releaseInterval = 100 * time.Millisecond

// releasing runs fn, a store write reading the change out of arena, and
// meanwhile releases the arena's pages every releaseInterval: the store
// reads each record once, and an XL first sync's change read back would
// otherwise end up resident whole, 1.2 GB beside the commit. A nil arena
// (the change on the heap) just runs fn.
func releasing(arena Arena, fn func() error) error {
	if arena == nil {
		return fn()
	}
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		tick := time.NewTicker(releaseInterval)
		defer tick.Stop()
		for {
			select {
			case <-tick.C:
				arena.ReleaseAll()
			case <-done:
				return
			}
		}
	}()
	defer func() { close(done); <-stopped }()
	return fn()
}

// closeArena closes the run's arena, which only logs a failure: the run's
// outcome is settled by then.
func (r *run) closeArena(arena Arena) {
	if err := arena.Close(); err != nil {
		r.log.Warn().Err(err).Msg("could not release the change's arena")
	}
}

// arena returns a new arena for the run's change, or nil to keep it on
// the heap.
func (r *run) arena() Arena {
	if r.engine.newArena == nil {
		return nil
	}
	a, err := r.engine.newArena()
	if err != nil {
		r.log.Warn().Err(err).Msg("could not open an arena for the change; keeping it in memory")
		return nil
	}
	return a
}

// fetch reads the roster from the source: incrementally, from the last
// commit's cursor and the kept raw roster, when the source can.
// rawUnchanged reports that the source returned the kept raw roster as
// it was.
func (r *run) fetch(ctx context.Context) (ro *roster.Roster, cursor []byte, rawUnchanged bool, err error) {
	inc, ok := r.conn.Source.(IncrementalSource)
	if !ok {
		ro, err := r.conn.Source.Fetch(ctx)
		return ro, nil, false, err
	}
	store, name := r.engine.store, r.conn.Name
	cursor, err = store.Cursor(name)
	if err != nil {
		return nil, nil, false, fmt.Errorf("read the cursor: %w", err)
	}
	raw := func() (*roster.Roster, error) {
		ro, err := store.LoadRaw(name)
		if errors.Is(err, ErrNoRaw) {
			return nil, nil
		}
		return ro, err
	}
	var loaded, unchanged bool
	prev := Previous{
		Cursor: cursor,
		Raw: func() (*roster.Roster, error) {
			ro, err := raw()
			loaded = loaded || ro != nil
			return ro, err
		},
		Unchanged: func() { unchanged = true },
	}
	ro, cursor, err = inc.FetchSince(ctx, prev)
	// Only a roster Raw really gave can be the kept one unchanged.
	return ro, cursor, err == nil && unchanged && loaded, err
}

// phase runs fn as the named phase and records its duration.
func (r *run) phase(name string, fn func() error) error {
	start := r.engine.now()
	err := fn()
	d := r.engine.now().Sub(start)
	r.report.Timings = append(r.report.Timings, preflight.PhaseTiming{Phase: name, Seconds: d.Seconds()})
	r.log.Debug().Str("phase", name).Dur("duration", d).Err(err).Msg("phase done")
	return err
}

// fillReport records what the rules and preflight found; nFetched counts
// the roster as the source delivered it.
func (r *run) fillReport(nFetched map[roster.Entity]int, res *preflight.Result, ruled *sharing.Result) {
	r.fillResult(nFetched, res)
	r.report.Rules = r.report.Rules[:0]
	for _, st := range ruled.Rules {
		r.report.Rules = append(r.report.Rules, preflight.RuleCount{
			Rule: st.Rule, Description: st.Description, Entity: st.Entity, Kept: st.Kept, Dropped: st.Dropped,
		})
	}
	p := ruled.Placement
	r.report.Placement = &preflight.Placement{OneSection: p.One, NoSection: p.None, SeveralSections: p.Several}
}

// fillResult records what preflight found: the counts, the issues, the
// change's details and the guards it trips.
func (r *run) fillResult(nFetched map[roster.Entity]int, res *preflight.Result) {
	r.report.Counts = res.EntityCounts(nFetched)
	r.report.Issues = res.Issues
	r.report.Summary = preflight.Summarize(res.Issues)
	changes := res.Changes
	r.report.Changes = &changes
	r.report.Guards = res.Guards
}

// hold stages the change of a run that tripped a guard, for an operator
// to approve or reject; nothing is committed.
func (r *run) hold(base uint64, result *preflight.Result, cursor []byte, arena Arena) (*preflight.Report, error) {
	r.report.Verdict = preflight.VerdictHeld
	r.report.Finished = r.engine.now()
	for _, g := range result.Guards {
		r.log.Warn().Str("entity", string(g.Entity)).Str("action", g.Action).Int("count", g.Count).
			Int("committed", g.Committed).Str("limit", g.Limit).Msg("guard tripped")
	}
	data, err := r.encodeReport()
	if err != nil {
		return r.fail(err)
	}
	result.Change.Written = writtenFrom(arena)
	err = releasing(arena, func() error {
		return r.engine.store.Stage(r.conn.Name, base, &result.Change, cursor, r.record(), data)
	})
	if err != nil {
		return r.fail(fmt.Errorf("stage the held change: %w", err))
	}
	r.log.Warn().Msg("held for approval; nothing committed")
	r.logFinished()
	return r.report, nil
}

// fail records the run as failed with cause and returns cause.
func (r *run) fail(cause error) (*preflight.Report, error) {
	r.report.Verdict = preflight.VerdictFailed
	r.report.Error = cause.Error()
	r.report.Finished = r.engine.now()
	r.log.Error().Err(cause).Msg("run failed; nothing committed")
	if err := r.save(); err != nil {
		return r.report, errors.Join(cause, fmt.Errorf("record failed run: %w", err))
	}
	return r.report, cause
}

// finish records the run with verdict.
func (r *run) finish(v preflight.Verdict) (*preflight.Report, error) {
	r.report.Verdict = v
	r.report.Finished = r.engine.now()
	if err := r.save(); err != nil {
		return r.fail(fmt.Errorf("record run: %w", err))
	}
	r.logFinished()
	return r.report, nil
}

func (r *run) logFinished() {
	rec := r.record()
	r.log.Info().Str("verdict", string(rec.Verdict)).
		Int("added", rec.Added).Int("updated", rec.Updated).Int("deleted", rec.Deleted).
		Int("errors", rec.Errors).Int("warnings", rec.Warnings).
		Dur("duration", r.report.Finished.Sub(r.report.Started)).Msg("run finished")
}

func (r *run) save() error {
	data, err := r.encodeReport()
	if err != nil {
		return err
	}
	return r.engine.store.RecordRun(r.record(), data)
}

func (r *run) encodeReport() ([]byte, error) {
	var buf bytes.Buffer
	if err := r.report.WriteJSON(&buf); err != nil {
		return nil, fmt.Errorf("encode report: %w", err)
	}
	return buf.Bytes(), nil
}

// record is the history entry of the run as it stands.
func (r *run) record() RunRecord {
	rec := RunRecord{
		ID:         r.report.RunID,
		Connection: r.report.Connection,
		Source:     r.report.Source,
		Mode:       Mode(r.report.Mode),
		Verdict:    r.report.Verdict,
		Error:      r.report.Error,
		Started:    r.report.Started,
		Finished:   r.report.Finished,
		Errors:     r.report.Summary.Errors,
		Warnings:   r.report.Summary.Warnings,
		RollbackTo: r.report.RollbackTo,
	}
	if d := r.report.Decision; d != nil {
		rec.Decision, rec.DecidedBy, rec.DecidedAt = d.Action, d.By, d.At
	}
	// Totals add up the report's rows, so a teacher who is also staff
	// counts under both, as the report shows.
	for _, c := range r.report.Counts {
		rec.Added += c.Added
		rec.Updated += c.Updated
		rec.Deleted += c.Deleted
	}
	return rec
}
