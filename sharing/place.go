package sharing

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/rosterd/rosterd/internal/idindex"
	"github.com/rosterd/rosterd/preflight"
	"github.com/rosterd/rosterd/roster"
)

// Placement issue codes; preflight knows them and their hints.
const (
	codeMultipleSections = "student.multiple_sections"
	codeNoSection        = "student.no_section"
)

// maxSectionsPerIssue caps the sections one issue lists: a student in 40
// sections needs a rule, not a list of 40.
const maxSectionsPerIssue = 20

func newIndex(ro *roster.Roster, today roster.Date) *index {
	ix := &index{
		schools:      make(map[string]*roster.School, len(ro.Schools)),
		courses:      make(map[string]*roster.Course, len(ro.Courses)),
		terms:        make(map[string]*roster.Term, len(ro.Terms)),
		currentTerms: map[string]bool{},
		users:        &ro.Users,
	}
	for i := range ro.Schools {
		ix.schools[ro.Schools[i].ID] = &ro.Schools[i]
	}
	for i := range ro.Courses {
		ix.courses[ro.Courses[i].ID] = &ro.Courses[i]
	}
	for i := range ro.Terms {
		t := &ro.Terms[i]
		ix.terms[t.ID] = t
		if t.Contains(today) {
			ix.currentTerms[t.ID] = true
		}
	}
	ix.userPos = idindex.New(len(ro.Users), func(p int32) string { return (*ix.users)[p].ID })
	for i := range ro.Users {
		ix.userPos.Add(ro.Users[i].ID, int32(i))
	}
	return ix
}

// placeStudents counts each kept student's kept sections, narrows those in
// several with the tie-breakers, and reports the students left in several
// or in none. It returns the number of sections each user is in as a
// student.
func (a *applier) placeStudents() []int32 {
	ro := a.ro
	counts := make([]int32, len(ro.Users))
	enrolled := a.enrolled
	a.enrolled = enrollments{}
	for _, p := range enrolled.students {
		counts[p]++
	}
	// Without a one-section rule to narrow them, or conflicts to report,
	// the sections of students in several change nothing, and listing them
	// took 28 MB at XL.
	if a.rules.oneSection != nil || a.opts.ConflictPairs > 0 {
		a.placeSeveral(enrolled, counts)
	}

	for p := range ro.Users {
		if !a.userKeep[p] || ro.Users[p].Roles.Student == nil {
			continue
		}
		switch counts[p] {
		case 0:
			a.res.Placement.None++
			if a.rules.oneSection != nil {
				a.reportNone(int32(p))
			}
		case 1:
			a.res.Placement.One++
		default:
			a.res.Placement.Several++
		}
	}
	return counts
}

// enrollments are the kept students of kept sections, by position: those
// of section i are students[start[i]:start[i+1]], 20 MB at XL where a
// (section, student) pair each took 40.
type enrollments struct {
	students []int32
	start    []int32 // len(sections)+1
}

// placeSeveral narrows the sections of each student in several (counts
// above 1) with the tie-breakers, taking the student out of the sections
// left behind, and reports those still in several. counts are each
// user's sections, enrolled's; a student narrowed to one is counted in
// one.
func (a *applier) placeSeveral(enrolled enrollments, counts []int32) {
	ro := a.ro
	// Only students in several sections need their list: one flat array
	// holds every such list in student order (sections in roster order
	// within each), since a map of a million small slices was most of
	// what placing an XL district's students cost.
	start := make([]int32, len(counts)+1)
	for p, c := range counts {
		start[p+1] = start[p]
		if c > 1 {
			start[p+1] += c
		}
	}
	flat := make([]int32, start[len(counts)])
	next := slices.Clone(start[:len(counts)])
	for si := range ro.Sections {
		for _, p := range enrolled.students[enrolled.start[si]:enrolled.start[si+1]] {
			if counts[p] > 1 {
				flat[next[p]] = int32(si)
				next[p]++
			}
		}
	}
	enrolled, next = enrollments{}, nil
	sectionsOf := func(p int32) []int32 { return flat[start[p]:start[p+1]:start[p+1]] }

	o := a.rules.oneSection
	remove := map[int32][]string{} // section → students to take out
	pairs := map[[2]int32]int{}
	for p, c := range counts {
		if c <= 1 {
			continue
		}
		p := int32(p)
		secs := sectionsOf(p)
		left := secs
		if o != nil {
			left = a.narrow(p, secs)
		}
		if len(left) == 1 {
			for _, si := range secs {
				if si != left[0] {
					remove[si] = append(remove[si], ro.Users[p].ID)
				}
			}
			counts[p] = 1
			continue
		}
		if a.opts.ConflictPairs > 0 {
			for i := range left {
				for j := i + 1; j < len(left); j++ {
					pairs[[2]int32{left[i], left[j]}]++
				}
			}
		}
		if o != nil {
			a.reportSeveral(p, left)
		}
	}
	for si, ids := range remove {
		s := &ro.Sections[si]
		s.Students = slices.DeleteFunc(s.Students, func(id string) bool { return slices.Contains(ids, id) })
	}
	a.res.Conflicts = a.topConflicts(pairs)
}

// narrow applies the tie-breakers in order to student p's sections and
// returns those left.
func (a *applier) narrow(p int32, secs []int32) []int32 {
	left := secs
	traced := a.ro.Users[p].ID == a.opts.Trace
	for _, pref := range a.rules.oneSection.prefer {
		if len(left) == 1 {
			break
		}
		var kept []int32
		if pref.lowestPeriod {
			kept = a.lowestPeriod(left)
		} else {
			for _, si := range left {
				if pref.matcher.matches(&a.ro.Sections[si], a.ix) {
					kept = append(kept, si)
				}
			}
		}
		if len(kept) == 0 || len(kept) == len(left) {
			continue // a tie-breaker that prefers none, or all, decides nothing
		}
		st := a.stats[pref.rule]
		st.Kept++
		st.Dropped += len(left) - len(kept)
		if traced {
			for _, si := range left {
				if !slices.Contains(kept, si) {
					a.retrace(int(si), false, "student taken out: "+pref.rule+" "+st.Description+" prefers another section")
				}
			}
		}
		left = kept
	}
	if traced && len(left) == 1 {
		a.retrace(int(left[0]), true, "kept: the one section left after one_section_per_student")
	}
	return left
}

// lowestPeriod keeps the sections with the lowest numeric period; a
// period that is not a number sorts last.
func (a *applier) lowestPeriod(secs []int32) []int32 {
	period := func(si int32) int {
		s := strings.TrimSpace(a.ro.Sections[si].Period)
		if n, err := strconv.Atoi(s); err == nil {
			return n
		}
		return math.MaxInt
	}
	low := math.MaxInt
	for _, si := range secs {
		low = min(low, period(si))
	}
	if low == math.MaxInt {
		return secs
	}
	var out []int32
	for _, si := range secs {
		if period(si) == low {
			out = append(out, si)
		}
	}
	return out
}

func (a *applier) reportSeveral(p int32, left []int32) {
	u := &a.ro.Users[p]
	sev := preflight.SeverityWarning
	if a.rules.oneSection.required {
		sev = preflight.SeverityError
	}
	refs := make([]preflight.SectionRef, 0, min(len(left), maxSectionsPerIssue))
	var names []string
	for _, si := range left[:min(len(left), maxSectionsPerIssue)] {
		ref := a.sectionRef(int(si))
		refs = append(refs, ref)
		names = append(names, describeRef(ref))
	}
	msg := fmt.Sprintf("in %d sections after the sharing rules: %s", len(left), strings.Join(names, "; "))
	if len(left) > maxSectionsPerIssue {
		msg += fmt.Sprintf("; and %d more", len(left)-maxSectionsPerIssue)
	}
	a.res.Issues = append(a.res.Issues, preflight.Issue{
		Severity: sev, Code: codeMultipleSections, Entity: roster.EntityStudent,
		ID: u.ID, SISID: u.SISID(), Field: "sections", Message: msg, Sections: refs,
	})
}

func (a *applier) reportNone(p int32) {
	u := &a.ro.Users[p]
	sev := preflight.SeverityWarning
	if a.rules.oneSection.requireSection {
		sev = preflight.SeverityError
	}
	a.res.Issues = append(a.res.Issues, preflight.Issue{
		Severity: sev, Code: codeNoSection, Entity: roster.EntityStudent,
		ID: u.ID, SISID: u.SISID(), Field: "sections", Message: "in no section after the sharing rules",
	})
}

// describeRef names a section for a message: its ID, then what tells it
// apart from its rivals.
func describeRef(r preflight.SectionRef) string {
	var parts []string
	if r.Name != "" {
		parts = append(parts, fmt.Sprintf("%q", r.Name))
	}
	if r.Subject != "" {
		parts = append(parts, r.Subject)
	}
	if r.Period != "" {
		parts = append(parts, "period "+r.Period)
	}
	if r.Teacher != "" {
		parts = append(parts, "teacher "+r.Teacher)
	}
	if r.KeptBy != "" {
		parts = append(parts, "kept by "+r.KeptBy)
	}
	return r.ID + " (" + strings.Join(parts, ", ") + ")"
}

func (a *applier) topConflicts(pairs map[[2]int32]int) []Conflict {
	if len(pairs) == 0 {
		return nil
	}
	keys := make([][2]int32, 0, len(pairs))
	for k := range pairs {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(x, y [2]int32) int {
		return cmp.Or(cmp.Compare(pairs[y], pairs[x]), cmp.Compare(x[0], y[0]), cmp.Compare(x[1], y[1]))
	})
	keys = keys[:min(len(keys), a.opts.ConflictPairs)]
	out := make([]Conflict, len(keys))
	for i, k := range keys {
		out[i] = Conflict{Sections: [2]preflight.SectionRef{a.sectionRef(int(k[0])), a.sectionRef(int(k[1]))}, Students: pairs[k]}
	}
	return out
}

// dropUnplaced drops what the filters left with nothing: sections with no
// student, students in no section, teachers teaching no section, and
// contacts of no kept student.
func (a *applier) dropUnplaced(counts []int32) {
	r, ro := a.rules, a.ro
	if !r.keepEmptySections {
		for si := range ro.Sections {
			if a.sectionKeep[si] && len(ro.Sections[si].Students) == 0 {
				a.sectionKeep[si] = false
				a.stats[ruleSectionsEmpty].Dropped++
				if t, ok := a.trace[si]; ok && a.res.Trace[t].Kept {
					a.retrace(si, false, "dropped: no student left in it after the rules")
				}
			}
		}
	}
	teaching := make([]bool, len(ro.Users))
	for si := range ro.Sections {
		if !a.sectionKeep[si] {
			continue
		}
		for _, id := range ro.Sections[si].Teachers {
			if p, ok := a.ix.userPos.Get(id); ok {
				teaching[p] = true
			}
		}
	}
	for p := range ro.Users {
		if !a.userKeep[p] {
			continue
		}
		u := &ro.Users[p]
		if u.Roles.Student != nil && counts[p] == 0 && !r.keepUnassignedStudents {
			a.userKeep[p] = false
			a.stats[ruleStudentsUnassigned].Dropped++
			a.note(p, "student dropped: in no section after the rules")
			continue
		}
		if u.Roles.Teacher != nil && !teaching[p] && !r.keepUnassignedTeachers {
			u.Roles.Teacher = nil
			a.stats[ruleTeachersUnassigned].Dropped++
			a.note(p, "teacher role dropped: teaches no section after the rules")
			if u.PrimaryRole() == "" {
				a.userKeep[p] = false
			}
		}
	}
	a.dropUnrelatedContacts()
}

// dropUnrelatedContacts drops the relationships to students that went,
// and contacts left with none.
func (a *applier) dropUnrelatedContacts() {
	for p := range a.ro.Users {
		c := a.ro.Users[p].Roles.Contact
		if !a.userKeep[p] || c == nil || len(c.Relationships) == 0 {
			continue
		}
		c.Relationships = slices.DeleteFunc(c.Relationships, func(rel roster.Relationship) bool {
			known, kept := a.holds(rel.Student, roster.RoleStudent)
			return known && !kept
		})
		if len(c.Relationships) == 0 {
			a.userKeep[p] = false
			a.stats[ruleContactsUnrelated].Dropped++
		}
	}
}
