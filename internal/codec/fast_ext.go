package codec

import (
	"github.com/go-json-experiment/json"
	"github.com/rosterd/rosterd/roster"
)

// maxFastExtKeys bounds the ext the fast path sorts on the stack. Sources
// send a handful of ext keys; a larger ext is spliced in from the library.
const maxFastExtKeys = 8

// maxSplicedValue bounds the ext values spliced in from the library. The
// library limits nesting to 10000 levels counted from the record, so a
// value encoded on its own could pass where the whole record fails; a
// value shorter than this cannot nest deep enough for that to matter.
const maxSplicedValue = 9000

// appendExt writes x (not empty) as the library does with Deterministic:
// members sorted by key as Go compares strings, that is by bytes, and each
// json.RawMessage value through its MarshalJSON and the encoder, which
// trims and reformats it. The common case, a few keys whose values are
// plain strings or literals the encoder copies verbatim, is written here;
// any other ext is encoded by the library on its own and spliced in.
func appendExt(b []byte, x roster.Ext) ([]byte, bool) {
	if len(x) > maxFastExtKeys {
		return spliceExt(b, x)
	}
	var buf [maxFastExtKeys]string
	keys := buf[:0]
	for k, v := range x {
		if !verbatimRaw(v) {
			return spliceExt(b, x)
		}
		keys = append(keys, k)
	}
	// Insertion sort: a few keys, and slices.Sort's generic code could
	// move the array to the heap.
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && keys[j] < keys[j-1]; j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		var ok bool
		if b, ok = appendString(b, k); !ok {
			return b, false
		}
		b = append(b, ':')
		b = append(b, x[k]...)
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
	for _, v := range x {
		if len(v) > maxSplicedValue {
			return b, false
		}
	}
	data, err := json.Marshal(x, json.Deterministic(true))
	if err != nil {
		return b, false
	}
	return append(b, data...), true
}
