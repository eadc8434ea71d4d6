package main

import (
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"testing"
)

// Ensure rosterd collects at its own target unless GOGC sets one.
func TestTuneGC(t *testing.T) {
	tests := []struct {
		name string
		gogc string
		want int
	}{
		{name: "GOGC unset", gogc: "", want: defaultGCPercent},
		{name: "GOGC set", gogc: "200", want: 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := debug.SetGCPercent(100)
			defer debug.SetGCPercent(before)
			tuneGC(func(key string) string {
				if key == "GOGC" {
					return tt.gogc
				}
				return ""
			}, defaultGCPercent)
			if got := debug.SetGCPercent(100); got != tt.want {
				t.Errorf("GC percent = %d, want %d", got, tt.want)
			}
		})
	}
}

// Ensure the config's memory limit is the runtime's unless GOMEMLIMIT
// sets one, which the runtime has read already and which wins.
func TestLimitMemory(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	defer debug.SetMemoryLimit(before)
	noEnv := func(string) string { return "" }

	debug.SetMemoryLimit(math.MaxInt64)
	if limit, fromEnv := limitMemory(noEnv, 0); limit != 0 || fromEnv {
		t.Errorf("no limit configured: got %d, %v", limit, fromEnv)
	}
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Errorf("no limit configured, yet the runtime's is %d", got)
	}

	if limit, fromEnv := limitMemory(noEnv, 900<<20); limit != 900<<20 || fromEnv {
		t.Errorf("900 MiB configured: got %d, %v", limit, fromEnv)
	}
	if got := debug.SetMemoryLimit(-1); got != 900<<20 {
		t.Errorf("900 MiB configured, the runtime's limit is %d", got)
	}

	debug.SetMemoryLimit(700 << 20) // as the runtime does with GOMEMLIMIT=700MiB
	env := func(key string) string {
		if key == "GOMEMLIMIT" {
			return "700MiB"
		}
		return ""
	}
	if limit, fromEnv := limitMemory(env, 900<<20); limit != 700<<20 || !fromEnv {
		t.Errorf("GOMEMLIMIT=700MiB and 900 MiB configured: got %d, %v; want the environment's", limit, fromEnv)
	}
	if got := debug.SetMemoryLimit(-1); got != 700<<20 {
		t.Errorf("GOMEMLIMIT=700MiB, yet the runtime's limit is %d", got)
	}
}

// Ensure a command that opens the config puts its memory_limit in force.
func TestOpenApp_MemoryLimit(t *testing.T) {
	if os.Getenv("GOMEMLIMIT") != "" {
		t.Skip("GOMEMLIMIT is set, and wins over the config")
	}
	before := debug.SetMemoryLimit(-1)
	defer debug.SetMemoryLimit(before)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "rosterd.yaml")
	body := "memory_limit: 700MiB\nstate: {path: rosterd.db}\nconnections:\n  - name: a\n    source: {clever: {token_env: T}}\n"
	if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	a, err := openApp(cfg, io.Discard, false)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if got := debug.SetMemoryLimit(-1); got != 700<<20 {
		t.Errorf("runtime memory limit = %d after openApp, want 700 MiB", got)
	}
}
