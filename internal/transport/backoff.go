package transport

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"net/url"
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

// Sleep waits d, or until ctx ends, when it returns ctx's error: the wait
// between fetches of a body cut short, and a hold for the rate limit.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// UnwrapURLError drops net/http's *url.Error wrapper, which repeats the
// whole URL that a client's message already names by path.
func UnwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) && ue.Err != nil {
		return ue.Err
	}
	return err
}
