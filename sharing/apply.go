package sharing

import (
	"slices"
	"time"

	"github.com/rosterd/rosterd/preflight"
	"github.com/rosterd/rosterd/roster"
)

// ApplyOptions adjust one Apply.
type ApplyOptions struct {
	// Now is the moment term "current" is judged at; zero means time.Now.
	Now time.Time
	// Trace is a user or section ID whose decisions Result.Trace records,
	// for "rosterd rules explain".
	Trace string
	// ConflictPairs, when above zero, fills Result.Conflicts with up to
	// that many of the most frequent pairs of sections a student remains in.
	ConflictPairs int
}

// Result is what Apply did.
type Result struct {
	// Rules counts what each rule kept and dropped, in the order Apply
	// ran them, followed by the drops that follow from the filters.
	Rules []RuleStat
	// Issues are the placement issues (student.multiple_sections,
	// student.no_section) with the severity the rules give them; the run
	// adds them to preflight's.
	Issues []preflight.Issue
	// Placement counts students by the number of sections the rules left
	// them in, before students in no section are dropped.
	Placement Placement
	// Conflicts are the most frequent pairs of sections students remain
	// in together (only when ApplyOptions.ConflictPairs asks).
	Conflicts []Conflict
	// Trace explains what happened to the sections of the traced record;
	// TraceNotes what happened to the traced user itself.
	Trace      []Decision
	TraceNotes []string
}

// RuleStat is what one rule, or one consequence of the rules, did.
type RuleStat struct {
	// Rule is a matcher as the config names it ("sections.include[0]"), a
	// tie-breaker ("one_section_per_student.prefer[1]"), or a consequence
	// ("sections.empty").
	Rule        string
	Description string
	Entity      roster.Entity
	// Kept and Dropped count records (for a tie-breaker: Kept counts the
	// students it narrowed and Dropped the enrollments it removed).
	Kept, Dropped int
}

// Placement counts students by how many sections they are in.
type Placement struct {
	One, None, Several int
}

// Conflict is a pair of sections students remain in together.
type Conflict struct {
	Sections [2]preflight.SectionRef
	Students int
}

// Decision is what the rules did with one section, for the traced record.
type Decision struct {
	Section preflight.SectionRef
	Kept    bool
	Reason  string
}

// Consequence rules: the drops that follow from the filters.
const (
	ruleSchoolsNotIncluded  = "schools.not_included"
	ruleUsersNoSchool       = "users.no_kept_school"
	ruleSectionsNoSchool    = "sections.school_dropped"
	ruleSectionsNotIncluded = "sections.not_included"
	ruleStudentsNotIncluded = "students.not_included"
	ruleTeachersNotIncluded = "teachers.not_included"
	ruleSectionsEmpty       = "sections.empty"
	ruleStudentsUnassigned  = "students.unassigned"
	ruleTeachersUnassigned  = "teachers.unassigned"
	ruleContactsUnrelated   = "contacts.unrelated"
)

var consequenceDescriptions = map[string]string{
	ruleSchoolsNotIncluded:  "schools no include matcher matched",
	ruleUsersNoSchool:       "users in no kept school",
	ruleSectionsNoSchool:    "sections of a dropped school",
	ruleSectionsNotIncluded: "sections no include matcher matched",
	ruleStudentsNotIncluded: "students no include matcher matched",
	ruleTeachersNotIncluded: "teachers no include matcher matched",
	ruleSectionsEmpty:       "sections left with no student",
	ruleStudentsUnassigned:  "students left in no section",
	ruleTeachersUnassigned:  "teachers left teaching no section",
	ruleContactsUnrelated:   "contacts of no kept student",
}

// active reports whether any rule narrows the roster; without one,
// nothing follows from the filters and Apply only minimises.
func (r *Rules) active() bool {
	return r.schools.configured() || r.sections.configured() || r.students.configured() ||
		r.teachers.configured() || r.oneSection != nil
}

// Minimise drops, in place, the user fields the rules do not keep, and
// returns the number of values it dropped. It runs before anything keeps
// the fetched roster; Apply expects a minimised roster.
func (r *Rules) Minimise(ro *roster.Roster) int {
	if r == nil || r.minimise == nil {
		return 0
	}
	return r.minimise.apply(ro.Users)
}

// Apply narrows ro (minimised first) in place and says what it did. A nil
// *Rules changes nothing and only counts placements.
func (r *Rules) Apply(ro *roster.Roster, opts ApplyOptions) *Result {
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	a := &applier{ro: ro, opts: opts, res: &Result{}, stats: map[string]*RuleStat{}}
	if r == nil {
		r = &Rules{}
	}
	a.rules = r
	a.ix = newIndex(ro, r.Day(now))
	a.userKeep = make([]bool, len(ro.Users))
	for i := range a.userKeep {
		a.userKeep[i] = true
	}
	a.sectionKeep = make([]bool, len(ro.Sections))
	a.keptBy = make([]string, len(ro.Sections))
	for i := range a.sectionKeep {
		a.sectionKeep[i] = true
	}
	a.declareStats()

	a.filterSchools()
	a.filterUsers()
	a.filterSections()
	counts := a.placeStudents()
	if r.active() {
		a.dropUnplaced(counts)
	}
	a.compact()
	for _, name := range a.order {
		a.res.Rules = append(a.res.Rules, *a.stats[name])
	}
	return a.res
}

// Day returns the date Apply, run at now, judges terms current on: now's
// date in the rules' time zone. Apply reads no other clock, so two runs on
// the same Day over the same roster give the same result.
func (r *Rules) Day(now time.Time) roster.Date {
	loc := time.Local
	if r != nil && r.location != nil {
		loc = r.location
	}
	now = now.In(loc)
	return roster.Date{Year: int16(now.Year()), Month: uint8(now.Month()), Day: uint8(now.Day())}
}

// applier is the state of one Apply.
type applier struct {
	rules *Rules
	ro    *roster.Roster
	opts  ApplyOptions
	ix    *index
	res   *Result

	userKeep    []bool
	sectionKeep []bool
	// enrolled lists the kept students of kept sections, by position, as
	// filterSections leaves them.
	enrolled   enrollments
	keptBy     []string        // the include matcher that kept each section
	schoolKept map[string]bool // nil: no school filter
	trace      map[int]int     // section index → index in res.Trace

	stats map[string]*RuleStat
	order []string
}

func (a *applier) declareStats() {
	declare := func(rule, desc string, e roster.Entity) {
		a.stats[rule] = &RuleStat{Rule: rule, Description: desc, Entity: e}
		a.order = append(a.order, rule)
	}
	r := a.rules
	for _, f := range []*filter{&r.schools, &r.students, &r.teachers, &r.sections} {
		for _, m := range slices.Concat(f.include, f.exclude) {
			declare(m.rule, m.String(), m.kind.entity())
		}
	}
	if o := r.oneSection; o != nil {
		for _, p := range o.prefer {
			desc := "lowest period"
			if p.matcher != nil {
				desc = p.matcher.String()
			}
			declare(p.rule, desc, roster.EntityStudent)
		}
	}
	for _, c := range []struct {
		rule string
		e    roster.Entity
		on   bool
	}{
		{ruleSchoolsNotIncluded, roster.EntitySchool, len(r.schools.include) > 0},
		{ruleUsersNoSchool, roster.EntityStudent, r.schools.configured()},
		{ruleSectionsNoSchool, roster.EntitySection, r.schools.configured()},
		{ruleStudentsNotIncluded, roster.EntityStudent, len(r.students.include) > 0},
		{ruleTeachersNotIncluded, roster.EntityTeacher, len(r.teachers.include) > 0},
		{ruleSectionsNotIncluded, roster.EntitySection, len(r.sections.include) > 0},
		{ruleSectionsEmpty, roster.EntitySection, r.active() && !r.keepEmptySections},
		{ruleStudentsUnassigned, roster.EntityStudent, r.active() && !r.keepUnassignedStudents},
		{ruleTeachersUnassigned, roster.EntityTeacher, r.active() && !r.keepUnassignedTeachers},
		{ruleContactsUnrelated, roster.EntityContact, r.active()},
	} {
		if c.on {
			declare(c.rule, consequenceDescriptions[c.rule], c.e)
		}
	}
}

// decide runs a filter on rec: kept when an include matcher matches (or
// there is none) and no exclude matcher does. rule is the matcher that
// decided, or the consequence rule when no include matched.
func (a *applier) decide(f *filter, notIncluded string, rec any) (kept bool, rule string) {
	kept = len(f.include) == 0
	for _, m := range f.include {
		if m.matches(rec, a.ix) {
			kept, rule = true, m.rule
			break
		}
	}
	if !kept {
		a.stats[notIncluded].Dropped++
		return false, notIncluded
	}
	for _, m := range f.exclude {
		if m.matches(rec, a.ix) {
			a.stats[m.rule].Dropped++
			return false, m.rule
		}
	}
	if rule != "" {
		a.stats[rule].Kept++
	}
	return true, rule
}

func (a *applier) filterSchools() {
	f := &a.rules.schools
	if !f.configured() {
		return
	}
	a.schoolKept = make(map[string]bool, len(a.ro.Schools))
	for i := range a.ro.Schools {
		s := &a.ro.Schools[i]
		if kept, _ := a.decide(f, ruleSchoolsNotIncluded, s); kept {
			a.schoolKept[s.ID] = true
		}
	}
	// Users go with their schools: a user none of whose schools is kept
	// leaves, and the others forget the schools that went.
	for i := range a.ro.Users {
		u := &a.ro.Users[i]
		schools := u.Schools()
		if len(schools) == 0 {
			continue // district admins and contacts belong to no school
		}
		if !slices.ContainsFunc(schools, func(id string) bool { return a.schoolKept[id] }) {
			a.userKeep[i] = false
			a.stats[ruleUsersNoSchool].Dropped++
			a.note(i, "dropped: none of the user's schools is kept by the school rules")
			continue
		}
		a.pruneSchools(u)
	}
}

// pruneSchools drops the schools that are not kept from u's roles; a
// primary school that is not kept gives way to the first kept one.
func (a *applier) pruneSchools(u *roster.User) {
	kept := func(ids []string) []string {
		return slices.DeleteFunc(ids, func(id string) bool { return !a.schoolKept[id] })
	}
	primary := func(p string, schools []string) string {
		if a.schoolKept[p] || len(schools) == 0 {
			return p
		}
		return schools[0]
	}
	if s := u.Roles.Student; s != nil {
		s.Schools = kept(s.Schools)
		s.School = primary(s.School, s.Schools)
	}
	if t := u.Roles.Teacher; t != nil {
		t.Schools = kept(t.Schools)
		t.School = primary(t.School, t.Schools)
	}
	if s := u.Roles.Staff; s != nil {
		s.Schools = kept(s.Schools)
	}
}

func (a *applier) filterUsers() {
	r := a.rules
	if !r.students.configured() && !r.teachers.configured() {
		return
	}
	for i := range a.ro.Users {
		if !a.userKeep[i] {
			continue
		}
		u := &a.ro.Users[i]
		if u.Roles.Student != nil && r.students.configured() {
			if kept, rule := a.decide(&r.students, ruleStudentsNotIncluded, u); !kept {
				u.Roles.Student = nil
				a.note(i, "student dropped by "+rule+" "+a.stats[rule].Description)
			}
		}
		if u.Roles.Teacher != nil && r.teachers.configured() {
			if kept, rule := a.decide(&r.teachers, ruleTeachersNotIncluded, u); !kept {
				u.Roles.Teacher = nil
				a.note(i, "teacher role dropped by "+rule+" "+a.stats[rule].Description)
			}
		}
		if u.PrimaryRole() == "" {
			a.userKeep[i] = false
		}
	}
}

// holds reports whether the roster holds user id (known) and whether it
// is still kept in role. An ID the roster does not hold stays wherever it
// is referenced, for preflight to report as a dangling reference.
func (a *applier) holds(id string, role roster.Role) (known, kept bool) {
	p, ok := a.ix.userPos.Get(id)
	if !ok {
		return false, false
	}
	return true, a.userKeep[p] && a.ro.Users[p].Roles.Has(role)
}

func (a *applier) filterSections() {
	f := &a.rules.sections
	for i := range a.ro.Sections {
		s := &a.ro.Sections[i]
		traced := a.opts.Trace != "" && (s.ID == a.opts.Trace || slices.Contains(s.Students, a.opts.Trace) || slices.Contains(s.Teachers, a.opts.Trace))
		kept, rule := true, ""
		switch {
		case a.schoolKept != nil && !a.schoolKept[s.School]:
			kept, rule = false, ruleSectionsNoSchool
			a.stats[ruleSectionsNoSchool].Dropped++
		case f.configured():
			kept, rule = a.decide(f, ruleSectionsNotIncluded, s)
		}
		a.sectionKeep[i] = kept
		if kept {
			a.keptBy[i] = rule
		}
		if traced {
			a.traceSection(i, kept, a.reason(kept, rule))
		}
	}
	// Members are filtered once every section is decided, which reads
	// each section as fetched either way, so that the enrollments can be
	// sized to the kept sections.
	n := 0
	for i := range a.ro.Sections {
		if a.sectionKeep[i] {
			n += len(a.ro.Sections[i].Students)
		}
	}
	a.enrolled = enrollments{students: make([]int32, 0, n), start: make([]int32, len(a.ro.Sections)+1)}
	for i := range a.ro.Sections {
		if !a.sectionKeep[i] {
			a.enrolled.start[i+1] = int32(len(a.enrolled.students))
			continue
		}
		s := &a.ro.Sections[i]
		s.Students = a.keepStudents(s.Students)
		a.enrolled.start[i+1] = int32(len(a.enrolled.students))
		s.Teachers = slices.DeleteFunc(s.Teachers, func(id string) bool {
			known, held := a.holds(id, roster.RoleTeacher)
			return known && !held
		})
	}
}

// keepStudents drops from ids, the students of the kept section filtered
// next, those the rules dropped or who are not students, and records an
// enrollment for each one left that is a fetched user. Placing students
// reads those enrollments rather than looking every student up by ID
// again: at XL that is 5.2M lookups.
func (a *applier) keepStudents(ids []string) []string {
	kept := ids[:0]
	for _, id := range ids {
		p, known := a.ix.userPos.Get(id)
		if known && !(a.userKeep[p] && a.ro.Users[p].Roles.Student != nil) {
			continue
		}
		kept = append(kept, id)
		if known {
			a.enrolled.students = append(a.enrolled.students, p)
		}
	}
	clear(ids[len(kept):])
	return kept
}

func (a *applier) reason(kept bool, rule string) string {
	switch {
	case kept && rule == "":
		return "kept: no section rule applies to it"
	case kept:
		return "kept by " + rule + " " + a.stats[rule].Description
	case rule == ruleSectionsNoSchool:
		return "dropped: its school is not kept by the school rules"
	case rule == ruleSectionsNotIncluded:
		return "dropped: no sections.include matcher matches it"
	default:
		return "dropped by " + rule + " " + a.stats[rule].Description
	}
}

// note records what happened to user p when it is the traced record.
func (a *applier) note(p int, what string) {
	if a.opts.Trace != "" && a.ro.Users[p].ID == a.opts.Trace {
		a.res.TraceNotes = append(a.res.TraceNotes, what)
	}
}

func (a *applier) traceSection(i int, kept bool, reason string) {
	if a.trace == nil {
		a.trace = map[int]int{}
	}
	a.trace[i] = len(a.res.Trace)
	a.res.Trace = append(a.res.Trace, Decision{Section: a.sectionRef(i), Kept: kept, Reason: reason})
}

// retrace updates the traced decision of section i, when it is traced.
func (a *applier) retrace(i int, kept bool, reason string) {
	if t, ok := a.trace[i]; ok {
		a.res.Trace[t].Kept = kept
		a.res.Trace[t].Reason = reason
	}
}

func (a *applier) sectionRef(i int) preflight.SectionRef {
	s := &a.ro.Sections[i]
	return preflight.SectionRef{
		ID: s.ID, SISID: s.SISID, Name: s.Name, Subject: s.Subject, Period: s.Period,
		Teacher: s.PrimaryTeacher(), KeptBy: a.keptBy[i],
	}
}

// compact removes every dropped record from the roster, in place, and the
// field errors of records that went with them.
func (a *applier) compact() {
	ro := a.ro
	keptSection := map[string]bool{}
	keptUser := map[string]bool{}
	withErrors := len(ro.FieldErrors) > 0
	n := 0
	for i := range ro.Sections {
		if a.sectionKeep[i] {
			if withErrors {
				keptSection[ro.Sections[i].ID] = true
			}
			ro.Sections[n] = ro.Sections[i]
			n++
		}
	}
	clear(ro.Sections[n:])
	ro.Sections = ro.Sections[:n]
	n = 0
	for i := range ro.Users {
		if a.userKeep[i] {
			if withErrors {
				keptUser[ro.Users[i].ID] = true
			}
			ro.Users[n] = ro.Users[i]
			n++
		}
	}
	clear(ro.Users[n:])
	ro.Users = ro.Users[:n]
	if a.schoolKept != nil {
		ro.Schools = slices.DeleteFunc(ro.Schools, func(s roster.School) bool { return !a.schoolKept[s.ID] })
	}
	if withErrors {
		ro.FieldErrors = slices.DeleteFunc(ro.FieldErrors, func(fe roster.FieldError) bool {
			switch {
			case fe.Entity == roster.EntitySection:
				return !keptSection[fe.ID]
			case fe.Entity == roster.EntitySchool && a.schoolKept != nil:
				return !a.schoolKept[fe.ID]
			case slices.Contains(roster.UserEntities, fe.Entity):
				return !keptUser[fe.ID]
			}
			return false
		})
	}
}
