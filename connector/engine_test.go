package connector_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rosterd/rosterd/connector"
	"github.com/rosterd/rosterd/preflight"
	"github.com/rosterd/rosterd/roster"
	"github.com/rs/zerolog"
)

// fakeSource returns a fixed roster or error.
type fakeSource struct {
	roster *roster.Roster
	err    error
	panic  any
}

func (s *fakeSource) Kind() string { return "fake" }

func (s *fakeSource) Fetch(context.Context) (*roster.Roster, error) {
	if s.panic != nil {
		panic(s.panic)
	}
	if s.err != nil {
		return nil, s.err
	}
	return s.roster, nil
}

// district returns a small, valid roster.
func district() *roster.Roster {
	student := func(id, sis string) roster.User {
		return roster.User{ID: id, District: "d1", Name: roster.Name{First: "F" + id, Last: "L" + id},
			Roles: roster.Roles{Student: &roster.Student{SISID: sis, School: "s1", Schools: []string{"s1"}, Grade: "3"}}}
	}
	return &roster.Roster{
		Districts: []roster.District{{ID: "d1", Name: "Springfield"}},
		Schools:   []roster.School{{ID: "s1", District: "d1", Name: "Elementary"}},
		Sections: []roster.Section{{ID: "x1", District: "d1", School: "s1", Name: "Homeroom 3A",
			Teachers: []string{"t1"}, Students: []string{"u1", "u2"}}},
		Users: []roster.User{
			{ID: "t1", District: "d1", Name: roster.Name{First: "Edna", Last: "K"},
				Roles: roster.Roles{Teacher: &roster.Teacher{SISID: "T1", School: "s1", Schools: []string{"s1"}}}},
			student("u1", "1001"),
			student("u2", "1002"),
		},
	}
}

func newEngine(t *testing.T, store connector.Store) *connector.Engine {
	t.Helper()
	return connector.NewEngine(store, zerolog.New(zerolog.NewTestWriter(t)))
}

func counts(rep *preflight.Report) map[roster.Entity]preflight.EntityCounts {
	out := map[roster.Entity]preflight.EntityCounts{}
	for _, c := range rep.Counts {
		out[c.Entity] = c
	}
	return out
}

// Ensure a clean roster is committed, and that syncing it again changes
// nothing and writes nothing to the roster.
func TestEngine_Sync(t *testing.T) {
	store := newMemStore()
	eng := newEngine(t, store)
	conn := &connector.Connection{Name: "springfield", Source: &fakeSource{roster: district()}}

	rep, err := eng.Run(context.Background(), conn, connector.RunOptions{Mode: connector.ModeSync})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Verdict != preflight.VerdictCommitted {
		t.Fatalf("verdict %s, issues %+v", rep.Verdict, rep.Issues)
	}
	c := counts(rep)
	if got := c[roster.EntityStudent]; got.Fetched != 2 || got.Kept != 2 || got.Added != 2 {
		t.Errorf("student counts = %+v", got)
	}
	if got := len(store.snapshot("springfield")[roster.KindUsers]); got != 3 {
		t.Errorf("committed %d users, want 3", got)
	}
	if rec := store.runs[rep.RunID]; rec.Verdict != preflight.VerdictCommitted || rec.Added != 6 || rec.Mode != connector.ModeSync {
		t.Errorf("run record = %+v", rec)
	}
	var phases []string
	for _, p := range rep.Timings {
		phases = append(phases, p.Phase)
	}
	if diff := cmp.Diff([]string{"fetch", "rules", "preflight", "commit"}, phases); diff != "" {
		t.Errorf("phases (-want +got):\n%s", diff)
	}
	stored, err := preflight.ReadReportJSON(store.reports[rep.RunID])
	if err != nil {
		t.Fatal(err)
	}
	if len(stored.Timings) != 4 || stored.Verdict != preflight.VerdictCommitted {
		t.Errorf("stored report is not the final one: %+v", stored)
	}

	before := store.snapshot("springfield")
	rep2, err := eng.Run(context.Background(), conn, connector.RunOptions{Mode: connector.ModeSync})
	if err != nil {
		t.Fatal(err)
	}
	if rep2.Verdict != preflight.VerdictCommitted {
		t.Fatalf("second run verdict %s", rep2.Verdict)
	}
	for _, c := range rep2.Counts {
		if c.Added+c.Updated+c.Deleted != 0 {
			t.Errorf("second run changed %s: %+v", c.Entity, c)
		}
	}
	if store.commits != 1 || store.heads["springfield"] != rep.RunID {
		t.Errorf("unchanged roster was rewritten: %d roster commits, head %d", store.commits, store.heads["springfield"])
	}
	if diff := cmp.Diff(before, store.snapshot("springfield")); diff != "" {
		t.Errorf("roster changed (-before +after):\n%s", diff)
	}
}

// Ensure a preflight error refuses the run and commits nothing.
func TestEngine_Refused(t *testing.T) {
	store := newMemStore()
	eng := newEngine(t, store)
	bad := district()
	bad.Sections[0].School = "s-missing"
	conn := &connector.Connection{Name: "springfield", Source: &fakeSource{roster: bad}}

	rep, err := eng.Run(context.Background(), conn, connector.RunOptions{Mode: connector.ModeSync})
	if err != nil {
		t.Fatalf("a refusal is not a failure: %v", err)
	}
	if rep.Verdict != preflight.VerdictRefused {
		t.Fatalf("verdict %s", rep.Verdict)
	}
	found := false
	for _, is := range rep.Issues {
		if is.Code == "section.unknown_school" && is.ID == "x1" && is.Field == "school" {
			found = true
		}
	}
	if !found {
		t.Errorf("issues do not name section x1's school: %+v", rep.Issues)
	}
	if store.commits != 0 || len(store.snapshot("springfield")) != 0 {
		t.Error("a refused run committed")
	}
	if rec := store.runs[rep.RunID]; rec.Verdict != preflight.VerdictRefused || rec.Errors == 0 {
		t.Errorf("run record = %+v", rec)
	}
}

// Ensure a dry run reports what a sync would do and commits nothing.
func TestEngine_Preflight(t *testing.T) {
	store := newMemStore()
	eng := newEngine(t, store)
	conn := &connector.Connection{Name: "springfield", Source: &fakeSource{roster: district()}}
	rep, err := eng.Run(context.Background(), conn, connector.RunOptions{Mode: connector.ModePreflight})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Verdict != preflight.VerdictPassed || counts(rep)[roster.EntitySection].Added != 1 {
		t.Errorf("verdict %s, counts %+v", rep.Verdict, rep.Counts)
	}
	if store.commits != 0 {
		t.Error("a dry run committed")
	}
}

// Ensure a failed fetch or a panic fails the run, names the cause, records
// it, and commits nothing.
func TestEngine_Failed(t *testing.T) {
	tests := []struct {
		name   string
		source *fakeSource
		want   string
	}{
		{"fetch error", &fakeSource{err: errors.New("GET /v3.0/users: 503 Service Unavailable")}, "fetch: GET /v3.0/users: 503"},
		{"panic", &fakeSource{panic: "boom"}, "internal error: boom"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := newMemStore()
			eng := newEngine(t, store)
			rep, err := eng.Run(context.Background(), &connector.Connection{Name: "c", Source: tt.source}, connector.RunOptions{Mode: connector.ModeSync})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want %q", err, tt.want)
			}
			if rep.Verdict != preflight.VerdictFailed || !strings.Contains(rep.Error, tt.want) {
				t.Errorf("report verdict %s error %q", rep.Verdict, rep.Error)
			}
			if rec := store.runs[rep.RunID]; rec.Verdict != preflight.VerdictFailed || rec.Error == "" {
				t.Errorf("run record = %+v", rec)
			}
			if store.commits != 0 {
				t.Error("a failed run committed")
			}
		})
	}
}

// Ensure a commit that finds the committed roster moved since preflight
// fails instead of overwriting the other change.
func TestEngine_Conflict(t *testing.T) {
	store := newMemStore()
	store.beforeCommit = func(s *memStore) { s.heads["c"] = 999 }
	eng := newEngine(t, store)
	rep, err := eng.Run(context.Background(), &connector.Connection{Name: "c", Source: &fakeSource{roster: district()}}, connector.RunOptions{Mode: connector.ModeSync})
	if !errors.Is(err, errConflict) {
		t.Fatalf("error %v, want the conflict", err)
	}
	if rep.Verdict != preflight.VerdictFailed || store.commits != 0 {
		t.Errorf("verdict %s, %d commits", rep.Verdict, store.commits)
	}
}
