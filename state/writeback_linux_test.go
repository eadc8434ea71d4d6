package state

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Ensure startWriteback has the kernel write a file's dirty pages soon,
// rather than when they expire (30 s by default) or fdatasync asks.
func TestStartWriteback(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dirty")
	const size = 64 << 20
	before := dirtyBytes(t)
	if err := os.WriteFile(path, bytes.Repeat([]byte("d"), size), 0o600); err != nil {
		t.Fatal(err)
	}
	peak := dirtyBytes(t)
	if peak-before < size*3/4 {
		t.Skipf("writing %d MiB raised the system's dirty pages by %d MiB only: its file system (tmpfs?) or the kernel's own writeback leaves nothing to see", size>>20, (peak-before)>>20)
	}
	stop := startWriteback(path)
	defer stop()
	deadline := time.Now().Add(5 * time.Second)
	for peak-dirtyBytes(t) < size/2 {
		if time.Now().After(deadline) {
			t.Fatalf("5 s after startWriteback the system still holds %d MiB of dirty pages, %d MiB at the peak", dirtyBytes(t)>>20, peak>>20)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// dirtyBytes reads the system's dirty page cache from /proc/meminfo.
func dirtyBytes(t *testing.T) int64 {
	t.Helper()
	data, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		t.Skipf("no /proc/meminfo: %v", err)
	}
	for line := range strings.Lines(string(data)) {
		if v, ok := strings.CutPrefix(line, "Dirty:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				t.Fatalf("Dirty %q: %v", v, err)
			}
			return kb << 10
		}
	}
	t.Skip("no Dirty in /proc/meminfo")
	return 0
}
