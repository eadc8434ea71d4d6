package transport

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// RateLimit is what a response's X-RateLimit-Remaining and X-RateLimit-Reset
// headers say. A server that counts a request against several buckets
// sends comma-separated lists, one entry per bucket, in the same order in
// both headers.
type RateLimit struct {
	// Remaining is the lowest remaining count across buckets, or -1 when
	// the response did not say.
	Remaining int
	// Reset is when the governing bucket refills: the latest reset among
	// the buckets with nothing left, or the latest reset overall when no
	// bucket is empty (or the lists cannot be paired).
	Reset time.Time
	// Exhausted reports whether some bucket has nothing left, so that
	// further requests would be refused until Reset.
	Exhausted bool
}

// ParseRateLimit reads the rate-limit headers of h. ok is false when h has
// no usable X-RateLimit-Reset. Entries that are not integers are ignored.
func ParseRateLimit(h http.Header) (rl RateLimit, ok bool) {
	resets, resetsOK := intList(h.Values("X-RateLimit-Reset"))
	if len(resets) == 0 {
		return RateLimit{}, false
	}
	remaining, remainingOK := intList(h.Values("X-RateLimit-Remaining"))

	rl.Remaining = -1
	for _, n := range remaining {
		if n := int(max(n, 0)); rl.Remaining < 0 || n < rl.Remaining {
			rl.Remaining = n
		}
	}
	rl.Exhausted = rl.Remaining == 0

	// Pair buckets only when both lists are complete and the same length;
	// otherwise the latest reset is the safe choice.
	paired := resetsOK && remainingOK && len(resets) == len(remaining)
	var latest, latestEmpty int64
	for i, r := range resets {
		latest = max(latest, r)
		if paired && remaining[i] <= 0 {
			latestEmpty = max(latestEmpty, r)
		}
	}
	if latestEmpty > 0 {
		latest = latestEmpty
	}
	rl.Reset = time.Unix(latest, 0)
	return rl, true
}

// intList parses header values holding comma-separated integers. complete
// is false when some entry was not an integer and was skipped.
func intList(values []string) (list []int64, complete bool) {
	complete = true
	for _, v := range values {
		for field := range strings.SplitSeq(v, ",") {
			field = strings.TrimSpace(field)
			if field == "" {
				continue
			}
			n, err := strconv.ParseInt(field, 10, 64)
			if err != nil {
				complete = false
				continue
			}
			list = append(list, n)
		}
	}
	return list, complete
}

// RateLimitWait returns how long to wait before retrying after resp, when
// the server said: Retry-After (seconds or an HTTP date) on a 429 or 503,
// or else, on a 429, the time until X-RateLimit-Reset. ok is false when the
// response says nothing usable and ordinary backoff applies. The wait is
// never negative and carries no jitter or cap; the caller adds both.
func RateLimitWait(resp *http.Response, now time.Time) (wait time.Duration, ok bool) {
	if resp == nil {
		return 0, false
	}
	if resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode != http.StatusServiceUnavailable {
		return 0, false
	}
	if wait, ok := retryAfter(resp.Header.Get("Retry-After"), now); ok {
		return wait, true
	}
	if resp.StatusCode != http.StatusTooManyRequests {
		return 0, false
	}
	rl, ok := ParseRateLimit(resp.Header)
	if !ok {
		return 0, false
	}
	return max(rl.Reset.Sub(now), 0), true
}

// retryAfter parses a Retry-After value: delay-seconds or an HTTP date.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		return time.Duration(secs) * time.Second, true
	}
	at, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(at.Sub(now), 0), true
}
