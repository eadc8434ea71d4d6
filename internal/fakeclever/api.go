package fakeclever

import (
	"bytes"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/rosterd/rosterd/internal/fakewire"
	"github.com/rosterd/rosterd/roster"
)

// Page size limits, as Clever documents them.
const (
	DefaultLimit = 100
	MaxLimit     = 10000
)

// api answers GET /{version}/{collection} and /{version}/{collection}/{id};
// rest is the path after the version prefix.
func (s *Server) api(r *http.Request, rest string) *reply {
	name, id, hasID := strings.Cut(rest, "/")
	if name == "events" && !(hasID && (id == "" || strings.Contains(id, "/"))) {
		return s.events(r, id, hasID)
	}
	coll, ok := collectionIndex(name)
	if !ok || (hasID && (id == "" || strings.Contains(id, "/"))) {
		return htmlNotFound(r)
	}
	d := s.data.Load()
	if hasID {
		return s.object(r, d, coll, id)
	}
	return s.list(r, d, coll)
}

// object answers a single-object request: {"data":{...},"links":[self]}.
func (s *Server) object(r *http.Request, d *Dataset, coll int, id string) *reply {
	st := &d.colls[coll]
	i, ok := st.find(id)
	if !ok {
		return jsonMessage(http.StatusNotFound, "message", "Resource not found")
	}
	buf := fakewire.Buffer()
	buf.WriteString(`{"data":`)
	d.writeRecord(buf, coll, st, i)
	buf.WriteString(`,"links":[{"rel":"self","uri":`)
	buf.Write(fakewire.AppendString(buf.AvailableBuffer(), r.URL.EscapedPath()))
	buf.WriteString(`}]}`)
	return fakewire.PooledReply(http.StatusOK, buf)
}

// pageLimit reads a list request's limit: DefaultLimit when absent.
func pageLimit(q url.Values) (int, *reply) {
	if !q.Has("limit") {
		return DefaultLimit, nil
	}
	return parseLimit(q.Get("limit"))
}

// list answers a list request with one page of records in ID order.
func (s *Server) list(r *http.Request, d *Dataset, coll int) *reply {
	q := r.URL.Query()
	limit, rep := pageLimit(q)
	if rep != nil {
		return rep
	}
	var role roster.Role
	if coll == collUsers && q.Has("role") {
		var ok bool
		if role, ok = roster.ParseRole(q.Get("role")); !ok {
			return jsonMessage(http.StatusBadRequest, "message",
				"role must be one of student, teacher, staff, district_admin, contact")
		}
	}
	if q.Has("starting_after") && q.Has("ending_before") {
		return jsonMessage(http.StatusBadRequest, "message", "starting_after and ending_before cannot be combined")
	}

	v := d.view(coll, role)
	var lo, hi int
	switch {
	case q.Has("ending_before"):
		hi = v.notBefore(q.Get("ending_before"))
		lo = max(0, hi-limit)
	case q.Has("starting_after"):
		lo = v.after(q.Get("starting_after"))
		hi = min(v.len(), lo+limit)
	default:
		hi = min(v.len(), limit)
	}

	size := 256
	for k := lo; k < hi; k++ {
		ref := v.st.refs[v.at(k)]
		size += int(ref.recLen) + 2*int(ref.idLen) + 64
	}
	buf := fakewire.Buffer()
	buf.Grow(size)
	itemPrefix := `,"uri":"` + s.prefix + collectionNames[coll] + "/"
	buf.WriteString(`{"data":[`)
	for k := lo; k < hi; k++ {
		i := v.at(k)
		if k > lo {
			buf.WriteByte(',')
		}
		buf.WriteString(`{"data":`)
		d.writeRecord(buf, coll, v.st, i)
		buf.WriteString(itemPrefix)
		writeURIPathSegment(buf, v.st.id(i))
		buf.WriteString(`"}`)
	}
	writePageEnd(buf, r, q, lo, hi, v.len(), v.id)
	return fakewire.PooledReply(http.StatusOK, buf)
}

// writePageEnd closes the data of a list page holding items lo..hi-1 of
// n and writes its links; idAt gives the ID of item k.
func writePageEnd(buf *bytes.Buffer, r *http.Request, q url.Values, lo, hi, n int, idAt func(k int) []byte) {
	buf.WriteString(`],"links":[{"rel":"self","uri":`)
	buf.Write(fakewire.AppendString(buf.AvailableBuffer(), r.URL.RequestURI()))
	buf.WriteByte('}')
	if lo < hi {
		// Clever sends prev on every starting_after page, even when nothing
		// comes before, and next whenever records follow.
		if q.Has("starting_after") || (q.Has("ending_before") && lo > 0) {
			writeLink(buf, "prev", pageURI(r, q, "ending_before", idAt(lo)))
		}
		if hi < n {
			writeLink(buf, "next", pageURI(r, q, "starting_after", idAt(hi-1)))
		}
	}
	buf.WriteString(`]}`)
}

func parseLimit(s string) (int, *reply) {
	n, err := strconv.Atoi(s)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange && !strings.HasPrefix(s, "-") {
			return 0, tooLarge()
		}
		return 0, jsonMessage(http.StatusBadRequest, "message", "limit must be an integer from 1 to 10000")
	}
	if n < 1 {
		return 0, jsonMessage(http.StatusBadRequest, "message", "limit must be an integer from 1 to 10000")
	}
	if n > MaxLimit {
		return 0, tooLarge()
	}
	return n, nil
}

func tooLarge() *reply {
	return jsonMessage(http.StatusRequestEntityTooLarge, "message", "limit must not be greater than 10000")
}

// pageURI is the link to the page starting after (or ending before) id,
// keeping the caller's other query parameters.
func pageURI(r *http.Request, q url.Values, key string, id []byte) string {
	next := make(url.Values, len(q)+1)
	for k, vs := range q {
		if k != "starting_after" && k != "ending_before" {
			next[k] = vs
		}
	}
	next.Set(key, string(id))
	return r.URL.EscapedPath() + "?" + next.Encode()
}

func writeLink(buf *bytes.Buffer, rel, uri string) {
	buf.WriteString(`,{"rel":"`)
	buf.WriteString(rel)
	buf.WriteString(`","uri":`)
	buf.Write(fakewire.AppendString(buf.AvailableBuffer(), uri))
	buf.WriteByte('}')
}

// writeURIPathSegment writes id escaped for a URL path and then for a
// JSON string. Clever IDs are hex, so the escaping loop is the rare path.
func writeURIPathSegment(buf *bytes.Buffer, id []byte) {
	for _, c := range id {
		if !isUnreserved(c) {
			escaped := url.PathEscape(string(id))
			b := fakewire.AppendString(buf.AvailableBuffer(), escaped)
			buf.Write(b[1 : len(b)-1])
			return
		}
	}
	buf.Write(id)
}

func isUnreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~'
}
