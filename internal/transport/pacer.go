package transport

import (
	"context"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/rs/zerolog"
	"golang.org/x/time/rate"
)

// pacer is the innermost layer. Before each attempt it waits while the
// server has said the rate-limit bucket is empty, then for the client-side
// limiter; it bounds the attempt by the timeout, reading the body included;
// and it reads the rate-limit headers of every response.
type pacer struct {
	base     http.RoundTripper
	limiter  *rate.Limiter // nil when unlimited
	timeout  time.Duration
	maxHold  time.Duration
	log      zerolog.Logger
	observer Observer
	mu       sync.Mutex
	holdTill time.Time // no request leaves before this
}

func newPacer(opts Options) *pacer {
	p := &pacer{
		base:     opts.Base,
		timeout:  opts.Timeout,
		maxHold:  opts.RateLimitWaitMax,
		log:      opts.Logger,
		observer: opts.Observer,
	}
	if opts.RequestsPerMinute > 0 {
		p.limiter = rate.NewLimiter(rate.Every(time.Minute/time.Duration(opts.RequestsPerMinute)), burst(opts.RequestsPerMinute))
	}
	return p
}

// burst allows a quarter of a second's worth of requests at once, between
// 1 and 5: enough to absorb scheduling jitter, too little to trip a
// server's per-minute window.
func burst(perMinute int) int {
	return min(max(perMinute/240, 1), 5)
}

func (p *pacer) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	if err := p.hold(ctx, req); err != nil {
		return nil, err
	}
	if p.limiter != nil {
		if err := p.limiter.Wait(ctx); err != nil {
			return nil, err
		}
	}

	attemptCtx, cancel := context.WithTimeout(ctx, p.timeout)
	resp, err := p.base.RoundTrip(req.WithContext(attemptCtx))
	if err != nil {
		cancel()
		p.observer.Attempt(0)
		return nil, err
	}
	p.observer.Attempt(resp.StatusCode)
	resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
	p.observe(resp.Header)
	return resp, nil
}

// hold waits until the server's rate-limit bucket has refilled, when a
// previous response said it was empty.
func (p *pacer) hold(ctx context.Context, req *http.Request) error {
	p.mu.Lock()
	wait := time.Until(p.holdTill)
	p.mu.Unlock()
	if wait <= 0 {
		return nil
	}
	wait = min(wait, p.maxHold)
	p.observer.RateLimitWait(wait)
	p.log.Info().Dur("wait", wait).Str("path", req.URL.Path).
		Msg("rate limit exhausted; holding requests until it resets")
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// observe records an empty rate-limit bucket so later requests hold.
func (p *pacer) observe(h http.Header) {
	rl, ok := ParseRateLimit(h)
	if !ok || !rl.Exhausted {
		return
	}
	p.mu.Lock()
	if rl.Reset.After(p.holdTill) {
		p.holdTill = rl.Reset
	}
	p.mu.Unlock()
}

// CloseIdleConnections lets retryablehttp drop pooled connections of the
// base transport after a failure.
func (p *pacer) CloseIdleConnections() {
	if c, ok := p.base.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// cancelOnClose releases an attempt's timeout once its body is closed, so
// the timeout keeps covering the body while the caller reads it.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelOnClose) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}
