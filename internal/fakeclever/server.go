package fakeclever

import (
	"crypto/subtle"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rosterd/rosterd/internal/fakewire"
)

// Options configures a Server.
type Options struct {
	// Token is the district-app bearer token API requests must carry.
	// Required.
	Token string
	// ClientID and ClientSecret are the HTTP Basic credentials of the token
	// listing; when ClientID is empty the listing refuses every request.
	ClientID, ClientSecret string
	// DistrictID is the owner the token listing names; the default is the
	// first district of the dataset being served.
	DistrictID string
	// RateLimit is the number of requests a token may make per one-minute
	// window; 0 means Clever's 1,200, and a negative value disables rate
	// limiting and its headers.
	RateLimit int
	// Now is the clock rate-limit windows follow; the default is time.Now.
	Now func() time.Time
	// Version is the API version path prefix; the default is "v3.0".
	Version string

	// Events turns on the event feed's recording, as enabling events for
	// an app does: each SetDataset then records a created, updated or
	// deleted event for every record that changed. GET /events is served
	// either way (AddEvent records events by hand).
	Events bool
	// EventRetention is how long events are kept; default
	// DefaultEventRetention (Clever's 30 days), by the Now clock.
	EventRetention time.Duration
	// ExpiredCursor is how the feed answers a starting_after naming no
	// kept event; default ExpiredNotFound.
	ExpiredCursor ExpiredCursor
}

// DefaultRateLimit is Clever's limit: requests per minute per bearer token.
const DefaultRateLimit = 1200

// Request is one request the server answered, as the request log keeps it.
type Request struct {
	Method string
	// Path is the URL path and query as requested.
	Path string
	// Status is the status sent, or 0 when the client went away first.
	Status int
	// Bytes is the number of body bytes sent (or, when the client went
	// away first, meant to be).
	Bytes int
}

// Server is a fake Clever API: an http.Handler serving a Dataset. It is
// safe for concurrent use.
type Server struct {
	opts    Options
	prefix  string // "/v3.0/"
	data    atomic.Pointer[Dataset]
	window  rateWindow
	faults  fakewire.FaultQueue[Fault]
	created time.Time
	ev      eventLog

	requestSeed uint64
	requestSeq  atomic.Uint64

	mu  sync.Mutex
	log []Request
}

var _ http.Handler = (*Server)(nil)

// NewServer returns a Server serving d. It panics when opts.Token is empty:
// a fake that accepts any token could not catch a client that sends none.
func NewServer(d *Dataset, opts Options) *Server {
	if opts.Token == "" {
		panic("fakeclever: Options.Token is required")
	}
	if opts.RateLimit == 0 {
		opts.RateLimit = DefaultRateLimit
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Version == "" {
		opts.Version = "v3.0"
	}
	if opts.EventRetention == 0 {
		opts.EventRetention = DefaultEventRetention
	}
	s := &Server{
		faults:      fakewire.FaultQueue[Fault]{Schedule: scheduleOf},
		opts:        opts,
		prefix:      "/" + opts.Version + "/",
		window:      rateWindow{limit: opts.RateLimit},
		created:     opts.Now(),
		requestSeed: rand.Uint64(),
	}
	m := rand.Uint64()
	for i := range s.ev.machine {
		s.ev.machine[i] = byte(m >> (8 * i))
	}
	s.data.Store(d.syncedAt(s.opts.Now()))
	return s
}

// SetDataset atomically replaces what the server serves, as when a district
// changes between two syncs. Requests already being answered finish with
// the dataset they started with. With Options.Events, the changes are
// recorded as events too.
func (s *Server) SetDataset(d *Dataset) {
	next := d.syncedAt(s.opts.Now())
	if !s.opts.Events {
		s.data.Store(next)
		return
	}
	s.ev.mu.Lock()
	defer s.ev.mu.Unlock()
	s.recordChanges(s.data.Swap(next), next)
}

// Requests returns a copy of the request log, oldest first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.log...)
}

// ResetRequests empties the request log.
func (s *Server) ResetRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.log = nil
}

// ServeHTTP answers one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Request-Id", s.requestID())
	rep := s.route(w.Header(), r)
	entry := Request{Method: r.Method, Path: r.URL.RequestURI()}
	if rep == nil {
		s.record(entry)
		return
	}
	// Record before answering: a client that has read the answer must
	// find its request in the log.
	entry.Status = rep.Status
	entry.Bytes = rep.SentLen()
	s.record(entry)
	rep.Send(w)
	if rep.Truncate {
		fakewire.AbortConnection(w)
	}
}

func (s *Server) record(e Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.log = append(s.log, e)
}

// route decides the response to r, setting any headers besides the body's
// on h. A nil reply means the client went away and nothing is to be sent.
func (s *Server) route(h http.Header, r *http.Request) *reply {
	if r.Method != http.MethodGet {
		return htmlNotFound(r)
	}
	if r.URL.Path == "/oauth/tokens" {
		return s.withFaults(h, r, false, func(r *http.Request) *reply { return s.tokens(r) })
	}
	rest, ok := strings.CutPrefix(r.URL.Path, s.prefix)
	if !ok {
		return htmlNotFound(r)
	}
	if !s.bearerOK(r) {
		return jsonMessage(http.StatusUnauthorized, "message", "missing or invalid bearer token")
	}
	if s.opts.RateLimit > 0 {
		if over := s.window.admit(s.opts.Now(), h); over {
			return &reply{Status: http.StatusTooManyRequests}
		}
	}
	return s.withFaults(h, r, true, func(r *http.Request) *reply { return s.api(r, rest) })
}

func (s *Server) bearerOK(r *http.Request) bool {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(token), []byte(s.opts.Token)) == 1
}

// requestID returns a unique ID shaped like Clever's x-request-id
// (8-4-4-4-12 hex digits).

const hexDigits = "0123456789abcdef"

func (s *Server) requestID() string {
	x := splitmix(s.requestSeed + s.requestSeq.Add(1))
	y := splitmix(x)
	var b [36]byte
	j := 0
	for i := range 32 {
		if i == 8 || i == 12 || i == 16 || i == 20 {
			b[j] = '-'
			j++
		}
		v := x
		if i >= 16 {
			v = y
		}
		b[j] = hexDigits[(v>>(4*(i%16)))&0xf]
		j++
	}
	return string(b[:])
}

func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}
