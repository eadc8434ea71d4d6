package clever

import (
	stdjson "encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/rosterd/rosterd/internal/idindex"
	"github.com/rosterd/rosterd/roster"
)

// mapper turns wire records into roster records for one crawl. It interns
// the strings a district repeats on every record, makes every reference to
// a user share that user's ID string, and collects the values it could not
// map as field errors instead of failing.
type mapper struct {
	in   roster.Interner
	r    *roster.Roster
	errs []roster.FieldError
	// userIndex maps a user ID to its first position among the users,
	// reading the IDs from where the users are held (userIDAt).
	userIndex *idindex.Index
	// users holds the users mapped so far, and building the page being
	// mapped, until the crawl joins them into r.Users.
	users    pageRecords[roster.User]
	building []roster.User
	// students is the free part of the slab the next students are
	// taken from (newStudent).
	students []roster.Student
	// joinedIDs holds the user IDs by their position in userIndex once
	// every listing is in, so that the sections find them while the
	// users are joined and sorted (freezeUserIDs).
	joinedIDs []string
}

func newMapper(r *roster.Roster) *mapper {
	m := &mapper{r: r}
	m.userIndex = idindex.New(0, m.userIDAt)
	return m
}

// studentSlab is how many students newStudent allocates at once.
const studentSlab = 1024

// newStudent returns a zero Student from a slab of them: an XL district's
// 1.1M students allocated one by one cost an allocation each and 8 bytes
// of the allocator's size class (160 for 152).
func (m *mapper) newStudent() *roster.Student {
	if len(m.students) == 0 {
		m.students = make([]roster.Student, studentSlab)
	}
	s := &m.students[0]
	m.students = m.students[1:]
	return s
}

// record identifies the record a field error is about.
type record struct {
	entity roster.Entity
	id     string
	sisID  string
}

func (m *mapper) fieldError(rec record, field, message string) {
	m.errs = append(m.errs, roster.FieldError{
		Entity:  rec.entity,
		ID:      rec.id,
		SISID:   rec.sisID,
		Field:   field,
		Message: message,
	})
}

// intern returns the shared copy of s.
func (m *mapper) intern(s string) string { return m.in.String(s) }

// internAll interns ids in place, dropping empty entries; nil when none is
// left, and a list of one ID shared with every equal one (Interner.List).
// A longer list is copied out of the decoder's memory.
func (m *mapper) internAll(ids []string) []string {
	out := ids[:0]
	for _, id := range ids {
		if id != "" {
			out = append(out, id)
		}
	}
	switch len(out) {
	case 0:
		return nil
	case 1:
		return m.in.List(out)
	}
	// ids lies in one of the decoder's chunks of strings (scanner.strings),
	// which a list kept in the roster would keep whole: the few users with
	// several schools kept every chunk of an XL crawl's students, 18 MB.
	return m.in.Strings(slices.Clone(out))
}

// sharePrefix returns s as a prefix of kept when it is one, so that the
// roster holds those bytes once: a username is mostly its email's local
// part (or the whole email), and a student or teacher number mostly the
// SIS ID.
func sharePrefix(s, kept string) string {
	if s != "" && strings.HasPrefix(kept, s) {
		return kept[:len(s)]
	}
	return s
}

// userID returns the ID string of the fetched user id, so that sections
// and contacts share it; an ID of no fetched user (a dangling reference,
// kept for preflight to report) is interned instead.
func (m *mapper) userID(id string) string {
	if known, ok := m.knownID(id); ok {
		return known
	}
	return m.in.String(id)
}

// knownID returns the fetched user's ID string equal to id.
func (m *mapper) knownID(id string) (string, bool) {
	i, ok := m.userIndex.Get(id)
	if !ok {
		return "", false
	}
	return m.userIDAt(i), true
}

// knownUser is knownID for an ID the decoder has not made a string of.
func (m *mapper) knownUser(id []byte) (string, bool) {
	i, ok := m.userIndex.GetBytes(id)
	if !ok {
		return "", false
	}
	return m.userIDAt(i), true
}

// userIDAt returns the ID of the user at position i of userIndex.
func (m *mapper) userIDAt(i int32) string {
	if m.joinedIDs != nil {
		return m.joinedIDs[i]
	}
	return m.user(int(i)).ID
}

// freezeUserIDs keeps the ID of every user by its position in userIndex,
// read from the pages before they are joined into r.Users and sorted:
// from then on userIndex no longer says where a user is, only what its
// ID string is. No user is added after.
func (m *mapper) freezeUserIDs() {
	m.joinedIDs = make([]string, 0, m.users.n)
	for _, page := range m.users.pages {
		for i := range page {
			m.joinedIDs = append(m.joinedIDs, page[i].ID)
		}
	}
}

// user returns the user at position i of userIndex, wherever it is held.
func (m *mapper) user(i int) *roster.User {
	switch {
	case i < m.users.n:
		return m.users.at(i)
	case i < m.users.n+len(m.building):
		return &m.building[i-m.users.n]
	}
	return &m.r.Users[i]
}

// date parses a date field; a value in no known form is a field error and
// the field is left empty. The message never repeats the value, which may
// be personal data (a birth date).
func (m *mapper) date(rec record, field, value string) roster.Date {
	d, err := roster.ParseDate(value)
	if err != nil {
		m.fieldError(rec, field, err.Error())
		return roster.Date{}
	}
	return d
}

// timestamp parses an RFC 3339 timestamp field, in UTC; "" is absent.
func (m *mapper) timestamp(rec record, field, value string) time.Time {
	if value == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, value)
	if err != nil {
		m.fieldError(rec, field, "not an RFC 3339 timestamp")
		return time.Time{}
	}
	return t.UTC()
}

// ext maps a district's ext object; null, "" and {} are absent, and any
// other non-object is a field error.
func (m *mapper) ext(rec record, field string, raw jsontext.Value) roster.Ext {
	switch raw.Kind() {
	case 0, 'n':
		return roster.Ext{}
	case '"':
		if string(raw) == `""` {
			return roster.Ext{}
		}
	case '{':
		var members map[string]stdjson.RawMessage
		if err := json.Unmarshal(raw, &members, decodeOptions); err != nil {
			m.fieldError(rec, field, "not a valid JSON object")
			return roster.Ext{}
		}
		return roster.ExtOf(members)
	}
	m.fieldError(rec, field, "not a JSON object")
	return roster.Ext{}
}
