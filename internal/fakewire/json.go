package fakewire

import (
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"
)

// AppendRawValue appends an ext value. Valid JSON is appended compacted.
// Anything else is kept as a JSON string of its text rather than dropped
// or allowed to corrupt the page: a Go-quoted string (which is what
// roster.ExtStrings produces for control characters) is unquoted first.
func AppendRawValue(dst, v []byte) []byte {
	if len(v) == 0 {
		return append(dst, "null"...)
	}
	if isPlainJSONString(v) {
		return append(dst, v...)
	}
	start := len(dst)
	// Duplicate names and invalid UTF-8 are a district's data as it exists
	// in the SIS; keep them (the latter as U+FFFD) rather than fail the
	// value.
	out, err := jsontext.AppendFormat(dst, v, jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))
	if err == nil {
		return out
	}
	dst = out[:start]
	if s, err := strconv.Unquote(string(v)); err == nil {
		return AppendString(dst, s)
	}
	return AppendString(dst, string(v))
}

// isPlainJSONString reports whether v is a JSON string that needs no
// validation: quoted, with only printable ASCII and no escapes inside. Most
// ext values are like this ("Y", "A1").
func isPlainJSONString(v []byte) bool {
	if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
		return false
	}
	for _, c := range v[1 : len(v)-1] {
		if c < 0x20 || c >= utf8.RuneSelf || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// TimestampLayout is the timestamp form both providers send.
const TimestampLayout = "2006-01-02T15:04:05.000Z"

// AppendTimestamp appends t in UTC as a quoted TimestampLayout. It is
// written out by hand because users carry two timestamps each and
// time.Format's layout parsing was a tenth of FromRoster's time.
func AppendTimestamp(dst []byte, t time.Time) []byte {
	t = t.UTC()
	year, month, day := t.Date()
	hour, minute, second := t.Clock()
	if year < 0 || year > 9999 {
		// Out of the layout's range: let time format it as it can.
		dst = append(dst, '"')
		dst = t.AppendFormat(dst, TimestampLayout)
		return append(dst, '"')
	}
	dst = append(dst, '"')
	dst = AppendPadded(dst, year, 4)
	dst = append(dst, '-')
	dst = Append2(dst, int(month))
	dst = append(dst, '-')
	dst = Append2(dst, day)
	dst = append(dst, 'T')
	dst = Append2(dst, hour)
	dst = append(dst, ':')
	dst = Append2(dst, minute)
	dst = append(dst, ':')
	dst = Append2(dst, second)
	ms := t.Nanosecond() / 1e6
	dst = append(dst, '.', byte('0'+ms/100), byte('0'+ms/10%10), byte('0'+ms%10), 'Z', '"')
	return dst
}

// Append2 appends n, 0 to 99, as two digits.
func Append2(dst []byte, n int) []byte {
	return append(dst, byte('0'+n/10), byte('0'+n%10))
}

// AppendPadded appends n in decimal, padded with zeros to width digits.
func AppendPadded(dst []byte, n, width int) []byte {
	var digits [20]byte
	s := strconv.AppendInt(digits[:0], int64(n), 10)
	for i := len(s); i < width; i++ {
		dst = append(dst, '0')
	}
	return append(dst, s...)
}

const hexDigits = "0123456789abcdef"

// plainASCII marks the ASCII bytes a JSON string holds as they are.
var plainASCII = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// AppendString appends s as a JSON string. Like JSON.stringify on the
// Node servers behind Clever's API it escapes only what JSON requires;
// invalid UTF-8 becomes U+FFFD so a page is always valid JSON.
func AppendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if plainASCII[c] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, "\ufffd"...)
			i++
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
