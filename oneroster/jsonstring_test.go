package oneroster

import (
	"encoding/json"
	"testing"
)

// Ensure jsonString writes what encoding/json does for every kind of
// string: its fast path only for those it would copy between quotes.
func TestJSONString(t *testing.T) {
	for _, s := range []string{
		"", "S-1001", "a b ~", `say "hi"`, `back\slash`, "<b>", "Tom & Jerry",
		"tab\there", "nul\x00", "\x7f", "Zoë", "日本", "bad\xffutf8", "line\u2028sep",
	} {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := jsonString(s); string(got) != string(want) {
			t.Errorf("jsonString(%q) = %s, want %s", s, got, want)
		}
	}
}
