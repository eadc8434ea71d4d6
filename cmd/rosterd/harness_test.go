package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rosterd/rosterd/internal/fakeclever"
	"github.com/rosterd/rosterd/preflight"
	"github.com/rosterd/rosterd/roster"
	"github.com/rosterd/rosterd/state"
)

// testToken is the fake's bearer token. Tests assert it never reaches any
// output.
const testToken = "tok-5f1d0c0ffee5ecret"

// harness runs rosterd commands in-process against a fake Clever server
// and a real state file in a temp dir.
type harness struct {
	t          *testing.T
	fake       *fakeclever.Server
	dir        string
	configPath string
	url        string
}

// newHarness serves ds and writes a config for one connection, "district",
// that fetches every role with fast retries; extra is appended to the connection's YAML (indented
// four spaces).
func newHarness(t *testing.T, ds *fakeclever.Dataset, extra string) *harness {
	t.Helper()
	fake := fakeclever.NewServer(ds, fakeclever.Options{Token: testToken})
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "token"), []byte(testToken+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, fake: fake, dir: dir, configPath: filepath.Join(dir, "rosterd.yaml"), url: srv.URL}
	h.configure(extra)
	return h
}

// configure rewrites the config, with extra appended to the connection.
func (h *harness) configure(extra string) {
	h.t.Helper()
	cfg := fmt.Sprintf(`state:
  path: state.db
log:
  level: debug
connections:
  - name: district
    source:
      clever:
        api_url: %s/v3.0
        auth_url: %s
        token_file: token
        retries: 3
        retry_wait_min: 5ms
        retry_wait_max: 20ms
        roles: [staff, district_admin, contact]
%s`, h.url, h.url, extra)
	if err := os.WriteFile(h.configPath, []byte(cfg), 0o600); err != nil {
		h.t.Fatal(err)
	}
}

// result is what one command did.
type result struct {
	code           int
	stdout, stderr string
}

// rosterd runs a command with the harness's config.
func (h *harness) rosterd(args ...string) result {
	h.t.Helper()
	var out, errb bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	code := run(ctx, append(args, "--config", h.configPath), &out, &errb)
	r := result{code, out.String(), errb.String()}
	for _, s := range []string{r.stdout, r.stderr} {
		if strings.Contains(s, testToken) {
			h.t.Fatalf("rosterd %v printed the token", args)
		}
	}
	return r
}

// syncJSON runs sync (or preflight) with a JSON report and decodes it.
func (h *harness) syncJSON(mode string, flags ...string) (result, *preflight.Report) {
	h.t.Helper()
	r := h.rosterd(append([]string{mode, "--format", "json"}, flags...)...)
	if r.stdout == "" {
		return r, nil
	}
	rep, err := preflight.ReadReportJSON([]byte(r.stdout))
	if err != nil {
		h.t.Fatalf("decode report: %v\nstdout:\n%s\nstderr:\n%s", err, r.stdout, r.stderr)
	}
	return r, rep
}

// openStore opens the state file read-only; the caller closes it.
func (h *harness) openStore() *state.Store {
	h.t.Helper()
	st, err := state.Open(filepath.Join(h.dir, "state.db"), state.Options{Timeout: time.Second, ReadOnly: true})
	if err != nil {
		h.t.Fatal(err)
	}
	return st
}

// view opens the state file and calls fn with the connection's snapshot.
func (h *harness) view(fn func(*state.Snapshot)) {
	h.t.Helper()
	st, err := state.Open(filepath.Join(h.dir, "state.db"), state.Options{Timeout: time.Second, ReadOnly: true})
	if err != nil {
		h.t.Fatal(err)
	}
	defer st.Close()
	if err := st.View("district", func(sn *state.Snapshot) error { fn(sn); return nil }); err != nil {
		h.t.Fatal(err)
	}
}

// committed returns the committed roster, sorted by ID.
func (h *harness) committed() *roster.Roster {
	h.t.Helper()
	var r *roster.Roster
	h.view(func(sn *state.Snapshot) {
		var err error
		if r, err = sn.Roster(); err != nil {
			h.t.Fatal(err)
		}
	})
	return r
}

// fixtures returns the shared fixtures folder, skipping the test when the
// folder is absent.
func fixtures(t *testing.T, parts ...string) string {
	t.Helper()
	dir := filepath.Join(append([]string{"..", "..", "..", "shared", "fixtures"}, parts...)...)
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("fixtures not available: %v", err)
	}
	return dir
}
