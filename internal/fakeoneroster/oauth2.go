package fakeoneroster

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rosterd/rosterd/internal/fakewire"
)

// tokenStore holds the OAuth 2 tokens the server issued.
type tokenStore struct {
	mu sync.Mutex
	m  map[string]issuedToken
}

type issuedToken struct {
	expires time.Time
	scopes  []string
}

func (ts *tokenStore) issue(now time.Time, lifetime time.Duration, scopes []string) string {
	var b [20]byte
	_, _ = rand.Read(b[:])
	tok := hex.EncodeToString(b[:])
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.m == nil {
		ts.m = make(map[string]issuedToken)
	}
	for k, t := range ts.m {
		if !now.Before(t.expires) {
			delete(ts.m, k)
		}
	}
	ts.m[tok] = issuedToken{expires: now.Add(lifetime), scopes: scopes}
	return tok
}

// lookup returns the token tok, and whether it was issued and has not
// expired at now.
func (ts *tokenStore) lookup(tok string, now time.Time) (issuedToken, bool, bool) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	t, issued := ts.m[tok]
	return t, issued, issued && now.Before(t.expires)
}

// verifyBearer admits a bearer token: the static Options.BearerToken, or
// a token the token endpoint issued (on the 1.2 tree, and on the 1.1 tree
// when Options.TokensOnV1p1 is set).
func (s *Server) verifyBearer(v Version, tok string) (credential, *authFailure) {
	if s.opts.BearerToken != "" && subtle.ConstantTimeCompare([]byte(tok), []byte(s.opts.BearerToken)) == 1 {
		return credential{kind: "bearer"}, nil
	}
	if s.opts.ClientID != "" && (v == V1p2 || s.opts.TokensOnV1p1) {
		t, issued, valid := s.tokens.lookup(tok, s.opts.Now())
		switch {
		case valid:
			return credential{kind: "token", scopes: t.scopes}, nil
		case issued:
			return credential{}, &authFailure{problem: "invalid_token", description: "the access token expired", bearer: true}
		}
	}
	return credential{}, &authFailure{problem: "invalid_token", description: "unknown access token", bearer: true}
}

// token answers POST TokenPath: the OAuth 2 client-credentials grant
// (RFC 6749 §4.4), with the client authenticated by HTTP Basic or by
// client_id and client_secret form fields, never both at once (§2.3).
func (s *Server) token(h http.Header, r *http.Request) *reply {
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct != "application/x-www-form-urlencoded" {
		return oauthError(http.StatusBadRequest, "invalid_request", "the body must be application/x-www-form-urlencoded")
	}
	r.Body = http.MaxBytesReader(nil, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		return oauthError(http.StatusBadRequest, "invalid_request", "the form cannot be parsed")
	}
	form := r.PostForm
	switch gt := form.Get("grant_type"); gt {
	case "client_credentials":
	case "":
		return oauthError(http.StatusBadRequest, "invalid_request", "grant_type is missing")
	default:
		return oauthError(http.StatusBadRequest, "unsupported_grant_type", "only client_credentials is supported")
	}

	basicID, basicSecret, basic := r.BasicAuth()
	inForm := form.Has("client_id") || form.Has("client_secret")
	var id, secret string
	switch {
	case basic && inForm:
		return oauthError(http.StatusBadRequest, "invalid_request", "use one client authentication method, not two")
	case basic:
		// RFC 6749 §2.3.1: the credentials are form-encoded before Basic.
		id, secret = formUnescape(basicID), formUnescape(basicSecret)
	case inForm:
		id, secret = form.Get("client_id"), form.Get("client_secret")
	default:
		h.Set("WWW-Authenticate", `Basic realm="oneroster"`)
		return oauthError(http.StatusUnauthorized, "invalid_client", "client authentication is missing")
	}
	if s.opts.ClientID == "" ||
		subtle.ConstantTimeCompare([]byte(id), []byte(s.opts.ClientID)) != 1 ||
		subtle.ConstantTimeCompare([]byte(secret), []byte(s.opts.ClientSecret)) != 1 {
		if basic {
			h.Set("WWW-Authenticate", `Basic realm="oneroster"`)
		}
		return oauthError(http.StatusUnauthorized, "invalid_client", "unknown client or wrong secret")
	}

	scopes := strings.Fields(form.Get("scope"))
	for _, sc := range scopes {
		if !slices.Contains(s.opts.Scopes, sc) {
			return oauthError(http.StatusBadRequest, "invalid_scope", "scope "+strconv.Quote(sc)+" is not granted to this client")
		}
	}
	if len(scopes) == 0 {
		scopes = slices.Clone(s.opts.Scopes)
	}
	lifetime := s.opts.TokenLifetime
	tok := s.tokens.issue(s.opts.Now(), lifetime, scopes)

	w := objWriter{}
	w.begin()
	w.str("access_token", tok)
	w.str("token_type", "bearer")
	w.key("expires_in")
	w.buf = strconv.AppendInt(w.buf, int64(max(1, (lifetime+time.Second-1)/time.Second)), 10)
	w.str("scope", strings.Join(scopes, " "))
	w.end()
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	return fakewire.JSON(http.StatusOK, w.buf)
}

func formUnescape(s string) string {
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}

// hasScope reports whether cred holds any of want.
func hasScope(cred credential, want ...string) bool {
	for _, w := range want {
		if slices.Contains(cred.scopes, w) {
			return true
		}
	}
	return false
}
