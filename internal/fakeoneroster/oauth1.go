package fakeoneroster

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"hash"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// credential is what a request was admitted with.
type credential struct {
	kind   string // "oauth1", "token" or "bearer"
	scopes []string
}

// authFailure is why a request was refused, as its 401 tells it.
type authFailure struct {
	// problem is the OAuth problem (oauth_problem of the OAuth Problem
	// Reporting extension, or RFC 6750's error) when a credential was
	// presented and refused; "" when none was presented.
	problem     string
	description string
	// bearer is whether the refused credential was a bearer token.
	bearer bool
}

// authenticate checks r's credentials for the tree of v.
func (s *Server) authenticate(v Version, r *http.Request) (credential, *authFailure) {
	header := r.Header.Get("Authorization")
	scheme, rest, _ := strings.Cut(header, " ")
	switch {
	case strings.EqualFold(scheme, "OAuth"):
		if v != V1p1 || s.opts.ConsumerKey == "" {
			return credential{}, &authFailure{problem: "signature_method_rejected", description: "OAuth 1.0a signatures are not accepted here: send a bearer token"}
		}
		return s.verifyOAuth1(r, rest)
	case strings.EqualFold(scheme, "Bearer"):
		return s.verifyBearer(v, strings.TrimSpace(rest))
	case header == "" && v == V1p1 && s.opts.ConsumerKey != "" && strings.Contains(r.URL.RawQuery, "oauth_signature="):
		return s.verifyOAuth1(r, "")
	case header != "":
		return credential{}, &authFailure{problem: "invalid_request", description: "unsupported Authorization scheme " + strconv.Quote(scheme)}
	}
	return credential{}, &authFailure{description: "the request carries no credentials"}
}

// unauthorized is the 401 for failure, with a challenge for every scheme
// the tree of v accepts.
func (s *Server) unauthorized(v Version, h http.Header, failure *authFailure) *reply {
	if v == V1p1 && s.opts.ConsumerKey != "" {
		c := `OAuth realm="oneroster"`
		if failure.problem != "" && !failure.bearer {
			c += `, oauth_problem="` + failure.problem + `"`
		}
		h.Add("WWW-Authenticate", c)
	}
	if s.opts.BearerToken != "" || (s.opts.ClientID != "" && (v == V1p2 || s.opts.TokensOnV1p1)) {
		c := `Bearer realm="oneroster"`
		if failure.bearer {
			c += `, error="invalid_token"`
		}
		h.Add("WWW-Authenticate", c)
	}
	if s.opts.EmptyUnauthorized {
		return &reply{Status: http.StatusUnauthorized}
	}
	return statusInfo(v, http.StatusUnauthorized, CodeUnauthorised, failure.description)
}

// oauthParam is one parameter of a signature base string, decoded.
type oauthParam struct{ key, value string }

// verifyOAuth1 checks a two-legged OAuth 1.0a signature (RFC 5849 §3.4)
// rebuilt from the request as received: the parameters of the query and
// of the Authorization header (params, the part after "OAuth ") except
// realm and oauth_signature. The signature is checked before the
// timestamp and the nonce, and a nonce is remembered only once the rest
// passed, so a forged request cannot use up a client's nonces.
func (s *Server) verifyOAuth1(r *http.Request, header string) (credential, *authFailure) {
	refuse := func(problem, description string) (credential, *authFailure) {
		return credential{}, &authFailure{problem: problem, description: description}
	}
	params, ok := parseAuthorizationParams(header)
	if !ok {
		return refuse("parameter_rejected", "the OAuth Authorization header is malformed")
	}
	query, ok := parseQueryParams(r.URL.RawQuery)
	if !ok {
		return refuse("parameter_rejected", "the query string is malformed")
	}
	params = append(params, query...)

	protocol := map[string]string{}
	for _, p := range params {
		if !strings.HasPrefix(p.key, "oauth_") {
			continue
		}
		if _, dup := protocol[p.key]; dup {
			return refuse("parameter_rejected", p.key+" is given twice")
		}
		protocol[p.key] = p.value
	}
	for _, k := range []string{"oauth_consumer_key", "oauth_signature_method", "oauth_timestamp", "oauth_nonce", "oauth_signature"} {
		if protocol[k] == "" {
			return refuse("parameter_absent", k+" is missing")
		}
	}
	if subtle.ConstantTimeCompare([]byte(protocol["oauth_consumer_key"]), []byte(s.opts.ConsumerKey)) != 1 {
		return refuse("consumer_key_unknown", "unknown oauth_consumer_key")
	}
	if m := protocol["oauth_signature_method"]; m != s.opts.SignatureMethod {
		return refuse("signature_method_rejected", "oauth_signature_method must be "+s.opts.SignatureMethod)
	}
	if ver, ok := protocol["oauth_version"]; ok && ver != "1.0" {
		return refuse("version_rejected", "oauth_version must be 1.0")
	}
	if protocol["oauth_token"] != "" {
		return refuse("token_rejected", "two-legged OAuth takes no oauth_token")
	}

	signed := slices.DeleteFunc(params, func(p oauthParam) bool { return p.key == "oauth_signature" })
	base := signatureBase(r.Method, requestBaseURI(r), signed)
	want := sign(s.opts.SignatureMethod, s.opts.ConsumerSecret, "", base)
	if subtle.ConstantTimeCompare([]byte(protocol["oauth_signature"]), []byte(want)) != 1 {
		return refuse("signature_invalid", "the signature does not match the request")
	}

	ts, err := strconv.ParseInt(protocol["oauth_timestamp"], 10, 64)
	if err != nil {
		return refuse("parameter_rejected", "oauth_timestamp is not a number")
	}
	now := s.opts.Now()
	at := time.Unix(ts, 0)
	if skew := now.Sub(at).Abs(); skew > s.opts.TimestampWindow {
		return refuse("timestamp_refused", "oauth_timestamp is "+skew.Truncate(time.Second).String()+" away from the server's clock")
	}
	if !s.nonces.add(protocol["oauth_nonce"], now, at.Add(s.opts.TimestampWindow+time.Second)) {
		return refuse("nonce_used", "oauth_nonce was used before")
	}
	return credential{kind: "oauth1"}, nil
}

// parseAuthorizationParams reads the comma-separated k="v" pairs of an
// OAuth Authorization header, percent-decoded, leaving out realm.
func parseAuthorizationParams(header string) ([]oauthParam, bool) {
	var out []oauthParam
	for part := range strings.SplitSeq(header, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			return nil, false
		}
		k = strings.TrimSpace(k)
		v = strings.TrimSpace(v)
		if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
			v = v[1 : len(v)-1]
		}
		if k == "realm" {
			continue
		}
		dk, err1 := url.PathUnescape(k)
		dv, err2 := url.PathUnescape(v)
		if err1 != nil || err2 != nil {
			return nil, false
		}
		out = append(out, oauthParam{dk, dv})
	}
	return out, true
}

// parseQueryParams decodes a raw query as application/x-www-form-urlencoded
// (so "+" is a space), keeping every pair, empty ones included.
func parseQueryParams(raw string) ([]oauthParam, bool) {
	var out []oauthParam
	for pair := range strings.SplitSeq(raw, "&") {
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		dk, err1 := url.QueryUnescape(k)
		dv, err2 := url.QueryUnescape(v)
		if err1 != nil || err2 != nil {
			return nil, false
		}
		out = append(out, oauthParam{dk, dv})
	}
	return out, true
}

// requestBaseURI is the base string URI of r (RFC 5849 §3.4.1.2): scheme
// and host lower-cased, the default port dropped, the path as received
// and no query.
func requestBaseURI(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	host := strings.ToLower(r.Host)
	if scheme == "http" {
		host = strings.TrimSuffix(host, ":80")
	} else {
		host = strings.TrimSuffix(host, ":443")
	}
	path := r.URL.EscapedPath()
	if strings.HasPrefix(r.RequestURI, "/") {
		path, _, _ = strings.Cut(r.RequestURI, "?")
	}
	return scheme + "://" + host + path
}

// signatureBase builds the signature base string of RFC 5849 §3.4.1 from
// decoded parameters.
func signatureBase(method, baseURI string, params []oauthParam) string {
	enc := make([]oauthParam, len(params))
	for i, p := range params {
		enc[i] = oauthParam{percentEncode(p.key), percentEncode(p.value)}
	}
	slices.SortFunc(enc, func(a, b oauthParam) int {
		if c := strings.Compare(a.key, b.key); c != 0 {
			return c
		}
		return strings.Compare(a.value, b.value)
	})
	var norm strings.Builder
	for i, p := range enc {
		if i > 0 {
			norm.WriteByte('&')
		}
		norm.WriteString(p.key)
		norm.WriteByte('=')
		norm.WriteString(p.value)
	}
	return strings.ToUpper(method) + "&" + percentEncode(baseURI) + "&" + percentEncode(norm.String())
}

// sign returns the base64 HMAC signature of base (RFC 5849 §3.4.2).
func sign(method, consumerSecret, tokenSecret, base string) string {
	h := sha256.New
	if method == HMACSHA1 {
		h = func() hash.Hash { return sha1.New() }
	}
	mac := hmac.New(h, []byte(percentEncode(consumerSecret)+"&"+percentEncode(tokenSecret)))
	mac.Write([]byte(base))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// percentEncode encodes s per RFC 5849 §3.6 (RFC 3986 unreserved
// characters kept, everything else %XX in upper case; a space is %20).
func percentEncode(s string) string {
	const upperHex = "0123456789ABCDEF"
	n := 0
	for i := 0; i < len(s); i++ {
		if !isUnreserved(s[i]) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	b := make([]byte, 0, len(s)+2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isUnreserved(c) {
			b = append(b, c)
		} else {
			b = append(b, '%', upperHex[c>>4], upperHex[c&0xf])
		}
	}
	return string(b)
}

// nonceCache remembers the nonces of accepted requests until their
// timestamps leave the window, after which the timestamp check refuses a
// replay anyway. It is stricter than RFC 5849 §3.3, which lets a nonce
// repeat under another timestamp: a client must not reuse one at all.
type nonceCache struct {
	mu sync.Mutex
	m  map[string]time.Time // nonce → when it may be forgotten
}

// add records nonce, forgettable after until, and reports whether it was
// new.
func (c *nonceCache) add(nonce string, now, until time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = make(map[string]time.Time)
	}
	if exp, seen := c.m[nonce]; seen && now.Before(exp) {
		return false
	}
	if len(c.m)%1024 == 1023 {
		for k, exp := range c.m {
			if !now.Before(exp) {
				delete(c.m, k)
			}
		}
	}
	c.m[nonce] = until
	return true
}
