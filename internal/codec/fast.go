package codec

import (
	"encoding/binary"
	"slices"
	"time"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/rosterd/rosterd/roster"
)

// The fast path writes users and sections, nearly every record of a
// large district, without the library's reflection: at 1.4M records that
// reflection cost seconds of CPU per sync. Its output must be byte for
// byte what the library writes (json.Marshal with Deterministic), because
// preflight compares it with records the library wrote before. So it
// writes only what it is sure of, and reports !ok for anything else
// (invalid UTF-8, a time or date the library rejects or writes oddly, an
// ext value it rejects): the caller then encodes the whole record with
// the library, which gives its exact bytes or its exact error. An ext it
// accepts but reformats is encoded by the library alone and spliced in
// (fast_ext.go). The tests compare the two on hand-picked, generated and
// fuzzed records; layout.go lists the fields the fast path knows.

// appendFast appends the encoding of rec to b when rec is a user or a
// section the fast path can write. ok is false, and b must be ignored,
// when the library has to encode rec.
func appendFast(b []byte, rec any) (_ []byte, ok bool) {
	switch r := rec.(type) {
	case *roster.User:
		if r == nil {
			return b, false // the library writes null
		}
		return appendUser(b, r)
	case *roster.Section:
		if r == nil {
			return b, false
		}
		return appendSection(b, r)
	case roster.User:
		return appendUser(b, &r)
	case roster.Section:
		return appendSection(b, &r)
	}
	return b, false
}

// member appends an object member's name, given as `,"name":`, dropping
// the comma when the member is the first of the object that opened at
// b[open].
func member(b []byte, open int, name string) []byte {
	if len(b) == open+1 {
		return append(b, name[1:]...)
	}
	return append(b, name...)
}

// appendString appends s quoted as the library quotes it: minimal
// escaping, no HTML or JavaScript escapes. ok is false for invalid UTF-8,
// which the library reports as an error naming the field.
//
// Most values (IDs, grades, names) need no escaping, so it first copies s
// as it is, checking that it may, and only for a string that needs
// escaping hands it to the library's quoting.
func appendString(b []byte, s string) ([]byte, bool) {
	n := len(b)
	b = slices.Grow(b, len(s)+2)[:n+len(s)+2]
	b[n] = '"'
	if !copyPlain(b[n+1:n+1+len(s)], s) {
		return quote(b[:n], s)
	}
	b[len(b)-1] = '"'
	return b, true
}

// copyPlain copies s into d, at least as long as s, and reports whether
// every byte is plainByte; if not, d holds part of s. Sections are mostly
// lists of 24-byte IDs, so it works sixteen and eight bytes at a time.
func copyPlain(d []byte, s string) bool {
	d = d[:len(s)]
	i := 0
	for ; i+16 <= len(s); i += 16 {
		w0, w1 := load64(s, i), load64(s, i+8)
		if !plainWord(w0) || !plainWord(w1) {
			return false
		}
		binary.LittleEndian.PutUint64(d[i:], w0)
		binary.LittleEndian.PutUint64(d[i+8:], w1)
	}
	if i+8 <= len(s) {
		w := load64(s, i)
		if !plainWord(w) {
			return false
		}
		binary.LittleEndian.PutUint64(d[i:], w)
		i += 8
	}
	for ; i < len(s); i++ {
		c := s[i]
		if !plainByte(c) {
			return false
		}
		d[i] = c
	}
	return true
}

// load64 returns the eight bytes of s at i as a little-endian word; the
// compiler makes it one load.
func load64(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// quote appends s quoted by the library, for a string with characters to
// escape or invalid UTF-8.
func quote(b []byte, s string) ([]byte, bool) {
	b, err := jsontext.AppendQuote(b, s)
	return b, err == nil
}

// plainByte reports whether the library copies c verbatim into a quoted
// string: any ASCII but control characters, '"' and '\\'. DEL, '<', '>'
// and '&' are verbatim too, as the library does not escape for HTML by
// default; the tests hold it to that.
func plainByte(c byte) bool { return c >= 0x20 && c < 0x80 && c != '"' && c != '\\' }

// plainWord reports whether all eight bytes of w are plainByte. Each term
// sets a byte's high bit where the byte is not, exact as to whether any
// is: a carry or borrow can only spread from a byte that is itself not
// plain. Adding 0x60 sets the high bit of a byte in [0x20, 0x80); the
// others test for a zero byte after xor with '"' and '\\'.
func plainWord(w uint64) bool {
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	t := w | ^(w + lo*0x60) // >= 0x80 or < 0x20
	x := w ^ lo*'"'
	t |= (x - lo) &^ x
	x = w ^ lo*'\\'
	t |= (x - lo) &^ x
	return t&hi == 0
}

// appendStrings appends a list of IDs as a JSON array. A section's
// students are most of its bytes, so the whole array is sized up front
// and written in place; a list with a string to escape is written again
// string by string.
func appendStrings(b []byte, ss []string) ([]byte, bool) {
	size := len(`[]`) + max(len(ss)-1, 0) // brackets and commas
	for _, s := range ss {
		size += len(s) + len(`""`)
	}
	n := len(b)
	b = slices.Grow(b, size)[:n+size]
	d := b[n:]
	d[0] = '['
	j := 1
	for i, s := range ss {
		if i > 0 {
			d[j] = ','
			j++
		}
		d[j] = '"'
		if !copyPlain(d[j+1:], s) {
			return appendQuotedStrings(b[:n], ss)
		}
		j += 1 + len(s)
		d[j] = '"'
		j++
	}
	d[j] = ']'
	return b, true
}

// appendQuotedStrings is appendStrings for a list with a string to
// escape.
func appendQuotedStrings(b []byte, ss []string) ([]byte, bool) {
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		var ok bool
		if b, ok = appendString(b, s); !ok {
			return b, false
		}
	}
	return append(b, ']'), true
}

// appendTime appends t in the library's default format, RFC 3339 with
// as many fractional digits as it needs. ok is false for a time RFC 3339
// cannot hold, which the library rejects; the checks are the library's
// own (arshal_time.go, timeArshaler.appendMarshal).
func appendTime(b []byte, t time.Time) ([]byte, bool) {
	b = append(b, '"')
	n0 := len(b)
	b = t.AppendFormat(b, time.RFC3339Nano)
	s := b[n0:]
	if s[len("9999")] != '-' { // a year outside [0,9999]
		return b, false
	}
	if s[len(s)-1] != 'Z' {
		c := s[len(s)-len("Z07:00")]
		if '0' <= c && c <= '9' || (s[len(s)-5]-'0')*10+(s[len(s)-4]-'0') >= 24 {
			return b, false // a zone offset of 24 hours or more
		}
	}
	return append(b, '"'), true
}

// appendDate appends d as its MarshalText writes it, YYYY-MM-DD, for the
// dates it writes with four, two and two digits; any other (a negative
// or five-digit year, a month above 99) goes to the library, which calls
// MarshalText itself.
func appendDate(b []byte, d roster.Date) ([]byte, bool) {
	if d.Year < 0 || d.Year > 9999 || d.Month > 99 || d.Day > 99 {
		return b, false
	}
	y := int(d.Year)
	return append(b, '"',
		byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-',
		'0'+d.Month/10, '0'+d.Month%10, '-',
		'0'+d.Day/10, '0'+d.Day%10, '"'), true
}
