package notify

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"
	"github.com/rs/zerolog"

	"github.com/rosterd/rosterd/internal/transport"
)

// webhook is a validated Webhook with its queue and its retrying client.
type webhook struct {
	index   int
	url     string
	name    string   // scheme://host, the only part of the URL ever shown
	secrets []string // the parts of the URL to scrub from error messages, longest first
	format  string
	conns   []string // nil: every connection
	events  []Event  // nil: every event
	queue   chan delivery
	client  *retryablehttp.Client
	log     zerolog.Logger

	// attempts counts the attempts of the current post. Only the
	// webhook's worker posts, so it needs no lock.
	attempts int
}

// delivery is one notification queued for one webhook.
type delivery struct {
	event      Event
	connection string
	runID      uint64
	body       []byte
}

func newWebhook(index int, cfg Webhook, opts Options, hc *http.Client, log zerolog.Logger) *webhook {
	u, _ := url.Parse(cfg.URL) // Validate has parsed it
	w := &webhook{
		index:   index,
		url:     cfg.URL,
		name:    u.Scheme + "://" + u.Host,
		secrets: secretParts(cfg.URL, u),
		format:  cfg.Format,
		conns:   slices.Clone(cfg.Connections),
		queue:   make(chan delivery, opts.QueueSize),
	}
	if w.format == "" {
		w.format = FormatJSON
	}
	for _, e := range cfg.Events {
		w.events = append(w.events, Event(e))
	}
	w.log = log.With().Str(logWebhook, w.name).Int(logWebhookIndex, index).Logger()
	w.client = &retryablehttp.Client{
		HTTPClient:   hc,
		Logger:       nil, // it would log the URL; checkRetry and backoff log instead
		RetryWaitMin: opts.RetryWaitMin,
		RetryWaitMax: opts.RetryWaitMax,
		RetryMax:     opts.Retries,
		CheckRetry:   w.checkRetry,
		Backoff:      w.backoff(opts.Now),
		ErrorHandler: w.giveUp,
		RequestLogHook: func(_ retryablehttp.Logger, _ *http.Request, retry int) {
			w.attempts = retry + 1
		},
	}
	return w
}

// secretParts lists what of raw may be secret: everything but the scheme
// and host.
func secretParts(raw string, u *url.URL) []string {
	parts := []string{raw, u.String(), u.Host + u.EscapedPath(), u.RawQuery, u.Fragment}
	if p := u.EscapedPath(); len(p) > 1 {
		parts = append(parts, p, u.Path)
	}
	if pw, ok := u.User.Password(); ok {
		parts = append(parts, pw, u.User.String())
	}
	if u.User != nil {
		parts = append(parts, u.User.Username())
	}
	parts = slices.DeleteFunc(parts, func(s string) bool { return len(s) < 2 })
	slices.SortFunc(parts, func(a, b string) int { return len(b) - len(a) })
	return slices.Compact(parts)
}

// wants reports whether w is to be told about ev on connection.
func (w *webhook) wants(connection string, ev Event) bool {
	return (len(w.conns) == 0 || slices.Contains(w.conns, connection)) &&
		(len(w.events) == 0 || slices.Contains(w.events, ev))
}

// send delivers d, with retries, and logs the outcome.
func (w *webhook) send(ctx context.Context, d delivery) {
	log := w.log.With().Str(logEvent, string(d.event)).Str(logConnection, d.connection).Uint64(logRunID, d.runID).Logger()
	start := time.Now()
	status, err := w.post(ctx, d.body)
	if err != nil {
		e := log.Warn()
		if status != 0 {
			e = e.Int("status", status)
		}
		e.Err(err).Msg("webhook notification failed")
		return
	}
	log.Info().Int("status", status).Dur("took", time.Since(start)).Msg("webhook notified")
}

// maxResponseRead caps how much of a response is read (and discarded) so
// the connection can be reused.
const maxResponseRead = 64 << 10

// post sends body to w and returns the status of the last response (0 when
// there was none). Its error never contains the URL beyond scheme and
// host.
func (w *webhook) post(ctx context.Context, body []byte) (int, error) {
	w.attempts = 0
	req, err := retryablehttp.NewRequestWithContext(ctx, http.MethodPost, w.url, body)
	if err != nil {
		return 0, w.fail(0, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "rosterd-notify")
	resp, err := w.client.Do(req)
	if err != nil {
		var de *deliveryError
		if errors.As(err, &de) {
			return de.Status, err
		}
		return 0, w.fail(0, err) // the context ended during a backoff
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, maxResponseRead))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		// A 4xx is not retried: the webhook refuses this payload, or the
		// URL is wrong, and will again.
		return resp.StatusCode, w.fail(resp.StatusCode, nil)
	}
	return resp.StatusCode, nil
}

// checkRetry is retryablehttp's default policy (connection errors, 429,
// 5xx but 501), logging each attempt that will be retried.
func (w *webhook) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	retry, checkErr := retryablehttp.DefaultRetryPolicy(ctx, resp, err)
	if retry {
		e := w.log.Debug()
		if resp != nil {
			e = e.Int("status", resp.StatusCode)
		}
		if err != nil {
			e = e.AnErr("cause", w.redact(err))
		}
		e.Msg("webhook attempt failed; retrying")
	}
	return retry, checkErr
}

// backoff waits what a 429 or 503 asks with Retry-After (capped at
// MaxRetryAfter), and otherwise backs off exponentially.
func (w *webhook) backoff(now func() time.Time) retryablehttp.Backoff {
	return func(minWait, maxWait time.Duration, attempt int, resp *http.Response) time.Duration {
		if wait, ok := transport.RateLimitWait(resp, now()); ok {
			wait = min(wait, MaxRetryAfter)
			w.log.Debug().Int("status", resp.StatusCode).Dur("wait", wait).Msg("webhook asked to retry later")
			return wait
		}
		return transport.ExponentialBackoff(minWait, maxWait, attempt)
	}
}

// giveUp is retryablehttp's ErrorHandler: it turns the last attempt's
// failure into a deliveryError, so the client's own error (which repeats
// the URL) is never built.
func (w *webhook) giveUp(resp *http.Response, err error, _ int) (*http.Response, error) {
	status := 0
	if resp != nil {
		status = resp.StatusCode
		io.Copy(io.Discard, io.LimitReader(resp.Body, maxResponseRead))
		resp.Body.Close()
		if status >= 500 || status == http.StatusTooManyRequests {
			err = nil // the status says it all
		}
	}
	return nil, w.fail(status, err)
}

func (w *webhook) fail(status int, err error) *deliveryError {
	return &deliveryError{Webhook: w.name, Status: status, Attempts: w.attempts, Err: w.redact(err)}
}

// deliveryError is why a webhook did not take a notification. It names the
// webhook by scheme and host only.
type deliveryError struct {
	Webhook  string // scheme://host
	Status   int    // the last response's status; 0 when there was none
	Attempts int    // 0 when no attempt was made
	Err      error  // the cause, with the URL removed; nil for a bad status
}

func (e *deliveryError) Error() string {
	var b strings.Builder
	b.WriteString("notify " + e.Webhook)
	if e.Status != 0 {
		fmt.Fprintf(&b, ": status %d", e.Status)
	}
	switch {
	case e.Attempts == 1:
		b.WriteString(" after 1 attempt")
	case e.Attempts > 1:
		fmt.Fprintf(&b, " after %d attempts", e.Attempts)
	}
	if e.Err != nil {
		b.WriteString(": " + e.Err.Error())
	}
	return b.String()
}

func (e *deliveryError) Unwrap() error { return e.Err }

// redact strips w's URL from err: it drops the url.Error layer net/http
// wraps around transport errors (whose message is "Post <URL>: ...") and
// scrubs any remaining piece of the URL from the message. The result
// unwraps to the cause, so errors.Is(err, context.DeadlineExceeded) still
// holds, unless the cause's own message had to be scrubbed.
func (w *webhook) redact(err error) error {
	if err == nil {
		return nil
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	msg := err.Error()
	scrubbed := msg
	for _, s := range w.secrets {
		scrubbed = strings.ReplaceAll(scrubbed, s, "[redacted]")
	}
	if scrubbed != msg {
		return errors.New(scrubbed)
	}
	return &redactedError{err}
}

// redactedError is a cause whose message holds no piece of the URL.
type redactedError struct{ err error }

func (e *redactedError) Error() string { return e.err.Error() }
func (e *redactedError) Unwrap() error { return e.err }
