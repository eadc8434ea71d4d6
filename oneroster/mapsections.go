package oneroster

import (
	"cmp"
	"slices"
	"strings"

	"github.com/rosterd/rosterd/roster"
)

// sectionsToRoster maps classes to sections and their enrollments to the
// sections' students and teachers. Users must be mapped first, so that
// sections share their users' ID strings.
func (m *mapper) sectionsToRoster() {
	m.r.Sections = make([]roster.Section, 0, len(m.d.Classes))
	for i := range m.d.Classes {
		m.addClass(&m.d.Classes[i])
	}
	m.sortSections()
	m.beginMembers(len(m.d.Enrollments))
	for i := range m.d.Enrollments {
		m.addEnrollment(&m.d.Enrollments[i])
	}
	m.finishMembers()
}

// addClass maps one class to a section, or notes it left out. It reads
// only orgs and terms, so a crawl maps each page of classes as it
// arrives, ahead of the users.
func (m *mapper) addClass(c *Class) {
	rec := recordOf(roster.EntitySection, c.SourcedID, "", fileClasses, &c.Base)
	m.checkStatus(rec, &c.Base)
	if !m.keep(&c.Base) {
		m.leftOutClasses[c.SourcedID] = true
		return
	}
	m.r.Sections = append(m.r.Sections, m.section(rec, c))
}

// sortSections orders the sections by ID. It runs once every class is
// mapped and before any enrollment is placed: a member names its section
// by position.
func (m *mapper) sortSections() {
	slices.SortStableFunc(m.r.Sections, func(a, b roster.Section) int { return cmp.Compare(a.ID, b.ID) })
}

func (m *mapper) section(rec recordRef, c *Class) roster.Section {
	school := c.School.SourcedID
	if school != "" {
		// A class of a department is a class of its school; any other
		// reference is kept as sent for preflight to report.
		school = m.school(school).id
	}
	subject := m.intern(c.Subjects.First())
	if ct, _, _ := canonical(c.ClassType, []string{ClassHomeroom, ClassScheduled}); ct == ClassHomeroom {
		// classType is the district's own word that the class is a
		// homeroom, whatever subject text it carries ("Homeroom", or
		// none), and homeroom/advisory is how every source says so.
		subject = roster.SubjectHomeroom
	}
	return roster.Section{
		ID:            c.SourcedID,
		District:      m.districtOr(c.School.SourcedID),
		School:        school,
		Course:        c.Course.SourcedID,
		Term:          m.term(c.Terms),
		Name:          c.Title,
		SectionNumber: c.ClassCode,
		Subject:       subject,
		Grade:         m.intern(modelGrade(c.Grades.First())),
		Period:        m.intern(strings.Join(c.Periods, ",")),
		Ext:           m.ext(rec, c.Metadata),
		LastModified:  m.lastModified(rec, &c.Base),
	}
}

// term chooses a class's term among the sessions it lists: the narrowest
// one with dates, the first listed on a tie or when none has dates. A
// class listing its semester and its school year is taught in the
// semester.
func (m *mapper) term(terms []GUIDRef) string {
	best, bestSpan := "", -1
	for _, t := range terms {
		id := t.SourcedID
		if id == "" {
			continue
		}
		span, ok := m.termSpans[id]
		if !ok {
			span = -1
		}
		switch {
		case best == "":
			best, bestSpan = id, span
		case span >= 0 && (bestSpan < 0 || span < bestSpan):
			best, bestSpan = id, span
		}
	}
	return best
}

// sectionMember is one enrollment placed in a section: all that is kept
// of it once mapped. A large district holds millions (5.2M at XL), so a
// member names its user by position, in 12 bytes: with the user's ID
// string, 24, the members and their copy grouped by section took 250 MB
// as the crawl ended.
type sectionMember struct {
	user    memberUser
	section int32
	teacher bool
	primary bool
}

// memberUser is the position of a member's user in the mapped users, or,
// below 0, -1-k for the k-th of the IDs enrollments name that no mapped
// user has (memberFold.strangers). The users are in ID order by then, so
// two members' positions compare as their IDs do.
type memberUser int32

// memberFold holds the members placed so far, for finishMembers to
// group by section.
type memberFold struct {
	index      map[string]int // a section's position, by ID
	missing    map[string]bool
	ms         []sectionMember
	perSection []int32
	strangers  []string
	stranger   map[string]memberUser
}

// memberUser returns the memberUser of the user id. The mapped users must
// be finished (finishUsers).
func (m *mapper) memberUser(id string) memberUser {
	if i, ok := m.userIndex.Get(id); ok {
		return memberUser(i)
	}
	f := &m.members
	u, ok := f.stranger[id]
	if !ok {
		u = memberUser(-1 - len(f.strangers))
		f.strangers = append(f.strangers, m.intern(id))
		f.stranger[id] = u
	}
	return u
}

// id returns the ID of member user u.
func (f *memberFold) id(m *mapper, u memberUser) string {
	if u >= 0 {
		return m.r.Users[u].ID
	}
	return f.strangers[-1-u]
}

// beginMembers readies m to place about n enrollments in the sections,
// which must all be mapped and sorted.
func (m *mapper) beginMembers(n int) {
	f := &m.members
	f.index = make(map[string]int, len(m.r.Sections))
	for i := range m.r.Sections {
		if _, dup := f.index[m.r.Sections[i].ID]; !dup {
			f.index[m.r.Sections[i].ID] = i
		}
	}
	f.missing = map[string]bool{}
	f.stranger = map[string]memberUser{}
	f.ms = make([]sectionMember, 0, n)
	f.perSection = make([]int32, len(m.r.Sections)+1)
}

// addEnrollment places one enrollment. Enrollments must come in the order
// delivered: a field error is reported for the first that shows it.
func (m *mapper) addEnrollment(e *Enrollment) {
	f := &m.members
	if mb, ok := m.sectionMember(e, f.index, f.missing); ok {
		f.ms = append(f.ms, mb)
		f.perSection[mb.section+1]++
	}
}

// finishMembers fills each section's students and teachers from the
// members placed. The IDs of all sections share one backing array, sized
// exactly: a large district holds millions of enrollments. Students are
// ordered by ID; teachers have the primary teachers first (primary=true),
// each group by ID. A user enrolled twice in one class is listed once.
func (m *mapper) finishMembers() {
	f := m.members
	ms, perSection := f.ms, f.perSection
	m.members = memberFold{}
	// Group the members by section (a counting sort, linear in the
	// millions of enrollments), then order each section's few.
	for i := 1; i < len(perSection); i++ {
		perSection[i] += perSection[i-1]
	}
	grouped := make([]sectionMember, len(ms))
	at := slices.Clone(perSection[:len(perSection)-1])
	for _, mb := range ms {
		grouped[at[mb.section]] = mb
		at[mb.section]++
	}
	ms = grouped
	for i := range m.r.Sections {
		slices.SortFunc(ms[perSection[i]:perSection[i+1]], func(a, b sectionMember) int {
			if a.teacher != b.teacher {
				if a.teacher {
					return -1
				}
				return 1
			}
			if a.primary != b.primary {
				if a.primary {
					return -1
				}
				return 1
			}
			if a.user >= 0 && b.user >= 0 {
				return cmp.Compare(a.user, b.user) // the users' order is their IDs'
			}
			return cmp.Compare(f.id(m, a.user), f.id(m, b.user))
		})
	}
	arena := make([]string, 0, len(ms))
	for start := 0; start < len(ms); {
		s := &m.r.Sections[ms[start].section]
		end := start
		for end < len(ms) && ms[end].section == ms[start].section {
			end++
		}
		from := len(arena)
		for _, mb := range ms[start:end] {
			if id := f.id(m, mb.user); mb.teacher && !slices.Contains(arena[from:], id) {
				arena = append(arena, id)
			}
		}
		s.Teachers = clipIDs(arena, from)
		from = len(arena)
		for _, mb := range ms[start:end] {
			if id := f.id(m, mb.user); !mb.teacher && (len(arena) == from || arena[len(arena)-1] != id) {
				arena = append(arena, id)
			}
		}
		s.Students = clipIDs(arena, from)
		start = end
	}
}

// sectionMember maps one enrollment, or reports why it places no one.
func (m *mapper) sectionMember(e *Enrollment, index map[string]int, missing map[string]bool) (sectionMember, bool) {
	class, user := e.Class.SourcedID, e.User.SourcedID
	if !m.keep(&e.Base) || m.leftOutClasses[class] || m.leftOutUsers[user] || user == "" {
		return sectionMember{}, false
	}
	rec := recordOf(roster.EntitySection, class, "", fileEnrollments, &e.Base)
	m.checkStatus(rec, &e.Base)
	role, known, ext := canonical(e.Role, enrollmentRoles)
	field := "students"
	if role == EnrollmentTeacher {
		field = "teachers"
	}
	switch {
	case !known && !ext:
		m.fieldError(rec, "students", "role", "not a OneRoster enrollment role (student, teacher, administrator, proctor or aide); the enrollment is left out")
		return sectionMember{}, false
	case role != EnrollmentStudent && role != EnrollmentTeacher:
		// Administrators, proctors, aides and extensions have no place in
		// a section, which holds students and teachers only.
		return sectionMember{}, false
	}
	i, ok := index[class]
	if !ok {
		if !missing[class] {
			missing[class] = true
			m.fieldError(rec, field, "classSourcedId", "enrollments name this class, which is not in the roster; they are left out")
		}
		return sectionMember{}, false
	}
	if m.ended(rec, field, e.EndDate) {
		return sectionMember{}, false
	}
	if e.Primary == BoolInvalid {
		m.fieldError(rec, field, "primary", "not true or false; read as false")
	}
	return sectionMember{section: int32(i), user: m.memberUser(user), teacher: role == EnrollmentTeacher, primary: e.Primary == BoolTrue}, true
}

// clipIDs returns arena[start:] with its capacity clipped, so that appending
// to one section's list cannot overwrite the next one's, or nil when it is
// empty.
func clipIDs(arena []string, start int) []string {
	if len(arena) == start {
		return nil
	}
	return arena[start:len(arena):len(arena)]
}
