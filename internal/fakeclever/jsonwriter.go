package fakeclever

import (
	"strconv"
	"time"

	"github.com/rosterd/rosterd/internal/fakewire"
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
	w.buf = fakewire.AppendString(w.buf, v)
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
		w.buf = fakewire.AppendString(w.buf, v)
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
	w.buf = fakewire.AppendTimestamp(w.buf, t)
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
	w.buf = fakewire.AppendTimestamp(w.buf, t)
}

// isoDate writes d as YYYY-MM-DD (term dates), omitted when absent.
func (w *objWriter) isoDate(k string, d roster.Date) {
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
	w.buf = fakewire.AppendPadded(w.buf, int(d.Year), 4)
	w.buf = append(w.buf, '"')
}

// ext writes a district-defined ext object with its keys sorted, omitted
// when x is empty.
func (w *objWriter) ext(x roster.Ext) {
	if x.IsZero() {
		return
	}
	w.key("ext")
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
