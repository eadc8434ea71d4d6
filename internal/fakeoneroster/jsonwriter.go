package fakeoneroster

import (
	"net/url"
	"time"

	"github.com/rosterd/rosterd/internal/fakewire"
	"github.com/rosterd/rosterd/roster"
)

// hrefMark stands, inside an encoded record, for the service root of the
// tree and host a page is served for ("http://127.0.0.1:8080/ims/oneroster/
// rostering/v1p2/"). A raw NUL never occurs in encoded JSON (fakewire.AppendString
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
	w.buf = fakewire.AppendString(w.buf, v)
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
		w.buf = fakewire.AppendString(w.buf, v)
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
	w.buf = fakewire.AppendString(w.buf, id)
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
	if modified.IsZero() {
		modified = time.Unix(0, 0) // dateLastModified is required
	}
	w.buf = fakewire.AppendTimestamp(w.buf, modified)
}

// date writes d as YYYY-MM-DD, omitted when absent.
func (w *objWriter) date(k string, d roster.Date) {
	if d.IsZero() {
		return
	}
	w.key(k)
	w.buf = append(w.buf, '"')
	w.buf = fakewire.AppendPadded(w.buf, int(d.Year), 4)
	w.buf = append(w.buf, '-')
	w.buf = fakewire.AppendPadded(w.buf, int(d.Month), 2)
	w.buf = append(w.buf, '-')
	w.buf = fakewire.AppendPadded(w.buf, int(d.Day), 2)
	w.buf = append(w.buf, '"')
}

// metadata writes a record's Ext as the metadata object, keys sorted,
// omitted when x is empty.
func (w *objWriter) metadata(x roster.Ext) {
	if x.IsZero() {
		return
	}
	w.key("metadata")
	w.buf = append(w.buf, '{')
	first := true
	for k, v := range x.All() {
		if !first {
			w.buf = append(w.buf, ',')
		}
		first = false
		w.buf = fakewire.AppendString(w.buf, k)
		w.buf = append(w.buf, ':')
		w.buf = fakewire.AppendRawValue(w.buf, v)
	}
	w.buf = append(w.buf, '}')
}

// modifiedMillis is the dateLastModified a record is filtered by: t as
// base writes it, in Unix milliseconds.
func modifiedMillis(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// appendPathSegment appends id escaped as a URL path segment and then as
// the inside of a JSON string. IDs are usually hex, so escaping is the
// rare path.
func appendPathSegment(dst []byte, id string) []byte {
	for i := 0; i < len(id); i++ {
		if !isUnreserved(id[i]) {
			b := fakewire.AppendString(nil, url.PathEscape(id))
			return append(dst, b[1:len(b)-1]...)
		}
	}
	return append(dst, id...)
}

func isUnreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~'
}
