package transport_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"golang.org/x/oauth2"

	"github.com/rosterd/rosterd/internal/transport"
)

// fastOptions keeps backoff short so retry tests run in milliseconds.
func fastOptions(t *testing.T) transport.Options {
	return transport.Options{
		Logger:       zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.DebugLevel),
		Retries:      3,
		RetryWaitMin: time.Millisecond,
		RetryWaitMax: 5 * time.Millisecond,
	}
}

// sequence serves the handlers in order, one per request, repeating the
// last, and counts the requests it served.
type sequence struct {
	mu       sync.Mutex
	handlers []http.HandlerFunc
	n        int
}

func (s *sequence) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	h := s.handlers[min(s.n, len(s.handlers)-1)]
	s.n++
	s.mu.Unlock()
	h(w, r)
}

func (s *sequence) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n
}

func status(code int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(code)
		io.WriteString(w, body)
	}
}

func serve(t *testing.T, h http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

func get(t *testing.T, c *http.Client, url string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return resp, string(b)
}

// Ensure a 5xx is retried and the success that follows is returned.
func TestNew_RetriesServerError(t *testing.T) {
	seq := &sequence{handlers: []http.HandlerFunc{status(500, "boom"), status(200, "ok")}}
	c := transport.New(fastOptions(t))

	resp, body := get(t, c, serve(t, seq))
	if resp.StatusCode != 200 || body != "ok" {
		t.Errorf("got %d %q, want 200 \"ok\"", resp.StatusCode, body)
	}
	if got := seq.count(); got != 2 {
		t.Errorf("attempts = %d, want 2", got)
	}
}

// Ensure a connection dropped before any response is retried.
func TestNew_RetriesConnectionError(t *testing.T) {
	hangUp := func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Errorf("hijack: %v", err)
			return
		}
		conn.Close()
	}
	seq := &sequence{handlers: []http.HandlerFunc{hangUp, status(200, "ok")}}
	c := transport.New(fastOptions(t))

	resp, _ := get(t, c, serve(t, seq))
	if resp.StatusCode != 200 {
		t.Errorf("status = %d, want 200", resp.StatusCode)
	}
	if got := seq.count(); got != 2 {
		t.Errorf("attempts = %d, want 2", got)
	}
}

// Ensure that when a 5xx outlasts the retries, the caller gets the last
// response with its status and body rather than a bare error.
func TestNew_ExhaustedRetriesReturnLastResponse(t *testing.T) {
	seq := &sequence{handlers: []http.HandlerFunc{status(503, `{"message":"down for maintenance"}`)}}
	opts := fastOptions(t)
	opts.Retries = 2
	c := transport.New(opts)

	resp, body := get(t, c, serve(t, seq))
	if resp.StatusCode != 503 {
		t.Errorf("status = %d, want 503", resp.StatusCode)
	}
	if body != `{"message":"down for maintenance"}` {
		t.Errorf("body = %q, want the API's error body", body)
	}
	if got := seq.count(); got != 3 {
		t.Errorf("attempts = %d, want 3 (1 + 2 retries)", got)
	}
}

// Ensure client errors and 501 are returned at once, never retried.
func TestNew_DoesNotRetryClientErrors(t *testing.T) {
	for _, code := range []int{400, 401, 403, 404, 413, 501} {
		t.Run(strconv.Itoa(code), func(t *testing.T) {
			seq := &sequence{handlers: []http.HandlerFunc{status(code, "no"), status(200, "ok")}}
			c := transport.New(fastOptions(t))

			resp, _ := get(t, c, serve(t, seq))
			if resp.StatusCode != code {
				t.Errorf("status = %d, want %d", resp.StatusCode, code)
			}
			if got := seq.count(); got != 1 {
				t.Errorf("attempts = %d, want 1", got)
			}
		})
	}
}

// Ensure a negative Retries means a single attempt.
func TestNew_NegativeRetriesMeansNone(t *testing.T) {
	seq := &sequence{handlers: []http.HandlerFunc{status(500, "boom"), status(200, "ok")}}
	opts := fastOptions(t)
	opts.Retries = -1
	c := transport.New(opts)

	resp, _ := get(t, c, serve(t, seq))
	if resp.StatusCode != 500 || seq.count() != 1 {
		t.Errorf("got status %d after %d attempts, want 500 after 1", resp.StatusCode, seq.count())
	}
}

// Ensure a 429 waits until X-RateLimit-Reset before retrying.
func TestNew_429WaitsForReset(t *testing.T) {
	var reset time.Time
	var retriedAt time.Time
	seq := &sequence{handlers: []http.HandlerFunc{
		func(w http.ResponseWriter, r *http.Request) {
			reset = time.Unix(time.Now().Unix()+1, 0)
			w.Header().Set("X-RateLimit-Limit", "1200")
			w.Header().Set("X-RateLimit-Remaining", "0")
			w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(reset.Unix(), 10))
			w.WriteHeader(http.StatusTooManyRequests)
		},
		func(w http.ResponseWriter, r *http.Request) {
			retriedAt = time.Now()
			io.WriteString(w, "ok")
		},
	}}
	c := transport.New(fastOptions(t))

	resp, _ := get(t, c, serve(t, seq))
	if resp.StatusCode != 200 || seq.count() != 2 {
		t.Fatalf("got status %d after %d attempts, want 200 after 2", resp.StatusCode, seq.count())
	}
	if retriedAt.Before(reset) {
		t.Errorf("retried at %v, before the reset at %v", retriedAt, reset)
	}
}

// Ensure the wait a 429 asks for is capped by RateLimitWaitMax.
func TestNew_429WaitIsCapped(t *testing.T) {
	seq := &sequence{handlers: []http.HandlerFunc{
		func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "3600")
			w.WriteHeader(http.StatusTooManyRequests)
		},
		status(200, "ok"),
	}}
	opts := fastOptions(t)
	opts.RateLimitWaitMax = 10 * time.Millisecond
	c := transport.New(opts)

	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, serve(t, seq), nil)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("Do: %v (the hour-long Retry-After was not capped)", err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("status = %d, want 200", resp.StatusCode)
	}
}

// Ensure a response saying the bucket is empty holds the next request
// until the bucket resets, even though that response succeeded.
func TestNew_HoldsRequestsWhileBucketEmpty(t *testing.T) {
	var reset, secondAt time.Time
	seq := &sequence{handlers: []http.HandlerFunc{
		func(w http.ResponseWriter, r *http.Request) {
			reset = time.Unix(time.Now().Unix()+1, 0)
			w.Header().Set("X-RateLimit-Remaining", "0")
			w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(reset.Unix(), 10))
			io.WriteString(w, "last one")
		},
		func(w http.ResponseWriter, r *http.Request) {
			secondAt = time.Now()
			io.WriteString(w, "ok")
		},
	}}
	c := transport.New(fastOptions(t))
	url := serve(t, seq)

	get(t, c, url)
	get(t, c, url)
	if secondAt.Before(reset) {
		t.Errorf("second request at %v, before the reset at %v", secondAt, reset)
	}
}

// Ensure the client-side limiter spaces requests: after the burst, each
// request waits its share of the minute.
func TestNew_LimiterSpacesRequests(t *testing.T) {
	seq := &sequence{handlers: []http.HandlerFunc{status(200, "ok")}}
	opts := fastOptions(t)
	opts.RequestsPerMinute = 6000 // one every 10ms, burst 5
	c := transport.New(opts)
	url := serve(t, seq)

	const n, burst = 25, 5
	start := time.Now()
	for range n {
		get(t, c, url)
	}
	elapsed := time.Since(start)
	if want := (n - burst) * 10 * time.Millisecond; elapsed < want-time.Millisecond {
		t.Errorf("%d requests took %v, want at least %v", n, elapsed, want)
	}
}

// Ensure the token source's token is sent as a bearer header, and that no
// Authorization header is sent without one.
func TestNew_BearerHeader(t *testing.T) {
	var got []string
	var mu sync.Mutex
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r.Header.Get("Authorization"))
		mu.Unlock()
	}))

	opts := fastOptions(t)
	opts.TokenSource = oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "s3cr3t-token", TokenType: "Bearer"})
	get(t, transport.New(opts), srv)
	get(t, transport.New(fastOptions(t)), srv)

	if len(got) != 2 || got[0] != "Bearer s3cr3t-token" || got[1] != "" {
		t.Errorf("Authorization headers = %q, want [\"Bearer s3cr3t-token\" \"\"]", got)
	}
}

// Ensure Timeout bounds an attempt while the body is read, and that an
// attempt timing out before its response is retried.
func TestNew_TimeoutPerAttempt(t *testing.T) {
	stall := func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	}
	slowBody := func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(200)
		io.WriteString(w, "partial")
		http.NewResponseController(w).Flush()
		<-r.Context().Done()
	}
	opts := fastOptions(t)
	opts.Timeout = 100 * time.Millisecond
	opts.Retries = 1

	t.Run("RetriedBeforeResponse", func(t *testing.T) {
		seq := &sequence{handlers: []http.HandlerFunc{stall, status(200, "ok")}}
		resp, _ := get(t, transport.New(opts), serve(t, seq))
		if resp.StatusCode != 200 || seq.count() != 2 {
			t.Errorf("got %d after %d attempts, want 200 after 2", resp.StatusCode, seq.count())
		}
	})
	t.Run("BoundsBodyRead", func(t *testing.T) {
		seq := &sequence{handlers: []http.HandlerFunc{slowBody}}
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, serve(t, seq), nil)
		resp, err := transport.New(opts).Do(req)
		if err != nil {
			t.Fatalf("Do: %v", err)
		}
		defer resp.Body.Close()
		_, err = io.ReadAll(resp.Body)
		if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "within the 100ms timeout") {
			t.Errorf("reading a stalled body: err = %v, want context.DeadlineExceeded naming the 100ms timeout", err)
		}
	})
	t.Run("NamesTheTimeout", func(t *testing.T) {
		seq := &sequence{handlers: []http.HandlerFunc{stall}}
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, serve(t, seq), nil)
		_, err := transport.New(opts).Do(req)
		if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "within the 100ms timeout") {
			t.Errorf("err = %v, want context.DeadlineExceeded naming the 100ms timeout", err)
		}
		var netErr net.Error
		if !errors.As(err, &netErr) || !netErr.Timeout() {
			t.Errorf("err = %v is not a net.Error timeout, which callers classify as transient", err)
		}
	})
	t.Run("CallerDeadlineUnchanged", func(t *testing.T) {
		seq := &sequence{handlers: []http.HandlerFunc{stall}}
		ctx, cancel := context.WithTimeout(t.Context(), 30*time.Millisecond)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, serve(t, seq), nil)
		_, err := transport.New(opts).Do(req)
		if !errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), "timeout:") {
			t.Errorf("err = %v, want the caller's own deadline, not the attempt's", err)
		}
	})
}

// Ensure cancelling the context stops retrying at once.
func TestNew_ContextCancelStopsRetries(t *testing.T) {
	seq := &sequence{handlers: []http.HandlerFunc{status(500, "boom")}}
	opts := fastOptions(t)
	opts.RetryWaitMin, opts.RetryWaitMax = time.Hour, time.Hour
	c := transport.New(opts)

	ctx, cancel := context.WithCancel(t.Context())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, serve(t, seq), nil)
	go func() {
		for seq.count() == 0 {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	_, err := c.Do(req)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if got := seq.count(); got != 1 {
		t.Errorf("attempts = %d, want 1", got)
	}
}

// Ensure defaults fill only zero fields and applying them twice changes
// nothing, so a caller may resolve options before handing them to New.
func TestOptions_WithDefaults(t *testing.T) {
	tests := []struct {
		name        string
		opts        transport.Options
		wantRetries int
	}{
		{"Zero", transport.Options{}, transport.DefaultRetries},
		{"Set", transport.Options{Retries: 2}, 2},
		{"Never", transport.Options{Retries: -1}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			once := tt.opts.WithDefaults()
			twice := once.WithDefaults()
			if once.RetryCount() != tt.wantRetries || twice.RetryCount() != tt.wantRetries {
				t.Errorf("RetryCount = %d then %d, want %d", once.RetryCount(), twice.RetryCount(), tt.wantRetries)
			}
			if once.Timeout != transport.DefaultTimeout || once.RetryWaitMin != transport.DefaultRetryWaitMin ||
				once.RetryWaitMax != transport.DefaultRetryWaitMax || once.RateLimitWaitMax != transport.DefaultRateLimitWaitMax {
				t.Errorf("defaults not applied: %+v", once)
			}
			if once.Base == nil || twice.Base != once.Base {
				t.Error("Base not defaulted once and kept")
			}
		})
	}
}

// countingObserver records what the stack reports.
type countingObserver struct {
	mu       sync.Mutex
	statuses []int
	waits    int
}

func (o *countingObserver) Attempt(status int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.statuses = append(o.statuses, status)
}

func (o *countingObserver) RateLimitWait(time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.waits++
}

// Ensure the observer hears of every attempt, with its status, and of
// every wait a 429 imposes.
func TestNew_Observer(t *testing.T) {
	rateLimited := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "0")
		w.WriteHeader(http.StatusTooManyRequests)
	}
	url := serve(t, &sequence{handlers: []http.HandlerFunc{status(503, ""), rateLimited, status(200, "ok")}})
	obs := &countingObserver{}
	opts := fastOptions(t)
	opts.Observer = obs
	resp, _ := get(t, transport.New(opts), url)
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	obs.mu.Lock()
	defer obs.mu.Unlock()
	if len(obs.statuses) != 3 || obs.statuses[0] != 503 || obs.statuses[1] != 429 || obs.statuses[2] != 200 || obs.waits != 1 {
		t.Errorf("observed statuses %v and %d rate-limit waits", obs.statuses, obs.waits)
	}
}
