package main

import (
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rosterd/rosterd/internal/fakeclever"
	"github.com/rosterd/rosterd/internal/synth"
	"github.com/rosterd/rosterd/preflight"
	"github.com/rosterd/rosterd/roster"
)

// eventsConfig turns on Clever events for the harness's connection; it
// continues the clever source's block.
const eventsConfig = `        events:
          enabled: true
`

// newEventsHarness is newHarness with the fake recording an event for
// every change SetDataset makes, as Clever does for an app with events
// turned on.
func newEventsHarness(t *testing.T, ds *fakeclever.Dataset, extra string) *harness {
	t.Helper()
	fake := fakeclever.NewServer(ds, fakeclever.Options{Token: testToken, Events: true})
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "token"), []byte(testToken+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, fake: fake, dir: dir, configPath: filepath.Join(dir, "rosterd.yaml"), url: srv.URL}
	h.configure(extra)
	return h
}

// requestCounts counts the fake's logged requests by collection:
// "events", "users", "sections" and so on.
func requestCounts(h *harness) map[string]int {
	n := map[string]int{}
	for _, r := range h.fake.Requests() {
		rest, _ := strings.CutPrefix(r.Path, "/v3.0/")
		coll, _, _ := strings.Cut(rest, "?")
		coll, _, _ = strings.Cut(coll, "/")
		n[coll]++
	}
	return n
}

// responseBytes sums the body bytes of the fake's logged responses.
func responseBytes(h *harness) int {
	n := 0
	for _, r := range h.fake.Requests() {
		n += r.Bytes
	}
	return n
}

// crawledDistrict reports whether counts show a crawl of the district.
func crawledDistrict(counts map[string]int) bool {
	return counts["users"] > 0 || counts["sections"] > 0 || counts["schools"] > 0
}

// withdrawn returns r without student id: out of its sections and its
// contacts' relationships, and a contact left with no student deleted,
// as a district withdrawing a student does. r's records are not changed.
func withdrawn(t *testing.T, r *roster.Roster, id string) *roster.Roster {
	t.Helper()
	c := cloneRoster(t, r)
	c.Users = slices.DeleteFunc(c.Users, func(u roster.User) bool { return u.ID == id })
	for i := range c.Sections {
		c.Sections[i].Students = slices.DeleteFunc(slices.Clone(c.Sections[i].Students), func(s string) bool { return s == id })
	}
	c.Users = slices.DeleteFunc(c.Users, func(u roster.User) bool {
		ct := u.Roles.Contact
		return ct != nil && len(ct.Relationships) > 0 &&
			!slices.ContainsFunc(ct.Relationships, func(rel roster.Relationship) bool { return rel.Student != id })
	})
	for i := range c.Users {
		if ct := c.Users[i].Roles.Contact; ct != nil && slices.ContainsFunc(ct.Relationships, func(rel roster.Relationship) bool { return rel.Student == id }) {
			cc := *ct
			cc.Relationships = slices.DeleteFunc(slices.Clone(ct.Relationships), func(rel roster.Relationship) bool { return rel.Student == id })
			c.Users[i].Roles.Contact = &cc
		}
	}
	return c
}

// changedDistrict is district with about 1% of its students renamed, a
// section's students replaced, and a student withdrawn.
func changedDistrict(t *testing.T, district *roster.Roster) *roster.Roster {
	t.Helper()
	students := district.Count()[roster.EntityStudent]
	c := renamed(t, district, students/100)
	var gone string
	for i := len(c.Users) - 1; gone == ""; i-- {
		if c.Users[i].Roles.Student != nil {
			gone = c.Users[i].ID
		}
	}
	c = withdrawn(t, c, gone)
	// Swap the first section's first student for one of the last
	// section's: the students array replaced whole.
	first, last := &c.Sections[0], c.Sections[len(c.Sections)-1]
	moved := last.Students[0]
	first.Students = append(slices.DeleteFunc(slices.Clone(first.Students[1:]), func(s string) bool { return s == moved }), moved)
	return c
}

// syncCommitted runs a sync and fails the test unless it committed.
func syncCommitted(t *testing.T, h *harness, what string) (result, *preflight.Report) {
	t.Helper()
	r, rep := h.syncJSON("sync")
	if r.code != exitOK || rep == nil || rep.Verdict != preflight.VerdictCommitted {
		t.Fatalf("%s: exit %d, report %v\nstderr:\n%s", what, r.code, rep, tailLines(r.stderr, 30))
	}
	return r, rep
}

// cleanSync returns the roster a fresh full sync of ds commits.
func cleanSync(t *testing.T, ds *fakeclever.Dataset) *roster.Roster {
	t.Helper()
	h := newHarness(t, ds, "")
	syncCommitted(t, h, "clean full sync")
	return h.committed()
}

// Ensure a sync with Clever events on reads only the events after the
// first, full one, and commits exactly what a clean full sync of the
// changed district commits.
func TestEvents_IncrementalSyncMatchesFullSync(t *testing.T) {
	district, _ := generated(t, "small", 11, synth.Defects{})
	h := newEventsHarness(t, fakeclever.FromRoster(district), eventsConfig)
	r, _ := syncCommitted(t, h, "first sync")
	full, fullBytes := requestCounts(h), responseBytes(h)
	if !crawledDistrict(full) || full["events"] == 0 || !strings.Contains(r.stderr, `"fallback":"first_sync"`) {
		t.Fatalf("first sync made requests %v; want a crawl after taking the newest event", full)
	}

	changed := changedDistrict(t, district)
	ds := fakeclever.FromRoster(changed)
	h.fake.ResetRequests()
	h.fake.SetDataset(ds)
	events := len(h.fake.Events())
	r, rep := syncCommitted(t, h, "incremental sync")
	inc, incBytes := requestCounts(h), responseBytes(h)
	if crawledDistrict(inc) || inc["events"] == 0 || strings.Contains(r.stderr, `"fallback"`) {
		t.Fatalf("incremental sync made requests %v; want the events and no crawl\nstderr:\n%s", inc, tailLines(r.stderr, 20))
	}
	total := func(n map[string]int) (s int) {
		for _, k := range n {
			s += k
		}
		return s
	}
	t.Logf("full sync: %d requests %v, %d bytes; incremental sync: %d requests %v, %d bytes, for %d events",
		total(full), full, fullBytes, total(inc), inc, incBytes, events)

	st := counts(rep)[roster.EntityStudent]
	if want := district.Count()[roster.EntityStudent] / 100; st.Updated < want || st.Deleted != 1 {
		t.Errorf("student counts %+v, want at least %d updated and 1 deleted", st, want)
	}
	got := h.committed()
	if diff := rosterDiff(cleanSync(t, ds), got); diff != "" {
		t.Errorf("incremental commit differs from a clean full sync (-full +incremental):\n%s", diff)
	}
	if diff := rosterDiff(changed, got); diff != "" {
		t.Errorf("incremental commit differs from the changed district (-want +got):\n%s", diff)
	}

	// Nothing changed since: the next run reads the events again, finds
	// none after its cursor, and changes nothing.
	h.fake.ResetRequests()
	_, rep = syncCommitted(t, h, "no-change sync")
	if n := requestCounts(h); crawledDistrict(n) {
		t.Errorf("no-change sync crawled: %v", n)
	}
	for _, c := range rep.Counts {
		if c.Added+c.Updated+c.Deleted != 0 {
			t.Errorf("no-change sync changed %s: %+v", c.Entity, c)
		}
	}
}

// Ensure a cursor whose event Clever no longer keeps (past the 30-day
// retention), and a full crawl due by full_every, each make the run crawl
// in full, say why in the log, and commit the district as it now is.
func TestEvents_FallBackToFullCrawl(t *testing.T) {
	tests := []struct {
		name     string
		fallback string
		// before runs after the district changed, before the sync.
		before func(h *harness, cursor string)
	}{
		{"ExpiredCursor", "cursor_refused", func(h *harness, cursor string) { h.fake.ExpireEvents(cursor) }},
		{"FullEveryElapsed", "full_due", func(h *harness, _ string) {
			h.configure(eventsConfig + "          full_every: 1ms\n")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			district, _ := generated(t, "small", 12, synth.Defects{})
			h := newEventsHarness(t, fakeclever.FromRoster(district), eventsConfig)
			h.fake.SetDataset(fakeclever.FromRoster(district)) // the feed is never empty on Clever
			syncCommitted(t, h, "first sync")
			evs := h.fake.Events()
			cursor := evs[len(evs)-1].ID

			changed := changedDistrict(t, district)
			ds := fakeclever.FromRoster(changed)
			h.fake.SetDataset(ds)
			tt.before(h, cursor)
			h.fake.ResetRequests()
			r, _ := syncCommitted(t, h, "sync")
			if n := requestCounts(h); !crawledDistrict(n) {
				t.Errorf("requests %v, want a full crawl", n)
			}
			if want := fmt.Sprintf(`"fallback":%q`, tt.fallback); !strings.Contains(r.stderr, want) {
				t.Errorf("the log does not say %s:\n%s", want, tailLines(r.stderr, 20))
			}
			if diff := rosterDiff(cleanSync(t, ds), h.committed()); diff != "" {
				t.Errorf("commit differs from a clean full sync (-full +got):\n%s", diff)
			}
		})
	}
}
