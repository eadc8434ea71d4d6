package connector_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/rosterd/rosterd/connector"
	"github.com/rosterd/rosterd/preflight"
	"github.com/rosterd/rosterd/roster"
	"github.com/rosterd/rosterd/sharing"
)

// twoSections is district() with a second section that u1 is also in.
func twoSections() *roster.Roster {
	r := district()
	r.Sections = append(r.Sections, roster.Section{ID: "x2", District: "d1", School: "s1", Name: "Math 3", Subject: "math",
		Teachers: []string{"t1"}, Students: []string{"u1"}})
	return r
}

func rules(t *testing.T, cfg sharing.Config) *sharing.Rules {
	t.Helper()
	r, err := sharing.Compile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// Ensure the run applies the connection's rules before preflight: the
// rules' placement issues refuse the run, and the report says what each
// rule did.
func TestEngine_RulesRefuse(t *testing.T) {
	store := newMemStore()
	conn := &connector.Connection{Name: "springfield", Source: &fakeSource{roster: twoSections()},
		Rules: rules(t, sharing.Config{OneSectionPerStudent: &sharing.OneSection{Required: true}})}
	rep, err := newEngine(t, store).Run(context.Background(), conn, connector.RunOptions{Mode: connector.ModeSync})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Verdict != preflight.VerdictRefused || rep.Summary.Errors != 1 || rep.Issues[0].Code != "student.multiple_sections" || rep.Issues[0].ID != "u1" {
		t.Fatalf("verdict %s, issues %+v", rep.Verdict, rep.Issues)
	}
	if len(rep.Issues[0].Sections) != 2 || rep.Issues[0].Hint == "" {
		t.Errorf("issue %+v lacks its sections or hint", rep.Issues[0])
	}
	if p := rep.Placement; p == nil || *p != (preflight.Placement{OneSection: 1, SeveralSections: 1}) {
		t.Errorf("placement %+v", p)
	}
	if store.commits != 0 {
		t.Error("a refused run committed")
	}
}

// Ensure the rules narrow what is committed, and the report's counts show
// fetched against kept.
func TestEngine_RulesNarrow(t *testing.T) {
	store := newMemStore()
	conn := &connector.Connection{Name: "springfield", Source: &fakeSource{roster: twoSections()}, KeepRaw: true,
		Rules: rules(t, sharing.Config{
			Sections: sharing.Filter{Exclude: []sharing.Matcher{{"subject": {"math"}}}},
			Fields:   map[roster.Entity][]string{roster.EntityStudent: {"sis_id", "name.first", "name.last", "school"}},
		})}
	rep, err := newEngine(t, store).Run(context.Background(), conn, connector.RunOptions{Mode: connector.ModeSync})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Verdict != preflight.VerdictCommitted {
		t.Fatalf("verdict %s, issues %+v", rep.Verdict, rep.Issues)
	}
	if c := counts(rep)[roster.EntitySection]; c.Fetched != 2 || c.Kept != 1 || c.Added != 1 {
		t.Errorf("section counts %+v, want 2 fetched, 1 kept and added", c)
	}
	var excluded preflight.RuleCount
	for _, rc := range rep.Rules {
		if rc.Rule == "sections.exclude[0]" {
			excluded = rc
		}
	}
	if excluded.Dropped != 1 || excluded.Entity != roster.EntitySection {
		t.Errorf("rules %+v", rep.Rules)
	}
	if _, ok := store.snapshot("springfield")[roster.KindSections]["x2"]; ok {
		t.Error("the excluded section was committed")
	}
	for id, data := range store.snapshot("springfield")[roster.KindUsers] {
		if id != "t1" && contains(data, `"grade"`) {
			t.Errorf("student %s was stored with a minimised field: %s", id, data)
		}
	}
	if store.raws != 1 {
		t.Errorf("SaveRaw called %d times, want 1", store.raws)
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

// incSource is an IncrementalSource that records what it was given and
// returns the next cursor.
type incSource struct {
	roster *roster.Roster
	got    []connector.Previous
	raws   []*roster.Roster
	next   string
	// unchanged makes FetchSince return the kept roster, saying so.
	unchanged bool
}

func (s *incSource) Kind() string { return "inc" }

func (s *incSource) Fetch(context.Context) (*roster.Roster, error) { return s.roster, nil }

func (s *incSource) FetchSince(_ context.Context, prev connector.Previous) (*roster.Roster, []byte, error) {
	s.got = append(s.got, prev)
	raw, err := prev.Raw()
	if err != nil {
		return nil, nil, err
	}
	s.raws = append(s.raws, raw)
	if s.unchanged && raw != nil {
		prev.Unchanged()
		return raw, []byte(s.next), nil
	}
	return s.roster, []byte(s.next), nil
}

// Ensure an incremental source gets the last commit's cursor and the
// kept roster, that its cursor commits with the roster, and that a run
// that does not commit leaves the cursor as it was.
func TestEngine_IncrementalSource(t *testing.T) {
	store := newMemStore()
	eng := newEngine(t, store)
	src := &incSource{roster: district(), next: "c1"}
	conn := &connector.Connection{Name: "c", Source: src, KeepRaw: true}
	runSync(t, eng, conn)
	if len(src.got) != 1 || src.got[0].Cursor != nil || src.raws[0] != nil {
		t.Fatalf("first fetch got cursor %q and a raw roster %v", src.got[0].Cursor, src.raws[0] != nil)
	}
	if c, _ := store.Cursor("c"); string(c) != "c1" {
		t.Fatalf("cursor after the first commit %q, want c1", c)
	}

	// A refused run keeps the old cursor.
	bad := district()
	bad.Users[1].Roles.Student.SISID = ""
	src.roster, src.next = bad, "c2"
	if rep := runSync(t, eng, conn); rep.Verdict != preflight.VerdictRefused {
		t.Fatalf("verdict %s", rep.Verdict)
	}
	if c, _ := store.Cursor("c"); string(c) != "c1" {
		t.Errorf("a refused run moved the cursor to %q", c)
	}
	if got := src.got[1]; string(got.Cursor) != "c1" || src.raws[1] == nil || len(src.raws[1].Users) != 3 {
		t.Errorf("second fetch got cursor %q and raw %v", got.Cursor, src.raws[1])
	}
}

// Ensure a run whose fetched roster could not be kept commits its roster
// but not its cursor: the next incremental fetch builds on the roster
// still kept, so it must start from the cursor that roster goes with.
func TestEngine_IncrementalSourceRawNotKept(t *testing.T) {
	store := newMemStore()
	eng := newEngine(t, store)
	src := &incSource{roster: district(), next: "c1"}
	conn := &connector.Connection{Name: "c", Source: src, KeepRaw: true}
	runSync(t, eng, conn)

	changed := district()
	changed.Users[1].Name.Last = "Renamed"
	src.roster, src.next = changed, "c2"
	store.saveRawErr = errors.New("disk full")
	if rep := runSync(t, eng, conn); rep.Verdict != preflight.VerdictCommitted {
		t.Fatalf("verdict %s", rep.Verdict)
	}
	if c, _ := store.Cursor("c"); string(c) != "c1" {
		t.Errorf("cursor %q after a run that kept no roster, want c1", c)
	}

	store.saveRawErr = nil
	src.next = "c3"
	runSync(t, eng, conn)
	if got := src.got[2]; string(got.Cursor) != "c1" || src.raws[2] == nil || src.raws[2].Users[1].Name.Last == "Renamed" {
		t.Errorf("third fetch got cursor %q and a raw roster %v, want c1 and the first run's roster", got.Cursor, src.raws[2] != nil)
	}
	if c, _ := store.Cursor("c"); string(c) != "c3" {
		t.Errorf("cursor %q once the roster is kept again, want c3", c)
	}
}

// Ensure a run whose source returns the kept roster unchanged does not
// store it again, and still commits its cursor; unless data minimisation
// dropped something from it, which the kept roster must not keep.
func TestEngine_IncrementalSourceUnchanged(t *testing.T) {
	tests := []struct {
		name     string
		rules    *sharing.Rules
		wantRaws int // SaveRaw calls by the second run
	}{
		{"Unchanged", nil, 0},
		{"Minimised", rules(t, sharing.Config{Fields: map[roster.Entity][]string{roster.EntityStudent: {"sis_id", "name.first", "name.last", "school", "schools"}}}), 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := newMemStore()
			eng := newEngine(t, store)
			src := &incSource{roster: district(), next: "c1"}
			conn := &connector.Connection{Name: "c", Source: src, KeepRaw: true}
			runSync(t, eng, conn)
			before := store.raws

			conn.Rules = tt.rules
			src.unchanged, src.next = true, "c2"
			if rep := runSync(t, eng, conn); rep.Verdict != preflight.VerdictCommitted {
				t.Fatalf("verdict %s: %+v", rep.Verdict, rep.Summary.ByCode)
			}
			if got := store.raws - before; got != tt.wantRaws {
				t.Errorf("the second run stored the raw roster %d times, want %d", got, tt.wantRaws)
			}
			if c, _ := store.Cursor("c"); string(c) != "c2" {
				t.Errorf("cursor %q, want c2", c)
			}
		})
	}
}
