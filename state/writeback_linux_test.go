package state

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// Ensure startWriteback has the kernel write a file's dirty pages soon,
// rather than when they expire (30 s by default) or fdatasync asks.
func TestStartWriteback(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dirty")
	const size = 64 << 20
	if err := os.WriteFile(path, bytes.Repeat([]byte("d"), size), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	page := int64(os.Getpagesize())
	dirty := dirtyPages(t, f)
	if dirty*page < size*3/4 {
		t.Skipf("the file has %d MiB of dirty pages after %d MiB written: its file system (tmpfs?) or the kernel's own writeback leaves nothing to see", dirty*page>>20, size>>20)
	}
	stop := startWriteback(path)
	defer stop()
	deadline := time.Now().Add(5 * time.Second)
	for dirtyPages(t, f)*page > size/4 {
		if time.Now().After(deadline) {
			t.Fatalf("5 s after startWriteback the file still has %d MiB of its %d MiB dirty", dirtyPages(t, f)*page>>20, size>>20)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// dirtyPages returns how many of f's pages in the page cache are dirty,
// as cachestat(2) (Linux 6.5) counts them.
func dirtyPages(t *testing.T, f *os.File) int64 {
	t.Helper()
	var st unix.Cachestat_t
	err := unix.Cachestat(uint(f.Fd()), &unix.CachestatRange{Off: 0, Len: 0}, &st, 0)
	if errors.Is(err, unix.ENOSYS) {
		t.Skip("no cachestat(2) on this kernel")
	}
	if err != nil {
		t.Fatalf("cachestat: %v", err)
	}
	return int64(st.Dirty)
}
