package connector_test

import (
	"context"
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
