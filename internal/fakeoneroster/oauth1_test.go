package fakeoneroster_test

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"hash"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rosterd/rosterd/internal/fakeoneroster"
)

// signer is a small OAuth 1.0a client written from RFC 5849 for these
// tests, independent of the server's verifier.
type signer struct {
	key, secret          string
	token, tokenSecret   string // empty for two-legged OneRoster
	method               string // "HMAC-SHA256" or "HMAC-SHA1"
	timestamp            int64
	nonce                string
	noVersion, inQuery   bool // leave out oauth_version; send the protocol parameters in the query
	emptyToken           bool // send oauth_token="" as dghubble/oauth1 does
	omit                 string
	overrideSignatureFor string // sign this URL instead of the one sent
}

// enc is RFC 3986 percent-encoding as RFC 5849 §3.6 requires.
func enc(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// signature computes the signature of a request for rawURL with the
// protocol parameters oauth.
func (s signer) signature(method, rawURL string, oauth [][2]string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		panic(err)
	}
	var pairs [][2]string
	q, _ := url.ParseQuery(u.RawQuery)
	for k, vs := range q {
		for _, v := range vs {
			pairs = append(pairs, [2]string{enc(k), enc(v)})
		}
	}
	for _, p := range oauth {
		pairs = append(pairs, [2]string{enc(p[0]), enc(p[1])})
	}
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i][0] != pairs[j][0] {
			return pairs[i][0] < pairs[j][0]
		}
		return pairs[i][1] < pairs[j][1]
	})
	joined := make([]string, len(pairs))
	for i, p := range pairs {
		joined[i] = p[0] + "=" + p[1]
	}
	base := strings.ToUpper(method) + "&" + enc(strings.ToLower(u.Scheme)+"://"+strings.ToLower(u.Host)+u.EscapedPath()) +
		"&" + enc(strings.Join(joined, "&"))
	h := sha256.New
	if s.method == "HMAC-SHA1" {
		h = func() hash.Hash { return sha1.New() }
	}
	mac := hmac.New(h, []byte(enc(s.secret)+"&"+enc(s.tokenSecret)))
	mac.Write([]byte(base))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// sign returns a signed GET request for rawURL.
func (s signer) sign(t testing.TB, rawURL string) *http.Request {
	t.Helper()
	if s.method == "" {
		s.method = "HMAC-SHA256"
	}
	oauth := [][2]string{
		{"oauth_consumer_key", s.key}, {"oauth_nonce", s.nonce}, {"oauth_signature_method", s.method},
		{"oauth_timestamp", strconv.FormatInt(s.timestamp, 10)},
	}
	if !s.noVersion {
		oauth = append(oauth, [2]string{"oauth_version", "1.0"})
	}
	if s.token != "" || s.emptyToken {
		oauth = append(oauth, [2]string{"oauth_token", s.token})
	}
	var kept [][2]string
	for _, p := range oauth {
		if p[0] != s.omit {
			kept = append(kept, p)
		}
	}
	signed := rawURL
	if s.overrideSignatureFor != "" {
		signed = s.overrideSignatureFor
	}
	sig := s.signature(http.MethodGet, signed, kept)
	kept = append(kept, [2]string{"oauth_signature", sig})

	target := rawURL
	if s.inQuery {
		var qs []string
		for _, p := range kept {
			qs = append(qs, enc(p[0])+"="+enc(p[1]))
		}
		sep := "?"
		if strings.Contains(target, "?") {
			sep = "&"
		}
		target += sep + strings.Join(qs, "&")
	}
	req, err := http.NewRequest(http.MethodGet, target, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !s.inQuery {
		parts := []string{`realm="oneroster"`}
		for _, p := range kept {
			parts = append(parts, p[0]+`="`+enc(p[1])+`"`)
		}
		req.Header.Set("Authorization", "OAuth "+strings.Join(parts, ", "))
	}
	return req
}

// Ensure the test signer is right before trusting it: it must reproduce
// the OAuth Core 1.0 Appendix A.5 vector (the photos example of RFC 5849
// §1.2, with its timestamp and nonce) and RFC 5849 §1.2's own.
func TestSigner_Vector(t *testing.T) {
	s := signer{key: "dpf43f3p2l4k3l03", secret: "kd94hf93k423kf44", token: "nnch734d00sl2jdk",
		tokenSecret: "pfkkdhi9sl3r4s00", method: "HMAC-SHA1"}
	const photos = "http://photos.example.net/photos?file=vacation.jpg&size=original"
	common := [][2]string{{"oauth_consumer_key", s.key}, {"oauth_token", s.token}, {"oauth_signature_method", "HMAC-SHA1"}}
	a5 := append(common[:3:3], [2]string{"oauth_timestamp", "1191242096"}, [2]string{"oauth_nonce", "kllo9940pd9333jh"},
		[2]string{"oauth_version", "1.0"})
	if got, want := s.signature("GET", photos, a5), "tR3+Ty81lMeYAr/Fid0kMTYa/WM="; got != want {
		t.Errorf("OAuth Core 1.0 A.5: signature %s, want %s", got, want)
	}
	rfc := append(common[:3:3], [2]string{"oauth_timestamp", "137131202"}, [2]string{"oauth_nonce", "chapoH"})
	if got, want := s.signature("GET", photos, rfc), "MdpQcU8iPSUjWoN/UDMsK2sui9I="; got != want {
		t.Errorf("RFC 5849 §1.2: signature %s, want %s", got, want)
	}
}

const (
	consumerKey    = "district-consumer-key"
	consumerSecret = "s3cr3t & spaces"
)

// clock is a settable Options.Now.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func newClock() *clock { return &clock{now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)} }

func startOAuth1(t *testing.T, method string) (*fakeoneroster.Server, *httptest.Server, *clock, func() signer) {
	t.Helper()
	c := newClock()
	fake, ts := startServer(t, fakeoneroster.FromRoster(fullRoster()), fakeoneroster.Options{
		ConsumerKey: consumerKey, ConsumerSecret: consumerSecret, SignatureMethod: method, Now: c.Now,
	})
	n := 0
	next := func() signer {
		n++
		return signer{key: consumerKey, secret: consumerSecret, method: method, timestamp: c.Now().Unix(),
			nonce: "nonce-" + strconv.Itoa(n)}
	}
	return fake, ts, c, next
}

func TestOAuth1_Accepted(t *testing.T) {
	_, ts, _, next := startOAuth1(t, "")
	// A filter with spaces and quotes: the signature covers it decoded and
	// re-encoded with %20, whether the URL carries %20 or "+".
	filter := "familyName='Aaron Berge' OR givenName>='B'"
	for name, rawURL := range map[string]string{
		"Plain":        ts.URL + v11 + "/users",
		"Percent20":    ts.URL + v11 + "/users?limit=5&filter=" + strings.ReplaceAll(url.QueryEscape(filter), "+", "%20"),
		"Plus":         ts.URL + v11 + "/users?limit=5&filter=" + url.QueryEscape(filter),
		"RepeatedKeys": ts.URL + v11 + "/users?fields=sourcedId&fields=givenName&offset=0",
		"Nested":       ts.URL + v11 + "/classes/x1/students",
		"PrefixKeys":   ts.URL + v11 + "/users?sort=familyName&sort-x=1&sort2=2&sort.y=3",
	} {
		t.Run(name, func(t *testing.T) {
			resp, body := do(t, ts, next().sign(t, rawURL))
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d: %s", resp.StatusCode, body)
			}
		})
	}
	t.Run("Variants", func(t *testing.T) {
		for name, s := range map[string]signer{
			"NoVersion":  func() signer { s := next(); s.noVersion = true; return s }(),
			"EmptyToken": func() signer { s := next(); s.emptyToken = true; return s }(),
			"InQuery":    func() signer { s := next(); s.inQuery = true; return s }(),
		} {
			resp, body := do(t, ts, s.sign(t, ts.URL+v11+"/orgs?limit=2"))
			if resp.StatusCode != http.StatusOK {
				t.Errorf("%s: status %d: %s", name, resp.StatusCode, body)
			}
		}
	})
	t.Run("SHA1", func(t *testing.T) {
		_, ts, _, next := startOAuth1(t, fakeoneroster.HMACSHA1)
		resp, body := do(t, ts, next().sign(t, ts.URL+v11+"/users?filter="+url.QueryEscape("role='teacher'")))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d: %s", resp.StatusCode, body)
		}
	})
}

func TestOAuth1_Refused(t *testing.T) {
	fake, ts, c, next := startOAuth1(t, "")
	users := ts.URL + v11 + "/users?limit=5"
	tests := []struct {
		name    string
		signer  func() signer
		url     string
		problem string
	}{
		{"WrongSecret", func() signer { s := next(); s.secret = "wrong"; return s }, users, "signature_invalid"},
		{"WrongKey", func() signer { s := next(); s.key = "someone-else"; return s }, users, "consumer_key_unknown"},
		{"TamperedQuery", func() signer { s := next(); s.overrideSignatureFor = ts.URL + v11 + "/users?limit=6"; return s }, users, "signature_invalid"},
		{"OtherHost", func() signer {
			s := next()
			s.overrideSignatureFor = "http://example.com" + v11 + "/users?limit=5"
			return s
		}, users, "signature_invalid"},
		{"SHA1", func() signer { s := next(); s.method = "HMAC-SHA1"; return s }, users, "signature_method_rejected"},
		{"Stale", func() signer { s := next(); s.timestamp -= 301; return s }, users, "timestamp_refused"},
		{"Future", func() signer { s := next(); s.timestamp += 301; return s }, users, "timestamp_refused"},
		{"NoNonce", func() signer { s := next(); s.omit = "oauth_nonce"; return s }, users, "parameter_absent"},
		{"NoTimestamp", func() signer { s := next(); s.omit = "oauth_timestamp"; return s }, users, "parameter_absent"},
		{"Token", func() signer { s := next(); s.token = "user-token"; return s }, users, "token_rejected"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := do(t, ts, tt.signer().sign(t, tt.url))
			if resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("status %d, want 401: %s", resp.StatusCode, body)
			}
			if got := codeMinor(t, fakeoneroster.V1p1, body); got != fakeoneroster.CodeUnauthorised {
				t.Errorf("codeMinor %q", got)
			}
			if got := resp.Header.Get("WWW-Authenticate"); !strings.Contains(got, `oauth_problem="`+tt.problem+`"`) {
				t.Errorf("WWW-Authenticate %q, want oauth_problem=%q", got, tt.problem)
			}
		})
	}

	t.Run("WithinWindow", func(t *testing.T) {
		s := next()
		s.timestamp -= 299
		if resp, body := do(t, ts, s.sign(t, users)); resp.StatusCode != http.StatusOK {
			t.Errorf("a timestamp 299 s old: status %d: %s", resp.StatusCode, body)
		}
	})

	t.Run("ReplayedNonce", func(t *testing.T) {
		s := next()
		if resp, body := do(t, ts, s.sign(t, users)); resp.StatusCode != http.StatusOK {
			t.Fatalf("first use: status %d: %s", resp.StatusCode, body)
		}
		resp, _ := do(t, ts, s.sign(t, users))
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(resp.Header.Get("WWW-Authenticate"), "nonce_used") {
			t.Errorf("replay: status %d, WWW-Authenticate %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
		}
		// The same nonce on another URL, with a fresh timestamp, is still a
		// reuse within the window.
		c.Add(time.Minute)
		s.timestamp = c.Now().Unix()
		if resp, _ := do(t, ts, s.sign(t, ts.URL+v11+"/orgs")); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("reuse under a new timestamp: status %d", resp.StatusCode)
		}
	})

	t.Run("RefusedRequestKeepsNonce", func(t *testing.T) {
		// A forged request does not use up the nonce it names.
		s := next()
		forged := s
		forged.secret = "guess"
		do(t, ts, forged.sign(t, users))
		if resp, body := do(t, ts, s.sign(t, users)); resp.StatusCode != http.StatusOK {
			t.Errorf("genuine request after a forged one with its nonce: status %d: %s", resp.StatusCode, body)
		}
	})

	t.Run("OtherCredentials", func(t *testing.T) {
		for name, auth := range map[string]string{"None": "", "Bearer": "Bearer " + testToken, "Basic": "Basic eDp5"} {
			resp, _ := getWith(t, ts, v11+"/users", auth)
			if resp.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "OAuth ") {
				t.Errorf("%s: status %d, WWW-Authenticate %q", name, resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
			}
		}
		// The 1.2 tree takes no OAuth 1.0a.
		resp, _ := do(t, ts, next().sign(t, ts.URL+v12+"/users"))
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("signed 1.2 request: status %d, want 401", resp.StatusCode)
		}
	})

	for _, r := range fake.Requests() {
		if r.Status == http.StatusOK && r.Auth != "oauth1" {
			t.Errorf("request %s admitted with %q", r.Path, r.Auth)
		}
	}
}

// Ensure EmptyUnauthorized sends 401s without a body.
func TestOAuth1_EmptyUnauthorized(t *testing.T) {
	_, ts := startServer(t, fakeoneroster.FromRoster(fullRoster()), fakeoneroster.Options{
		ConsumerKey: consumerKey, ConsumerSecret: consumerSecret, EmptyUnauthorized: true,
	})
	s := signer{key: consumerKey, secret: "wrong", timestamp: time.Now().Unix(), nonce: "n"}
	resp, body := do(t, ts, s.sign(t, ts.URL+v11+"/users"))
	if resp.StatusCode != http.StatusUnauthorized || len(body) != 0 {
		t.Errorf("status %d, body %q; want 401 and no body", resp.StatusCode, body)
	}
}
