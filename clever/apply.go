package clever

import (
	"slices"
	"strings"

	"github.com/go-json-experiment/json"

	"github.com/rosterd/rosterd/roster"
)

// applier applies events to a roster the last run fetched, in ID order,
// so that the roster becomes what a crawl would now give. Every record an
// event names is replaced whole from the event's object, mapped exactly
// as the crawl maps it, or removed; applying the same events again
// changes nothing.
type applier struct {
	s *Source
	r *roster.Roster
	m *mapper

	schools  *collection[roster.School]
	terms    *collection[roster.Term]
	courses  *collection[roster.Course]
	sections *collection[roster.Section]
	users    *collection[roster.User]

	// seq numbers the events applied. A deleted user leaves every
	// section's lists, except those of a section replaced after the
	// deletion, whose lists are Clever's word: userDeleted holds the seq
	// of each deletion, sectionSet the seq of each section replaced, by
	// position.
	seq         int
	userDeleted map[string]int
	sectionSet  map[int]int

	// fieldErrs holds the field errors of each record replaced or
	// removed (none for a removal), in the order first touched; the
	// roster's old errors for those records go.
	fieldErrs map[errKey][]roster.FieldError
	errOrder  []errKey

	// applied and skipped count events by type, for the log.
	applied, skipped map[string]int
}

// errKey names the record a field error is about. All user entities are
// one kind: a user's errors go with the user, whatever its roles.
type errKey struct {
	kind roster.Kind
	id   string
}

func newApplier(s *Source, r *roster.Roster) *applier {
	return &applier{
		s:           s,
		r:           r,
		m:           newMapper(r),
		schools:     newCollection(&r.Schools, func(x *roster.School) string { return x.ID }),
		terms:       newCollection(&r.Terms, func(x *roster.Term) string { return x.ID }),
		courses:     newCollection(&r.Courses, func(x *roster.Course) string { return x.ID }),
		sections:    newCollection(&r.Sections, func(x *roster.Section) string { return x.ID }),
		users:       newCollection(&r.Users, func(x *roster.User) string { return x.ID }),
		userDeleted: make(map[string]int),
		sectionSet:  make(map[int]int),
		fieldErrs:   make(map[errKey][]roster.FieldError),
		applied:     make(map[string]int),
		skipped:     make(map[string]int),
	}
}

// apply applies one event. An event of a type rosterd does not roster
// (resources, or one Clever adds later) is counted and skipped. An
// *errFallback means the events cannot be applied at all.
func (a *applier) apply(ev *Event) error {
	collection, action, _ := strings.Cut(ev.Type, ".")
	switch action {
	case "created", "updated", "deleted":
	default:
		a.skipped[ev.Type]++
		return nil
	}
	deleted := action == "deleted"
	a.seq++
	var err error
	switch collection {
	case "districts":
		err = a.district(ev, deleted)
	case "schools":
		err = applyRecord(a, ev, deleted, roster.KindSchools, a.schools,
			func(x *School) string { return x.ID }, func(x *School) roster.School { return x.toRoster(a.m) })
	case "terms":
		err = applyRecord(a, ev, deleted, roster.KindTerms, a.terms,
			func(x *Term) string { return x.ID }, func(x *Term) roster.Term { return x.toRoster(a.m) })
	case "courses":
		err = applyRecord(a, ev, deleted, roster.KindCourses, a.courses,
			func(x *Course) string { return x.ID }, func(x *Course) roster.Course { return x.toRoster(a.m) })
	case "sections":
		err = a.section(ev, deleted)
	case "users":
		err = a.user(ev, deleted)
	default:
		a.skipped[ev.Type]++
		return nil
	}
	if err != nil {
		return err
	}
	a.applied[ev.Type]++
	return nil
}

// decode decodes an event's object into v, which must carry an ID.
func decode[T any](ev *Event, v *T, id func(*T) string) error {
	if err := json.Unmarshal(ev.Data.Object, v, decodeOptions); err != nil {
		return fallback(fallbackBadEvent, "event %s (%s): its object does not decode: %v", ev.ID, ev.Type, err)
	}
	if id(v) == "" {
		return fallback(fallbackBadEvent, "event %s (%s): its object has no id", ev.ID, ev.Type)
	}
	return nil
}

// applyRecord replaces or removes a school, term or course.
func applyRecord[W, R any](a *applier, ev *Event, deleted bool, kind roster.Kind, c *collection[R], id func(*W) string, conv func(*W) R) error {
	var w W
	if err := decode(ev, &w, id); err != nil {
		return err
	}
	if deleted {
		c.remove(id(&w))
		a.setErrors(kind, id(&w), nil)
		return nil
	}
	mark := len(a.m.errs)
	c.put(id(&w), conv(&w))
	a.setErrors(kind, id(&w), a.m.errs[mark:])
	return nil
}

// district replaces the district. An event about another district, or
// the district's deletion, is no change a roster can follow: the run
// crawls in full, and the crawl checks the district.
func (a *applier) district(ev *Event, deleted bool) error {
	var d District
	if err := decode(ev, &d, func(d *District) string { return d.ID }); err != nil {
		return err
	}
	have := a.r.Districts[0].ID
	switch {
	case d.ID != have:
		return fallback(fallbackDistricts, "event %s (%s) is about district %s, not the roster's %s", ev.ID, ev.Type, d.ID, have)
	case deleted:
		return fallback(fallbackDistricts, "event %s: the district was deleted or unshared", ev.ID)
	}
	mark := len(a.m.errs)
	a.r.Districts[0] = d.toRoster(a.m)
	a.setErrors(roster.KindDistricts, d.ID, a.m.errs[mark:])
	return nil
}

// section replaces a section, teachers and students lists whole, or
// removes it.
func (a *applier) section(ev *Event, deleted bool) error {
	var s Section
	if err := decode(ev, &s, func(s *Section) string { return s.ID }); err != nil {
		return err
	}
	if deleted {
		a.sections.remove(s.ID)
		a.setErrors(roster.KindSections, s.ID, nil)
		return nil
	}
	mark := len(a.m.errs)
	rec := a.m.appendSections(nil, []Section{s}, false)[0]
	pos := a.sections.put(s.ID, rec)
	a.sectionSet[pos] = a.seq
	a.setErrors(roster.KindSections, s.ID, a.m.errs[mark:])
	return nil
}

// user replaces a user, or removes it. A user holding none of the roles
// the source fetches is not in a crawl either, so it is removed too (but
// stays in sections, as in a crawl); a deleted user also leaves every
// section.
func (a *applier) user(ev *Event, deleted bool) error {
	var u User
	if err := decode(ev, &u, func(u *User) string { return u.ID }); err != nil {
		return err
	}
	if deleted {
		a.users.remove(u.ID)
		a.userDeleted[u.ID] = a.seq
		a.setErrors(roster.KindUsers, u.ID, nil)
		return nil
	}
	listed, ok := a.s.listedAs(&u)
	if !ok {
		a.users.remove(u.ID)
		a.setErrors(roster.KindUsers, u.ID, nil)
		return nil
	}
	mark := len(a.m.errs)
	a.users.put(u.ID, u.toRoster(a.m, listed))
	a.setErrors(roster.KindUsers, u.ID, a.m.errs[mark:])
	return nil
}

// listedAs returns the first of the source's roles u holds: the listing a
// crawl would first find u in. ok is false when u holds none of them.
func (s *Source) listedAs(u *User) (roster.Role, bool) {
	for _, role := range s.roles {
		var has bool
		switch role {
		case roster.RoleStudent:
			has = u.Roles.Student != nil
		case roster.RoleTeacher:
			has = u.Roles.Teacher != nil
		case roster.RoleStaff:
			has = u.Roles.Staff != nil
		case roster.RoleDistrictAdmin:
			has = u.Roles.DistrictAdmin != nil
		case roster.RoleContact:
			has = u.Roles.Contact != nil
		}
		if has {
			return role, true
		}
	}
	return "", false
}

// setErrors replaces the field errors of one record with errs (copied).
func (a *applier) setErrors(kind roster.Kind, id string, errs []roster.FieldError) {
	k := errKey{kind, id}
	if _, seen := a.fieldErrs[k]; !seen {
		a.errOrder = append(a.errOrder, k)
	}
	a.fieldErrs[k] = slices.Clone(errs)
	if a.fieldErrs[k] == nil {
		a.fieldErrs[k] = []roster.FieldError{}
	}
}

// finish settles the roster: removed records go, sections lose the users
// deleted after they were last replaced, each collection is back in ID
// order, and the field errors are those of the records as they now are.
func (a *applier) finish() {
	if len(a.userDeleted) > 0 {
		for i := range a.r.Sections {
			if a.sections.dead(i) {
				continue
			}
			s := &a.r.Sections[i]
			since := a.sectionSet[i]
			gone := func(id string) bool {
				at, ok := a.userDeleted[id]
				return ok && at > since
			}
			s.Teachers = without(s.Teachers, gone)
			s.Students = without(s.Students, gone)
		}
	}
	a.schools.finish()
	a.terms.finish()
	a.courses.finish()
	a.sections.finish()
	a.users.finish()

	if len(a.errOrder) == 0 {
		return
	}
	kept := a.r.FieldErrors[:0:0]
	for _, fe := range a.r.FieldErrors {
		if _, touched := a.fieldErrs[errKey{kindOf(fe.Entity), fe.ID}]; !touched {
			kept = append(kept, fe)
		}
	}
	for _, k := range a.errOrder {
		kept = append(kept, a.fieldErrs[k]...)
	}
	if len(kept) == 0 {
		kept = nil
	}
	a.r.FieldErrors = kept
}

// kindOf returns the kind of record an entity's field errors are about.
func kindOf(e roster.Entity) roster.Kind {
	switch e {
	case roster.EntityDistrict:
		return roster.KindDistricts
	case roster.EntitySchool:
		return roster.KindSchools
	case roster.EntityTerm:
		return roster.KindTerms
	case roster.EntityCourse:
		return roster.KindCourses
	case roster.EntitySection:
		return roster.KindSections
	}
	return roster.KindUsers
}

// without returns ids less those gone says, as a new slice when any goes
// (a section's lists may share their backing array with other sections').
func without(ids []string, gone func(string) bool) []string {
	if !slices.ContainsFunc(ids, gone) {
		return ids
	}
	out := make([]string, 0, len(ids)-1)
	for _, id := range ids {
		if !gone(id) {
			out = append(out, id)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// collection is one of a roster's record slices being edited by ID. Its
// index is built on first use. A record whose ID the slice holds twice
// (kept for preflight to report) is replaced at its first position and
// removed everywhere.
type collection[T any] struct {
	recs *[]T
	id   func(*T) string

	index map[string]int
	// dups lists the later positions of IDs held more than once.
	dups     map[string][]int
	gone     []bool
	changed  bool
	appended bool
}

func newCollection[T any](recs *[]T, id func(*T) string) *collection[T] {
	return &collection[T]{recs: recs, id: id}
}

func (c *collection[T]) build() {
	if c.index != nil {
		return
	}
	recs := *c.recs
	c.index = make(map[string]int, len(recs))
	c.gone = make([]bool, len(recs))
	for i := range recs {
		id := c.id(&recs[i])
		if _, ok := c.index[id]; ok {
			if c.dups == nil {
				c.dups = make(map[string][]int)
			}
			c.dups[id] = append(c.dups[id], i)
			continue
		}
		c.index[id] = i
	}
}

// put replaces the record id, or adds it, and returns its position.
func (c *collection[T]) put(id string, rec T) int {
	c.build()
	c.changed = true
	if i, ok := c.index[id]; ok {
		(*c.recs)[i] = rec
		return i
	}
	*c.recs = append(*c.recs, rec)
	c.gone = append(c.gone, false)
	c.appended = true
	i := len(*c.recs) - 1
	c.index[id] = i
	return i
}

// remove removes every record id.
func (c *collection[T]) remove(id string) {
	c.build()
	i, ok := c.index[id]
	if !ok {
		return
	}
	c.changed = true
	c.gone[i] = true
	delete(c.index, id)
	for _, j := range c.dups[id] {
		c.gone[j] = true
	}
	delete(c.dups, id)
}

// dead reports whether the record at position i was removed.
func (c *collection[T]) dead(i int) bool { return c.gone != nil && c.gone[i] }

// finish drops the removed records and restores ID order. Records with
// equal IDs keep their order.
func (c *collection[T]) finish() {
	if !c.changed {
		return
	}
	recs := *c.recs
	kept := recs[:0]
	for i := range recs {
		if !c.gone[i] {
			kept = append(kept, recs[i])
		}
	}
	clear(recs[len(kept):])
	if c.appended {
		sortByID(kept, c.id)
	}
	if len(kept) == 0 {
		kept = nil
	}
	*c.recs = kept
	c.index, c.dups, c.gone = nil, nil, nil
	c.changed, c.appended = false, false
}
