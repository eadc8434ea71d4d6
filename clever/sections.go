package clever

import (
	"context"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/rosterd/rosterd/roster"
)

// Section is a section as Clever sends it: the only record that links
// teachers and students. Teacher may be null and Teachers and Students
// empty or missing.
type Section struct {
	ID            string         `json:"id"`
	District      string         `json:"district"`
	School        string         `json:"school"`
	Course        string         `json:"course"`
	TermID        string         `json:"term_id"`
	Name          string         `json:"name"`
	SISID         string         `json:"sis_id"`
	SectionNumber string         `json:"section_number"`
	Period        string         `json:"period"`
	Grade         string         `json:"grade"`
	Subject       string         `json:"subject"`
	Teacher       string         `json:"teacher"`
	Teachers      []string       `json:"teachers"`
	Students      []string       `json:"students"`
	Ext           jsontext.Value `json:"ext"`
	Created       string         `json:"created"`
	LastModified  string         `json:"last_modified"`
}

// ListSections calls fn with each page of sections, in ID order. fn must
// not keep the slice, which is reused for the next page.
func (c *Client) ListSections(ctx context.Context, fn func([]Section) error) error {
	return c.listSections(ctx, nil, fn)
}

// listSections is ListSections with the member IDs of each page resolved
// by ids as it is decoded (see listPages).
func (c *Client) listSections(ctx context.Context, ids *memberIDs[Section], fn func([]Section) error) error {
	return listPages(ctx, c, c.api(), c.collectionURL("sections", nil), false, ids, fn)
}

// memberIDs gives the teacher and student IDs of sections pages the
// strings of the users they name, so the roster holds each ID once. They
// only read the user index, so the decoding goroutines run them while
// the mapping goroutine maps earlier pages; they must not run while users
// are added. IDs of no fetched user (dangling references) are left as
// decoded.
func (m *mapper) memberIDs() *memberIDs[Section] {
	return &memberIDs[Section]{known: m.knownUser, resolve: m.resolveMembers}
}

// resolveMembers is knownUser for every member of a page.
func (m *mapper) resolveMembers(page []Section) {
	canonical := func(id string) string {
		if known, ok := m.knownID(id); ok {
			return known
		}
		return id
	}
	for k := range page {
		s := &page[k]
		s.Teacher = canonical(s.Teacher)
		for i, id := range s.Teachers {
			s.Teachers[i] = canonical(id)
		}
		for i, id := range s.Students {
			s.Students[i] = canonical(id)
		}
	}
}

// appendSections maps one page of sections onto dst. The teacher and
// student IDs of the whole page share one backing array, sized exactly,
// instead of one allocation per list: an XL district holds millions of
// enrollment IDs. resolved says resolveMembers has run on page, so its
// member IDs are kept as they are.
func (m *mapper) appendSections(dst []roster.Section, page []Section, resolved bool) []roster.Section {
	n := 0
	for i := range page {
		n += len(page[i].Students) + len(page[i].Teachers) + 1
	}
	arena := make([]string, 0, n)
	for i := range page {
		s := &page[i]
		rec := record{entity: roster.EntitySection, id: s.ID, sisID: s.SISID}
		var teachers, students []string
		arena, teachers = m.teacherIDs(arena, s.Teacher, s.Teachers, resolved)
		arena, students = m.userIDs(arena, s.Students, resolved)
		dst = append(dst, roster.Section{
			ID:            s.ID,
			District:      m.intern(s.District),
			School:        m.intern(s.School),
			Course:        m.intern(s.Course),
			Term:          m.intern(s.TermID),
			Name:          s.Name,
			SISID:         s.SISID,
			SectionNumber: s.SectionNumber,
			Subject:       m.intern(s.Subject),
			Grade:         m.intern(s.Grade),
			Period:        m.intern(s.Period),
			Teachers:      teachers,
			Students:      students,
			Ext:           m.ext(rec, "ext", s.Ext),
			LastModified:  m.timestamp(rec, "last_modified", s.LastModified),
		})
	}
	return dst
}

// userIDs appends the user IDs of ids to arena and returns them as their
// own slice (capacity clipped, so appending to it cannot overwrite the next
// section's IDs), or nil when there are none.
func (m *mapper) userIDs(arena, ids []string, resolved bool) (_, out []string) {
	start := len(arena)
	for _, id := range ids {
		if id != "" {
			arena = append(arena, m.memberID(id, resolved))
		}
	}
	return arena, clip(arena, start)
}

// teacherIDs is userIDs with the primary teacher first: Clever's teachers
// list starts with the primary (teacher) by contract, and this makes sure
// of it, adding the primary when the list lacks it.
func (m *mapper) teacherIDs(arena []string, primary string, ids []string, resolved bool) (_, out []string) {
	start := len(arena)
	if primary != "" {
		arena = append(arena, m.memberID(primary, resolved))
	}
	for _, id := range ids {
		if id != "" && id != primary {
			arena = append(arena, m.memberID(id, resolved))
		}
	}
	return arena, clip(arena, start)
}

// memberID is userID, unless resolveMembers already did its work.
func (m *mapper) memberID(id string, resolved bool) string {
	if resolved {
		return id
	}
	return m.userID(id)
}

func clip(arena []string, start int) []string {
	if len(arena) == start {
		return nil
	}
	return arena[start:len(arena):len(arena)]
}
