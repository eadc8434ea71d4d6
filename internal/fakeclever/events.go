package fakeclever

import (
	"bytes"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/rosterd/rosterd/internal/fakewire"
)

// DefaultEventRetention is how long Clever keeps events.
const DefaultEventRetention = 30 * 24 * time.Hour

// ExpiredCursor is how the events list answers a starting_after naming no
// event the server keeps: an unknown ID, or one past the retention.
// Clever's spec documents a 404 for GET /events; the other answers let
// tests check that a client copes with a server that says less.
type ExpiredCursor int

// The answers to an expired cursor.
const (
	// ExpiredNotFound answers 404 with {"message": ...}. The default.
	ExpiredNotFound ExpiredCursor = iota
	// ExpiredBadRequest answers 400 with {"message": ...}.
	ExpiredBadRequest
	// ExpiredEmpty answers 200 with no events, as if nothing had happened
	// since, however many events the server keeps.
	ExpiredEmpty
)

// EventInfo describes one event the server keeps.
type EventInfo struct {
	ID string
	// Type is "<collection>.<created|updated|deleted>".
	Type string
	// ObjectID is the ID of the record the event is about.
	ObjectID string
	Created  time.Time
}

// event is one kept event, encoded once.
type event struct {
	EventInfo
	// body is the event object: {"created","data":{"object",
	// "previous_attributes"},"id","type"}.
	body []byte
}

// eventLog is the server's event feed, oldest first, in ID order.
type eventLog struct {
	mu     sync.Mutex
	list   []event
	lastTS int64
	seq    uint32
	// machine is the middle of every ID, as an ObjectID's random value.
	machine [5]byte
}

// newID returns an ObjectID-like ID (seconds, five machine bytes, a
// counter; 24 hex digits) after every ID handed out before, and the time
// it stands for. mu must be held.
func (l *eventLog) newID(now time.Time) (string, time.Time) {
	ts := max(now.Unix(), l.lastTS)
	l.seq++
	if l.seq > 0xffffff {
		l.seq = 0
		ts++
	}
	l.lastTS = ts
	var b [12]byte
	b[0], b[1], b[2], b[3] = byte(ts>>24), byte(ts>>16), byte(ts>>8), byte(ts)
	copy(b[4:9], l.machine[:])
	b[9], b[10], b[11] = byte(l.seq>>16), byte(l.seq>>8), byte(l.seq)
	id := make([]byte, 0, 24)
	for _, c := range b {
		id = append(id, hexDigits[c>>4], hexDigits[c&0xf])
	}
	created := now
	if now.Unix() < ts {
		created = time.Unix(ts, 0)
	}
	return string(id), created.UTC().Truncate(time.Millisecond)
}

// add appends an event about the record object (JSON, compacted). mu must
// be held.
func (l *eventLog) add(now time.Time, typ, objectID string, object, previous []byte) string {
	id, created := l.newID(now)
	w := objWriter{}
	w.begin()
	w.key("created")
	w.buf = fakewire.AppendTimestamp(w.buf, created)
	w.object("data")
	w.raw("object", object)
	if previous != nil {
		w.raw("previous_attributes", previous)
	}
	w.end()
	w.str("id", id)
	w.str("type", typ)
	w.end()
	l.list = append(l.list, event{EventInfo: EventInfo{ID: id, Type: typ, ObjectID: objectID, Created: created}, body: w.buf})
	return id
}

// keptEvents drops the events older than the retention and returns the rest.
// The slice returned is never modified again: appends and drops make new
// slice headers, and elements are written once.
func (s *Server) keptEvents() []event {
	s.ev.mu.Lock()
	defer s.ev.mu.Unlock()
	cutoff := s.opts.Now().Add(-s.opts.EventRetention)
	n := sort.Search(len(s.ev.list), func(i int) bool { return !s.ev.list[i].Created.Before(cutoff) })
	if n > 0 {
		s.ev.list = slices.Clone(s.ev.list[n:])
	}
	return s.ev.list[:len(s.ev.list):len(s.ev.list)]
}

// Events returns the events the server keeps, oldest first.
func (s *Server) Events() []EventInfo {
	kept := s.keptEvents()
	out := make([]EventInfo, len(kept))
	for i := range kept {
		out[i] = kept[i].EventInfo
	}
	return out
}

// AddEvent records an event of type typ ("users.updated", or any type at
// all) about object, a record's JSON, and returns its ID. It panics when
// object is not a JSON object: a mistake in the calling test.
func (s *Server) AddEvent(typ string, object []byte) string {
	v := jsontext.Value(slices.Clone(object))
	var rec struct {
		ID string `json:"id"`
	}
	if err := v.Compact(); err != nil || v.Kind() != '{' {
		panic(fmt.Sprintf("fakeclever: AddEvent: object is not a JSON object: %v", err))
	}
	if err := json.Unmarshal(v, &rec); err != nil {
		panic(fmt.Sprintf("fakeclever: AddEvent: %v", err))
	}
	s.ev.mu.Lock()
	defer s.ev.mu.Unlock()
	return s.ev.add(s.opts.Now(), typ, rec.ID, v, nil)
}

// ExpireEvents drops every event up to and including through, as the
// retention eventually does, and returns how many it dropped.
func (s *Server) ExpireEvents(through string) int {
	s.ev.mu.Lock()
	defer s.ev.mu.Unlock()
	n := sort.Search(len(s.ev.list), func(i int) bool { return s.ev.list[i].ID > through })
	if n > 0 {
		s.ev.list = slices.Clone(s.ev.list[n:])
	}
	return n
}

// recordChanges appends an event for every record that differs between
// prev and next: created and updated with the record as next serves it,
// deleted with the record as prev served it, updated with the changed
// leaves' old values as previous_attributes. The district's last_sync
// moves with every change, so the district always gets an update.
// Collections go in dependency order, users before the sections that
// name them. ev.mu must be held.
func (s *Server) recordChanges(prev, next *Dataset) {
	now := s.opts.Now()
	for _, c := range []int{collDistricts, collSchools, collTerms, collCourses, collUsers, collSections} {
		typ := collectionNames[c]
		a, b := &prev.colls[c], &next.colls[c]
		rec := func(d *Dataset, st *store, i int) []byte {
			var buf bytes.Buffer
			d.writeRecord(&buf, c, st, i)
			return buf.Bytes()
		}
		for i, j := 0, 0; i < a.len() || j < b.len(); {
			switch {
			case j == b.len() || i < a.len() && string(a.id(i)) < string(b.id(j)):
				s.ev.add(now, typ+".deleted", string(a.id(i)), rec(prev, a, i), nil)
				i++
			case i == a.len() || string(a.id(i)) > string(b.id(j)):
				s.ev.add(now, typ+".created", string(b.id(j)), rec(next, b, j), nil)
				j++
			default:
				if old, cur := rec(prev, a, i), rec(next, b, j); !bytes.Equal(old, cur) {
					s.ev.add(now, typ+".updated", string(b.id(j)), cur, previousAttributes(old, cur))
				}
				i++
				j++
			}
		}
	}
}

// previousAttributes returns the leaves of old that cur changed, nested as
// in the record; a member cur added is null. Arrays are leaves.
func previousAttributes(old, cur []byte) []byte {
	var o, c map[string]any
	if json.Unmarshal(old, &o) != nil || json.Unmarshal(cur, &c) != nil {
		return nil
	}
	out, err := json.Marshal(changedLeaves(o, c), json.Deterministic(true))
	if err != nil {
		return nil
	}
	return out
}

func changedLeaves(old, cur map[string]any) map[string]any {
	out := map[string]any{}
	for k, ov := range old {
		cv, ok := cur[k]
		om, oIsObj := ov.(map[string]any)
		cm, cIsObj := cv.(map[string]any)
		switch {
		case ok && oIsObj && cIsObj:
			if sub := changedLeaves(om, cm); len(sub) > 0 {
				out[k] = sub
			}
		case !ok || !reflect.DeepEqual(ov, cv):
			out[k] = ov
		}
	}
	for k := range cur {
		if _, ok := old[k]; !ok {
			out[k] = nil
		}
	}
	return out
}

// events answers GET /{version}/events and /{version}/events/{id}.
func (s *Server) events(r *http.Request, id string, hasID bool) *reply {
	kept := s.keptEvents()
	if hasID {
		i, ok := findEvent(kept, id)
		if !ok {
			return jsonMessage(http.StatusNotFound, "message", "Resource not found")
		}
		buf := fakewire.Buffer()
		buf.WriteString(`{"data":`)
		buf.Write(kept[i].body)
		buf.WriteString(`,"links":[{"rel":"self","uri":`)
		buf.Write(fakewire.AppendString(buf.AvailableBuffer(), r.URL.EscapedPath()))
		buf.WriteString(`}]}`)
		return fakewire.PooledReply(http.StatusOK, buf)
	}

	q := r.URL.Query()
	limit, rep := pageLimit(q)
	if rep != nil {
		return rep
	}
	if q.Has("school") {
		return jsonMessage(http.StatusBadRequest, "message", "fakeclever does not filter events by school")
	}
	if q.Has("starting_after") && q.Has("ending_before") {
		return jsonMessage(http.StatusBadRequest, "message", "starting_after and ending_before cannot be combined")
	}
	sel := kept
	if types := q["record_type"]; len(types) > 0 {
		sel = nil
		for _, ev := range kept {
			coll, _, _ := strings.Cut(ev.Type, ".")
			if slices.Contains(types, coll) {
				sel = append(sel, ev)
			}
		}
	}

	var lo, hi int
	switch {
	case q.Has("ending_before"):
		before := q.Get("ending_before")
		hi = sort.Search(len(sel), func(i int) bool { return sel[i].ID >= before })
		lo = max(0, hi-limit)
	case q.Has("starting_after"):
		after := q.Get("starting_after")
		if _, ok := findEvent(kept, after); !ok {
			switch s.opts.ExpiredCursor {
			case ExpiredBadRequest:
				return jsonMessage(http.StatusBadRequest, "message", "starting_after is not a valid event ID")
			case ExpiredEmpty:
				sel = nil
			default:
				return jsonMessage(http.StatusNotFound, "message", "Resource not found")
			}
		}
		lo = sort.Search(len(sel), func(i int) bool { return sel[i].ID > after })
		hi = min(len(sel), lo+limit)
	default:
		hi = min(len(sel), limit)
	}

	size := 256
	for _, ev := range sel[lo:hi] {
		size += len(ev.body) + 2*len(ev.ID) + 64
	}
	buf := fakewire.Buffer()
	buf.Grow(size)
	itemPrefix := `,"uri":"` + s.prefix + "events/"
	buf.WriteString(`{"data":[`)
	for k, ev := range sel[lo:hi] {
		if k > 0 {
			buf.WriteByte(',')
		}
		buf.WriteString(`{"data":`)
		buf.Write(ev.body)
		buf.WriteString(itemPrefix)
		buf.WriteString(ev.ID)
		buf.WriteString(`"}`)
	}
	writePageEnd(buf, r, q, lo, hi, len(sel), func(k int) []byte { return []byte(sel[k].ID) })
	return fakewire.PooledReply(http.StatusOK, buf)
}

// findEvent returns the position of the event id in evs, which are in ID
// order.
func findEvent(evs []event, id string) (int, bool) {
	i := sort.Search(len(evs), func(i int) bool { return evs[i].ID >= id })
	return i, i < len(evs) && evs[i].ID == id
}
