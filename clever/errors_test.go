package clever_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rosterd/rosterd/clever"
)

// Ensure each non-retryable status becomes an *APIError naming the
// connection, method, path and status, after a single attempt, and is
// classified as the engine needs.
func TestClient_APIErrors(t *testing.T) {
	tests := []struct {
		status                    int
		body                      string
		wantMessage               string
		auth, notFound, transient bool
	}{
		{400, `{"message":"invalid starting_after"}`, "invalid starting_after", false, false, false},
		{401, `{"message":"invalid bearer token"}`, "invalid bearer token", true, false, false},
		{403, `{"error":"Resource not in token's scopes"}`, "Resource not in token's scopes", true, false, false},
		{404, `{"message":"Not Found"}`, "Not Found", false, true, false},
		{413, `{"message":"limit must be at most 10000"}`, "limit must be at most 10000", false, false, false},
		{501, "not implemented", "not implemented", false, false, false},
	}
	for _, tt := range tests {
		t.Run(strconv.Itoa(tt.status), func(t *testing.T) {
			client, mux, _ := setup(t)
			var calls atomic.Int32
			mux.HandleFunc("GET /v3.0/sections", func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				w.Header().Set("X-Request-Id", "req-1")
				if strings.HasPrefix(tt.body, "{") {
					w.Header().Set("Content-Type", "application/json")
				}
				w.WriteHeader(tt.status)
				io.WriteString(w, tt.body)
			})

			err := client.ListSections(t.Context(), func([]clever.Section) error { return nil })
			var apiErr *clever.APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("err = %v, want an *APIError", err)
			}
			want := &clever.APIError{
				Connection: testConn,
				Method:     "GET",
				Path:       baseURLPath + "/v3.0/sections?limit=10000",
				StatusCode: tt.status,
				Message:    tt.wantMessage,
				RequestID:  "req-1",
			}
			if diff := cmp.Diff(want, apiErr); diff != "" {
				t.Errorf("APIError mismatch (-want +got):\n%s", diff)
			}
			wantText := fmt.Sprintf(`clever "springfield": GET /api-v3/v3.0/sections?limit=10000: %d %s: %s`, tt.status, http.StatusText(tt.status), tt.wantMessage)
			if err.Error() != wantText {
				t.Errorf("Error() = %q, want %q", err.Error(), wantText)
			}
			if n := calls.Load(); n != 1 {
				t.Errorf("attempts = %d, want 1 (not retried)", n)
			}
			got := [3]bool{clever.IsAuth(err), clever.IsNotFound(err), clever.IsTransient(err)}
			if want := [3]bool{tt.auth, tt.notFound, tt.transient}; got != want {
				t.Errorf("IsAuth, IsNotFound, IsTransient = %v, want %v", got, want)
			}
		})
	}
}

// Ensure a 5xx or 429 that outlasts the retries surfaces as an APIError
// with its status, after every attempt.
func TestClient_RetriesExhausted(t *testing.T) {
	tests := []struct {
		status      int
		rateLimited bool
	}{
		{http.StatusServiceUnavailable, false},
		{http.StatusBadGateway, false},
		{http.StatusTooManyRequests, true},
	}
	for _, tt := range tests {
		t.Run(strconv.Itoa(tt.status), func(t *testing.T) {
			client, mux, _ := setup(t) // 2 retries
			var calls atomic.Int32
			mux.HandleFunc("GET /v3.0/schools", func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				w.Header().Set("Retry-After", "0")
				w.WriteHeader(tt.status)
			})

			err := client.ListSchools(t.Context(), func([]clever.School) error { return nil })
			var apiErr *clever.APIError
			if !errors.As(err, &apiErr) || apiErr.StatusCode != tt.status {
				t.Fatalf("err = %v, want an APIError with status %d", err, tt.status)
			}
			if n := calls.Load(); n != 3 {
				t.Errorf("attempts = %d, want 3", n)
			}
			if !clever.IsTransient(err) || !apiErr.Temporary() {
				t.Errorf("IsTransient = false for %d", tt.status)
			}
			if clever.IsRateLimited(err) != tt.rateLimited {
				t.Errorf("IsRateLimited = %v, want %v", !tt.rateLimited, tt.rateLimited)
			}
		})
	}
}

// Ensure Retries below zero means one attempt, even though NewClient
// resolves the transport options before building the stack.
func TestClient_NoRetries(t *testing.T) {
	client, mux, _ := setup(t, func(o *clever.Options) { o.Transport.Retries = -1 })
	var calls atomic.Int32
	mux.HandleFunc("GET /v3.0/schools", func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if calls.Load() == 1 {
			cutShort(t, w)
			return
		}
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	for range 2 {
		client.ListSchools(t.Context(), func([]clever.School) error { return nil })
	}
	if n := calls.Load(); n != 2 {
		t.Errorf("attempts = %d over two calls, want 2", n)
	}
}

// Ensure the recorded HTML 404 (a wrong path) yields the page's text as the
// message and Clever's request ID.
func TestClient_HTMLErrorRecorded(t *testing.T) {
	rec := loadRecording(t, "error_404_html.json")
	it := &rec.Interactions[0]
	client, mux, _ := setup(t)
	mux.HandleFunc("GET /v3.0/schools", func(w http.ResponseWriter, r *http.Request) {
		it.writeRecorded(t, w, it.body(t))
	})

	err := client.ListSchools(t.Context(), func([]clever.School) error { return nil })
	var apiErr *clever.APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("err = %v, want an *APIError", err)
	}
	if apiErr.StatusCode != 404 || apiErr.Message != "Cannot GET /v3.0/resources" {
		t.Errorf("got %d %q, want 404 \"Cannot GET /v3.0/resources\"", apiErr.StatusCode, apiErr.Message)
	}
	if apiErr.RequestID != it.Response.Headers["x-request-id"] {
		t.Errorf("RequestID = %q, want %q", apiErr.RequestID, it.Response.Headers["x-request-id"])
	}
	if !clever.IsNotFound(err) {
		t.Error("IsNotFound = false")
	}
}

// Ensure error messages are read from the body's shape, trimmed and
// capped, and that an echoed credential is redacted.
func TestClient_ErrorMessages(t *testing.T) {
	long := strings.Repeat("é", 300)
	tests := []struct {
		name        string
		contentType string
		body        string
		want        string
	}{
		{"JSONMessage", "application/json", `{"message":"  bad\n request "}`, "bad request"},
		{"OAuthError", "application/json", `{"error":"invalid_client","error_description":"unknown client"}`, "invalid_client: unknown client"},
		{"HTMLWithScript", "text/html", `<html><head><title>x</title><script>var a</script></head><body><h1>Bad &amp; wrong</h1></body></html>`, "Bad & wrong"},
		{"HTMLMislabelled", "text/plain", `<pre>Cannot GET /v3.0/nope</pre>`, "Cannot GET /v3.0/nope"},
		{"PlainText", "text/plain", "upstream connect error", "upstream connect error"},
		{"Empty", "", "", ""},
		{"Capped", "text/plain", long, strings.Repeat("é", 200) + "…"},
		{"EchoedToken", "application/json", `{"message":"token ` + testToken + ` revoked"}`, "token [redacted] revoked"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client, mux, _ := setup(t)
			mux.HandleFunc("GET /v3.0/terms", func(w http.ResponseWriter, r *http.Request) {
				if tt.contentType != "" {
					w.Header().Set("Content-Type", tt.contentType)
				}
				w.WriteHeader(http.StatusBadRequest)
				io.WriteString(w, tt.body)
			})
			err := client.ListTerms(t.Context(), func([]clever.Term) error { return nil })
			var apiErr *clever.APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("err = %v, want an *APIError", err)
			}
			if apiErr.Message != tt.want {
				t.Errorf("Message = %q, want %q", apiErr.Message, tt.want)
			}
			if strings.Contains(err.Error(), testToken) {
				t.Errorf("error %q leaks the token", err)
			}
		})
	}
}

// Ensure a complete body that is not valid JSON fails at once, naming the
// method, path and query.
func TestClient_DecodeError(t *testing.T) {
	client, mux, _ := setup(t)
	var calls atomic.Int32
	mux.HandleFunc("GET /v3.0/users", func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		writeJSON(w, `{"data":[{"data":{"id":"u1"}},}`)
	})

	err := client.ListUsers(t.Context(), "student", func([]clever.User) error { return nil })
	if err == nil {
		t.Fatal("ListUsers succeeded on invalid JSON")
	}
	if want := `clever "springfield": decode GET /api-v3/v3.0/users?limit=10000&role=student: `; !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error %q does not start with %q", err, want)
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("attempts = %d, want 1", n)
	}
	if clever.IsTransient(err) {
		t.Error("IsTransient = true for bad JSON")
	}
}

// cutShort promises 1,000 bytes, sends a few, and drops the connection.
func cutShort(t *testing.T, w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", "1000")
	w.WriteHeader(http.StatusOK)
	io.WriteString(w, `{"data":[{"data"`)
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		t.Errorf("hijack: %v", err)
		return
	}
	conn.Close()
}

// Ensure a body cut short is fetched again, and that when every attempt is
// cut short the error names the path and the cause.
func TestClient_BodyCutShort(t *testing.T) {
	t.Run("Recovers", func(t *testing.T) {
		client, mux, _ := setup(t)
		var calls atomic.Int32
		mux.HandleFunc("GET /v3.0/sections", func(w http.ResponseWriter, r *http.Request) {
			if calls.Add(1) == 1 {
				cutShort(t, w)
				return
			}
			writeJSON(w, listBody("sections", "", `{"id":"x1"}`))
		})
		var ids []string
		err := client.ListSections(t.Context(), func(p []clever.Section) error {
			for _, s := range p {
				ids = append(ids, s.ID)
			}
			return nil
		})
		if err != nil {
			t.Fatalf("ListSections: %v", err)
		}
		if len(ids) != 1 || calls.Load() != 2 {
			t.Errorf("got %v after %d attempts, want [x1] after 2", ids, calls.Load())
		}
	})
	t.Run("ErrBodyCutShort", func(t *testing.T) {
		client, mux, _ := setup(t) // 2 retries
		var calls atomic.Int32
		mux.HandleFunc("GET /v3.0/sections", func(w http.ResponseWriter, r *http.Request) {
			calls.Add(1)
			cutShort(t, w)
		})
		err := client.ListSections(t.Context(), func([]clever.Section) error { return nil })
		if !errors.Is(err, clever.ErrBodyCutShort) {
			t.Fatalf("err = %v, want ErrBodyCutShort", err)
		}
		for _, want := range []string{`clever "springfield"`, "GET /api-v3/v3.0/sections?limit=10000", "response body cut short", "unexpected EOF"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not contain %q", err, want)
			}
		}
		if n := calls.Load(); n != 3 {
			t.Errorf("attempts = %d, want 3", n)
		}
		if !clever.IsTransient(err) {
			t.Error("IsTransient = false for a body cut short")
		}
	})
}

// Ensure a connection failure is an error naming the path, classified as
// transient, and a cancelled context is not.
func TestClient_ConnectionErrors(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens here now

	client, err := clever.NewClient(clever.Options{
		Connection: testConn, Token: testToken, BaseURL: "http://" + addr + "/v3.0",
		Transport: fastTransport(),
	})
	if err != nil {
		t.Fatal(err)
	}
	err = client.ListCourses(t.Context(), func([]clever.Course) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "GET /v3.0/courses?limit=10000") {
		t.Fatalf("err = %v, want one naming the request", err)
	}
	if !clever.IsTransient(err) {
		t.Errorf("IsTransient = false for %v", err)
	}

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	err = client.ListCourses(ctx, func([]clever.Course) error { return nil })
	if !errors.Is(err, context.Canceled) || clever.IsTransient(err) {
		t.Errorf("cancelled: err = %v, IsTransient = %v; want context.Canceled, false", err, clever.IsTransient(err))
	}
}
