package fakeoneroster_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rosterd/rosterd/internal/fakeoneroster"
)

const (
	clientID     = "app-client-id"
	clientSecret = "app client secret/+="
)

type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
	Scope       string `json:"scope"`
	Error       string `json:"error"`
}

// requestToken posts form to the token endpoint, with HTTP Basic client
// credentials when basic is set.
func requestToken(t *testing.T, ts *httptest.Server, form url.Values, basic *[2]string) (*http.Response, tokenResponse) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, ts.URL+fakeoneroster.TokenPath, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if basic != nil {
		// RFC 6749 §2.3.1: form-encode, then Basic, as x/oauth2 does.
		req.SetBasicAuth(url.QueryEscape(basic[0]), url.QueryEscape(basic[1]))
	}
	resp, body := do(t, ts, req)
	var tr tokenResponse
	if err := json.Unmarshal(body, &tr); err != nil {
		t.Fatalf("token response %q: %v", body, err)
	}
	return resp, tr
}

func startOAuth2(t *testing.T, opts fakeoneroster.Options) (*fakeoneroster.Server, *httptest.Server, *clock) {
	t.Helper()
	c := newClock()
	opts.ClientID, opts.ClientSecret, opts.Now = clientID, clientSecret, c.Now
	fake, ts := startServer(t, fakeoneroster.FromRoster(fullRoster()), opts)
	return fake, ts, c
}

func TestOAuth2_Token(t *testing.T) {
	_, ts, _ := startOAuth2(t, fakeoneroster.Options{TokenLifetime: 90 * time.Second})
	grant := url.Values{"grant_type": {"client_credentials"}}
	withScope := url.Values{"grant_type": {"client_credentials"}, "scope": {fakeoneroster.ScopeRosterCore}}
	inForm := url.Values{"grant_type": {"client_credentials"}, "client_id": {clientID}, "client_secret": {clientSecret}}

	for name, tc := range map[string]struct {
		form  url.Values
		basic *[2]string
		scope string
	}{
		"Basic":          {grant, &[2]string{clientID, clientSecret}, fakeoneroster.ScopeRosterCore + " " + fakeoneroster.ScopeRoster + " " + fakeoneroster.ScopeRosterDemographics},
		"BasicWithScope": {withScope, &[2]string{clientID, clientSecret}, fakeoneroster.ScopeRosterCore},
		"Form":           {inForm, nil, fakeoneroster.ScopeRosterCore + " " + fakeoneroster.ScopeRoster + " " + fakeoneroster.ScopeRosterDemographics},
	} {
		t.Run(name, func(t *testing.T) {
			resp, tr := requestToken(t, ts, tc.form, tc.basic)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d: %+v", resp.StatusCode, tr)
			}
			if tr.AccessToken == "" || tr.TokenType != "bearer" || tr.ExpiresIn != 90 || tr.Scope != tc.scope {
				t.Errorf("token response %+v", tr)
			}
			if resp.Header.Get("Cache-Control") != "no-store" {
				t.Errorf("Cache-Control %q", resp.Header.Get("Cache-Control"))
			}
			if resp, body := getWith(t, ts, v12+"/users/u1", "Bearer "+tr.AccessToken); resp.StatusCode != http.StatusOK {
				t.Errorf("GET with the token: status %d: %s", resp.StatusCode, body)
			}
		})
	}

	t.Run("Refused", func(t *testing.T) {
		for name, tc := range map[string]struct {
			form   url.Values
			basic  *[2]string
			status int
			err    string
		}{
			"WrongSecretBasic": {grant, &[2]string{clientID, "nope"}, 401, "invalid_client"},
			"WrongSecretForm":  {url.Values{"grant_type": {"client_credentials"}, "client_id": {clientID}, "client_secret": {"x"}}, nil, 401, "invalid_client"},
			"NoClient":         {grant, nil, 401, "invalid_client"},
			"BothMethods":      {inForm, &[2]string{clientID, clientSecret}, 400, "invalid_request"},
			"PasswordGrant":    {url.Values{"grant_type": {"password"}}, &[2]string{clientID, clientSecret}, 400, "unsupported_grant_type"},
			"NoGrant":          {url.Values{}, &[2]string{clientID, clientSecret}, 400, "invalid_request"},
			"UnknownScope":     {url.Values{"grant_type": {"client_credentials"}, "scope": {"gradebook.readonly"}}, &[2]string{clientID, clientSecret}, 400, "invalid_scope"},
		} {
			resp, tr := requestToken(t, ts, tc.form, tc.basic)
			if resp.StatusCode != tc.status || tr.Error != tc.err || tr.AccessToken != "" {
				t.Errorf("%s: status %d, %+v; want %d %s", name, resp.StatusCode, tr, tc.status, tc.err)
			}
			if tc.status == 401 && tc.basic != nil && resp.Header.Get("WWW-Authenticate") == "" {
				t.Errorf("%s: 401 without a Basic challenge", name)
			}
		}
		req, _ := http.NewRequest(http.MethodGet, ts.URL+fakeoneroster.TokenPath, nil)
		if resp, _ := do(t, ts, req); resp.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("GET /token: status %d", resp.StatusCode)
		}
		req, _ = http.NewRequest(http.MethodPost, ts.URL+fakeoneroster.TokenPath, strings.NewReader(`{"grant_type":"client_credentials"}`))
		req.Header.Set("Content-Type", "application/json")
		req.SetBasicAuth(clientID, url.QueryEscape(clientSecret))
		if resp, _ := do(t, ts, req); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("JSON token request: status %d", resp.StatusCode)
		}
	})
}

// Ensure an issued token expires after TokenLifetime, so a client must
// fetch another, and a new one works.
func TestOAuth2_Expiry(t *testing.T) {
	fake, ts, c := startOAuth2(t, fakeoneroster.Options{TokenLifetime: time.Minute})
	_, tr := requestToken(t, ts, url.Values{"grant_type": {"client_credentials"}}, &[2]string{clientID, clientSecret})
	if resp, _ := getWith(t, ts, v12+"/users", "Bearer "+tr.AccessToken); resp.StatusCode != http.StatusOK {
		t.Fatalf("fresh token: status %d", resp.StatusCode)
	}
	c.Add(time.Minute)
	resp, body := getWith(t, ts, v12+"/users", "Bearer "+tr.AccessToken)
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("expired token: status %d, want 401", resp.StatusCode)
	}
	if got := codeMinor(t, fakeoneroster.V1p2, body); got != fakeoneroster.CodeUnauthorised {
		t.Errorf("codeMinor %q", got)
	}
	if got := resp.Header.Get("WWW-Authenticate"); got != `Bearer realm="oneroster", error="invalid_token"` {
		t.Errorf("WWW-Authenticate %q", got)
	}
	_, fresh := requestToken(t, ts, url.Values{"grant_type": {"client_credentials"}}, &[2]string{clientID, clientSecret})
	if resp, _ := getWith(t, ts, v12+"/users", "Bearer "+fresh.AccessToken); resp.StatusCode != http.StatusOK {
		t.Errorf("refreshed token: status %d", resp.StatusCode)
	}
	if got := fake.Requests()[len(fake.Requests())-1].Auth; got != "token" {
		t.Errorf("request log Auth = %q, want token", got)
	}
}

// Ensure which tree takes which credential: issued tokens on 1.2 (and on
// 1.1 only with TokensOnV1p1), a static bearer token on both.
func TestOAuth2_Trees(t *testing.T) {
	_, ts, _ := startOAuth2(t, fakeoneroster.Options{})
	_, tr := requestToken(t, ts, url.Values{"grant_type": {"client_credentials"}}, &[2]string{clientID, clientSecret})
	for _, tt := range []struct {
		path, auth string
		want       int
	}{
		{v12 + "/orgs", "Bearer " + tr.AccessToken, 200},
		{v11 + "/orgs", "Bearer " + tr.AccessToken, 401},
		{v12 + "/orgs", "Bearer not-a-token", 401},
		{v12 + "/orgs", "", 401},
		{v12 + "/orgs", "OAuth oauth_consumer_key=\"x\"", 401},
	} {
		if resp, _ := getWith(t, ts, tt.path, tt.auth); resp.StatusCode != tt.want {
			t.Errorf("GET %s with %q: status %d, want %d", tt.path, tt.auth, resp.StatusCode, tt.want)
		}
	}

	_, ts, _ = startOAuth2(t, fakeoneroster.Options{TokensOnV1p1: true, BearerToken: "proxy-token"})
	_, tr = requestToken(t, ts, url.Values{"grant_type": {"client_credentials"}}, &[2]string{clientID, clientSecret})
	for _, auth := range []string{"Bearer " + tr.AccessToken, "Bearer proxy-token", "bearer proxy-token"} {
		for _, tree := range []string{v11, v12} {
			if resp, body := getWith(t, ts, tree+"/orgs", auth); resp.StatusCode != http.StatusOK {
				t.Errorf("GET %s with %q: status %d: %s", tree, auth, resp.StatusCode, body)
			}
		}
	}
}

// Ensure CheckScopes enforces the 1.2 scopes: roster-core reaches the
// top-level collections only, demographics need their own scope.
func TestOAuth2_Scopes(t *testing.T) {
	_, ts, _ := startOAuth2(t, fakeoneroster.Options{CheckScopes: true, BearerToken: testToken})
	token := func(scopes ...string) string {
		_, tr := requestToken(t, ts, url.Values{"grant_type": {"client_credentials"}, "scope": {strings.Join(scopes, " ")}},
			&[2]string{clientID, clientSecret})
		return "Bearer " + tr.AccessToken
	}
	core := token(fakeoneroster.ScopeRosterCore)
	full := token(fakeoneroster.ScopeRoster)
	demo := token(fakeoneroster.ScopeRosterDemographics)
	got := map[string][]int{}
	for _, p := range []string{"/users", "/classes/x1", "/classes/x1/students", "/demographics"} {
		for _, auth := range []string{core, full, demo, "Bearer " + testToken} {
			resp, _ := getWith(t, ts, v12+p, auth)
			got[p] = append(got[p], resp.StatusCode)
		}
	}
	want := map[string][]int{
		// core, roster, demographics, static bearer (not scope-checked)
		"/users":               {200, 200, 403, 200},
		"/classes/x1":          {200, 200, 403, 200},
		"/classes/x1/students": {403, 200, 403, 200},
		"/demographics":        {403, 403, 200, 200},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("statuses by scope (-want +got):\n%s", diff)
	}
}
