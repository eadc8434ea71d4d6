package connector_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rosterd/rosterd/connector"
	"github.com/rosterd/rosterd/preflight"
	"github.com/rosterd/rosterd/roster"
	"github.com/rosterd/rosterd/sharing"
)

// tracingSource builds district() as a crawl does, users before sections,
// and says when its users are final; failAfter, when set, fails the fetch
// after that.
type tracingSource struct {
	failAfter error
	traced    bool              // the fetch's context carried a trace
	expected  []connector.Sizes // the trace's Expect, fetch by fetch
}

func (s *tracingSource) Kind() string { return "tracing" }

func (s *tracingSource) Fetch(ctx context.Context) (*roster.Roster, error) {
	whole := district()
	r := &roster.Roster{Districts: whole.Districts, Schools: whole.Schools, Users: whole.Users}
	t := connector.ContextFetchTrace(ctx)
	s.traced = t != nil
	if t != nil {
		s.expected = append(s.expected, t.Expect)
	}
	connector.UsersFinal(ctx, r)
	if s.failAfter != nil {
		return nil, s.failAfter
	}
	r.Sections = whole.Sections
	return r, nil
}

// A source that says its users are final has its raw roster saved from
// then on: the run finishes that save instead of making another, and the
// kept roster is the whole fetch, minimised once, as a save after the
// fetch would keep it.
func TestEngine_SnapshotBegunDuringFetch(t *testing.T) {
	minimised := rules(t, sharing.Config{Fields: map[roster.Entity][]string{roster.EntityStudent: {"sis_id", "name.first", "name.last", "school", "schools"}}})
	store := newMemStore()
	src := &tracingSource{}
	conn := &connector.Connection{Name: "springfield", Source: src, KeepRaw: true, Rules: minimised}
	rep, err := newEngine(t, store).Run(context.Background(), conn, connector.RunOptions{Mode: connector.ModeSync})
	if err != nil || rep.Verdict != preflight.VerdictCommitted {
		t.Fatalf("run: %v, verdict %s, issues %+v", err, rep.Verdict, rep.Issues)
	}
	if store.early != 1 || store.raws != 1 || store.aborted != 0 {
		t.Errorf("saves begun %d, finished %d, aborted %d; want the one begun during the fetch, finished", store.early, store.raws, store.aborted)
	}
	got, err := store.LoadRaw("springfield")
	if err != nil {
		t.Fatal(err)
	}
	want := district()
	minimised.Minimise(want)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("kept raw roster (-minimised fetch +kept):\n%s", diff)
	}

	// Without a raw roster to keep, the fetch is told nothing.
	conn.KeepRaw = false
	if _, err := newEngine(t, store).Run(context.Background(), conn, connector.RunOptions{Mode: connector.ModeSync}); err != nil {
		t.Fatal(err)
	}
	if src.traced || store.early != 1 {
		t.Errorf("a run keeping no raw roster traced its fetch (%v) or began a save (%d)", src.traced, store.early)
	}
}

// A fetch is told the sizes of the roster kept from the last one, and
// nothing on the first.
func TestEngine_TellsFetchTheKeptSizes(t *testing.T) {
	store := newMemStore()
	src := &tracingSource{}
	conn := &connector.Connection{Name: "springfield", Source: src, KeepRaw: true}
	eng := newEngine(t, store)
	for range 2 {
		if _, err := eng.Run(context.Background(), conn, connector.RunOptions{Mode: connector.ModeSync}); err != nil {
			t.Fatal(err)
		}
	}
	whole := district()
	want := []connector.Sizes{{}, {Users: len(whole.Users), Sections: len(whole.Sections)}}
	if diff := cmp.Diff(want, src.expected); diff != "" {
		t.Errorf("sizes the fetches were told (-want +got):\n%s", diff)
	}
}

// A fetch that fails after its users were final aborts the save begun,
// and the kept raw roster stays the last one.
func TestEngine_SnapshotAbortedWithFetch(t *testing.T) {
	store := newMemStore()
	src := &tracingSource{}
	conn := &connector.Connection{Name: "springfield", Source: src, KeepRaw: true}
	eng := newEngine(t, store)
	if _, err := eng.Run(context.Background(), conn, connector.RunOptions{Mode: connector.ModeSync}); err != nil {
		t.Fatal(err)
	}
	before := store.raw["springfield"]

	src.failAfter = errors.New("connection reset")
	rep, err := eng.Run(context.Background(), conn, connector.RunOptions{Mode: connector.ModeSync})
	if err == nil || rep.Verdict != preflight.VerdictFailed {
		t.Fatalf("run: %v, verdict %s; want a failed fetch", err, rep.Verdict)
	}
	if store.early != 2 || store.aborted != 1 || store.raws != 1 {
		t.Errorf("saves begun %d, aborted %d, finished %d; want the second begun and aborted", store.early, store.aborted, store.raws)
	}
	if string(store.raw["springfield"]) != string(before) {
		t.Error("a failed fetch changed the kept raw roster")
	}
}
