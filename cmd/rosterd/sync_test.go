package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/rosterd/rosterd/internal/fakeclever"
	"github.com/rosterd/rosterd/internal/synth"
	"github.com/rosterd/rosterd/preflight"
	"github.com/rosterd/rosterd/roster"
	"github.com/rosterd/rosterd/state"
)

// generated returns a deterministic small district, sorted as the store
// returns it.
func generated(t *testing.T, profile string, seed int64, defects synth.Defects) (*roster.Roster, []synth.Defect) {
	t.Helper()
	p, ok := synth.ProfileByName(profile)
	if !ok {
		t.Fatalf("no profile %q", profile)
	}
	p.Seed = seed
	p.Defects = defects
	r, ds := synth.Generate(p)
	return r, ds
}

// rosterDiff compares a generated roster with one synced through Clever,
// regardless of nil-versus-empty slices and maps, which the store does not
// preserve. Fields Clever's schema has no place for are left out of the
// comparison: the fake sends them under their model names, and the client
// must not depend on them.
func rosterDiff(want, got *roster.Roster) string {
	w, g := *want, *got
	w.SortByID()
	g.SortByID()
	return cmp.Diff(&w, &g, cmpopts.EquateEmpty(),
		cmpopts.IgnoreFields(roster.District{}, "StateID", "LastModified"),
		cmpopts.IgnoreFields(roster.Term{}, "SISID"),
		cmpopts.IgnoreFields(roster.Course{}, "SISID", "Subject"))
}

// Ensure a full sync commits exactly the generated roster, and a second
// sync of unchanged data changes nothing and rewrites nothing.
func TestSync_CommitsGeneratedRoster(t *testing.T) {
	district, _ := generated(t, "small", 7, synth.Defects{})
	h := newHarness(t, fakeclever.FromRoster(district), "")

	r, rep := h.syncJSON("sync")
	if r.code != exitOK || rep.Verdict != preflight.VerdictCommitted {
		t.Fatalf("sync exit %d verdict %v\nstderr:\n%s", r.code, rep, r.stderr)
	}
	if diff := rosterDiff(district, h.committed()); diff != "" {
		t.Fatalf("committed roster differs from the generated one (-want +got):\n%s", diff)
	}
	firstRun := rep.RunID
	for _, c := range rep.Counts {
		want := district.Count()[c.Entity]
		if c.Fetched != want || c.Kept != want || c.Added != want || c.Updated+c.Deleted != 0 {
			t.Errorf("%s counts %+v, want %d fetched, kept and added", c.Entity, c, want)
		}
	}

	r, rep = h.syncJSON("sync")
	if r.code != exitOK || rep.Verdict != preflight.VerdictCommitted {
		t.Fatalf("resync exit %d\nstderr:\n%s", r.code, r.stderr)
	}
	for _, c := range rep.Counts {
		if c.Added+c.Updated+c.Deleted != 0 {
			t.Errorf("resync of unchanged data changed %s: %+v", c.Entity, c)
		}
	}
	h.view(func(sn *state.Snapshot) {
		if got := sn.Head().RunID; got != firstRun {
			t.Errorf("head is run %d after a no-change resync, want %d: the roster was rewritten", got, firstRun)
		}
	})

	// The history shows both runs, and each report reads back.
	r = h.rosterd("runs")
	if r.code != exitOK || strings.Count(r.stdout, "committed") != 2 {
		t.Errorf("runs exit %d:\n%s", r.code, r.stdout)
	}
	r = h.rosterd("report", "1")
	if r.code != exitOK || !strings.Contains(r.stdout, "COMMITTED") {
		t.Errorf("report 1 exit %d:\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// Ensure a first sync large enough for the store's batched commit, whose
// batches free each record of the change from the spill file once it is
// written, commits exactly the generated roster, and that a resync of it
// changes nothing.
func TestSync_CommitsABatchedFirstSync(t *testing.T) {
	p := synth.Profile{Name: "batched", Seed: 11, Schools: 4, Students: 26_000, Staff: 10, DistrictAdmins: 1}
	district, _ := synth.Generate(p)
	// The store commits a change of over 25,000 writes in batches
	// (state.bigChangeWrites).
	if n := len(district.Users) + len(district.Sections); n <= 25_000 {
		t.Fatalf("the district has %d users and sections, too few for a batched commit", n)
	}
	h := newHarness(t, fakeclever.FromRoster(district), "")
	r, rep := h.syncJSON("sync")
	if r.code != exitOK || rep.Verdict != preflight.VerdictCommitted {
		t.Fatalf("sync exit %d verdict %v\nstderr:\n%s", r.code, rep.Verdict, r.stderr)
	}
	if diff := rosterDiff(district, h.committed()); diff != "" {
		t.Fatalf("committed roster differs from the generated one (-want +got):\n%s", diff)
	}
	r, rep = h.syncJSON("sync")
	if r.code != exitOK || rep.Verdict != preflight.VerdictCommitted {
		t.Fatalf("resync exit %d verdict %v\nstderr:\n%s", r.code, rep.Verdict, r.stderr)
	}
	for _, c := range rep.Counts {
		if c.Added+c.Updated+c.Deleted != 0 {
			t.Errorf("resync of unchanged data changed %s: %+v", c.Entity, c)
		}
	}
}

// Ensure a changed district commits exactly its changes.
func TestSync_CommitsChanges(t *testing.T) {
	district, _ := generated(t, "tiny", 3, synth.Defects{})
	h := newHarness(t, fakeclever.FromRoster(district), "")
	if r := h.rosterd("sync"); r.code != exitOK {
		t.Fatalf("sync exit %d\n%s", r.code, r.stderr)
	}

	changed := cloneRoster(t, district)
	changed.Sections[0].Name = "Renamed section"
	removed := changed.Sections[len(changed.Sections)-1]
	changed.Sections = changed.Sections[:len(changed.Sections)-1]
	h.fake.SetDataset(fakeclever.FromRoster(changed))

	r, rep := h.syncJSON("sync")
	if r.code != exitOK {
		t.Fatalf("sync exit %d\n%s", r.code, r.stderr)
	}
	sec := counts(rep)[roster.EntitySection]
	if sec.Updated != 1 || sec.Deleted != 1 || sec.Added != 0 {
		t.Errorf("section counts %+v, want 1 updated and 1 deleted (%s)", sec, removed.ID)
	}
	if diff := rosterDiff(changed, h.committed()); diff != "" {
		t.Errorf("committed roster (-want +got):\n%s", diff)
	}
}

// Ensure Clever's own demo district (no schools list: the fake synthesises
// the schools, terms and courses its sections and users name) syncs end to
// end with no issue at all.
func TestSync_DemoDistrictFixture(t *testing.T) {
	ds, err := fakeclever.LoadDemoDistrict(fixtures(t, "clever", "demo-district-v3.0"))
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, ds, "")
	r, rep := h.syncJSON("sync")
	if r.code != exitOK {
		t.Fatalf("sync exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	want := map[roster.Entity]int{
		roster.EntityStudent: 1004, roster.EntityTeacher: 89, roster.EntitySection: 378,
		roster.EntitySchool: 5, roster.EntityContact: 1002, roster.EntityDistrictAdmin: 3,
	}
	got := h.committed().Count()
	for e, n := range want {
		if got[e] != n {
			t.Errorf("committed %d %s records, want %d", got[e], e, n)
		}
	}
	if rep.Summary.Errors+rep.Summary.Warnings != 0 {
		t.Errorf("summary %+v: want no issues", rep.Summary)
	}
}

// Ensure faults the retries absorb give the same committed roster as a
// clean run.
func TestSync_FaultsAbsorbed(t *testing.T) {
	district, _ := generated(t, "small", 11, synth.Defects{})
	tests := map[string][]fakeclever.Fault{
		"5xx burst":      {{Path: "/v3.0/users", Kind: fakeclever.FaultStatus, Status: 503, Times: 2}},
		"rate limited":   {{Path: "/v3.0/sections", Kind: fakeclever.FaultRateLimit}},
		"429 storm":      {{Kind: fakeclever.FaultRateLimit, Times: 3}, {Path: "/v3.0/users", Kind: fakeclever.FaultRateLimit, Times: 3, After: 2}},
		"html 502":       {{Path: "/v3.0/schools", Kind: fakeclever.FaultHTML, Status: 502}},
		"slow":           {{Path: "/v3.0/users", Kind: fakeclever.FaultSlow, Delay: 200 * time.Millisecond}},
		"body cut short": {{Path: "/v3.0/users", Kind: fakeclever.FaultTruncate, After: 1}},
		"all at once": {
			{Path: "/v3.0/districts", Kind: fakeclever.FaultStatus, Status: 500},
			{Path: "/v3.0/users", Kind: fakeclever.FaultTruncate, Times: 2},
			{Path: "/v3.0/sections", Kind: fakeclever.FaultRateLimit},
			{Path: "/v3.0/terms", Kind: fakeclever.FaultHTML, Status: 504},
		},
	}
	for name, faults := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, fakeclever.FromRoster(district), "        page_size: 1000\n")
			for _, f := range faults {
				h.fake.Inject(f)
			}
			if r := h.rosterd("sync"); r.code != exitOK {
				t.Fatalf("sync exit %d\nstderr:\n%s", r.code, r.stderr)
			}
			if diff := rosterDiff(district, h.committed()); diff != "" {
				t.Errorf("committed roster differs from a clean run (-want +got):\n%s", diff)
			}
		})
	}
}

// Ensure faults that outlast the retries fail the run with a message that
// names the cause, and leave the committed roster untouched.
func TestSync_FaultsAbort(t *testing.T) {
	district, _ := generated(t, "small", 13, synth.Defects{})
	changed := cloneRoster(t, district)
	changed.Users = changed.Users[:len(changed.Users)/2] // a short crawl would read as mass deletes

	tests := map[string]struct {
		fault fakeclever.Fault
		want  []string
		extra string // more of the connection's source config
	}{
		"5xx outlasting retries": {fakeclever.Fault{Path: "/v3.0/users", Kind: fakeclever.FaultStatus, Status: 503, Times: 100, After: 2},
			[]string{`clever "district"`, "/v3.0/users", "503"}, ""},
		"body always cut short": {fakeclever.Fault{Path: "/v3.0/sections", Kind: fakeclever.FaultTruncate, Times: 100},
			[]string{"/v3.0/sections", "cut short"}, ""},
		"html error page": {fakeclever.Fault{Path: "/v3.0/users", Kind: fakeclever.FaultHTML, Status: 502, Times: 100, After: 1},
			[]string{"/v3.0/users", "502"}, ""},
		"not retried": {fakeclever.Fault{Path: "/v3.0/terms", Kind: fakeclever.FaultStatus, Status: 403},
			[]string{"/v3.0/terms", "403"}, ""},
		"pagination loop": {fakeclever.Fault{Path: "/v3.0/users", Kind: fakeclever.FaultLoop, Times: 100, After: 1},
			[]string{"/v3.0/users", "pagination loop"}, ""},
		"request timeout": {fakeclever.Fault{Path: "/v3.0/sections", Kind: fakeclever.FaultSlow, Delay: 10 * time.Second, Times: 100},
			[]string{"/v3.0/sections", "timeout"}, "        timeout: 200ms\n"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, fakeclever.FromRoster(district), "        page_size: 500\n")
			if r := h.rosterd("sync"); r.code != exitOK {
				t.Fatalf("first sync exit %d\n%s", r.code, r.stderr)
			}
			h.configure("        page_size: 500\n" + tt.extra)
			h.fake.SetDataset(fakeclever.FromRoster(changed))
			h.fake.Inject(tt.fault)

			r, rep := h.syncJSON("sync")
			if r.code != exitFailure {
				t.Fatalf("sync exit %d, want %d\nstderr:\n%s", r.code, exitFailure, r.stderr)
			}
			for _, want := range tt.want {
				if !strings.Contains(r.stderr, want) || !strings.Contains(rep.Error, want) {
					t.Errorf("error does not name %q\nreport error: %s\nstderr:\n%s", want, rep.Error, r.stderr)
				}
			}
			if rep.Verdict != preflight.VerdictFailed {
				t.Errorf("verdict %s", rep.Verdict)
			}
			if diff := rosterDiff(district, h.committed()); diff != "" {
				t.Errorf("a failed run changed the committed roster (-want +got):\n%s", diff)
			}
		})
	}
}

// Ensure a revoked or wrong token fails the run with a message naming the
// status and path, never the token itself.
func TestSync_Unauthorized(t *testing.T) {
	district, _ := generated(t, "tiny", 1, synth.Defects{})
	h := newHarness(t, fakeclever.FromRoster(district), "")
	if err := os.WriteFile(filepath.Join(h.dir, "token"), []byte("wrong-"+testToken), 0o600); err != nil {
		t.Fatal(err)
	}
	r := h.rosterd("sync")
	if r.code != exitFailure {
		t.Fatalf("sync exit %d, want %d", r.code, exitFailure)
	}
	for _, want := range []string{"401", "/v3.0/districts", `clever "district"`} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr does not name %q:\n%s", want, r.stderr)
		}
	}
	if strings.Contains(r.stderr, "wrong-") {
		t.Error("stderr shows the token")
	}
}

func counts(rep *preflight.Report) map[roster.Entity]preflight.EntityCounts {
	out := map[roster.Entity]preflight.EntityCounts{}
	for _, c := range rep.Counts {
		out[c.Entity] = c
	}
	return out
}

// cloneRoster copies r deeply enough for tests to edit records and drop
// them without touching r.
func cloneRoster(t *testing.T, r *roster.Roster) *roster.Roster {
	t.Helper()
	c := *r
	c.Sections = append([]roster.Section(nil), r.Sections...)
	c.Users = append([]roster.User(nil), r.Users...)
	c.Schools = append([]roster.School(nil), r.Schools...)
	return &c
}
