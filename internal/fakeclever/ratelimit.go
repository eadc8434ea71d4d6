package fakeclever

import (
	"net/http"
	"strconv"
	"sync"
	"time"
)

// rateWindow is Clever's per-token limit: a fixed window that opens with
// the first request after the previous one closed and lasts a minute
// ("the allowed count resets every minute"). The fake knows one token, so
// it keeps one window.
type rateWindow struct {
	limit int

	mu   sync.Mutex
	end  time.Time
	used int
}

// admit counts one request made at now, sets the X-RateLimit-* headers on
// h and reports whether the request is over the limit.
func (rw *rateWindow) admit(now time.Time, h http.Header) (over bool) {
	rw.mu.Lock()
	if !now.Before(rw.end) {
		// Whole seconds, so that X-RateLimit-Reset is exactly when the
		// window closes: a client sleeping until it is not refused again.
		rw.end = time.Unix(now.Unix()+60, 0)
		rw.used = 0
	}
	rw.used++
	remaining := max(0, rw.limit-rw.used)
	over = rw.used > rw.limit
	end := rw.end
	rw.mu.Unlock()

	setRateHeaders(h, rw.limit, remaining, end)
	return over
}

func setRateHeaders(h http.Header, limit, remaining int, reset time.Time) {
	h.Set("X-RateLimit-Limit", strconv.Itoa(limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(remaining))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(reset.Unix(), 10))
	h.Set("X-RateLimit-Bucket", "bearer")
}
