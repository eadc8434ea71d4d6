package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/rosterd/rosterd/server"
)

// endpoint is one request of the access table: the least role that may
// make it ("" for a public one) and the status it gets when allowed.
type endpoint struct {
	method, path string
	pattern      string // the route it exercises
	need         server.Role
	ok           int
}

var endpoints = []endpoint{
	{"GET", "/healthz", "GET /healthz", "", http.StatusOK},
	{"GET", "/", "", "", http.StatusOK},
	{"GET", "/ui/app.js", "", "", http.StatusOK},
	{"GET", "/ui/app.css", "", "", http.StatusOK},
	{"GET", "/readyz", "GET /readyz", server.RoleViewer, http.StatusOK},
	{"GET", "/metrics", "GET /metrics", server.RoleViewer, http.StatusOK},
	{"GET", "/api/v1/whoami", "GET /api/v1/whoami", server.RoleViewer, http.StatusOK},
	{"GET", "/api/v1/connections", "GET /api/v1/connections", server.RoleViewer, http.StatusOK},
	{"GET", "/api/v1/runs?connection=district&verdict=held&limit=5", "GET /api/v1/runs", server.RoleViewer, http.StatusOK},
	{"GET", "/api/v1/runs/1", "GET /api/v1/runs/{id}", server.RoleViewer, http.StatusOK},
	{"GET", "/api/v1/runs/1/report.csv", "GET /api/v1/runs/{id}/report.csv", server.RoleViewer, http.StatusOK},
	{"GET", "/api/v1/runs/1/report.html", "GET /api/v1/runs/{id}/report.html", server.RoleViewer, http.StatusOK},
	{"POST", "/api/v1/connections/district/sync", "POST /api/v1/connections/{name}/sync", server.RoleOperator, http.StatusAccepted},
	{"POST", "/api/v1/runs/2/approve", "POST /api/v1/runs/{id}/approve", server.RoleOperator, http.StatusOK},
	{"POST", "/api/v1/runs/2/reject", "POST /api/v1/runs/{id}/reject", server.RoleOperator, http.StatusOK},
	{"GET", "/api/v1/connections/district/sections?limit=2", "GET /api/v1/connections/{name}/sections", server.RoleAdmin, http.StatusOK},
	{"GET", "/api/v1/connections/district/sections/c0001", "GET /api/v1/connections/{name}/sections/{id}", server.RoleAdmin, http.StatusOK},
	{"GET", "/api/v1/connections/district/students?limit=2", "GET /api/v1/connections/{name}/students", server.RoleAdmin, http.StatusOK},
	{"GET", "/api/v1/connections/district/students/s0000", "GET /api/v1/connections/{name}/students/{id}", server.RoleAdmin, http.StatusOK},
}

// caller is who makes a request of the table.
type caller struct {
	name   string
	header string // the Authorization header; "" for none
	role   server.Role
}

var callers = []caller{
	{name: "no token"},
	{name: "wrong token", header: "Bearer " + wrongSecret},
	{name: "malformed", header: "Basic " + viewerSecret},
	{name: "empty bearer", header: "Bearer "},
	{name: "viewer", header: "Bearer " + viewerSecret, role: server.RoleViewer},
	{name: "operator", header: "Bearer " + operatorSecret, role: server.RoleOperator},
	{name: "admin", header: "Bearer " + adminSecret, role: server.RoleAdmin},
}

func rank(r server.Role) int { return slices.Index(server.Roles, r) }

// Ensure every endpoint allows exactly the roles it should (401 without
// a valid token, 403 for a role below), that no response and no log line
// holds a secret, and that each state-changing request logs one audit
// line naming the token.
func TestServer_Access(t *testing.T) {
	ts := newTestServer(t, newFakeBackend(t, 5))

	// The table must try every endpoint the server has.
	srv, err := server.New(server.Options{Backend: ts.backend, Metrics: http.NotFoundHandler()})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range server.Patterns(srv) {
		if !slices.ContainsFunc(endpoints, func(e endpoint) bool { return e.pattern == p }) {
			t.Errorf("the access table does not try %s", p)
		}
	}

	for _, e := range endpoints {
		for _, c := range callers {
			t.Run(e.method+" "+e.path+" "+c.name, func(t *testing.T) {
				req, err := http.NewRequest(e.method, ts.URL+e.path, nil)
				if err != nil {
					t.Fatal(err)
				}
				if c.header != "" {
					req.Header.Set("Authorization", c.header)
				}
				resp, err := ts.Client().Do(req)
				if err != nil {
					t.Fatal(err)
				}
				body := readAll(t, resp)
				want := e.ok
				switch {
				case e.need == "":
				case c.role == "":
					want = http.StatusUnauthorized
				case rank(c.role) < rank(e.need):
					want = http.StatusForbidden
				}
				if resp.StatusCode != want {
					t.Fatalf("status %d, want %d\n%s", resp.StatusCode, want, body)
				}
				if want == http.StatusUnauthorized && !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer") {
					t.Errorf("401 with WWW-Authenticate %q", resp.Header.Get("WWW-Authenticate"))
				}
				if want >= 400 {
					var eb struct{ Error string }
					if err := json.Unmarshal([]byte(body), &eb); err != nil || eb.Error == "" {
						t.Errorf("error body is not {\"error\": ...}: %q", body)
					}
				}
				assertNoSecret(t, "response", body+fmt.Sprint(resp.Header))
			})
		}
	}

	logs := ts.logs.String()
	assertNoSecret(t, "log", logs)
	if strings.Contains(logs, "Authorization") || strings.Contains(logs, "Bearer") {
		t.Error("the log mentions the Authorization header")
	}
	for _, e := range endpoints {
		if e.method != "POST" {
			continue
		}
		path, _, _ := strings.Cut(e.path, "?")
		audit := ts.logs.lines(`"audit":true`, `"path":"`+path+`"`)
		if len(audit) != len(callers) {
			t.Errorf("%s %s: %d audit lines, want %d (one per request):\n%s", e.method, path, len(audit), len(callers), strings.Join(audit, "\n"))
		}
		for _, who := range []string{"otto", "ada"} {
			if len(ts.logs.lines(`"audit":true`, `"path":"`+path+`"`, `"token":"`+who+`"`, `"status":2`)) != 1 {
				t.Errorf("%s: no audit line of %s's request that succeeded", path, who)
			}
		}
		if len(ts.logs.lines(`"audit":true`, `"path":"`+path+`"`, `"status":403`, `"token":"vera"`, `"outcome":"forbidden"`)) != 1 {
			t.Errorf("%s: no audit line of the viewer's refused request", path)
		}
	}
	if got := ts.backend.decided; !slices.Contains(got, "approved 2 by otto") || !slices.Contains(got, "rejected 2 by ada") {
		t.Errorf("decisions %q do not record the tokens' names", got)
	}
}

// assertNoSecret fails when s holds any configured secret.
func assertNoSecret(t *testing.T, what, s string) {
	t.Helper()
	for _, sec := range secrets {
		if strings.Contains(s, sec) {
			t.Errorf("a %s holds the secret %q", what, sec)
		}
	}
}

// Ensure a token never prints its secret, however it is formatted.
func TestToken_String(t *testing.T) {
	tok := testTokens[0]
	data, err := json.Marshal(tok)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{fmt.Sprint(tok), fmt.Sprintf("%+v", tok), fmt.Sprintf("%#v", tok), fmt.Sprint([]server.Token{tok}), string(data)} {
		if strings.Contains(s, tok.Secret) {
			t.Errorf("%q shows the secret", s)
		}
	}
}

// Ensure New refuses bad tokens without repeating their secrets.
func TestNew_BadTokens(t *testing.T) {
	b := newFakeBackend(t, 1)
	for name, toks := range map[string][]server.Token{
		"short secret":     {{Name: "a", Secret: "short-5ecret", Role: server.RoleViewer}},
		"no name":          {{Secret: viewerSecret, Role: server.RoleViewer}},
		"unknown role":     {{Name: "a", Secret: viewerSecret, Role: "root"}},
		"duplicate name":   {{Name: "a", Secret: viewerSecret, Role: server.RoleViewer}, {Name: "a", Secret: adminSecret, Role: server.RoleAdmin}},
		"duplicate secret": {{Name: "a", Secret: viewerSecret, Role: server.RoleViewer}, {Name: "b", Secret: viewerSecret, Role: server.RoleAdmin}},
		"white space":      {{Name: "a", Secret: "with space 5ecret-0f-16", Role: server.RoleViewer}},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := server.New(server.Options{Backend: b, Tokens: toks})
			if err == nil {
				t.Fatal("New accepted the tokens")
			}
			for _, tok := range toks {
				if strings.Contains(err.Error(), tok.Secret) {
					t.Errorf("the error shows the secret: %v", err)
				}
			}
		})
	}
}
