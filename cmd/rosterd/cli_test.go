package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runCLI(args ...string) result {
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &out, &errb)
	return result{code, out.String(), errb.String()}
}

// Ensure every command has help text and -h exits 0.
func TestHelp(t *testing.T) {
	r := runCLI("help")
	if r.code != exitOK {
		t.Fatalf("help exit %d", r.code)
	}
	for _, c := range commands() {
		if !strings.Contains(r.stdout, c.name) {
			t.Errorf("help does not list %s", c.name)
		}
		h := runCLI(c.name, "-h")
		if h.code != exitOK || !strings.Contains(h.stderr, "Usage: rosterd "+c.name) || len(h.stderr) < 80 {
			t.Errorf("%s -h exit %d:\n%s", c.name, h.code, h.stderr)
		}
	}
	if r := runCLI("frobnicate"); r.code != exitFailure || !strings.Contains(r.stderr, `unknown command "frobnicate"`) {
		t.Errorf("unknown command: exit %d %s", r.code, r.stderr)
	}
	if r := runCLI(); r.code != exitFailure {
		t.Errorf("no command: exit %d", r.code)
	}
}

func TestVersion(t *testing.T) {
	r := runCLI("version")
	if r.code != exitOK || !strings.HasPrefix(r.stdout, "rosterd ") {
		t.Errorf("version exit %d: %q", r.code, r.stdout)
	}
}

// Ensure config check validates, reads credentials without printing them,
// and exits 1 naming the problem.
func TestConfigCheck(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("token", "very-secret-value\n")
	good := write("good.yaml", "connections:\n  - name: a\n    source: {clever: {token_file: token}}\n")
	r := runCLI("config", "check", "--config", good)
	if r.code != exitOK || !strings.Contains(r.stdout, "connection a") || !strings.Contains(r.stdout, "token from file token") ||
		!strings.Contains(r.stdout, "is valid") {
		t.Errorf("check good: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if strings.Contains(r.stdout+r.stderr, "very-secret-value") {
		t.Error("config check printed the token")
	}

	missing := write("missing.yaml", "connections:\n  - name: a\n    source: {clever: {token_env: ROSTERD_TEST_NOPE}}\n")
	r = runCLI("config", "check", "--config", missing)
	if r.code != exitFailure || !strings.Contains(r.stdout, "ROSTERD_TEST_NOPE is not set") || strings.Contains(r.stdout, "is valid") {
		t.Errorf("check missing env: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	bad := write("bad.yaml", "connections:\n  - name: a\n    sorce: {}\n")
	r = runCLI("config", "check", "--config", bad)
	if r.code != exitFailure || !strings.Contains(r.stderr, `unknown key "sorce"`) {
		t.Errorf("check bad: exit %d\n%s", r.code, r.stderr)
	}

	t.Setenv("ROSTERD_CONFIG", good)
	if r := runCLI("config", "check"); r.code != exitOK {
		t.Errorf("ROSTERD_CONFIG not honoured: exit %d %s", r.code, r.stderr)
	}
}

// Ensure report refuses a run that does not exist and a bad id.
func TestReport_Errors(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "c.yaml")
	os.WriteFile(filepath.Join(dir, "token"), []byte("t"), 0o600)
	os.WriteFile(cfg, []byte("state: {path: s.db}\nconnections:\n  - name: a\n    source: {clever: {token_file: token}}\n"), 0o600)
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"report", "--config", cfg}, "exactly one RUN_ID"},
		{[]string{"report", "abc", "--config", cfg}, "not a run id"},
		{[]string{"report", "42", "--config", cfg, "--format", "xml"}, "--format must be"},
		{[]string{"report", "42", "--config", cfg}, "does not exist yet"},
		{[]string{"runs", "--config", cfg}, "does not exist yet"},
	} {
		r := runCLI(tt.args...)
		if r.code != exitFailure || !strings.Contains(r.stderr, tt.want) {
			t.Errorf("%v: exit %d, stderr %q, want %q", tt.args, r.code, r.stderr, tt.want)
		}
	}
}
