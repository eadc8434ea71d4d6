package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Ensure bench measures all three passes in child processes and prints a
// figure for each, and that the syncs really committed and then changed
// nothing.
func TestBench(t *testing.T) {
	keep := t.TempDir()
	r := runCLI("bench", "--profile", "tiny", "--keep", keep)
	if r.code != exitOK {
		t.Fatalf("bench exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	rows := map[string][]string{}
	for _, line := range strings.Split(r.stdout, "\n") {
		f := regexp.MustCompile(`\s{2,}`).Split(strings.TrimSpace(line), -1)
		if len(f) == 12 {
			rows[f[0]] = f
		}
	}
	for _, pass := range []string{"fetch+decode", "full sync", "no-change sync"} {
		f, ok := rows[pass]
		if !ok {
			t.Fatalf("no row for %s in:\n%s", pass, r.stdout)
		}
		if f[2] == "0" || !strings.HasSuffix(f[4], " MB") {
			t.Errorf("%s: records %s, peak RSS %s\n%s", pass, f[2], f[4], r.stdout)
		}
	}
	if rows["fetch+decode"][2] != rows["full sync"][2] {
		t.Errorf("fetch+decode read %s records, the sync %s", rows["fetch+decode"][2], rows["full sync"][2])
	}
	if rows["full sync"][10] != rows["full sync"][2] || rows["no-change sync"][10] != "0" {
		t.Errorf("changed: full sync %s (want %s), no-change sync %s (want 0)", rows["full sync"][10], rows["full sync"][2], rows["no-change sync"][10])
	}
	fi, err := os.Stat(filepath.Join(keep, "bench.db"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("state file: %v, mode %v", err, fi.Mode())
	}
}
