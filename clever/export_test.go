package clever

import (
	"os"
	"path/filepath"
	"testing"
)

// FixtureDir returns the shared fixtures folder joined with parts, found
// next to the repository root (the folder holding go.mod), and skips the
// test when it is absent: the fixtures are not part of the repository.
func FixtureDir(tb testing.TB, parts ...string) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Skip("no go.mod above the test directory; fixtures unavailable")
		}
		dir = parent
	}
	path := filepath.Join(append([]string{dir, "..", "shared", "fixtures"}, parts...)...)
	if _, err := os.Stat(path); err != nil {
		tb.Skipf("fixtures not available: %v", err)
	}
	return path
}

// ListAhead is how many pages a listing reads ahead of its callback.
const ListAhead = listAhead
