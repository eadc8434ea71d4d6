package notify

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/rosterd/rosterd/preflight"
)

// Event is what a notification is about.
type Event string

// The events.
const (
	// EventRefused: preflight found errors; nothing was committed.
	EventRefused Event = "refused"
	// EventHeld: the change tripped a mass-change guard and waits for an
	// operator's approval.
	EventHeld Event = "held"
	// EventFailed: the run did not complete (a source or store failure).
	EventFailed Event = "failed"
	// EventRecovered: a run committed (or a dry run passed) after one or
	// more refused or failed runs of the same connection.
	EventRecovered Event = "recovered"
)

// Events lists every event, in the order the documentation gives them.
var Events = []Event{EventRefused, EventHeld, EventFailed, EventRecovered}

// Webhook formats.
const (
	FormatJSON  = "json"
	FormatSlack = "slack"
)

// Defaults applied by New to zero Options fields.
const (
	DefaultTimeout      = 10 * time.Second
	DefaultRetries      = 3
	DefaultRetryWaitMin = 1 * time.Second
	DefaultRetryWaitMax = 30 * time.Second
	DefaultQueueSize    = 16
)

// Errors returned by Webhook.Validate. None of them repeats the URL.
var (
	// ErrInvalidURL: the URL does not parse, is not http or https, or has
	// no host.
	ErrInvalidURL = errors.New("invalid webhook URL")
	// ErrInvalidFormat: the format is neither "json" nor "slack".
	ErrInvalidFormat = errors.New("invalid webhook format")
	// ErrUnknownEvent: an entry of Events is not an event.
	ErrUnknownEvent = errors.New("unknown webhook event")
	// ErrEmptyConnection: an entry of Connections is empty.
	ErrEmptyConnection = errors.New("empty webhook connection")
)

// Options configures a Notifier. The zero value is usable: no webhooks,
// so nothing is sent.
type Options struct {
	// Webhooks are the endpoints notified. New skips, with a warning, a
	// webhook that does not pass Validate; check them when loading the
	// configuration.
	Webhooks []Webhook
	// Logger receives one line per delivery and per dropped or failed
	// notification. The zero Logger discards.
	Logger zerolog.Logger
	// Client carries each attempt; nil builds one that does not follow
	// redirects. Retries and the per-attempt timeout are layered over it
	// (its Timeout is replaced by Timeout), so it must not retry itself.
	Client *http.Client
	// Timeout bounds one attempt, reading the response included;
	// default 10s.
	Timeout time.Duration
	// Retries is how many times a failed attempt is retried (connection
	// errors, 429 and 5xx but 501; never another 4xx): 0 means
	// DefaultRetries, a negative value means never.
	Retries int
	// RetryWaitMin and RetryWaitMax bound the exponential backoff between
	// attempts (defaults 1s and 30s). A Retry-After on a 429 or 503 is
	// honoured instead, up to MaxRetryAfter.
	RetryWaitMin, RetryWaitMax time.Duration
	// QueueSize is how many notifications may wait for each webhook
	// while it is slow; more are dropped with a warning. Default 16.
	QueueSize int
	// Now is the clock Retry-After dates are read against; nil means
	// time.Now.
	Now func() time.Time
}

// MaxRetryAfter caps the wait a server's Retry-After may impose before
// the next attempt.
const MaxRetryAfter = 2 * time.Minute

// Webhook is one endpoint notified.
//
// URL usually carries a secret (a Slack webhook's path, a token query
// parameter), so the package never logs it nor puts it in an error: it
// names a webhook by its scheme and host only. Webhook's String and
// GoString do the same.
type Webhook struct {
	// URL is where notifications are POSTed: http or https.
	URL string
	// Format is "json" (the default) or "slack".
	Format string
	// Connections limits the webhook to these connections; empty means
	// every connection.
	Connections []string
	// Events limits the webhook to these events; empty means all of
	// them.
	Events []string
}

// Validate checks w without ever repeating its URL. Its errors wrap
// ErrInvalidURL, ErrInvalidFormat, ErrUnknownEvent or ErrEmptyConnection.
func (w Webhook) Validate() error {
	u, err := url.Parse(w.URL)
	switch {
	case err != nil:
		// url.Error repeats the URL, and its cause a piece of it.
		return fmt.Errorf("%w: the URL does not parse", ErrInvalidURL)
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("%w: the scheme must be http or https", ErrInvalidURL)
	case u.Host == "":
		return fmt.Errorf("%w: the URL has no host", ErrInvalidURL)
	}
	switch w.Format {
	case "", FormatJSON, FormatSlack:
	default:
		return fmt.Errorf("%w %q: want %q or %q", ErrInvalidFormat, w.Format, FormatJSON, FormatSlack)
	}
	for _, e := range w.Events {
		if !slices.Contains(Events, Event(e)) {
			return fmt.Errorf("%w %q: want one of refused, held, failed, recovered", ErrUnknownEvent, e)
		}
	}
	if slices.Contains(w.Connections, "") {
		return ErrEmptyConnection
	}
	return nil
}

// String names w by format, scheme and host, never the rest of its URL.
func (w Webhook) String() string {
	f := w.Format
	if f == "" {
		f = FormatJSON
	}
	return f + " webhook " + redactedURL(w.URL)
}

// GoString is String, so that %#v does not print the URL either.
func (w Webhook) GoString() string { return w.String() }

// redactedURL is scheme://host of raw, or a placeholder when raw does not
// parse.
func redactedURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "[invalid URL]"
	}
	return u.Scheme + "://" + u.Host
}

// Notifier sends notifications about runs that need attention to
// webhooks. It is safe for concurrent use. New starts one delivery
// goroutine per webhook; Close stops them.
type Notifier struct {
	log   zerolog.Logger
	hooks []*webhook

	ctx    context.Context // cancelled when Close gives up draining
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu     sync.RWMutex // guards closed against sends on the queues
	closed bool

	stateMu sync.Mutex
	// unsuccessful counts, per connection, the refused and failed runs
	// since its last committed, passed or held run.
	unsuccessful map[string]int
}

// New returns a Notifier for opts.Webhooks and starts their delivery
// goroutines. Call Close when done.
func New(opts Options) *Notifier {
	opts = withDefaults(opts)
	n := &Notifier{
		log:          opts.Logger.With().Str("component", "notify").Logger(),
		unsuccessful: make(map[string]int),
	}
	n.ctx, n.cancel = context.WithCancel(context.Background())
	hc := httpClient(opts)
	for i, cfg := range opts.Webhooks {
		if err := cfg.Validate(); err != nil {
			n.log.Warn().Int(logWebhookIndex, i).Err(err).Msg("webhook skipped")
			continue
		}
		w := newWebhook(i, cfg, opts, hc, n.log)
		n.hooks = append(n.hooks, w)
		n.wg.Add(1)
		go n.work(w)
	}
	return n
}

func withDefaults(o Options) Options {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Retries == 0 {
		o.Retries = DefaultRetries
	}
	o.Retries = max(o.Retries, 0)
	if o.RetryWaitMin <= 0 {
		o.RetryWaitMin = DefaultRetryWaitMin
	}
	if o.RetryWaitMax <= 0 {
		o.RetryWaitMax = DefaultRetryWaitMax
	}
	o.RetryWaitMax = max(o.RetryWaitMax, o.RetryWaitMin)
	if o.QueueSize <= 0 {
		o.QueueSize = DefaultQueueSize
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// httpClient is the client that carries each attempt: a copy of
// opts.Client, or a fresh one that does not follow redirects (a 302 would
// turn the POST into a GET of some other page and pass for a delivery).
func httpClient(opts Options) *http.Client {
	var hc http.Client
	if opts.Client != nil {
		hc = *opts.Client
	} else {
		hc.Transport = http.DefaultTransport.(*http.Transport).Clone()
		hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	}
	hc.Timeout = opts.Timeout
	return &hc
}

// RunFinished notifies the webhooks that want to know about rep, when rep
// needs attention: refused, held or failed, or the first success after
// refused or failed runs of its connection. It never waits for a webhook:
// the notification is queued for each one, and dropped with a warning
// when that webhook's queue is full or the Notifier is closed. ctx is not
// used for the delivery, which outlives the call; Close ends deliveries.
//
// The outcome of each connection's last run is kept in memory, so the
// first success after a restart is not reported as a recovery. Dry runs
// count like syncs; rules-workbench reports are ignored.
func (n *Notifier) RunFinished(ctx context.Context, rep *preflight.Report) {
	if rep == nil || rep.Mode == modeRulesTest {
		return
	}
	ev, after, ok := n.observe(rep)
	if !ok {
		return
	}
	var bodies map[string][]byte // by format, built on first use
	n.mu.RLock()
	defer n.mu.RUnlock()
	log := n.log.With().Str(logEvent, string(ev)).Str(logConnection, rep.Connection).Uint64(logRunID, rep.RunID).Logger()
	if n.closed {
		log.Warn().Msg("notifier closed; notification dropped")
		return
	}
	for _, w := range n.hooks {
		if !w.wants(rep.Connection, ev) {
			continue
		}
		if bodies == nil {
			bodies = make(map[string][]byte, 2)
		}
		body, ok := bodies[w.format]
		if !ok {
			var err error
			if body, err = encode(w.format, ev, rep, after); err != nil {
				log.Error().Err(err).Msg("notification not encoded")
				return
			}
			bodies[w.format] = body
		}
		d := delivery{event: ev, connection: rep.Connection, runID: rep.RunID, body: body}
		select {
		case w.queue <- d:
		default:
			log.Warn().Str(logWebhook, w.name).Int(logWebhookIndex, w.index).Msg("webhook queue full; notification dropped")
		}
	}
}

// modeRulesTest is the mode of the rules workbench's reports
// (connector.ModeRulesTest), which try rules on fetched data and notify
// nobody.
const modeRulesTest = "rules-test"

// observe records rep's outcome for its connection and returns the event
// it raises, if any, with, for a recovery, the number of unsuccessful runs
// before it. Paused and rejected runs neither raise an event nor change
// what is remembered.
func (n *Notifier) observe(rep *preflight.Report) (ev Event, after int, ok bool) {
	n.stateMu.Lock()
	defer n.stateMu.Unlock()
	c := rep.Connection
	switch rep.Verdict {
	case preflight.VerdictRefused:
		n.unsuccessful[c]++
		return EventRefused, 0, true
	case preflight.VerdictFailed:
		n.unsuccessful[c]++
		return EventFailed, 0, true
	case preflight.VerdictHeld:
		delete(n.unsuccessful, c)
		return EventHeld, 0, true
	case preflight.VerdictCommitted, preflight.VerdictPassed:
		after = n.unsuccessful[c]
		delete(n.unsuccessful, c)
		return EventRecovered, after, after > 0
	}
	return "", 0, false
}

// Close stops accepting notifications and waits until every queued one
// is delivered (or has failed its retries), or until ctx is done: then it
// abandons the rest, logging how many, and returns ctx's error. Calling
// Close again waits again and returns nil.
func (n *Notifier) Close(ctx context.Context) error {
	n.mu.Lock()
	if !n.closed {
		n.closed = true
		for _, w := range n.hooks {
			close(w.queue)
		}
	}
	n.mu.Unlock()

	done := make(chan struct{})
	go func() {
		n.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		n.cancel()
		return nil
	case <-ctx.Done():
		n.cancel()
		<-done // cancelled deliveries return at once
		return ctx.Err()
	}
}

// work delivers w's queue in order until Close closes it.
func (n *Notifier) work(w *webhook) {
	defer n.wg.Done()
	abandoned := 0
	for d := range w.queue {
		if n.ctx.Err() != nil {
			abandoned++
			continue
		}
		w.send(n.ctx, d)
	}
	if abandoned > 0 {
		w.log.Warn().Int("abandoned", abandoned).Msg("notifier closed before these notifications were sent")
	}
}

// Log field names.
const (
	logWebhook      = "webhook" // scheme://host only
	logWebhookIndex = "webhook_index"
	logEvent        = "event"
	logConnection   = "connection"
	logRunID        = "run_id"
)
