package fakeclever_test

import (
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/rosterd/rosterd/internal/fakeclever"
)

// fakeClock is a clock a test moves by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func TestServer_RateLimit(t *testing.T) {
	start := time.Date(2023, 4, 24, 22, 52, 44, 300e6, time.UTC)
	clock := &fakeClock{now: start}
	_, ts := startServer(t, fakeclever.FromRoster(syntheticRoster(5)), fakeclever.Options{Now: clock.Now})
	reset := time.Unix(start.Unix()+60, 0)
	windowEnd := strconv.FormatInt(reset.Unix(), 10)

	for i := 1; i <= 1200; i++ {
		resp, _ := get(t, ts, "/v3.0/districts")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("request %d: status %d", i, resp.StatusCode)
		}
		want := map[string]string{
			"X-RateLimit-Limit":     "1200",
			"X-RateLimit-Remaining": strconv.Itoa(1200 - i),
			"X-RateLimit-Reset":     windowEnd,
		}
		for h, v := range want {
			if got := resp.Header.Get(h); got != v {
				t.Fatalf("request %d: %s = %q, want %q", i, h, got, v)
			}
		}
		if i%100 == 0 {
			clock.Add(time.Second) // still inside the window
		}
	}

	resp, body := get(t, ts, "/v3.0/districts")
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("request 1201: status %d", resp.StatusCode)
	}
	if len(body) != 0 {
		t.Errorf("429 body = %q, want empty", body)
	}
	for h, v := range map[string]string{
		"X-RateLimit-Limit": "1200", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": windowEnd, "X-RateLimit-Bucket": "bearer",
	} {
		if got := resp.Header.Get(h); got != v {
			t.Errorf("429: %s = %q, want %q", h, got, v)
		}
	}

	// The window lasts until X-RateLimit-Reset, then a new one opens.
	clock.Add(reset.Sub(clock.Now()) - time.Millisecond)
	if resp, _ := get(t, ts, "/v3.0/districts"); resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("just before the reset: status %d", resp.StatusCode)
	}
	clock.Add(time.Millisecond)
	if resp, _ := get(t, ts, "/v3.0/districts"); resp.StatusCode != http.StatusOK {
		t.Fatalf("after the reset: status %d", resp.StatusCode)
	} else if got := resp.Header.Get("X-RateLimit-Remaining"); got != "1199" {
		t.Errorf("after the reset: X-RateLimit-Remaining = %q, want 1199", got)
	}
}

func TestServer_RateLimitDisabled(t *testing.T) {
	_, ts := startServer(t, fakeclever.FromRoster(syntheticRoster(5)), fakeclever.Options{RateLimit: -1})
	for range 3 {
		resp, _ := get(t, ts, "/v3.0/districts")
		if resp.StatusCode != http.StatusOK || resp.Header.Get("X-RateLimit-Limit") != "" {
			t.Fatalf("status %d, X-RateLimit-Limit %q", resp.StatusCode, resp.Header.Get("X-RateLimit-Limit"))
		}
	}
}

func TestServer_RateLimitCustom(t *testing.T) {
	_, ts := startServer(t, fakeclever.FromRoster(syntheticRoster(5)), fakeclever.Options{RateLimit: 2})
	var statuses []int
	for range 3 {
		resp, _ := get(t, ts, "/v3.0/districts")
		statuses = append(statuses, resp.StatusCode)
	}
	if statuses[0] != 200 || statuses[1] != 200 || statuses[2] != 429 {
		t.Errorf("statuses = %v, want [200 200 429]", statuses)
	}
}
