package transport_test

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"golang.org/x/oauth2"

	"github.com/rosterd/rosterd/internal/transport"
)

// syncBuffer collects log output written from several goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Ensure the bearer token appears in no log line, at any level, across
// retries, rate-limit waits, connection errors and refusals, and that the
// stack does log those events.
func TestNew_TokenNeverLogged(t *testing.T) {
	const token = "tok-9f8e7d6c5b4a"
	var logs syncBuffer
	opts := fastOptions(t)
	opts.Logger = zerolog.New(&logs).Level(zerolog.TraceLevel)
	opts.TokenSource = oauth2.StaticTokenSource(&oauth2.Token{AccessToken: token, TokenType: "Bearer"})
	opts.Retries = 2
	c := transport.New(opts)

	hangUp := func(w http.ResponseWriter, r *http.Request) {
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			conn.Close()
		}
	}
	rateLimited := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-RateLimit-Remaining", "0")
		w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(time.Now().Unix(), 10))
		w.WriteHeader(http.StatusTooManyRequests)
	}
	echoAuth := func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, "bad token "+r.Header.Get("Authorization"))
	}
	seq := &sequence{handlers: []http.HandlerFunc{
		// The hang-up comes first, on a fresh connection: net/http itself
		// silently retries a GET whose reused connection was closed.
		hangUp, status(500, "boom"), status(200, "ok"), // retried twice, then fine
		rateLimited, status(200, "ok"), // one rate-limit wait
		echoAuth, // not retried
	}}
	url := serve(t, seq)
	for range 3 {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, url+"/v3.0/users?limit=2", nil)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatalf("Do: %v", err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}

	out := logs.String()
	if strings.Contains(out, token) {
		t.Errorf("the token appears in the logs:\n%s", out)
	}
	for _, want := range []string{"request failed", "retrying request", "rate limited by the server", "/v3.0/users"} {
		if !strings.Contains(out, want) {
			t.Errorf("logs lack %q; the test did not exercise what it claims:\n%s", want, out)
		}
	}
}
