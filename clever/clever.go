package clever

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	"github.com/rs/zerolog"
	"golang.org/x/oauth2"

	"github.com/rosterd/rosterd/internal/transport"
)

// Defaults for Options.
const (
	DefaultBaseURL = "https://api.clever.com/v3.0"
	DefaultAuthURL = "https://clever.com"
	// MaxPageSize is the largest limit Clever accepts; a larger one is
	// answered with 413.
	MaxPageSize = 10000
	// DefaultRequestsPerMinute stays under Clever's 1,200 per token.
	DefaultRequestsPerMinute = 1100
)

const (
	// maxBodySize is a sanity cap on one page. A 10,000-user page is about
	// 6 MB; a 10,000-section page of large classes some tens of MB.
	maxBodySize = 256 << 20
	// maxErrorBodySize caps how much of an error response is read.
	maxErrorBodySize = 64 << 10
)

// Options configures a Client.
type Options struct {
	// Connection names the connection in every error and log line.
	Connection string
	// BaseURL is the API root, version included; default DefaultBaseURL.
	BaseURL string
	// AuthURL is where the token listing lives (AuthURL + "/oauth/tokens");
	// default DefaultAuthURL.
	AuthURL string

	// Token is a district-app bearer token. Set it, or ClientID and
	// ClientSecret to discover the token of DistrictID from the token
	// listing.
	Token        string `json:"-"`
	ClientID     string
	ClientSecret string `json:"-"`
	// DistrictID is the district the connection serves: required with
	// client credentials, and checked against the crawled district when
	// set.
	DistrictID string

	// PageSize is the limit of every list request, 1..MaxPageSize; 0 means
	// MaxPageSize.
	PageSize int

	// Transport configures retries, timeouts, the logger and the limiter.
	// RequestsPerMinute 0 means DefaultRequestsPerMinute and a negative
	// value means unlimited. TokenSource is ignored: NewClient sets it.
	Transport transport.Options
}

// String describes o without its secrets, so that printing options never
// leaks them.
func (o Options) String() string {
	return fmt.Sprintf("clever.Options{Connection:%q BaseURL:%q AuthURL:%q Token:%s ClientID:%q ClientSecret:%s DistrictID:%q PageSize:%d}",
		o.Connection, o.BaseURL, o.AuthURL, presence(o.Token), o.ClientID, presence(o.ClientSecret), o.DistrictID, o.PageSize)
}

// GoString is String, for %#v.
func (o Options) GoString() string { return o.String() }

func presence(secret string) string {
	if secret == "" {
		return "unset"
	}
	return "set"
}

// Client talks to one district's Clever API. It is safe for concurrent use;
// build it once per connection, since it carries the connection's rate
// limiter and connection pool.
type Client struct {
	conn       string
	base       *url.URL
	districtID string
	pageSize   int
	http       *http.Client
	retry      transport.Options // resolved; bounds retries of pages cut short
	log        zerolog.Logger
	secrets    *redactor
}

// NewClient checks opts and builds the client and its HTTP stack.
func NewClient(opts Options) (*Client, error) {
	if opts.Connection == "" {
		return nil, errors.New("clever: connection name is required")
	}
	fail := func(format string, args ...any) (*Client, error) {
		return nil, fmt.Errorf("clever %q: "+format, append([]any{opts.Connection}, args...)...)
	}
	base, err := parseRoot(opts.BaseURL, DefaultBaseURL)
	if err != nil {
		return fail("base URL: %w", err)
	}
	auth, err := parseRoot(opts.AuthURL, DefaultAuthURL)
	if err != nil {
		return fail("auth URL: %w", err)
	}
	pageSize := opts.PageSize
	if pageSize == 0 {
		pageSize = MaxPageSize
	}
	if pageSize < 1 || pageSize > MaxPageSize {
		return fail("page size %d outside 1..%d", opts.PageSize, MaxPageSize)
	}
	hasCreds := opts.ClientID != "" || opts.ClientSecret != ""
	switch {
	case opts.Token != "" && hasCreds:
		return fail("set either a token or client credentials, not both")
	case opts.Token == "" && !hasCreds:
		return fail("a token or client credentials are required")
	case hasCreds && (opts.ClientID == "" || opts.ClientSecret == ""):
		return fail("client credentials need both a client ID and a client secret")
	case hasCreds && opts.DistrictID == "":
		return fail("client credentials need the district ID whose token to use")
	}

	topts := opts.Transport
	topts.Logger = topts.Logger.With().Str("component", "clever").Str("connection", opts.Connection).Logger()
	if topts.RequestsPerMinute == 0 {
		topts.RequestsPerMinute = DefaultRequestsPerMinute
	}
	topts = topts.WithDefaults()

	c := &Client{
		conn:       opts.Connection,
		base:       base,
		districtID: opts.DistrictID,
		pageSize:   pageSize,
		retry:      topts,
		log:        topts.Logger,
		secrets:    &redactor{},
	}
	if opts.Token != "" {
		c.secrets.add(opts.Token)
		topts.TokenSource = oauth2.StaticTokenSource(&oauth2.Token{AccessToken: opts.Token, TokenType: "Bearer"})
	} else {
		c.secrets.add(opts.ClientSecret)
		topts.TokenSource = oauth2.ReuseTokenSource(nil, newDistrictTokenSource(c, auth, topts, opts.ClientID, opts.ClientSecret))
	}
	c.http = transport.New(topts)
	return c, nil
}

// parseRoot parses an absolute http(s) URL without query, dropping a
// trailing slash.
func parseRoot(raw, def string) (*url.URL, error) {
	if raw == "" {
		raw = def
	}
	u, err := url.Parse(strings.TrimRight(raw, "/"))
	if err != nil {
		return nil, err
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("%q is not an absolute http(s) URL", raw)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("%q has a query or fragment", raw)
	}
	return u, nil
}

// errorf formats an error prefixed with the connection, like APIError.
func (c *Client) errorf(format string, args ...any) error {
	return fmt.Errorf("clever %q: "+format, append([]any{c.conn}, args...)...)
}

// collectionURL is BaseURL/collection?query, with limit set to the page
// size.
func (c *Client) collectionURL(collection string, query url.Values) *url.URL {
	u := *c.base
	u.Path = c.base.Path + "/" + collection
	u.RawPath = ""
	if query == nil {
		query = url.Values{}
	}
	query.Set("limit", strconv.Itoa(c.pageSize))
	u.RawQuery = query.Encode()
	return &u
}

// newRequest builds a GET of u.
func (c *Client) newRequest(ctx context.Context, u *url.URL) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, c.errorf("GET %s: %w", u.RequestURI(), err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "rosterd")
	return req, nil
}

// do sends req through hc and decodes a 2xx body into v, using buf (which
// may be nil) to hold the body. A non-2xx response becomes an *APIError.
func (c *Client) do(hc *http.Client, req *http.Request, buf *bytes.Buffer, v any) error {
	if buf == nil {
		buf = new(bytes.Buffer)
	}
	if err := c.fetch(hc, req, buf); err != nil {
		return err
	}
	return c.decode(req.Method+" "+req.URL.RequestURI(), buf.Bytes(), v)
}

// fetch sends req through hc and reads a 2xx body into buf. A non-2xx
// response becomes an *APIError; a body cut short is fetched again (see
// transport.ReadWhole) and then reported with ErrBodyCutShort.
func (c *Client) fetch(hc *http.Client, req *http.Request, buf *bytes.Buffer) error {
	target := req.Method + " " + req.URL.RequestURI()
	var statusErr error // returned as it is: it names the request itself
	_, err := transport.ReadWhole(hc, req, buf, transport.WholeBody{
		Limit:  maxBodySize,
		Retry:  c.retry,
		Status: func(resp *http.Response) error { statusErr = c.apiError(req, resp); return statusErr },
		Retrying: func(err error, wait time.Duration) {
			c.log.Debug().Str("request", target).Err(err).Dur("wait", wait).Msg("response body cut short; fetching the page again")
		},
	})
	switch {
	case err == nil:
		return nil
	case err == statusErr:
		return err
	}
	return c.errorf("%s: %w", target, err)
}

// decode decodes body, the answer to target ("GET /v3.0/users?..."),
// into v. Users and sections pages, most of a crawl, are read by
// decodeFast unless it declines them.
func (c *Client) decode(target string, body []byte, v any) error {
	if decodeFast(body, v) {
		return nil
	}
	if err := json.Unmarshal(body, v, decodeOptions); err != nil {
		return c.errorf("decode %s: %w", target, err)
	}
	return nil
}

// decodeOptions make decoding as lenient as encoding/json: Clever's data is
// "as it exists in the source system", and one odd byte in a name must not
// refuse a district's whole roster. Unknown members are ignored (the v2
// default).
var decodeOptions = json.JoinOptions(
	jsontext.AllowDuplicateNames(true),
	jsontext.AllowInvalidUTF8(true),
)
