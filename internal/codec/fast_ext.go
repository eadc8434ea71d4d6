package codec

import (
	"github.com/go-json-experiment/json"
	"github.com/rosterd/rosterd/roster"
)

// maxSplicedValue bounds the ext values spliced in from the library. The
// library limits nesting to 10000 levels counted from the record, so a
// value encoded on its own could pass where the whole record fails; a
// value shorter than this cannot nest deep enough for that to matter.
const maxSplicedValue = 9000

// appendExt writes x (not empty) as the library does with Deterministic:
// members in key order (an Ext holds them sorted, by bytes as Go compares
// strings), each value as the encoder writes raw JSON, trimmed and
// reformatted. The common case, a few keys whose values are plain strings
// or literals the encoder copies verbatim, is written here; any other ext
// is encoded by the library on its own and spliced in.
func appendExt(b []byte, x roster.Ext) ([]byte, bool) {
	for _, v := range x.All() {
		if !verbatimRaw(v) {
			return spliceExt(b, x)
		}
	}
	b = append(b, '{')
	first := true
	for k, v := range x.All() {
		if !first {
			b = append(b, ',')
		}
		first = false
		var ok bool
		if b, ok = appendString(b, k); !ok {
			return b, false
		}
		b = append(b, ':')
		b = append(b, v...)
	}
	return append(b, '}'), true
}

// verbatimRaw reports whether the encoder copies raw unchanged: true,
// false, null, or a string of printable ASCII without escapes or the
// characters v1 escaped for HTML (jsonwire.ConsumeSimpleString), with no
// whitespace around it. ExtStrings of plain text gives such strings.
func verbatimRaw(raw []byte) bool {
	switch string(raw) {
	case "true", "false", "null":
		return true
	}
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return false
	}
	for _, c := range raw[1 : len(raw)-1] {
		if c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return false
		}
	}
	return true
}

// spliceExt appends the library's encoding of x alone, which is what it
// writes for x inside a record. An error (invalid JSON, invalid UTF-8)
// sends the whole record to the library, for its error naming the field.
func spliceExt(b []byte, x roster.Ext) ([]byte, bool) {
	for _, v := range x.All() {
		if len(v) > maxSplicedValue {
			return b, false
		}
	}
	data, err := json.Marshal(x, json.Deterministic(true), extOptions)
	if err != nil {
		return b, false
	}
	return append(b, data...), true
}
