package fakeoneroster_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rosterd/rosterd/internal/fakeoneroster"
)

// statuses requests each path in turn and returns the statuses.
func statuses(t *testing.T, ts *httptest.Server, paths ...string) []int {
	t.Helper()
	var got []int
	for _, p := range paths {
		resp, _ := get(t, ts, p)
		got = append(got, resp.StatusCode)
	}
	return got
}

func TestFault_Status(t *testing.T) {
	fake, ts := startServer(t, fakeoneroster.FromRoster(fullRoster()), fakeoneroster.Options{})
	fake.Inject(fakeoneroster.Fault{Kind: fakeoneroster.FaultStatus, Times: 3})
	resp, body := get(t, ts, v12+"/users")
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Content-Type") != "application/json; charset=utf-8" {
		t.Fatalf("status %d, Content-Type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if got := codeMinor(t, fakeoneroster.V1p2, body); got != fakeoneroster.CodeServerBusy {
		t.Errorf("codeMinor %q, want server_busy", got)
	}
	// A 1.1 path gets the 1.1 error form.
	resp, body = get(t, ts, v11+"/users")
	if resp.StatusCode != http.StatusServiceUnavailable || codeMinor(t, fakeoneroster.V1p1, body) != fakeoneroster.CodeServerBusy {
		t.Errorf("1.1: status %d, body %s", resp.StatusCode, body)
	}
	if got := statuses(t, ts, v12+"/classes", v12+"/classes"); !cmp.Equal(got, []int{503, 200}) {
		t.Errorf("statuses after the first two: %v, want [503 200]", got)
	}

	fake.Inject(fakeoneroster.Fault{Kind: fakeoneroster.FaultStatus, Status: http.StatusInternalServerError})
	resp, body = get(t, ts, v12+"/users")
	if resp.StatusCode != 500 || codeMinor(t, fakeoneroster.V1p2, body) != fakeoneroster.CodeInternalServerError {
		t.Errorf("Status 500 fault: status %d, body %s", resp.StatusCode, body)
	}
}

// Ensure After lets matching requests through first, and requests for
// other paths neither trigger nor use up the fault: failing the third
// page of users.
func TestFault_AfterAndPath(t *testing.T) {
	fake, ts := startServer(t, fakeoneroster.FromRoster(fullRoster()), fakeoneroster.Options{})
	fake.Inject(fakeoneroster.Fault{Path: v12 + "/users", Kind: fakeoneroster.FaultStatus, After: 2, Times: 2})
	got := statuses(t, ts,
		v12+"/users?limit=1", v12+"/classes", v11+"/users", v12+"/users/nobody",
		v12+"/users?limit=1&offset=1", v12+"/users?limit=1&offset=1", v12+"/users?limit=1&offset=1")
	want := []int{200, 200, 200, 404, 503, 503, 200}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
}

// Ensure faults are used in the order injected.
func TestFault_Order(t *testing.T) {
	fake, ts := startServer(t, fakeoneroster.FromRoster(fullRoster()), fakeoneroster.Options{})
	fake.Inject(fakeoneroster.Fault{Kind: fakeoneroster.FaultStatus, Status: 500, Times: 2})
	fake.Inject(fakeoneroster.Fault{Kind: fakeoneroster.FaultHTML})
	fake.Inject(fakeoneroster.Fault{Kind: fakeoneroster.FaultRateLimit})
	p := v12 + "/users"
	if diff := cmp.Diff([]int{500, 500, 502, 429, 200}, statuses(t, ts, p, p, p, p, p)); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
}

func TestFault_RateLimit(t *testing.T) {
	fake, ts := startServer(t, fakeoneroster.FromRoster(fullRoster()), fakeoneroster.Options{})
	fake.Inject(fakeoneroster.Fault{Path: v11 + "/enrollments", Kind: fakeoneroster.FaultRateLimit})
	fake.Inject(fakeoneroster.Fault{Path: v11 + "/enrollments", Kind: fakeoneroster.FaultRateLimit, RetryAfter: 2500 * time.Millisecond})
	for _, want := range []string{"1", "3"} {
		resp, body := get(t, ts, v11+"/enrollments")
		if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != want {
			t.Errorf("status %d, Retry-After %q; want 429 and %s", resp.StatusCode, resp.Header.Get("Retry-After"), want)
		}
		if got := codeMinor(t, fakeoneroster.V1p1, body); got != fakeoneroster.CodeServerBusy {
			t.Errorf("codeMinor %q", got)
		}
	}
	if resp, _ := get(t, ts, v11+"/enrollments"); resp.StatusCode != http.StatusOK {
		t.Errorf("after the faults: status %d", resp.StatusCode)
	}
}

func TestFault_HTML(t *testing.T) {
	fake, ts := startServer(t, fakeoneroster.FromRoster(fullRoster()), fakeoneroster.Options{})
	fake.Inject(fakeoneroster.Fault{Kind: fakeoneroster.FaultHTML})
	fake.Inject(fakeoneroster.Fault{Kind: fakeoneroster.FaultHTML, Status: http.StatusGatewayTimeout})
	for _, want := range []int{502, 504} {
		resp, body := get(t, ts, v12+"/users")
		if resp.StatusCode != want || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" {
			t.Errorf("status %d, Content-Type %q; want %d text/html", resp.StatusCode, resp.Header.Get("Content-Type"), want)
		}
		if title := strconv.Itoa(want) + " " + http.StatusText(want); !strings.Contains(string(body), "<title>"+title+"</title>") {
			t.Errorf("body %q does not name %q", body, title)
		}
	}
}

// Ensure a truncated response declares its full length and the client's
// read fails with io.ErrUnexpectedEOF, as when a connection drops mid-page.
func TestFault_Truncate(t *testing.T) {
	fake, ts := startServer(t, fakeoneroster.FromRoster(synthRoster(t, "tiny")), fakeoneroster.Options{})
	_, full := get(t, ts, v12+"/users?limit=50")
	fake.ResetRequests()

	fake.Inject(fakeoneroster.Fault{Path: v12 + "/users", Kind: fakeoneroster.FaultTruncate})
	req, _ := http.NewRequest(http.MethodGet, ts.URL+v12+"/users?limit=50", nil)
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.ContentLength != int64(len(full)) || resp.Header.Get("X-Total-Count") == "" {
		t.Errorf("status %d, Content-Length %d, X-Total-Count %q; want 200, %d and a count",
			resp.StatusCode, resp.ContentLength, resp.Header.Get("X-Total-Count"), len(full))
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
	if resp, _ := get(t, ts, v12+"/users?limit=50"); resp.StatusCode != http.StatusOK {
		t.Errorf("after the fault: status %d", resp.StatusCode)
	}
}

func TestFault_Slow(t *testing.T) {
	fake, ts := startServer(t, fakeoneroster.FromRoster(fullRoster()), fakeoneroster.Options{})

	// Ensure the delay holds the response back: a client that gives up
	// first gets nothing, and the server logs no status.
	fake.Inject(fakeoneroster.Fault{Kind: fakeoneroster.FaultSlow, Delay: time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, ts.URL+v12+"/users", nil)
	req.Header.Set("Authorization", "Bearer "+testToken)
	if resp, err := ts.Client().Do(req); !errors.Is(err, context.DeadlineExceeded) {
		if err == nil {
			resp.Body.Close()
		}
		t.Fatalf("Do = %v, want context.DeadlineExceeded", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for len(fake.Requests()) < 1 {
		if time.Now().After(deadline) {
			t.Fatal("the abandoned request was never logged")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if got := fake.Requests()[0]; got.Status != 0 || got.Bytes != 0 {
		t.Errorf("abandoned request logged as %+v", got)
	}

	// A short delay ends in the normal response.
	fake.Inject(fakeoneroster.Fault{Kind: fakeoneroster.FaultSlow, Delay: time.Millisecond})
	if got := listIDs(t, ts, v12+"/students", "users"); !cmp.Equal(got, []string{"u1"}) {
		t.Errorf("slow response: students %v", got)
	}
}

// Ensure a fault with an empty Path hits the trees only, and one naming
// the token endpoint hits it with an OAuth-shaped body.
func TestFault_TokenEndpoint(t *testing.T) {
	fake, ts := startServer(t, fakeoneroster.FromRoster(fullRoster()), fakeoneroster.Options{
		ClientID: clientID, ClientSecret: clientSecret, BearerToken: testToken,
	})
	fake.Inject(fakeoneroster.Fault{Kind: fakeoneroster.FaultStatus})
	fake.Inject(fakeoneroster.Fault{Path: fakeoneroster.TokenPath, Kind: fakeoneroster.FaultStatus})
	form := url.Values{"grant_type": {"client_credentials"}}
	basic := &[2]string{clientID, clientSecret}
	resp, tr := requestToken(t, ts, form, basic)
	if resp.StatusCode != 503 || tr.Error != "temporarily_unavailable" {
		t.Errorf("faulted token request: status %d, %+v", resp.StatusCode, tr)
	}
	if resp, _ := requestToken(t, ts, form, basic); resp.StatusCode != 200 {
		t.Errorf("second token request: status %d", resp.StatusCode)
	}
	if got := statuses(t, ts, v12+"/orgs", v12+"/orgs"); !cmp.Equal(got, []int{503, 200}) {
		t.Errorf("API statuses %v, want [503 200]", got)
	}
}

// Ensure a request refused for its credentials is answered 401 and does
// not use up a fault.
func TestFault_AfterAuthentication(t *testing.T) {
	fake, ts := startServer(t, fakeoneroster.FromRoster(fullRoster()), fakeoneroster.Options{})
	fake.Inject(fakeoneroster.Fault{Kind: fakeoneroster.FaultStatus})
	if resp, _ := getWith(t, ts, v12+"/orgs", "Bearer wrong"); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("bad credentials: status %d, want 401", resp.StatusCode)
	}
	if got := statuses(t, ts, v12+"/orgs", v12+"/orgs"); !cmp.Equal(got, []int{503, 200}) {
		t.Errorf("statuses %v, want [503 200]", got)
	}
}

func TestInject_UnknownKind(t *testing.T) {
	fake := fakeoneroster.NewServer(fakeoneroster.FromRoster(fullRoster()), fakeoneroster.Options{BearerToken: testToken})
	defer func() {
		if recover() == nil {
			t.Error("Inject accepted a fault without a kind")
		}
	}()
	fake.Inject(fakeoneroster.Fault{Path: v12 + "/users"})
}
