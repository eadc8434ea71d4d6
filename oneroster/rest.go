package oneroster

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/dghubble/oauth1"
	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	"github.com/rosterd/rosterd/connector"
	"github.com/rosterd/rosterd/internal/transport"
	"github.com/rs/zerolog"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// The REST versions.
const (
	Version11 = "1.1"
	Version12 = "1.2"
)

// The authentication methods.
const (
	// AuthOAuth1 signs every request with OAuth 1.0a two-legged
	// signatures (1.1).
	AuthOAuth1 = "oauth1"
	// AuthOAuth2 gets bearer tokens with OAuth 2 client credentials (1.2,
	// and many 1.1 providers).
	AuthOAuth2 = "oauth2"
	// AuthBearer sends a fixed bearer token (proxies such as ClassLink's).
	AuthBearer = "bearer"
)

// Defaults of ClientOptions.
const (
	DefaultPageSize    = 1000
	MaxPageSize        = 10000
	DefaultMaxInFlight = 2
	DefaultMaxPages    = 100_000
	// DefaultRequestsPerMinute keeps a crawl polite toward a district's
	// SIS; OneRoster sets no limit of its own.
	DefaultRequestsPerMinute = 1200
	maxBodySize              = 256 << 20
	maxErrorBodySize         = 64 << 10
)

// ClientOptions configure a Client.
type ClientOptions struct {
	// Connection names the connection in every error and log line.
	Connection string
	// Version is Version11 or Version12.
	Version string
	// BaseURL is the service root, such as
	// https://sis.example/ims/oneroster/v1p1 or
	// https://sis.example/ims/oneroster/rostering/v1p2.
	BaseURL string

	// Auth is AuthOAuth1, AuthOAuth2 or AuthBearer.
	Auth string
	// OAuth 1.0a: the consumer key and secret, and HMAC-SHA256 (the
	// default) or HMAC-SHA1.
	ConsumerKey, ConsumerSecret string `json:"-"`
	SignatureMethod             string
	// OAuth 2 client credentials: the token URL, the client's ID and
	// secret, the scopes (empty for providers that refuse the parameter)
	// and whether the client authenticates with HTTP Basic (the default)
	// or with form fields.
	TokenURL            string
	ClientID            string
	ClientSecret        string `json:"-"`
	Scopes              []string
	ClientSecretInForm  bool
	Token               string `json:"-"` // AuthBearer
	PageSize            int    // records asked per page, 1..MaxPageSize
	MaxInFlight         int    // requests under way at once
	MaxPages            int    // a crawl asking more pages than this fails
	Demographics        bool   // also fetch /demographics
	StudentsAndTeachers bool   // fetch /students and /teachers instead of /users
	Transport           transport.Options
}

// String describes o without its secrets.
func (o ClientOptions) String() string {
	return fmt.Sprintf("oneroster.ClientOptions{Connection:%q Version:%s BaseURL:%q Auth:%s}", o.Connection, o.Version, o.BaseURL, o.Auth)
}

// GoString is String, for %#v.
func (o ClientOptions) GoString() string { return o.String() }

// Client talks to one OneRoster REST provider.
type Client struct {
	opts  ClientOptions
	base  *url.URL
	http  *http.Client
	log   zerolog.Logger
	retry transport.Options
}

// NewClient checks opts and builds the HTTP stack: for OAuth 1.0a the
// signature is made below the retries, so every attempt carries a fresh
// nonce and timestamp; OAuth 2 tokens are cached and refreshed on expiry.
func NewClient(opts ClientOptions) (*Client, error) {
	if opts.Version != Version11 && opts.Version != Version12 {
		return nil, fmt.Errorf("oneroster %q: version %q is not 1.1 or 1.2", opts.Connection, opts.Version)
	}
	base, err := url.Parse(strings.TrimRight(opts.BaseURL, "/"))
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("oneroster %q: base URL %q is not an http(s) URL", opts.Connection, opts.BaseURL)
	}
	if opts.PageSize == 0 {
		opts.PageSize = DefaultPageSize
	}
	if opts.PageSize < 1 || opts.PageSize > MaxPageSize {
		return nil, fmt.Errorf("oneroster %q: page size %d is not within 1..%d", opts.Connection, opts.PageSize, MaxPageSize)
	}
	if opts.MaxInFlight <= 0 {
		opts.MaxInFlight = DefaultMaxInFlight
	}
	if opts.MaxPages <= 0 {
		opts.MaxPages = DefaultMaxPages
	}
	topts := opts.Transport
	if topts.RequestsPerMinute == 0 {
		topts.RequestsPerMinute = DefaultRequestsPerMinute
	}
	topts.Logger = topts.Logger.With().Str("component", "oneroster").Str("connection", opts.Connection).Logger()
	topts = topts.WithDefaults()

	c := &Client{opts: opts, base: base, log: topts.Logger, retry: topts}
	switch opts.Auth {
	case AuthOAuth1:
		if opts.ConsumerKey == "" || opts.ConsumerSecret == "" {
			return nil, fmt.Errorf("oneroster %q: OAuth 1.0a needs a consumer key and secret", opts.Connection)
		}
		cfg := oauth1.NewConfig(opts.ConsumerKey, opts.ConsumerSecret)
		switch opts.SignatureMethod {
		case "", "HMAC-SHA256":
			cfg.Signer = &oauth1.HMAC256Signer{ConsumerSecret: opts.ConsumerSecret}
		case "HMAC-SHA1":
			cfg.Signer = &oauth1.HMACSigner{ConsumerSecret: opts.ConsumerSecret}
		default:
			return nil, fmt.Errorf("oneroster %q: signature method %q is not HMAC-SHA256 or HMAC-SHA1", opts.Connection, opts.SignatureMethod)
		}
		// The signer sits under the retries, on the network side of the
		// pacer: each attempt is signed anew.
		ctx := context.WithValue(context.Background(), oauth1.HTTPClient, &http.Client{Transport: topts.Base})
		topts.Base = oauth1.NewClient(ctx, cfg, oauth1.NewToken("", "")).Transport
		c.http = transport.New(topts)
	case AuthOAuth2:
		if opts.TokenURL == "" || opts.ClientID == "" || opts.ClientSecret == "" {
			return nil, fmt.Errorf("oneroster %q: OAuth 2 needs a token URL, a client ID and a secret", opts.Connection)
		}
		style := oauth2.AuthStyleInHeader
		if opts.ClientSecretInForm {
			style = oauth2.AuthStyleInParams
		}
		cc := &clientcredentials.Config{ClientID: opts.ClientID, ClientSecret: opts.ClientSecret,
			TokenURL: opts.TokenURL, Scopes: opts.Scopes, AuthStyle: style}
		// Token requests go through the same retrying stack, without a
		// token of their own.
		ctx := context.WithValue(context.Background(), oauth2.HTTPClient, transport.New(topts))
		topts.TokenSource = cc.TokenSource(ctx)
		c.http = transport.New(topts)
	case AuthBearer:
		if opts.Token == "" {
			return nil, fmt.Errorf("oneroster %q: bearer authentication needs a token", opts.Connection)
		}
		topts.TokenSource = oauth2.StaticTokenSource(&oauth2.Token{AccessToken: opts.Token, TokenType: "Bearer"})
		c.http = transport.New(topts)
	default:
		return nil, fmt.Errorf("oneroster %q: authentication %q is not oauth1, oauth2 or bearer", opts.Connection, opts.Auth)
	}
	return c, nil
}

// APIError is a response that is not 2xx.
type APIError struct {
	Connection string
	Path       string
	StatusCode int
	// Message is the provider's description (imsx_description and
	// codeMinor), or what rosterd made of a body that said nothing.
	Message string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("oneroster %q: GET %s: %d %s: %s", e.Connection, e.Path, e.StatusCode, http.StatusText(e.StatusCode), e.Message)
}

// IsAuth reports whether the provider refused the credentials.
func (e *APIError) IsAuth() bool { return e.StatusCode == 401 || e.StatusCode == 403 }

// statusInfo is imsx_StatusInfo (1.2 and 1.1), alone or in 1.1's
// statusInfoSet.
type statusInfo struct {
	CodeMajor   string `json:"imsx_codeMajor"`
	Severity    string `json:"imsx_severity"`
	Description string `json:"imsx_description"`
	CodeMinor   struct {
		Fields []struct {
			Name  string `json:"imsx_codeMinorFieldName"`
			Value string `json:"imsx_codeMinorFieldValue"`
		} `json:"imsx_codeMinorField"`
	} `json:"imsx_CodeMinor"`
}

func (s *statusInfo) text() string {
	var parts []string
	if s.Description != "" {
		parts = append(parts, s.Description)
	}
	for _, f := range s.CodeMinor.Fields {
		if f.Value != "" {
			parts = append(parts, f.Value)
		}
	}
	return strings.Join(parts, "; ")
}

// apiError reads an error response: an imsx body (bare or in a
// statusInfoSet), an HTML page or nothing.
func (c *Client) apiError(req *http.Request, resp *http.Response) error {
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBodySize))
	e := &APIError{Connection: c.opts.Connection, Path: req.URL.Path, StatusCode: resp.StatusCode}
	var one statusInfo
	var set struct {
		Set []statusInfo `json:"statusInfoSet"`
	}
	trimmed := bytes.TrimSpace(body)
	switch {
	case len(trimmed) == 0:
		e.Message = "empty body"
	case json.Unmarshal(trimmed, &set) == nil && len(set.Set) > 0 && set.Set[0].text() != "":
		e.Message = set.Set[0].text()
	case json.Unmarshal(trimmed, &one) == nil && one.text() != "":
		e.Message = one.text()
	case bytes.HasPrefix(trimmed, []byte("<")):
		e.Message = "an HTML page (a proxy or server error page)"
	default:
		e.Message = "a body that is not an imsx status"
	}
	return e
}

// get fetches path?query and decodes the collection under key into items;
// it returns the X-Total-Count header (-1 when absent).
func get[T any](ctx context.Context, c *Client, path string, query url.Values, key string, buf *bytes.Buffer, items *[]T) (total int, err error) {
	total, target, err := c.getBody(ctx, path, query, buf)
	if err != nil {
		return 0, err
	}
	return total, decodePage(c, target, buf.Bytes(), key, items)
}

// decodePage decodes the collection under key of a page's body into items.
// Enrollments and users, most of a crawl's bytes, are read by the fast
// decoder when it can (fastdecode.go), by the library otherwise.
func decodePage[T any](c *Client, target string, body []byte, key string, items *[]T) error {
	fast := false
	switch s := any(items).(type) {
	case *[]Enrollment:
		fast = decodeEnrollmentsFast(body, key, s)
	case *[]User:
		fast = decodeUsersFast(body, key, s)
	}
	if pageDecodedHook != nil {
		pageDecodedHook(key, fast)
	}
	if fast {
		return nil
	}
	if err := decodeEnvelope(body, key, items); err != nil {
		return fmt.Errorf("oneroster %q: decode %s: %w", c.opts.Connection, target, err)
	}
	return nil
}

// pageDecodedHook, when set (by tests), is told of each page decodePage
// reads, under its collection's key, and whether the fast scan read it.
var pageDecodedHook func(key string, fast bool)

// getBody fetches path?query into buf, whole, and returns the
// X-Total-Count header (-1 when absent) and the request line for
// messages. It is apart from decoding so that a crawl can decode one page
// while the next is on the wire, without more requests in flight.
func (c *Client) getBody(ctx context.Context, path string, query url.Values, buf *bytes.Buffer) (total int, target string, err error) {
	u := *c.base
	u.Path += path
	u.RawQuery = encodeQuery(query)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return 0, "", fmt.Errorf("oneroster %q: %w", c.opts.Connection, err)
	}
	req.Header.Set("Accept", "application/json")
	target = "GET " + u.Path + "?" + u.RawQuery
	var statusErr error // returned as it is: it names the request itself
	resp, err := transport.ReadWhole(c.http, req, buf, transport.WholeBody{
		Limit:  maxBodySize,
		Retry:  c.retry,
		Status: func(resp *http.Response) error { statusErr = c.apiError(req, resp); return statusErr },
	})
	switch {
	case err != nil && err == statusErr:
		return 0, "", err
	case err != nil:
		return 0, "", fmt.Errorf("oneroster %q: %s: %w", c.opts.Connection, target, err)
	}
	connector.Fetched(ctx, buf.Len())
	return headerTotal(resp.Header), target, nil
}

// decodeOptions are as lenient as encoding/json: a district's data is as
// its SIS holds it, and one odd byte must not refuse the whole roster.
var decodeOptions = json.JoinOptions(
	jsontext.AllowDuplicateNames(true),
	jsontext.AllowInvalidUTF8(true),
)

// decodeEnvelope decodes the array under key of a collection response
// ({"users": [...]}) into items, skipping the rest.
func decodeEnvelope[T any](data []byte, key string, items *[]T) error {
	dec := jsontext.NewDecoder(bytes.NewReader(data), decodeOptions)
	tok, err := dec.ReadToken()
	if err != nil {
		return err
	}
	if tok.Kind() != '{' {
		return fmt.Errorf("a collection response is an object, not %s", tok.Kind())
	}
	found := false
	for dec.PeekKind() != '}' {
		name, err := dec.ReadToken()
		if err != nil {
			return err
		}
		if name.String() != key {
			if err := dec.SkipValue(); err != nil {
				return err
			}
			continue
		}
		found = true
		if err := decodeArray(dec, items); err != nil {
			return fmt.Errorf("member %q: %w", key, err)
		}
	}
	if !found {
		return fmt.Errorf("no member %q", key)
	}
	return nil
}

// decodeArray appends the elements of a JSON array (null is none) to
// items, each decoded in place. Decoding the whole array in one call
// would clear each element of the slice again before decoding it, or grow
// the slice by copying, and a page holds thousands of records; items'
// spare capacity must be zero, as a new slice's is.
func decodeArray[T any](dec *jsontext.Decoder, items *[]T) error {
	switch dec.PeekKind() {
	case 'n':
		_, err := dec.ReadToken()
		return err
	case '[':
	default:
		return json.UnmarshalDecode(dec, items, decodeOptions) // for its error, naming what came
	}
	if _, err := dec.ReadToken(); err != nil {
		return err
	}
	s := *items
	for dec.PeekKind() != ']' {
		if len(s) == cap(s) {
			s = slices.Grow(s, max(16, len(s)))
		}
		s = s[:len(s)+1]
		if err := json.UnmarshalDecode(dec, &s[len(s)-1], decodeOptions); err != nil {
			return err
		}
	}
	*items = s
	_, err := dec.ReadToken()
	return err
}

// headerTotal reads X-Total-Count; -1 when it is absent or not a number.
func headerTotal(h http.Header) int {
	v := strings.TrimSpace(h.Get("X-Total-Count"))
	if v == "" {
		return -1
	}
	n := 0
	for _, ch := range v {
		if ch < '0' || ch > '9' {
			return -1
		}
		n = n*10 + int(ch-'0')
	}
	return n
}

// encodeQuery encodes a query with %20 for spaces, as OAuth 1.0a base
// strings and the filter grammar's examples do (url.Values.Encode writes
// +, which some providers read literally).
func encodeQuery(q url.Values) string {
	return strings.ReplaceAll(q.Encode(), "+", "%20")
}
