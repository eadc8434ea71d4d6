package transport_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rosterd/rosterd/internal/transport"
)

func header(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i < len(kv); i += 2 {
		h.Add(kv[i], kv[i+1])
	}
	return h
}

// Ensure the rate-limit headers are read per bucket and the most
// restrictive reset governs.
func TestParseRateLimit(t *testing.T) {
	tests := []struct {
		name   string
		header http.Header
		want   transport.RateLimit
		wantOK bool
	}{
		{
			name:   "NoHeaders",
			header: header(),
		},
		{
			name:   "Recorded",
			header: header("X-Ratelimit-Limit", "1200", "X-Ratelimit-Remaining", "1100", "X-Ratelimit-Reset", "1682376269", "X-Ratelimit-Bucket", "bearer"),
			want:   transport.RateLimit{Remaining: 1100, Reset: time.Unix(1682376269, 0)},
			wantOK: true,
		},
		{
			name:   "Exhausted",
			header: header("X-RateLimit-Remaining", "0", "X-RateLimit-Reset", "1682376269"),
			want:   transport.RateLimit{Remaining: 0, Reset: time.Unix(1682376269, 0), Exhausted: true},
			wantOK: true,
		},
		{
			name:   "BucketsLatestAmongEmpty",
			header: header("X-RateLimit-Remaining", "0, 5, 0", "X-RateLimit-Reset", "100, 900, 300"),
			want:   transport.RateLimit{Remaining: 0, Reset: time.Unix(300, 0), Exhausted: true},
			wantOK: true,
		},
		{
			name:   "BucketsNoneEmptyLatestOverall",
			header: header("X-RateLimit-Remaining", "7,3", "X-RateLimit-Reset", "500,200"),
			want:   transport.RateLimit{Remaining: 3, Reset: time.Unix(500, 0)},
			wantOK: true,
		},
		{
			name:   "BucketsAsRepeatedHeaderLines",
			header: header("X-RateLimit-Remaining", "9", "X-RateLimit-Remaining", "0", "X-RateLimit-Reset", "700", "X-RateLimit-Reset", "400"),
			want:   transport.RateLimit{Remaining: 0, Reset: time.Unix(400, 0), Exhausted: true},
			wantOK: true,
		},
		{
			name:   "UnpairedListsLatestOverall",
			header: header("X-RateLimit-Remaining", "0", "X-RateLimit-Reset", "100, 900"),
			want:   transport.RateLimit{Remaining: 0, Reset: time.Unix(900, 0), Exhausted: true},
			wantOK: true,
		},
		{
			name:   "GarbledEntryLatestOverall",
			header: header("X-RateLimit-Remaining", "0, x", "X-RateLimit-Reset", "100, 900"),
			want:   transport.RateLimit{Remaining: 0, Reset: time.Unix(900, 0), Exhausted: true},
			wantOK: true,
		},
		{
			name:   "NoRemaining",
			header: header("X-RateLimit-Reset", "100"),
			want:   transport.RateLimit{Remaining: -1, Reset: time.Unix(100, 0)},
			wantOK: true,
		},
		{
			name:   "ResetNotANumber",
			header: header("X-RateLimit-Remaining", "0", "X-RateLimit-Reset", "soon"),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := transport.ParseRateLimit(tt.header)
			if ok != tt.wantOK {
				t.Fatalf("ok = %v, want %v", ok, tt.wantOK)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseRateLimit mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// Ensure the server-requested wait is read from Retry-After first, then
// from X-RateLimit-Reset on a 429, and not at all on other statuses.
func TestRateLimitWait(t *testing.T) {
	now := time.Unix(1_000_000, 0)
	tests := []struct {
		name   string
		status int
		header http.Header
		want   time.Duration
		wantOK bool
	}{
		{"ResetInTwoSeconds", 429, header("X-RateLimit-Remaining", "0", "X-RateLimit-Reset", "1000002"), 2 * time.Second, true},
		{"ResetPassed", 429, header("X-RateLimit-Remaining", "0", "X-RateLimit-Reset", "999990"), 0, true},
		{"MultiBucket", 429, header("X-RateLimit-Remaining", "0,0,4", "X-RateLimit-Reset", "1000003,1000005,1000050"), 5 * time.Second, true},
		{"RetryAfterSeconds", 429, header("Retry-After", "7", "X-RateLimit-Reset", "1000002"), 7 * time.Second, true},
		{"RetryAfterDate", 429, header("Retry-After", now.Add(90*time.Second).UTC().Format(http.TimeFormat)), 90 * time.Second, true},
		{"RetryAfterDatePassed", 429, header("Retry-After", now.Add(-time.Hour).UTC().Format(http.TimeFormat)), 0, true},
		{"RetryAfterGarbledFallsBackToReset", 429, header("Retry-After", "later", "X-RateLimit-Reset", "1000004"), 4 * time.Second, true},
		{"503RetryAfter", 503, header("Retry-After", "3"), 3 * time.Second, true},
		{"503IgnoresReset", 503, header("X-RateLimit-Reset", "1000004"), 0, false},
		{"429NoHeaders", 429, header(), 0, false},
		{"500", 500, header("Retry-After", "3"), 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := transport.RateLimitWait(&http.Response{StatusCode: tt.status, Header: tt.header}, now)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("RateLimitWait = %v, %v; want %v, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

// Ensure exponential backoff stays within its bounds and grows.
func TestExponentialBackoff(t *testing.T) {
	const minWait, maxWait = 100 * time.Millisecond, 3 * time.Second
	for attempt := range 12 {
		for range 50 {
			got := transport.ExponentialBackoff(minWait, maxWait, attempt)
			if got < minWait || got > maxWait {
				t.Fatalf("attempt %d: %v outside [%v, %v]", attempt, got, minWait, maxWait)
			}
		}
	}
	// Attempt 4 doubles 100ms to 1.6s and jitters over its upper half.
	if got := transport.ExponentialBackoff(minWait, maxWait, 4); got < 800*time.Millisecond {
		t.Errorf("attempt 4 waited %v, want at least 800ms", got)
	}
}
