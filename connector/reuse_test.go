package connector_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rosterd/rosterd/connector"
	"github.com/rosterd/rosterd/preflight"
	"github.com/rosterd/rosterd/roster"
	"github.com/rosterd/rosterd/sharing"
)

// freshSource serves a new roster at each fetch, as a real source does:
// the engine narrows the one it is given.
type freshSource struct{ make func() *roster.Roster }

func (s *freshSource) Kind() string { return "fresh" }

func (s *freshSource) Fetch(context.Context) (*roster.Roster, error) { return s.make(), nil }

// reuseConn is a connection whose runs may reuse: it keeps its fetched
// roster and has a fingerprint. Its rules leave u1 in two sections, a
// warning, so that a reused result has an issue to carry.
func reuseConn(t *testing.T, make func() *roster.Roster) *connector.Connection {
	return &connector.Connection{Name: "c", Source: &freshSource{make: make}, KeepRaw: true, Fingerprint: "config 1",
		Rules: rules(t, sharing.Config{OneSectionPerStudent: &sharing.OneSection{}})}
}

// clock is a settable time for the engine.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func mustRun(t *testing.T, eng *connector.Engine, conn *connector.Connection, mode connector.Mode) *preflight.Report {
	t.Helper()
	rep, err := eng.Run(context.Background(), conn, connector.RunOptions{Mode: mode})
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	return rep
}

func phases(rep *preflight.Report) []string {
	var out []string
	for _, pt := range rep.Timings {
		out = append(out, pt.Phase)
	}
	return out
}

// Ensure a run that fetches the roster a committed run fetched, under the
// same fingerprint on the same day, with that run's roster still
// committed, reuses its result: the same issues, counts, rule counts and
// placement, no change, and neither the rules nor preflight run. Later
// runs reuse the run that computed the result, not each other.
func TestEngine_ReusesAnUnchangedRun(t *testing.T) {
	store := newMemStore()
	clk := &clock{time.Date(2026, 12, 1, 14, 0, 0, 0, time.UTC)}
	eng := newEngine(t, store).ClockWith(clk.now)
	conn := reuseConn(t, twoSections)

	first := mustRun(t, eng, conn, connector.ModeSync)
	if first.Verdict != preflight.VerdictCommitted || first.Summary.Warnings != 1 || first.ReusedFrom != 0 {
		t.Fatalf("first run: verdict %s, %d warnings, reused from %d", first.Verdict, first.Summary.Warnings, first.ReusedFrom)
	}
	committed := store.snapshot("c")
	for i := range 2 {
		clk.t = clk.t.Add(time.Hour)
		rep := mustRun(t, eng, conn, connector.ModeSync)
		if rep.ReusedFrom != first.RunID || rep.Verdict != preflight.VerdictCommitted {
			t.Fatalf("run %d after: reused from %d, verdict %s; want run %d's result, committed", i+1, rep.ReusedFrom, rep.Verdict, first.RunID)
		}
		if got := phases(rep); slices.Contains(got, "rules") || slices.Contains(got, "preflight") {
			t.Errorf("a reused run went through %v", got)
		}
		if diff := cmp.Diff(first.Issues, rep.Issues); diff != "" {
			t.Errorf("issues mismatch (-computed +reused):\n%s", diff)
		}
		if diff := cmp.Diff(first.Rules, rep.Rules); diff != "" {
			t.Errorf("rule counts mismatch (-computed +reused):\n%s", diff)
		}
		if diff := cmp.Diff(first.Placement, rep.Placement); diff != "" {
			t.Errorf("placement mismatch (-computed +reused):\n%s", diff)
		}
		for e, c := range counts(rep) {
			want := counts(first)[e]
			if c.Fetched != want.Fetched || c.Kept != want.Kept || c.Added+c.Updated+c.Deleted != 0 {
				t.Errorf("%s counts %+v, want %d fetched and %d kept, unchanged", e, c, want.Fetched, want.Kept)
			}
		}
		if diff := cmp.Diff(committed, store.snapshot("c")); diff != "" {
			t.Errorf("a reused run changed the committed roster (-before +after):\n%s", diff)
		}
	}

	// A dry run may reuse too; it passes without committing.
	rep := mustRun(t, eng, conn, connector.ModePreflight)
	if rep.ReusedFrom != first.RunID || rep.Verdict != preflight.VerdictPassed {
		t.Errorf("preflight run: reused from %d, verdict %s", rep.ReusedFrom, rep.Verdict)
	}
}

// Ensure a run computes its result when any input of the reused run's is
// not its own: the configuration, the day, the fetched roster, the
// committed roster; and when there is nothing to name the roster by, or
// the reused run's report is gone.
func TestEngine_ReuseNeedsTheSameInputs(t *testing.T) {
	renamed := func() *roster.Roster {
		r := twoSections()
		r.Users[1].Name.Last = "Renamed"
		return r
	}
	for _, tt := range []struct {
		name string
		// between runs on store, conn and the clock; nil leaves them
		between func(t *testing.T, store *memStore, conn *connector.Connection, clk *clock, first *preflight.Report)
		conn    func(conn *connector.Connection)
	}{
		{name: "ConfigurationChanged", between: func(_ *testing.T, _ *memStore, conn *connector.Connection, _ *clock, _ *preflight.Report) {
			conn.Fingerprint = "config 2"
		}},
		{name: "NextDay", between: func(_ *testing.T, _ *memStore, _ *connector.Connection, clk *clock, _ *preflight.Report) {
			clk.t = clk.t.Add(12 * time.Hour) // 14:00 UTC to 02:00 the next day
		}},
		{name: "RosterChanged", between: func(_ *testing.T, _ *memStore, conn *connector.Connection, _ *clock, _ *preflight.Report) {
			conn.Source = &freshSource{make: renamed}
		}},
		{name: "HeadMoved", between: func(t *testing.T, store *memStore, _ *connector.Connection, _ *clock, first *preflight.Report) {
			// Another write (a rollback, an approved held run) changes the
			// committed roster.
			change := &roster.Change{Delete: map[roster.Kind][]string{roster.KindSections: {"x2"}}}
			run := connector.RunRecord{ID: first.RunID + 100, Connection: "c", Verdict: preflight.VerdictCommitted}
			if err := store.Commit("c", first.RunID, change, nil, run, nil); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "ReportGone", between: func(_ *testing.T, store *memStore, _ *connector.Connection, _ *clock, first *preflight.Report) {
			delete(store.reports, first.RunID)
		}},
		{name: "NoFingerprint", conn: func(conn *connector.Connection) { conn.Fingerprint = "" }},
		{name: "NoRosterKept", conn: func(conn *connector.Connection) { conn.KeepRaw = false }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			store := newMemStore()
			clk := &clock{time.Date(2026, 12, 1, 14, 0, 0, 0, time.UTC)}
			eng := newEngine(t, store).ClockWith(clk.now)
			conn := reuseConn(t, twoSections)
			if tt.conn != nil {
				tt.conn(conn)
			}
			first := mustRun(t, eng, conn, connector.ModeSync)
			if first.Verdict != preflight.VerdictCommitted {
				t.Fatalf("first run: verdict %s", first.Verdict)
			}
			if tt.between != nil {
				tt.between(t, store, conn, clk, first)
			}
			rep := mustRun(t, eng, conn, connector.ModeSync)
			if rep.ReusedFrom != 0 || !slices.Contains(phases(rep), "preflight") {
				t.Errorf("reused from %d, through %v; want a computed result", rep.ReusedFrom, phases(rep))
			}
		})
	}
}

// Ensure only a committed run leaves a result to reuse: after a refused
// run the same inputs are checked again, and refused again.
func TestEngine_ReuseOnlyCommitted(t *testing.T) {
	store := newMemStore()
	eng := newEngine(t, store)
	conn := reuseConn(t, twoSections)
	conn.Rules = rules(t, sharing.Config{OneSectionPerStudent: &sharing.OneSection{Required: true}})
	for i := range 2 {
		rep := mustRun(t, eng, conn, connector.ModeSync)
		if rep.Verdict != preflight.VerdictRefused || rep.ReusedFrom != 0 || !slices.Contains(phases(rep), "preflight") {
			t.Errorf("run %d: verdict %s, reused from %d, through %v; want refused, computed", i+1, rep.Verdict, rep.ReusedFrom, phases(rep))
		}
	}
}

// Ensure an incremental source that finds nothing new, returning the kept
// roster unchanged (no snapshot is stored), still names it, and the run
// reuses the last result.
func TestEngine_ReuseWhenTheKeptRosterIsUnchanged(t *testing.T) {
	store := newMemStore()
	eng := newEngine(t, store)
	src := &incSource{roster: twoSections(), next: "c1"}
	conn := reuseConn(t, nil)
	conn.Source = src
	first := mustRun(t, eng, conn, connector.ModeSync)
	src.unchanged, src.next = true, "c2"
	rep := mustRun(t, eng, conn, connector.ModeSync)
	if rep.ReusedFrom != first.RunID || slices.Contains(phases(rep), "snapshot") {
		t.Fatalf("reused from %d through %v, want run %d's result and no snapshot", rep.ReusedFrom, phases(rep), first.RunID)
	}
	if got, _ := store.Cursor("c"); string(got) != "c2" {
		t.Errorf("cursor %q after the reused run, want the source's new one", got)
	}
}

// Ensure Recheck computes a result that could be reused, and leaves it to
// reuse in turn.
func TestEngine_Recheck(t *testing.T) {
	store := newMemStore()
	eng := newEngine(t, store)
	conn := reuseConn(t, twoSections)
	mustRun(t, eng, conn, connector.ModeSync)
	rechecked, err := eng.Run(context.Background(), conn, connector.RunOptions{Mode: connector.ModeSync, Recheck: true})
	if err != nil {
		t.Fatal(err)
	}
	if rechecked.ReusedFrom != 0 || !slices.Contains(phases(rechecked), "preflight") {
		t.Fatalf("a recheck reused run %d, through %v", rechecked.ReusedFrom, phases(rechecked))
	}
	if rep := mustRun(t, eng, conn, connector.ModeSync); rep.ReusedFrom != rechecked.RunID {
		t.Errorf("the run after a recheck reused run %d, want the recheck's %d", rep.ReusedFrom, rechecked.RunID)
	}
}

// Ensure a reused run skips the collection that makes room for the rules
// and preflight, having neither to run.
func TestEngine_ReuseSkipsTheCollection(t *testing.T) {
	store := newMemStore()
	collections := 0
	eng := newEngine(t, store).MemoryWith(func() { collections++ }, func() {})
	conn := reuseConn(t, twoSections)
	mustRun(t, eng, conn, connector.ModeSync)
	if collections != 1 {
		t.Fatalf("%d collections in a computed run, want 1", collections)
	}
	if rep := mustRun(t, eng, conn, connector.ModeSync); rep.ReusedFrom == 0 || collections != 1 {
		t.Errorf("reused from %d with %d collections in all, want a reuse and still 1", rep.ReusedFrom, collections)
	}
}
