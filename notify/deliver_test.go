package notify_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/rosterd/rosterd/notify"
	"github.com/rosterd/rosterd/preflight"
)

// status answers every request with code, after the first ok ones.
func status(code int) func(int, http.ResponseWriter, *http.Request) {
	return func(_ int, w http.ResponseWriter, _ *http.Request) { w.WriteHeader(code) }
}

var body = []byte(`{"text":"hello"}`)

func TestNotifier_Post(t *testing.T) {
	// Ensure a 503 is retried until the webhook takes the notification.
	t.Run("RetryOn503", func(t *testing.T) {
		h := newHook(t, func(n int, w http.ResponseWriter, r *http.Request) {
			if n < 2 {
				w.WriteHeader(http.StatusServiceUnavailable)
			}
		})
		n := notify.New(fast(zerolog.New(zerolog.NewTestWriter(t)), notify.Webhook{URL: h.url()}))
		defer mustClose(t, n)
		code, err := n.Post(t.Context(), 0, body)
		if err != nil || code != http.StatusOK {
			t.Fatalf("Post = %d, %v; want 200, nil", code, err)
		}
		if got := h.count(); got != 3 {
			t.Errorf("attempts = %d, want 3", got)
		}
	})

	// Ensure retries stop after Options.Retries, with the last status.
	t.Run("ErrRetriesExhausted", func(t *testing.T) {
		h := newHook(t, status(http.StatusBadGateway))
		opts := fast(zerolog.Nop(), notify.Webhook{URL: h.url()})
		opts.Retries = 2
		n := notify.New(opts)
		defer mustClose(t, n)
		_, err := n.Post(t.Context(), 0, body)
		var de *notify.DeliveryError
		if !errors.As(err, &de) || de.Status != http.StatusBadGateway || de.Attempts != 3 {
			t.Fatalf("Post error = %#v, want a DeliveryError with status 502 after 3 attempts", err)
		}
		if got := h.count(); got != 3 {
			t.Errorf("attempts = %d, want 3", got)
		}
	})

	// Ensure a 4xx is not retried.
	t.Run("NoRetryOn400", func(t *testing.T) {
		h := newHook(t, status(http.StatusBadRequest))
		n := notify.New(fast(zerolog.Nop(), notify.Webhook{URL: h.url()}))
		defer mustClose(t, n)
		code, err := n.Post(t.Context(), 0, body)
		var de *notify.DeliveryError
		if !errors.As(err, &de) || de.Status != http.StatusBadRequest || de.Attempts != 1 || code != http.StatusBadRequest {
			t.Fatalf("Post = %d, %v; want a 400 after 1 attempt", code, err)
		}
		if got := h.count(); got != 1 {
			t.Errorf("attempts = %d, want 1", got)
		}
	})

	// Ensure a 429 waits what Retry-After asks, read against Options.Now.
	t.Run("RetryAfter", func(t *testing.T) {
		at := time.Date(2025, 9, 1, 6, 0, 1, 0, time.UTC)
		var mu sync.Mutex
		var times []time.Time
		h := newHook(t, func(n int, w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			times = append(times, time.Now())
			mu.Unlock()
			if n == 0 {
				w.Header().Set("Retry-After", at.Format(http.TimeFormat))
				w.WriteHeader(http.StatusTooManyRequests)
			}
		})
		opts := fast(zerolog.Nop(), notify.Webhook{URL: h.url()})
		opts.Now = func() time.Time { return at.Add(-300 * time.Millisecond) }
		n := notify.New(opts)
		defer mustClose(t, n)
		if _, err := n.Post(t.Context(), 0, body); err != nil {
			t.Fatalf("Post: %v", err)
		}
		mu.Lock()
		defer mu.Unlock()
		if len(times) != 2 {
			t.Fatalf("attempts = %d, want 2", len(times))
		}
		if gap := times[1].Sub(times[0]); gap < 250*time.Millisecond {
			t.Errorf("retried after %v, want the 300ms Retry-After asked", gap)
		}
	})

	// Ensure a hung webhook is cut by the per-attempt timeout.
	t.Run("ErrTimeout", func(t *testing.T) {
		h := newHook(t, func(_ int, w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
		opts := fast(zerolog.Nop(), notify.Webhook{URL: h.url()})
		opts.Timeout = 50 * time.Millisecond
		opts.Retries = 1
		n := notify.New(opts)
		defer mustClose(t, n)
		start := time.Now()
		_, err := n.Post(t.Context(), 0, body)
		var ne net.Error
		if !errors.As(err, &ne) || !ne.Timeout() {
			t.Fatalf("Post error = %v, want a timeout", err)
		}
		if took := time.Since(start); took > 2*time.Second {
			t.Errorf("Post took %v with a 50ms timeout", took)
		}
		if got := h.count(); got != 2 {
			t.Errorf("attempts = %d, want 2", got)
		}
	})

	// Ensure a redirect is a failure, not followed into a GET.
	t.Run("ErrRedirect", func(t *testing.T) {
		h := newHook(t, func(_ int, w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/elsewhere", http.StatusFound)
		})
		n := notify.New(fast(zerolog.Nop(), notify.Webhook{URL: h.url()}))
		defer mustClose(t, n)
		if code, err := n.Post(t.Context(), 0, body); code != http.StatusFound || err == nil {
			t.Fatalf("Post = %d, %v; want a 302 failure", code, err)
		}
		if got := h.count(); got != 1 {
			t.Errorf("requests = %d, want 1", got)
		}
	})
}

// TestSecrets runs every failure a webhook can meet and checks that no
// log line and no error repeats the secret parts of its URL.
func TestSecrets(t *testing.T) {
	var logs logBuffer
	var errs []error

	bad := newHook(t, status(http.StatusBadRequest))
	unavailable := newHook(t, status(http.StatusServiceUnavailable))
	hung := newHook(t, func(_ int, w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	gone := httptest.NewServer(http.NotFoundHandler())
	goneURL := gone.URL + "/services/T0/B0/" + pathSecret + "?token=" + querySecret
	gone.Close()
	slow := newHook(t, func(int, http.ResponseWriter, *http.Request) { time.Sleep(100 * time.Millisecond) })

	invalid := []notify.Webhook{
		{URL: "https://hooks.example.com/%zz/" + pathSecret + "?token=" + querySecret},
		{URL: pathSecret + ":" + querySecret},
		{URL: "https:///" + pathSecret + "?token=" + querySecret},
		{URL: bad.url(), Events: []string{"bogus"}},
	}
	hooks := append([]notify.Webhook{
		{URL: bad.url()},
		{URL: unavailable.url()},
		{URL: hung.url()},
		{URL: goneURL},
		{URL: "https://user:" + querySecret + "@" + strings.TrimPrefix(slow.url(), "http://")},
		{URL: slow.url(), Format: "slack"},
	}, invalid...)
	for _, w := range hooks[:6] {
		if err := w.Validate(); err != nil {
			t.Fatalf("Validate(%v): %v", w, err)
		}
	}
	for _, w := range invalid[:3] {
		err := w.Validate()
		if !errors.Is(err, notify.ErrInvalidURL) {
			t.Errorf("Validate(%v) = %v, want ErrInvalidURL", w, err)
		}
		errs = append(errs, err)
	}

	opts := fast(logs.logger(), hooks...)
	opts.Timeout = 50 * time.Millisecond
	opts.Retries = 1
	opts.QueueSize = 1
	n := notify.New(opts)
	for i := range 6 {
		_, err := n.Post(t.Context(), i, body)
		if i < 4 && err == nil { // the user:password one fails on TLS; slow on timeout
			t.Errorf("Post to webhook %d succeeded", i)
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	// Queue notifications, overflow the slow webhook's queue, and close
	// before they are all sent.
	for i := range 4 {
		n.RunFinished(t.Context(), report("north", uint64(i+1), preflight.VerdictFailed))
	}
	ctx, cancel := context.WithTimeout(t.Context(), 150*time.Millisecond)
	defer cancel()
	errs = append(errs, n.Close(ctx))

	for _, s := range []string{pathSecret, querySecret} {
		if strings.Contains(logs.String(), s) {
			t.Errorf("logs contain the secret %q:\n%s", s, logs.String())
		}
		for _, err := range errs {
			if err != nil && strings.Contains(err.Error(), s) {
				t.Errorf("error %q contains the secret %q", err, s)
			}
		}
		for _, w := range hooks {
			if p := fmt.Sprintf("%v %+v %#v %s", w, w, w, w); strings.Contains(p, s) {
				t.Errorf("printing a webhook gives %q, with the secret %q", p, s)
			}
		}
	}
	// The logs say something about every failure, naming the host.
	for _, want := range []string{
		`"webhook":"` + bad.srv.URL + `"`, `"status":400`, `"status":503`, "webhook notification failed",
		"webhook skipped", "queue full", `"webhook_index":7`,
	} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("logs lack %s:\n%s", want, logs.String())
		}
	}
	t.Logf("errors: %q", errs)
}

func TestWebhook_Validate(t *testing.T) {
	for _, tt := range []struct {
		name string
		hook notify.Webhook
		want error
	}{
		{"OK", notify.Webhook{URL: "https://hooks.slack.com/services/T/B/x", Format: "slack", Connections: []string{"north"}, Events: []string{"held", "recovered"}}, nil},
		{"ErrInvalidURL", notify.Webhook{URL: "ftp://example.com/x"}, notify.ErrInvalidURL},
		{"ErrInvalidURLEmpty", notify.Webhook{}, notify.ErrInvalidURL},
		{"ErrInvalidFormat", notify.Webhook{URL: "https://example.com", Format: "teams"}, notify.ErrInvalidFormat},
		{"ErrUnknownEvent", notify.Webhook{URL: "https://example.com", Events: []string{"committed"}}, notify.ErrUnknownEvent},
		{"ErrEmptyConnection", notify.Webhook{URL: "https://example.com", Connections: []string{""}}, notify.ErrEmptyConnection},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.hook.Validate(); !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Errorf("Validate() = %v, want %v", err, tt.want)
			}
		})
	}
}
