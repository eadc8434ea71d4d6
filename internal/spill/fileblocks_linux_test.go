package spill

import (
	"syscall"
	"testing"
)

// fileBytes returns the bytes of disk the arena's file holds.
func fileBytes(t *testing.T, a *Arena) int64 {
	t.Helper()
	var st syscall.Stat_t
	if err := syscall.Fstat(int(a.file.Fd()), &st); err != nil {
		t.Fatal(err)
	}
	return st.Blocks * 512
}
