package fakeoneroster

import (
	"net/url"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/rosterd/rosterd/roster"
)

// hrefMark stands, inside an encoded record, for the service root of the
// tree and host a page is served for ("http://127.0.0.1:8080/ims/oneroster/
// rostering/v1p2/"). A raw NUL never occurs in encoded JSON (appendString
// escapes every control character), so the mark cannot collide with data,
// and one encoding of a record serves both trees on any host.
const hrefMark = 0

// objWriter appends one JSON object to buf, member by member. Keys are
// constants of the OneRoster schema and are written without escaping;
// values are escaped. It exists because encoding a large district's
// 1.7M enrollments through reflection would make building a Dataset
// slower than crawling it.
type objWriter struct {
	buf []byte
	// more is true once the innermost open object or array has a member,
	// so the next member needs a comma.
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

// str writes k even when v is empty, for the fields the schema requires.
func (w *objWriter) str(k, v string) {
	w.key(k)
	w.buf = appendString(w.buf, v)
}

// opt writes k only when v is not empty.
func (w *objWriter) opt(k, v string) {
	if v != "" {
		w.str(k, v)
	}
}

// boolStr writes k as the string "true" or "false": the 1.2 OpenAPI types
// OneRoster booleans as strings.
func (w *objWriter) boolStr(k string, v bool) {
	if v {
		w.str(k, "true")
	} else {
		w.str(k, "false")
	}
}

// strs writes k as an array of strings, omitted when vs is empty.
func (w *objWriter) strs(k string, vs ...string) {
	n := 0
	for _, v := range vs {
		if v != "" {
			n++
		}
	}
	if n == 0 {
		return
	}
	w.key(k)
	w.buf = append(w.buf, '[')
	first := true
	for _, v := range vs {
		if v == "" {
			continue
		}
		if !first {
			w.buf = append(w.buf, ',')
		}
		first = false
		w.buf = appendString(w.buf, v)
	}
	w.buf = append(w.buf, ']')
}

// refValue appends a GUIDRef object: {"href":…,"sourcedId":id,"type":typ}.
// coll is the collection path the href points into ("orgs", "users").
func (w *objWriter) refValue(coll, typ, id string) {
	w.buf = append(w.buf, `{"href":"`...)
	w.buf = append(w.buf, hrefMark)
	w.buf = append(w.buf, coll...)
	w.buf = append(w.buf, '/')
	w.buf = appendPathSegment(w.buf, id)
	w.buf = append(w.buf, `","sourcedId":`...)
	w.buf = appendString(w.buf, id)
	w.buf = append(w.buf, `,"type":"`...)
	w.buf = append(w.buf, typ...)
	w.buf = append(w.buf, `"}`...)
}

// ref writes k as a GUIDRef to id, omitted when id is empty.
func (w *objWriter) ref(k, coll, typ, id string) {
	if id == "" {
		return
	}
	w.key(k)
	w.refValue(coll, typ, id)
}

// refs writes k as an array of GUIDRefs, omitted when ids has none.
func (w *objWriter) refs(k, coll, typ string, ids ...string) {
	n := 0
	for _, id := range ids {
		if id != "" {
			n++
		}
	}
	if n == 0 {
		return
	}
	w.key(k)
	w.buf = append(w.buf, '[')
	first := true
	for _, id := range ids {
		if id == "" {
			continue
		}
		if !first {
			w.buf = append(w.buf, ',')
		}
		first = false
		w.refValue(coll, typ, id)
	}
	w.buf = append(w.buf, ']')
}

// base writes the members every OneRoster object starts with.
func (w *objWriter) base(id string, deleted bool, modified time.Time) {
	w.str("sourcedId", id)
	if deleted {
		w.str("status", "tobedeleted")
	} else {
		w.str("status", "active")
	}
	w.key("dateLastModified")
	w.buf = appendTimestamp(w.buf, modified)
}

// date writes d as YYYY-MM-DD, omitted when absent.
func (w *objWriter) date(k string, d roster.Date) {
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

// metadata writes a record's Ext as the metadata object, keys sorted,
// omitted when x is empty.
func (w *objWriter) metadata(x roster.Ext) {
	if len(x) == 0 {
		return
	}
	keys := make([]string, 0, len(x))
	for k := range x {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	w.key("metadata")
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

// appendRawValue appends an ext value. Valid JSON is appended compacted;
// anything else is kept as a JSON string of its text, so a page is always
// valid JSON.
func appendRawValue(dst, v []byte) []byte {
	if len(v) == 0 {
		return append(dst, "null"...)
	}
	start := len(dst)
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

// timestampLayout is the canonical OneRoster DateTime: UTC, milliseconds.
const timestampLayout = "2006-01-02T15:04:05.000Z"

// appendTimestamp appends t in UTC as a quoted timestampLayout; the zero
// time is written as the Unix epoch, since dateLastModified is required.
func appendTimestamp(dst []byte, t time.Time) []byte {
	if t.IsZero() {
		t = time.Unix(0, 0)
	}
	t = t.UTC()
	year, month, day := t.Date()
	if year < 0 || year > 9999 {
		dst = append(dst, '"')
		dst = t.AppendFormat(dst, timestampLayout)
		return append(dst, '"')
	}
	hour, minute, second := t.Clock()
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
	return append(dst, '.', byte('0'+ms/100), byte('0'+ms/10%10), byte('0'+ms%10), 'Z', '"')
}

// modifiedMillis is the dateLastModified a record is filtered by: t as
// appendTimestamp writes it, in Unix milliseconds.
func modifiedMillis(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
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

// appendString appends s as a JSON string, escaping only what JSON
// requires; invalid UTF-8 becomes U+FFFD so a page is always valid JSON.
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

// appendPathSegment appends id escaped as a URL path segment and then as
// the inside of a JSON string. IDs are usually hex, so escaping is the
// rare path.
func appendPathSegment(dst []byte, id string) []byte {
	for i := 0; i < len(id); i++ {
		if !isUnreserved(id[i]) {
			b := appendString(nil, url.PathEscape(id))
			return append(dst, b[1:len(b)-1]...)
		}
	}
	return append(dst, id...)
}

func isUnreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~'
}
