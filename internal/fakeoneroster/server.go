package fakeoneroster

import (
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rosterd/rosterd/internal/fakewire"
)

// Version is one of the two REST trees the server serves.
type Version int

// The versions.
const (
	V1p1 Version = 1 // OneRoster 1.1, under BasePathV1p1
	V1p2 Version = 2 // OneRoster 1.2 rostering, under BasePathV1p2
)

func (v Version) String() string {
	switch v {
	case V1p1:
		return "v1p1"
	case V1p2:
		return "v1p2"
	}
	return "Version(?)"
}

// idx is v's index into per-version arrays.
func (v Version) idx() int { return int(v) - 1 }

// BasePath returns the path the tree of v is served under.
func (v Version) BasePath() string {
	if v == V1p1 {
		return BasePathV1p1
	}
	return BasePathV1p2
}

// The paths the server answers.
const (
	BasePathV1p1 = "/ims/oneroster/v1p1"
	BasePathV1p2 = "/ims/oneroster/rostering/v1p2"
	// TokenPath is the OAuth 2 client-credentials token endpoint (POST).
	TokenPath = "/token"
)

// The OAuth 1.0a signature methods.
const (
	HMACSHA256 = "HMAC-SHA256"
	HMACSHA1   = "HMAC-SHA1"
)

// Defaults of Options.
const (
	DefaultLimit           = 100
	DefaultTimestampWindow = 5 * time.Minute
	DefaultTokenLifetime   = time.Hour
)

// The OneRoster 1.2 rostering scopes.
const (
	ScopeRosterCore         = "https://purl.imsglobal.org/spec/or/v1p2/scope/roster-core.readonly"
	ScopeRoster             = "https://purl.imsglobal.org/spec/or/v1p2/scope/roster.readonly"
	ScopeRosterDemographics = "https://purl.imsglobal.org/spec/or/v1p2/scope/roster-demographics.readonly"
)

// LinkStyle is how list responses write their Link header.
type LinkStyle int

// The link styles.
const (
	// LinkRFC5988 writes `<url>; rel="next", <url>; rel="last"` with
	// first, prev, next and last as they apply.
	LinkRFC5988 LinkStyle = iota
	// LinkGG4L writes the URLs without angle brackets and the next offset
	// one too far (offset=101 after a first page of 100), as GG4L's
	// documentation shows: a client that trusts it skips a record a page.
	LinkGG4L
	// LinkNone sends no Link header, as many providers do.
	LinkNone
)

// Options configures a Server. At least one credential must be set:
// ConsumerKey (OAuth 1.0a on the 1.1 tree), ClientID (OAuth 2 tokens on
// the 1.2 tree) or BearerToken (both trees).
type Options struct {
	// ConsumerKey and ConsumerSecret are the OAuth 1.0a client credentials
	// the 1.1 tree verifies two-legged signatures with; when ConsumerKey
	// is empty the 1.1 tree accepts no signed request.
	ConsumerKey, ConsumerSecret string
	// SignatureMethod is the one method accepted: HMACSHA256 (the default,
	// as OneRoster 1.1 requires) or HMACSHA1.
	SignatureMethod string
	// TimestampWindow is how far oauth_timestamp may be from Now, either
	// way; 0 means DefaultTimestampWindow. Nonces are remembered this long.
	TimestampWindow time.Duration

	// ClientID and ClientSecret are the OAuth 2 client credentials POST
	// TokenPath exchanges for bearer tokens, which the 1.2 tree requires;
	// when ClientID is empty the token endpoint refuses every request.
	ClientID, ClientSecret string
	// TokenLifetime is how long an issued token is accepted (and its
	// expires_in); 0 means DefaultTokenLifetime. Make it short to test a
	// client's refresh.
	TokenLifetime time.Duration
	// Scopes are the scopes the client may ask for; a request for any
	// other is refused with invalid_scope. nil means the three rostering
	// scopes. A token request naming no scope is granted all of Scopes.
	Scopes []string
	// CheckScopes makes the 1.2 tree enforce a token's scopes: top-level
	// collections and single objects need roster-core or roster, nested
	// collections roster, demographics roster-demographics; a request
	// without them gets 403.
	CheckScopes bool
	// TokensOnV1p1 makes the 1.1 tree accept issued OAuth 2 tokens too,
	// as many 1.1 providers do.
	TokensOnV1p1 bool

	// BearerToken, when set, is a static token both trees accept, as a
	// proxy in front of the provider (ClassLink's) issues them.
	BearerToken string
	// EmptyUnauthorized sends 401s with an empty body rather than an
	// imsx status body; real providers do both.
	EmptyUnauthorized bool

	// MaxLimit caps limit: a request for more gets MaxLimit records, as
	// real providers silently do. 0 means no cap.
	MaxLimit int
	// Links is the Link header style of list responses.
	Links LinkStyle

	// Now is the clock timestamps and token lifetimes follow; the default
	// is time.Now.
	Now func() time.Time
}

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
	// Auth is the credential the request was admitted with: "oauth1",
	// "token" (an issued OAuth 2 token), "bearer" (Options.BearerToken), or
	// "" when it was not.
	Auth string
}

// Server is a fake OneRoster provider: an http.Handler serving a Dataset
// under both trees. It is safe for concurrent use.
type Server struct {
	opts   Options
	data   atomic.Pointer[Dataset]
	faults fakewire.FaultQueue[Fault]
	nonces nonceCache
	tokens tokenStore

	mu  sync.Mutex
	log []Request
}

var _ http.Handler = (*Server)(nil)

// NewServer returns a Server serving d. It panics when opts sets no
// credential or an unknown SignatureMethod: a fake that accepts anyone
// could not catch a client that signs nothing.
func NewServer(d *Dataset, opts Options) *Server {
	if opts.ConsumerKey == "" && opts.ClientID == "" && opts.BearerToken == "" {
		panic("fakeoneroster: Options needs ConsumerKey, ClientID or BearerToken")
	}
	switch opts.SignatureMethod {
	case "":
		opts.SignatureMethod = HMACSHA256
	case HMACSHA256, HMACSHA1:
	default:
		panic("fakeoneroster: unknown SignatureMethod " + opts.SignatureMethod)
	}
	if opts.TimestampWindow <= 0 {
		opts.TimestampWindow = DefaultTimestampWindow
	}
	if opts.TokenLifetime <= 0 {
		opts.TokenLifetime = DefaultTokenLifetime
	}
	if opts.Scopes == nil {
		opts.Scopes = []string{ScopeRosterCore, ScopeRoster, ScopeRosterDemographics}
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Server{opts: opts, faults: fakewire.FaultQueue[Fault]{Schedule: scheduleOf}}
	s.data.Store(d)
	return s
}

// SetDataset atomically replaces what the server serves, as when a
// district changes in the middle of a crawl. Requests already being
// answered finish with the dataset they started with.
func (s *Server) SetDataset(d *Dataset) { s.data.Store(d) }

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
	entry := Request{Method: r.Method, Path: r.URL.RequestURI()}
	rep := s.route(w.Header(), r, &entry)
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
// on h and the credential used on entry. A nil reply means the client went
// away and nothing is to be sent.
func (s *Server) route(h http.Header, r *http.Request, entry *Request) *reply {
	if r.URL.Path == TokenPath {
		if r.Method != http.MethodPost {
			h.Set("Allow", http.MethodPost)
			return oauthError(http.StatusMethodNotAllowed, "invalid_request", "the token endpoint takes POST")
		}
		return s.withFaults(h, r, false, func() *reply { return s.token(h, r) })
	}
	// The escaped path, so that a sourcedId holding an escaped "/" stays
	// one segment; api unescapes each.
	var v Version
	var rest string
	if tail, ok := strings.CutPrefix(r.URL.EscapedPath(), BasePathV1p1+"/"); ok {
		v, rest = V1p1, tail
	} else if tail, ok := strings.CutPrefix(r.URL.EscapedPath(), BasePathV1p2+"/"); ok {
		v, rest = V1p2, tail
	} else {
		return notFound()
	}
	if r.Method != http.MethodGet {
		h.Set("Allow", http.MethodGet)
		return statusInfo(v, http.StatusMethodNotAllowed, CodeInvalidData, "the rostering service is read-only: use GET")
	}
	cred, failure := s.authenticate(v, r)
	if failure != nil {
		return s.unauthorized(v, h, failure)
	}
	entry.Auth = cred.kind
	return s.withFaults(h, r, true, func() *reply { return s.api(h, r, v, rest, cred) })
}
