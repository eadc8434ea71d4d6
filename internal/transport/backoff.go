package transport

import (
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// ExponentialBackoff returns the wait before retry number attempt (0 for
// the first retry): minWait doubled per attempt, capped at maxWait, with
// jitter over the upper half so that clients retrying together spread out.
// The result lies within [minWait, maxWait].
func ExponentialBackoff(minWait, maxWait time.Duration, attempt int) time.Duration {
	if maxWait < minWait {
		maxWait = minWait
	}
	d := minWait
	for i := 0; i < attempt && d < maxWait; i++ {
		d *= 2
	}
	d = min(d, maxWait)
	if half := d / 2; half > 0 {
		d = half + rand.N(half+1)
	}
	return max(d, minWait)
}

// rateLimitJitter spreads retries after a rate-limit wait: up to a tenth of
// the wait, and at least up to 100ms, so that a reset on a whole second is
// not met by every waiting request at once.
func rateLimitJitter(wait time.Duration) time.Duration {
	return rand.N(max(wait/10, 100*time.Millisecond))
}

// backoff is the retry policy's wait: what the server asked for on a 429
// (or a 503 with Retry-After), capped at RateLimitWaitMax, and otherwise
// exponential backoff between RetryWaitMin and RetryWaitMax.
func backoff(opts Options) retryablehttp.Backoff {
	log := opts.Logger
	return func(minWait, maxWait time.Duration, attempt int, resp *http.Response) time.Duration {
		wait, ok := RateLimitWait(resp, time.Now())
		if !ok {
			return ExponentialBackoff(minWait, maxWait, attempt)
		}
		wait = min(wait+rateLimitJitter(wait), opts.RateLimitWaitMax)
		opts.Observer.RateLimitWait(wait)
		e := log.Info().Int("status", resp.StatusCode).Dur("wait", wait)
		if resp.Request != nil && resp.Request.URL != nil {
			e = e.Str("path", resp.Request.URL.Path)
		}
		e.Msg("rate limited by the server; waiting before retrying")
		return wait
	}
}
