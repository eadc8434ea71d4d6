package transport

import (
	"context"
	"fmt"
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
		err = p.timedOut(ctx, attemptCtx, err)
		cancel()
		p.observer.Attempt(0)
		return nil, err
	}
	p.observer.Attempt(resp.StatusCode)
	resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel, p: p, ctx: ctx, attemptCtx: attemptCtx}
	p.observe(resp.Header)
	return resp, nil
}

// timedOut says so when err came of the attempt's own timeout rather than
// the caller's context: "context deadline exceeded" alone does not tell
// an operator which deadline, nor which setting moves it.
func (p *pacer) timedOut(ctx, attemptCtx context.Context, err error) error {
	if attemptCtx.Err() == nil || ctx.Err() != nil {
		return err
	}
	return &attemptTimeoutError{timeout: p.timeout, err: err}
}

// attemptTimeoutError is an attempt that outlasted Options.Timeout. It is
// a net.Error timeout, as the context error it wraps, so that *url.Error
// and the callers' transient checks still read it as one.
type attemptTimeoutError struct {
	timeout time.Duration
	err     error
}

func (e *attemptTimeoutError) Error() string {
	return fmt.Sprintf("no complete answer within the %v timeout: %v", e.timeout, e.err)
}
func (e *attemptTimeoutError) Unwrap() error   { return e.err }
func (e *attemptTimeoutError) Timeout() bool   { return true }
func (e *attemptTimeoutError) Temporary() bool { return true }

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
	return Sleep(ctx, wait)
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
	cancel          context.CancelFunc
	p               *pacer
	ctx, attemptCtx context.Context
}

func (b *cancelOnClose) Read(buf []byte) (int, error) {
	n, err := b.ReadCloser.Read(buf)
	if err != nil && err != io.EOF {
		err = b.p.timedOut(b.ctx, b.attemptCtx, err)
	}
	return n, err
}

func (b *cancelOnClose) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}
