package clever

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/go-json-experiment/json"
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

// PageDecoder decodes list pages of users ("users") or sections
// ("sections") into one reused page, as a listing does: by the library,
// or by the fast decoder, which reports whether it declined.
type PageDecoder struct {
	users    page[User]
	sections page[Section]
}

// Decode decodes body and returns how many records it held.
func (d *PageDecoder) Decode(kind string, body []byte, fast bool) (n int, declined bool, err error) {
	var v any = &d.users
	if kind == "sections" {
		v = &d.sections
	}
	if fast && !decodeFast(body, v) {
		return 0, true, nil
	}
	if !fast {
		err = json.Unmarshal(body, v, decodeOptions)
	}
	return len(d.users.Data.list) + len(d.sections.Data.list), false, err
}
