//go:build !linux

package spill

import "testing"

// fileBytes skips the test: the arena has a file on Linux only.
func fileBytes(t *testing.T, a *Arena) int64 {
	t.Helper()
	t.Skip("the arena writes a file on Linux only")
	return 0
}
