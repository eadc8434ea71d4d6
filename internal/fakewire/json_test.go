package fakewire

import (
	"testing"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// Ensure AppendString writes what a JSON decoder reads back as the same
// text, escaping only what JSON requires, and replaces invalid UTF-8.
func TestAppendString(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", `"plain"`},
		{"quote \" and \\", `"quote \" and \\"`},
		{"line\nfeed\ttab\r", `"line\nfeed\ttab\r"`},
		{"\x01", `"\u0001"`},
		{"é ü 漢", `"é ü 漢"`},
		{"bad \xff byte", "\"bad \ufffd byte\""},
	}
	for _, tt := range tests {
		got := string(AppendString(nil, tt.in))
		if got != tt.want {
			t.Errorf("AppendString(%q) = %s, want %s", tt.in, got, tt.want)
		}
		if !jsontext.Value(got).IsValid() {
			t.Errorf("AppendString(%q) = %s is not valid JSON", tt.in, got)
		}
	}
}

// Ensure AppendTimestamp writes TimestampLayout in UTC, as time.Format
// does, inside and outside the four-digit years.
func TestAppendTimestamp(t *testing.T) {
	for _, ts := range []time.Time{
		time.Date(2026, 12, 1, 6, 7, 8, 912_345_678, time.FixedZone("x", -5*3600)),
		time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Unix(0, 0),
		time.Date(12026, 1, 1, 0, 0, 0, 0, time.UTC),
	} {
		got := string(AppendTimestamp(nil, ts))
		if want := `"` + ts.UTC().Format(TimestampLayout) + `"`; got != want {
			t.Errorf("AppendTimestamp(%v) = %s, want %s", ts, got, want)
		}
	}
}

// Ensure AppendRawValue keeps valid JSON (compacted) and turns anything
// else into a string of its text.
func TestAppendRawValue(t *testing.T) {
	tests := []struct{ in, want string }{
		{``, `null`},
		{`"A1"`, `"A1"`},
		{`{ "a" : [1, 2] }`, `{"a":[1,2]}`},
		{`not json`, `"not json"`},
		{`"\u0001"`, `"\u0001"`},
	}
	for _, tt := range tests {
		got := string(AppendRawValue(nil, []byte(tt.in)))
		if got != tt.want {
			t.Errorf("AppendRawValue(%q) = %s, want %s", tt.in, got, tt.want)
		}
		var v any
		if err := json.Unmarshal([]byte(got), &v); err != nil {
			t.Errorf("AppendRawValue(%q) = %s: %v", tt.in, got, err)
		}
	}
}
