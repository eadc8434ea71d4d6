package transport

import (
	"net/http"
	"time"

	"github.com/hashicorp/go-retryablehttp"
	"github.com/rs/zerolog"
	"golang.org/x/oauth2"
)

// Defaults applied by New (and WithDefaults) to zero Options fields.
const (
	DefaultRetries          = 5
	DefaultRetryWaitMin     = 1 * time.Second
	DefaultRetryWaitMax     = 30 * time.Second
	DefaultRateLimitWaitMax = 2 * time.Minute
	DefaultTimeout          = 2 * time.Minute
)

// Options configures the stack New builds. The zero value is usable: no
// token, default retries, no client-side limit.
type Options struct {
	// Logger receives retryablehttp's per-attempt logs at debug level and
	// one info line per rate-limit wait. The zero Logger discards.
	Logger zerolog.Logger

	// Retries is how many times a failed attempt is retried: 0 means
	// DefaultRetries, a negative value means never.
	Retries int
	// RetryWaitMin and RetryWaitMax bound the exponential backoff between
	// attempts (defaults 1s and 30s).
	RetryWaitMin, RetryWaitMax time.Duration
	// RateLimitWaitMax is the longest a 429 (or a server-announced empty
	// rate-limit bucket) may make a request wait; default 2m.
	RateLimitWaitMax time.Duration
	// RequestsPerMinute paces requests on the client; 0 is unlimited.
	RequestsPerMinute int
	// Timeout bounds one attempt, reading the response body included;
	// default 2m.
	Timeout time.Duration

	// TokenSource supplies the bearer token; nil sends no Authorization
	// header.
	TokenSource oauth2.TokenSource
	// Base carries the requests; nil means a clone of
	// http.DefaultTransport. Tests inject their own.
	Base http.RoundTripper

	// Observer, when set, is told of every attempt and every wait for a
	// rate limit, for metrics.
	Observer Observer
}

// Observer watches the stack's traffic. Its methods must be quick and safe
// for concurrent use.
type Observer interface {
	// Attempt is called once per attempt with the response status, or 0
	// when the attempt got no response.
	Attempt(status int)
	// RateLimitWait is called before each wait the server's rate limit
	// imposes.
	RateLimitWait(d time.Duration)
}

// noObserver is the Observer of a stack nobody watches.
type noObserver struct{}

func (noObserver) Attempt(int)                 {}
func (noObserver) RateLimitWait(time.Duration) {}

// WithDefaults returns o with every zero field set to its default, so a
// caller that retries at its own level (a page cut short) uses the same
// figures as the stack. It is idempotent: a negative Retries stays
// negative (use RetryCount).
func (o Options) WithDefaults() Options {
	if o.Retries == 0 {
		o.Retries = DefaultRetries
	}
	if o.RetryWaitMin <= 0 {
		o.RetryWaitMin = DefaultRetryWaitMin
	}
	if o.RetryWaitMax <= 0 {
		o.RetryWaitMax = DefaultRetryWaitMax
	}
	if o.RetryWaitMax < o.RetryWaitMin {
		o.RetryWaitMax = o.RetryWaitMin
	}
	if o.RateLimitWaitMax <= 0 {
		o.RateLimitWaitMax = DefaultRateLimitWaitMax
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.RequestsPerMinute < 0 {
		o.RequestsPerMinute = 0
	}
	if o.Base == nil {
		o.Base = http.DefaultTransport.(*http.Transport).Clone()
	}
	if o.Observer == nil {
		o.Observer = noObserver{}
	}
	return o
}

// RetryCount is how many times a failed attempt is retried: Retries, with
// 0 meaning DefaultRetries and a negative value none.
func (o Options) RetryCount() int {
	if o.Retries == 0 {
		return DefaultRetries
	}
	return max(o.Retries, 0)
}

// New builds the HTTP stack described in the package documentation. The
// returned client has no overall timeout: each attempt is bounded by
// Options.Timeout and the whole call by the request's context.
//
// When retries run out on a 429 or 5xx, the client returns that last
// response (body unread) and no error, so the caller can decode the API's
// error body and report the status.
func New(opts Options) *http.Client {
	opts = opts.WithDefaults()

	retrying := &retryablehttp.Client{
		// The inner client has no Timeout: the pacer bounds each attempt
		// after the limiter has let it through, so time spent waiting for
		// the rate limit does not count against the attempt.
		HTTPClient:   &http.Client{Transport: newPacer(opts)},
		Logger:       leveledLogger{opts.Logger},
		RetryWaitMin: opts.RetryWaitMin,
		RetryWaitMax: opts.RetryWaitMax,
		RetryMax:     opts.RetryCount(),
		CheckRetry:   retryablehttp.DefaultRetryPolicy,
		Backoff:      backoff(opts),
		ErrorHandler: passthrough,
	}
	var rt http.RoundTripper = &retryablehttp.RoundTripper{Client: retrying}
	if opts.TokenSource != nil {
		rt = &oauth2.Transport{Source: opts.TokenSource, Base: rt}
	}
	return &http.Client{Transport: rt}
}

// passthrough is retryablehttp.PassthroughErrorHandler, except that it never
// returns a response together with an error: net/http would ignore such a
// response and leak its body (this happens when the context ends just as a
// response arrives).
func passthrough(resp *http.Response, err error, numTries int) (*http.Response, error) {
	resp, err = retryablehttp.PassthroughErrorHandler(resp, err, numTries)
	if err != nil && resp != nil {
		resp.Body.Close()
		return nil, err
	}
	return resp, err
}
