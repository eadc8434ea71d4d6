package fakeclever_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rosterd/rosterd/internal/fakeclever"
)

// statuses requests each path in turn and returns the statuses.
func statuses(t *testing.T, ts *httptest.Server, paths ...string) []int {
	t.Helper()
	var got []int
	for _, p := range paths {
		req, _ := http.NewRequest(http.MethodGet, ts.URL+p, nil)
		req.Header.Set("Authorization", "Bearer "+testToken)
		resp, err := ts.Client().Do(req)
		if err != nil {
			t.Fatalf("GET %s: %v", p, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		got = append(got, resp.StatusCode)
	}
	return got
}

func TestFault_Status(t *testing.T) {
	fake, ts := startServer(t, fakeclever.FromRoster(syntheticRoster(5)), fakeclever.Options{})
	fake.Inject(fakeclever.Fault{Kind: fakeclever.FaultStatus, Times: 3})
	resp, body := get(t, ts, "/v3.0/users")
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Content-Type") != "application/json; charset=utf-8" {
		t.Fatalf("status %d, Content-Type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if decodeMessage(t, body, "message") == "" {
		t.Errorf("no message in %s", body)
	}
	if resp.Header.Get("X-RateLimit-Remaining") == "" {
		t.Error("a fault response lacks the rate-limit headers")
	}
	got := statuses(t, ts, "/v3.0/sections", "/v3.0/users", "/v3.0/users")
	if diff := cmp.Diff([]int{503, 503, 200}, got); diff != "" {
		t.Errorf("statuses after the first (-want +got):\n%s", diff)
	}

	fake.Inject(fakeclever.Fault{Kind: fakeclever.FaultStatus, Status: http.StatusInternalServerError})
	if got := statuses(t, ts, "/v3.0/users", "/v3.0/users"); !cmp.Equal(got, []int{500, 200}) {
		t.Errorf("Status 500 fault: statuses %v", got)
	}
}

// Ensure After lets matching requests through first, and that requests
// for other paths neither trigger nor use up the fault.
func TestFault_AfterAndPath(t *testing.T) {
	fake, ts := startServer(t, fakeclever.FromRoster(syntheticRoster(5)), fakeclever.Options{})
	fake.Inject(fakeclever.Fault{Path: "/v3.0/users", Kind: fakeclever.FaultStatus, After: 2, Times: 2})
	got := statuses(t, ts,
		"/v3.0/users?limit=1", "/v3.0/sections", "/v3.0/users/x", "/v3.0/schools",
		"/v3.0/users?limit=1", "/v3.0/users?limit=1", "/v3.0/users?limit=1")
	want := []int{200, 200, 404, 200, 503, 503, 200}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
}

// Ensure faults are used in the order injected: a later fault for the same
// requests waits until the earlier one is used up.
func TestFault_Order(t *testing.T) {
	fake, ts := startServer(t, fakeclever.FromRoster(syntheticRoster(5)), fakeclever.Options{})
	fake.Inject(fakeclever.Fault{Kind: fakeclever.FaultStatus, Status: 500, Times: 2})
	fake.Inject(fakeclever.Fault{Kind: fakeclever.FaultHTML})
	fake.Inject(fakeclever.Fault{Kind: fakeclever.FaultRateLimit})
	got := statuses(t, ts, "/v3.0/users", "/v3.0/users", "/v3.0/users", "/v3.0/users", "/v3.0/users")
	if diff := cmp.Diff([]int{500, 500, 502, 429, 200}, got); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
}

func TestFault_RateLimit(t *testing.T) {
	clock := &fakeClock{now: time.Date(2023, 4, 24, 22, 52, 44, 0, time.UTC)}
	fake, ts := startServer(t, fakeclever.FromRoster(syntheticRoster(5)), fakeclever.Options{Now: clock.Now})
	fake.Inject(fakeclever.Fault{Path: "/v3.0/sections", Kind: fakeclever.FaultRateLimit})
	resp, body := get(t, ts, "/v3.0/sections")
	if resp.StatusCode != http.StatusTooManyRequests || len(body) != 0 {
		t.Fatalf("status %d, body %q", resp.StatusCode, body)
	}
	want := map[string]string{
		"X-RateLimit-Remaining": "0",
		"X-RateLimit-Reset":     strconv.FormatInt(clock.now.Unix()+1, 10),
		"X-RateLimit-Limit":     "1200",
		"X-RateLimit-Bucket":    "bearer",
	}
	for h, v := range want {
		if got := resp.Header.Get(h); got != v {
			t.Errorf("%s = %q, want %q", h, got, v)
		}
	}
	if resp, _ := get(t, ts, "/v3.0/sections"); resp.StatusCode != http.StatusOK {
		t.Errorf("after the fault: status %d", resp.StatusCode)
	}
}

func TestFault_HTML(t *testing.T) {
	fake, ts := startServer(t, fakeclever.FromRoster(syntheticRoster(5)), fakeclever.Options{})
	fake.Inject(fakeclever.Fault{Kind: fakeclever.FaultHTML})
	fake.Inject(fakeclever.Fault{Kind: fakeclever.FaultHTML, Status: http.StatusServiceUnavailable})
	for _, want := range []int{502, 503} {
		resp, body := get(t, ts, "/v3.0/users")
		if resp.StatusCode != want || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" {
			t.Errorf("status %d, Content-Type %q; want %d text/html", resp.StatusCode, resp.Header.Get("Content-Type"), want)
		}
		title := strconv.Itoa(want) + " " + http.StatusText(want)
		if !strings.Contains(string(body), "<title>"+title+"</title>") {
			t.Errorf("body %q does not name %q", body, title)
		}
	}
}

// Ensure a truncated response declares its full length and the client's
// read fails with io.ErrUnexpectedEOF, as when a connection drops mid-page.
func TestFault_Truncate(t *testing.T) {
	fake, ts := startServer(t, fakeclever.FromRoster(syntheticRoster(200)), fakeclever.Options{})
	_, full := get(t, ts, "/v3.0/users?limit=50")
	fake.ResetRequests()

	fake.Inject(fakeclever.Fault{Path: "/v3.0/users", Kind: fakeclever.FaultTruncate})
	req, _ := http.NewRequest(http.MethodGet, ts.URL+"/v3.0/users?limit=50", nil)
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.ContentLength != int64(len(full)) {
		t.Errorf("status %d, Content-Length %d; want 200 and %d", resp.StatusCode, resp.ContentLength, len(full))
	}
	got, err := io.ReadAll(resp.Body)
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("read error = %v, want io.ErrUnexpectedEOF", err)
	}
	if len(got) == 0 || len(got) >= len(full) || string(got) != string(full[:len(got)]) {
		t.Errorf("read %d bytes of %d, not a prefix of the full page", len(got), len(full))
	}
	if log := fake.Requests(); len(log) != 1 || log[0].Bytes != len(full)/2 {
		t.Errorf("request log = %+v, want one entry of %d bytes", log, len(full)/2)
	}
	if resp, _ := get(t, ts, "/v3.0/users?limit=50"); resp.StatusCode != http.StatusOK {
		t.Errorf("after the fault: status %d", resp.StatusCode)
	}
}

func TestFault_Slow(t *testing.T) {
	fake, ts := startServer(t, fakeclever.FromRoster(syntheticRoster(5)), fakeclever.Options{})

	// Ensure the delay holds the response back: a client that gives up
	// first gets nothing, and the server logs no status.
	fake.Inject(fakeclever.Fault{Kind: fakeclever.FaultSlow, Delay: time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, ts.URL+"/v3.0/users", nil)
	req.Header.Set("Authorization", "Bearer "+testToken)
	if resp, err := ts.Client().Do(req); !errors.Is(err, context.DeadlineExceeded) {
		if err == nil {
			resp.Body.Close()
		}
		t.Fatalf("Do = %v, want context.DeadlineExceeded", err)
	}
	waitForLog(t, fake, 1)
	if got := fake.Requests()[0]; got.Status != 0 || got.Bytes != 0 {
		t.Errorf("abandoned request logged as %+v", got)
	}

	// A short delay ends in the normal response.
	fake.Inject(fakeclever.Fault{Kind: fakeclever.FaultSlow, Delay: time.Millisecond})
	p := getPage(t, ts, "/v3.0/users?role=student")
	if len(p.Data) != 5 {
		t.Errorf("slow response has %d students, want 5", len(p.Data))
	}
}

// waitForLog waits until the server has logged n requests: a handler
// abandoned by its client finishes after the client has moved on.
func waitForLog(t *testing.T, fake *fakeclever.Server, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for len(fake.Requests()) < n {
		if time.Now().After(deadline) {
			t.Fatalf("request log has %d entries, want %d", len(fake.Requests()), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Ensure a fault with an empty Path hits API paths only, and one naming
// the token listing hits it.
func TestFault_TokenListing(t *testing.T) {
	fake, ts := startServer(t, fakeclever.FromRoster(syntheticRoster(5)),
		fakeclever.Options{ClientID: "id", ClientSecret: "secret"})
	fake.Inject(fakeclever.Fault{Kind: fakeclever.FaultStatus})
	fake.Inject(fakeclever.Fault{Path: "/oauth/tokens", Kind: fakeclever.FaultHTML})
	list := func() int {
		req, _ := http.NewRequest(http.MethodGet, ts.URL+"/oauth/tokens?owner_type=district", nil)
		req.SetBasicAuth("id", "secret")
		resp, err := ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	got := []int{list(), list()}
	got = append(got, statuses(t, ts, "/v3.0/users", "/v3.0/users")...)
	if diff := cmp.Diff([]int{502, 200, 503, 200}, got); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
}

func TestInject_UnknownKind(t *testing.T) {
	fake := fakeclever.NewServer(fakeclever.FromRoster(syntheticRoster(1)), fakeclever.Options{Token: testToken})
	defer func() {
		if recover() == nil {
			t.Error("Inject accepted a fault without a kind")
		}
	}()
	fake.Inject(fakeclever.Fault{Path: "/v3.0/users"})
}

// Ensure the district's last_sync moves when the server serves new data,
// as Clever's does when it syncs the district's SIS.
func TestServer_LastSync(t *testing.T) {
	now := time.Date(2026, 10, 1, 6, 0, 0, 0, time.UTC)
	fake, ts := startServer(t, fakeclever.FromRoster(syntheticRoster(3)), fakeclever.Options{Now: func() time.Time { return now }})
	lastSync := func() string {
		p := getPage(t, ts, "/v3.0/districts")
		s, _ := p.Data[0].Data["last_sync"].(string)
		return s
	}
	before := lastSync()
	if before != "2026-10-01T06:00:00.000Z" {
		t.Fatalf("last_sync %q", before)
	}
	now = now.Add(time.Hour)
	fake.SetDataset(fakeclever.FromRoster(syntheticRoster(4)))
	if after := lastSync(); after == before {
		t.Errorf("last_sync did not move with the data: %q", after)
	}
}

// Ensure FaultLoop makes every page's next link lead back to the second
// page, as a broken cursor does.
func TestServer_FaultLoop(t *testing.T) {
	fake, ts := startServer(t, fakeclever.FromRoster(syntheticRoster(30)), fakeclever.Options{})
	first := getPage(t, ts, "/v3.0/users?limit=10")
	next, _ := first.link("next")
	fake.Inject(fakeclever.Fault{Path: "/v3.0/users", Kind: fakeclever.FaultLoop, Times: 2})
	second := getPage(t, ts, next)
	if again, _ := second.link("next"); again != next {
		t.Errorf("the looping page's next link is %q, want %q again", again, next)
	}
}
