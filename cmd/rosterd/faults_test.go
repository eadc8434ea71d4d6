package main

import (
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rosterd/rosterd/internal/fakeclever"
	"github.com/rosterd/rosterd/internal/fakeoneroster"
	"github.com/rosterd/rosterd/internal/synth"
	"github.com/rosterd/rosterd/preflight"
	"github.com/rosterd/rosterd/roster"
)

// renamed returns r with the last names of n students changed: a change
// small enough for every guard to let through, and one a sync that read
// it must commit.
func renamed(t *testing.T, r *roster.Roster, n int) *roster.Roster {
	t.Helper()
	c := cloneRoster(t, r)
	for i := range c.Users {
		if n == 0 {
			break
		}
		if c.Users[i].Roles.Student != nil {
			c.Users[i].Name.Last += "-Renamed"
			n--
		}
	}
	return c
}

// whenRequested calls fn once, as soon as log shows the nth request whose
// path starts with prefix; the returned func waits for it to have run.
func whenRequested(t *testing.T, log func() []string, prefix string, nth int, fn func()) (wait func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		deadline := time.Now().Add(time.Minute)
		for time.Now().Before(deadline) {
			n := 0
			for _, p := range log() {
				if strings.HasPrefix(p, prefix) {
					n++
				}
			}
			if n >= nth {
				fn()
				return
			}
			time.Sleep(2 * time.Millisecond)
		}
		t.Errorf("fewer than %d requests to %s within a minute", nth, prefix)
	}()
	return func() { <-done }
}

// Ensure a Clever district that syncs while it is being read (its
// last_sync moves) fails the run with the committed roster untouched,
// since the pages read before and after would mix two rosters, and that
// the next run reads the new district whole.
func TestSync_CleverChangedMidCrawl(t *testing.T) {
	district, _ := generated(t, "small", 17, synth.Defects{})
	changed := renamed(t, district, 10)
	h := newHarness(t, fakeclever.FromRoster(district), "        page_size: 500\n")
	if r := h.rosterd("sync"); r.code != exitOK {
		t.Fatalf("first sync exit %d\n%s", r.code, r.stderr)
	}

	// The district syncs once its courses are read (the fake logs a
	// request when answered), while the users and sections are still to
	// come; the sections are slow, so the sync surely lands mid-crawl.
	h.fake.Inject(fakeclever.Fault{Path: "/v3.0/sections", Kind: fakeclever.FaultSlow, Delay: 300 * time.Millisecond})
	h.fake.ResetRequests()
	paths := func() []string {
		var out []string
		for _, r := range h.fake.Requests() {
			out = append(out, r.Path)
		}
		return out
	}
	wait := whenRequested(t, paths, "/v3.0/courses", 1, func() { h.fake.SetDataset(fakeclever.FromRoster(changed)) })
	r, rep := h.syncJSON("sync")
	wait()
	if r.code != exitFailure || rep == nil || rep.Verdict != preflight.VerdictFailed {
		t.Fatalf("sync exit %d, report %+v; want a failed run\nstderr:\n%s", r.code, rep, tailLines(r.stderr, 10))
	}
	for _, want := range []string{`clever "district"`, "changed during the crawl", "last_sync"} {
		if !strings.Contains(rep.Error, want) {
			t.Errorf("report error %q does not name %q", rep.Error, want)
		}
	}
	if diff := rosterDiff(district, h.committed()); diff != "" {
		t.Errorf("a crawl spanning a sync changed the committed roster (-want +got):\n%s", diff)
	}

	if r := h.rosterd("sync"); r.code != exitOK {
		t.Fatalf("next sync exit %d\n%s", r.code, tailLines(r.stderr, 10))
	}
	if diff := rosterDiff(changed, h.committed()); diff != "" {
		t.Errorf("the next sync did not commit the synced district (-want +got):\n%s", diff)
	}
}

// orFaultHarness serves ds as OneRoster 1.2 over OAuth 2 and configures a
// connection reading it 1,000 records a page without a rate limit, with fast retries, the
// request timeout given and no sharing rules.
func orFaultHarness(t *testing.T, ds *fakeoneroster.Dataset, timeout time.Duration) (*harness, *fakeoneroster.Server) {
	t.Helper()
	fake := fakeoneroster.NewServer(ds, fakeoneroster.Options{ClientID: orClientID, ClientSecret: orClientSecret})
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	h := newSourceHarness(t, fmt.Sprintf(`oneroster:
  version: "1.2"
  base_url: %s%s
  auth: oauth2
  token_url: %s%s
  client_id: %s
  client_secret_file: client-secret
  page_size: 1000
  requests_per_minute: 60000
  demographics: true
  retries: 3
  retry_wait_min: 5ms
  retry_wait_max: 20ms
  timeout: %v
`, srv.URL, fakeoneroster.BasePathV1p2, srv.URL, fakeoneroster.TokenPath, orClientID, timeout), "")
	h.putFile("client-secret", orClientSecret)
	return h, fake
}

// Ensure every fault a OneRoster provider can throw either is absorbed by
// the retries, committing what a clean run commits, or fails the run with
// a message naming the cause and leaves the committed roster as it was.
// Each case commits the district first, then changes it a little, so an
// absorbed fault must commit the change and a fatal one must not.
func TestSync_OneRosterFaults(t *testing.T) {
	district, _ := generated(t, "small", 19, synth.Defects{})
	changed := renamed(t, district, 10)
	users := fakeoneroster.BasePathV1p2 + "/users"
	enrollments := fakeoneroster.BasePathV1p2 + "/enrollments"
	classes := fakeoneroster.BasePathV1p2 + "/classes"

	tests := []struct {
		name    string
		faults  []fakeoneroster.Fault
		timeout time.Duration
		want    []string // in the error; none when the run must commit
	}{
		{name: "5xx burst", faults: []fakeoneroster.Fault{{Path: users, Kind: fakeoneroster.FaultStatus, Status: 503, Times: 2, After: 1}}},
		{name: "rate limited", faults: []fakeoneroster.Fault{{Path: enrollments, Kind: fakeoneroster.FaultRateLimit, RetryAfter: 10 * time.Millisecond}}},
		{name: "429 storm", faults: []fakeoneroster.Fault{
			{Kind: fakeoneroster.FaultRateLimit, RetryAfter: 10 * time.Millisecond, Times: 3},
			{Path: users, Kind: fakeoneroster.FaultRateLimit, RetryAfter: 10 * time.Millisecond, Times: 3, After: 1},
		}},
		{name: "html 502", faults: []fakeoneroster.Fault{{Path: classes, Kind: fakeoneroster.FaultHTML}}},
		{name: "body cut short", faults: []fakeoneroster.Fault{{Path: users, Kind: fakeoneroster.FaultTruncate, After: 2}}},
		{name: "slow", faults: []fakeoneroster.Fault{{Path: enrollments, Kind: fakeoneroster.FaultSlow, Delay: 100 * time.Millisecond, Times: 3}}},
		{name: "token endpoint down", faults: []fakeoneroster.Fault{{Path: fakeoneroster.TokenPath, Kind: fakeoneroster.FaultStatus, Status: 503}}},
		{name: "all at once", faults: []fakeoneroster.Fault{
			{Path: users, Kind: fakeoneroster.FaultTruncate},
			{Path: enrollments, Kind: fakeoneroster.FaultStatus, Status: 500, After: 3},
			{Path: classes, Kind: fakeoneroster.FaultRateLimit, RetryAfter: 10 * time.Millisecond},
			{Path: fakeoneroster.BasePathV1p2 + "/orgs", Kind: fakeoneroster.FaultHTML, Status: 504},
		}},

		{name: "5xx outlasting retries", faults: []fakeoneroster.Fault{{Path: users, Kind: fakeoneroster.FaultStatus, Status: 503, Times: 100, After: 1}},
			want: []string{`oneroster "district"`, "/users", "503"}},
		{name: "forbidden", faults: []fakeoneroster.Fault{{Path: classes, Kind: fakeoneroster.FaultStatus, Status: 403}},
			want: []string{"/classes", "403"}},
		{name: "body always cut short", faults: []fakeoneroster.Fault{{Path: enrollments, Kind: fakeoneroster.FaultTruncate, Times: 100}},
			want: []string{"/enrollments"}},
		{name: "html error page", faults: []fakeoneroster.Fault{{Path: users, Kind: fakeoneroster.FaultHTML, Status: 502, Times: 100}},
			want: []string{"/users", "502"}},
		{name: "request timeout", timeout: 200 * time.Millisecond,
			faults: []fakeoneroster.Fault{{Path: classes, Kind: fakeoneroster.FaultSlow, Delay: 10 * time.Second, Times: 100}},
			want:   []string{"/classes", "200ms timeout"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			timeout := tt.timeout
			if timeout == 0 {
				timeout = 30 * time.Second
			}
			h, fake := orFaultHarness(t, fakeoneroster.FromRoster(district), timeout)
			if r := h.rosterd("sync"); r.code != exitOK {
				t.Fatalf("first sync exit %d\n%s", r.code, tailLines(r.stderr, 10))
			}
			before := h.committed()
			fake.SetDataset(fakeoneroster.FromRoster(changed))
			for _, f := range tt.faults {
				fake.Inject(f)
			}

			r, rep := h.syncJSON("sync")
			if len(tt.want) == 0 {
				if r.code != exitOK || rep == nil || rep.Verdict != preflight.VerdictCommitted {
					t.Fatalf("sync exit %d, report %+v; want the fault absorbed\nstderr:\n%s", r.code, rep, tailLines(r.stderr, 10))
				}
				if got := renamedStudents(h.committed()); got != 10 {
					t.Errorf("committed %d renamed students, want the 10 of the changed district", got)
				}
				return
			}
			if r.code != exitFailure || rep == nil || rep.Verdict != preflight.VerdictFailed {
				t.Fatalf("sync exit %d, report %+v; want a failed run\nstderr:\n%s", r.code, rep, tailLines(r.stderr, 10))
			}
			for _, want := range tt.want {
				if !strings.Contains(rep.Error, want) || !strings.Contains(r.stderr, want) {
					t.Errorf("error does not name %q\nreport error: %s", want, rep.Error)
				}
			}
			if diff := cmp.Diff(before, h.committed()); diff != "" {
				t.Errorf("a failed run changed the committed roster (-before +after):\n%s", diff)
			}
		})
	}
}

// renamedStudents counts the students renamed applies to.
func renamedStudents(r *roster.Roster) int {
	n := 0
	for i := range r.Users {
		if r.Users[i].Roles.Student != nil && strings.HasSuffix(r.Users[i].Name.Last, "-Renamed") {
			n++
		}
	}
	return n
}

// Ensure a OneRoster provider whose users shrink between two pages of a
// crawl (X-Total-Count moves) fails the run instead of committing the
// short read as deletions, and that the next run commits the district as
// it now is.
func TestSync_OneRosterShrinksMidCrawl(t *testing.T) {
	district, _ := generated(t, "small", 23, synth.Defects{})
	shrunk := cloneRoster(t, district)
	// Drop five students, their enrollments with them.
	gone := map[string]bool{}
	kept := shrunk.Users[:0]
	for _, u := range shrunk.Users {
		if u.Roles.Student != nil && len(gone) < 5 {
			gone[u.ID] = true
			continue
		}
		kept = append(kept, u)
	}
	shrunk.Users = kept
	for i := range shrunk.Sections {
		s := &shrunk.Sections[i]
		var students []string
		for _, id := range s.Students {
			if !gone[id] {
				students = append(students, id)
			}
		}
		s.Students = students
	}

	h, fake := orFaultHarness(t, fakeoneroster.FromRoster(district), 30*time.Second)
	if r := h.rosterd("sync"); r.code != exitOK {
		t.Fatalf("first sync exit %d\n%s", r.code, tailLines(r.stderr, 10))
	}
	before := h.committed()

	// The students leave once the first page of users is answered (the
	// fake logs a request when answered), while the second is slow.
	users := fakeoneroster.BasePathV1p2 + "/users"
	fake.Inject(fakeoneroster.Fault{Path: users, Kind: fakeoneroster.FaultSlow, Delay: 300 * time.Millisecond, After: 1})
	fake.ResetRequests()
	paths := func() []string {
		var out []string
		for _, r := range fake.Requests() {
			out = append(out, r.Path)
		}
		return out
	}
	wait := whenRequested(t, paths, users, 1, func() { fake.SetDataset(fakeoneroster.FromRoster(shrunk)) })
	r, rep := h.syncJSON("sync")
	wait()
	if r.code != exitFailure || rep == nil || rep.Verdict != preflight.VerdictFailed {
		t.Fatalf("sync exit %d, report %+v; want a failed run\nstderr:\n%s", r.code, rep, tailLines(r.stderr, 10))
	}
	for _, want := range []string{`oneroster "district"`, "/users", "X-Total-Count"} {
		if !strings.Contains(rep.Error, want) {
			t.Errorf("report error %q does not name %q", rep.Error, want)
		}
	}
	if diff := cmp.Diff(before, h.committed()); diff != "" {
		t.Errorf("a crawl across a change committed (-before +after):\n%s", diff)
	}

	if r := h.rosterd("sync"); r.code != exitOK {
		t.Fatalf("next sync exit %d\n%s", r.code, tailLines(r.stderr, 10))
	}
	got := h.committed()
	for _, u := range got.Users {
		if gone[u.ID] {
			t.Errorf("student %s left the district yet is still committed", u.ID)
		}
	}
	if want := len(before.Users) - len(gone); len(got.Users) != want {
		t.Errorf("committed %d users, want %d", len(got.Users), want)
	}
}
