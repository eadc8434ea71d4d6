package fakeclever

import (
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/rosterd/rosterd/roster"
)

// objWriter appends one JSON object to buf, member by member. Keys are
// constants of the Clever schema and are written without escaping; values
// are escaped. It exists because encoding 1.2M users through reflection
// would make building an XL dataset slower than syncing it.
type objWriter struct {
	buf []byte
	// more is true once the innermost open object has a member, so the next
	// member needs a comma.
	more bool
}

func (w *objWriter) begin() {
	w.buf = append(w.buf, '{')
	w.more = false
}

func (w *objWriter) end() {
	w.buf = append(w.buf, '}')
	w.more = true
}

func (w *objWriter) key(k string) {
	if w.more {
		w.buf = append(w.buf, ',')
	}
	w.buf = append(w.buf, '"')
	w.buf = append(w.buf, k...)
	w.buf = append(w.buf, '"', ':')
	w.more = true
}

// object starts the object member k; close it with end.
func (w *objWriter) object(k string) {
	w.key(k)
	w.begin()
}

// str writes k even when v is empty: Clever sends "" for the fields it
// always sends.
func (w *objWriter) str(k, v string) {
	w.key(k)
	w.buf = appendString(w.buf, v)
}

// opt writes k only when v is not empty: Clever omits the optional fields
// a district did not fill.
func (w *objWriter) opt(k, v string) {
	if v != "" {
		w.str(k, v)
	}
}

// null writes k with a JSON null, as Clever does for a section without a
// primary teacher.
func (w *objWriter) null(k string) {
	w.key(k)
	w.buf = append(w.buf, "null"...)
}

// strs writes k as an array, [] when vs is empty.
func (w *objWriter) strs(k string, vs []string) {
	w.key(k)
	w.buf = append(w.buf, '[')
	for i, v := range vs {
		if i > 0 {
			w.buf = append(w.buf, ',')
		}
		w.buf = appendString(w.buf, v)
	}
	w.buf = append(w.buf, ']')
}

// raw writes k with an already encoded JSON value.
func (w *objWriter) raw(k string, v []byte) {
	w.key(k)
	w.buf = append(w.buf, v...)
}

// timestamps writes created and last_modified. The model keeps only the
// modification time, so created repeats it; both are omitted when unknown.
func (w *objWriter) timestamps(t time.Time) {
	if t.IsZero() {
		return
	}
	w.key("created")
	start := len(w.buf)
	w.buf = appendTimestamp(w.buf, t)
	end := len(w.buf)
	w.key("last_modified")
	w.buf = append(w.buf, w.buf[start:end]...)
}

// lastModified writes last_modified alone, for records Clever sends no
// created time for.
func (w *objWriter) lastModified(t time.Time) {
	if t.IsZero() {
		return
	}
	w.key("last_modified")
	w.buf = appendTimestamp(w.buf, t)
}

// isoDate writes d as YYYY-MM-DD (term dates), omitted when absent.
func (w *objWriter) isoDate(k string, d roster.Date) {
	if d.IsZero() {
		return
	}
	w.key(k)
	w.buf = append(w.buf, '"')
	w.buf = appendPadded(w.buf, int(d.Year), 4)
	w.buf = append(w.buf, '-')
	w.buf = appendPadded(w.buf, int(d.Month), 2)
	w.buf = append(w.buf, '-')
	w.buf = appendPadded(w.buf, int(d.Day), 2)
	w.buf = append(w.buf, '"')
}

// usDate writes d as M/D/YYYY (a student's dob), omitted when absent.
func (w *objWriter) usDate(k string, d roster.Date) {
	if d.IsZero() {
		return
	}
	w.key(k)
	w.buf = append(w.buf, '"')
	w.buf = strconv.AppendInt(w.buf, int64(d.Month), 10)
	w.buf = append(w.buf, '/')
	w.buf = strconv.AppendInt(w.buf, int64(d.Day), 10)
	w.buf = append(w.buf, '/')
	w.buf = appendPadded(w.buf, int(d.Year), 4)
	w.buf = append(w.buf, '"')
}

// ext writes a district-defined ext object with its keys sorted, omitted
// when x is empty.
func (w *objWriter) ext(x roster.Ext) {
	if len(x) == 0 {
		return
	}
	keys := make([]string, 0, len(x))
	for k := range x {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	w.key("ext")
	w.buf = append(w.buf, '{')
	for i, k := range keys {
		if i > 0 {
			w.buf = append(w.buf, ',')
		}
		w.buf = appendString(w.buf, k)
		w.buf = append(w.buf, ':')
		w.buf = appendRawValue(w.buf, x[k])
	}
	w.buf = append(w.buf, '}')
}

// appendRawValue appends an ext value. Valid JSON is appended compacted.
// Anything else is kept as a JSON string of its text rather than dropped
// or allowed to corrupt the page: a Go-quoted string (which is what
// roster.ExtStrings produces for control characters) is unquoted first.
func appendRawValue(dst, v []byte) []byte {
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
		return appendString(dst, s)
	}
	return appendString(dst, string(v))
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

const timestampLayout = "2006-01-02T15:04:05.000Z"

// appendTimestamp appends t in UTC as a quoted timestampLayout. It is
// written out by hand because users carry two timestamps each and
// time.Format's layout parsing was a tenth of FromRoster's time.
func appendTimestamp(dst []byte, t time.Time) []byte {
	t = t.UTC()
	year, month, day := t.Date()
	hour, minute, second := t.Clock()
	if year < 0 || year > 9999 {
		// Out of the layout's range: let time format it as it can.
		dst = append(dst, '"')
		dst = t.AppendFormat(dst, timestampLayout)
		return append(dst, '"')
	}
	dst = append(dst, '"')
	dst = appendPadded(dst, year, 4)
	dst = append(dst, '-')
	dst = append2(dst, int(month))
	dst = append(dst, '-')
	dst = append2(dst, day)
	dst = append(dst, 'T')
	dst = append2(dst, hour)
	dst = append(dst, ':')
	dst = append2(dst, minute)
	dst = append(dst, ':')
	dst = append2(dst, second)
	ms := t.Nanosecond() / 1e6
	dst = append(dst, '.', byte('0'+ms/100), byte('0'+ms/10%10), byte('0'+ms%10), 'Z', '"')
	return dst
}

func append2(dst []byte, n int) []byte {
	return append(dst, byte('0'+n/10), byte('0'+n%10))
}

func appendPadded(dst []byte, n, width int) []byte {
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

// appendString appends s as a JSON string. Like JSON.stringify on Clever's
// Node servers it escapes only what JSON requires; invalid UTF-8 becomes
// U+FFFD so a page is always valid JSON.
func appendString(dst []byte, s string) []byte {
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
