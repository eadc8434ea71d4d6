package main

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/rosterd/rosterd/roster"
)

// benchChange says what changeDistrict changed: how many students of each
// kind of change, and how many records a sync of the changed district
// should add, update or delete.
type benchChange struct {
	Students  int `json:"students"`  // students changed, new ones included
	Renamed   int `json:"renamed"`   // students whose last name changed
	Regraded  int `json:"regraded"`  // students moved up or down a grade
	Moved     int `json:"moved"`     // students who left a section for another of its course
	Enrolled  int `json:"enrolled"`  // new students, in the sections of a classmate
	Withdrawn int `json:"withdrawn"` // students gone, from their sections too

	// Records counts the distinct records changed: the students above,
	// the sections they joined or left, and the contacts of withdrawn
	// students (updated, or deleted when they had no other student).
	Records  int `json:"records"`
	Sections int `json:"sections"`
	Contacts int `json:"contacts"`
}

func (c benchChange) String() string {
	return fmt.Sprintf("%s (%d renamed, %d regraded, %d moved to another section, %d new, %d withdrawn): %d records to sync, %s, %s and %s",
		plural(c.Students, "student"), c.Renamed, c.Regraded, c.Moved, c.Enrolled, c.Withdrawn, c.Records,
		plural(c.Records-c.Sections-c.Contacts, "student"), plural(c.Sections, "section"), plural(c.Contacts, "contact"))
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// The mix of a change, as shares of the students changed once each kind
// has had one: mostly corrections (names, grades), some schedule changes,
// few arrivals and departures, as a night's SIS changes in term time go.
// Withdrawals stay far below the default guard of a tenth of the
// students, whatever the share changed.
const (
	changeMoveShare     = 0.20
	changeRegradeShare  = 0.20
	changeEnrollShare   = 0.05
	changeWithdrawShare = 0.05
)

// changeDistrict changes share (0..1] of r's students in place,
// deterministically from seed, as a source would between two syncs:
// renames, grade changes, section moves, new students and withdrawals,
// each student changed at most once. Every changed record gets a
// LastModified a day after the newest one in r. The result still passes
// preflight's default checks and guards: every reference resolves, every
// student stays in at least one section and in as many homerooms as
// before, and no section or school is deleted.
func changeDistrict(r *roster.Roster, share float64, seed int64) benchChange {
	c := &changer{
		r: r, rng: splitmixRNG{state: uint64(seed)*0x9e3779b97f4a7c15 ^ 0x6368616e6765},
		touched: map[string]bool{}, changed: map[string]bool{},
	}
	for i := range r.Users {
		if r.Users[i].Roles.Student != nil {
			c.students = append(c.students, int32(i))
		}
		c.stamp = later(c.stamp, r.Users[i].LastModified)
	}
	for i := range r.Sections {
		c.stamp = later(c.stamp, r.Sections[i].LastModified)
	}
	c.stamp = c.stamp.Add(24 * time.Hour)

	n := int(math.Round(share * float64(len(c.students))))
	if share > 0 && len(c.students) > 0 {
		n = max(n, 1)
	}
	plan := changePlan(n)
	c.moves(plan.moves)
	c.regrade(plan.regrades)
	c.enroll(plan.enrolls)
	c.withdraw(plan.withdrawals)
	// Renames last: any student left untouched can take a new name, so
	// the kinds that need a particular student cannot starve it.
	c.rename(n - c.sum.Moved - c.sum.Regraded - c.sum.Enrolled - c.sum.Withdrawn)
	c.apply()

	c.sum.Students = c.sum.Renamed + c.sum.Regraded + c.sum.Moved + c.sum.Enrolled + c.sum.Withdrawn
	c.sum.Records = len(c.changed)
	return c.sum
}

// changeCounts is how many students each kind of change should take;
// renames take the rest.
type changeCounts struct{ moves, regrades, enrolls, withdrawals int }

// changePlan splits n changed students: one rename, move, regrade, new
// student and withdrawal while n lasts, in that order, then the rest by
// the change* shares.
func changePlan(n int) changeCounts {
	one := func(k int) int {
		if n > k {
			return 1
		}
		return 0
	}
	rest := float64(max(0, n-5))
	return changeCounts{
		moves:       one(1) + int(rest*changeMoveShare),
		regrades:    one(2) + int(rest*changeRegradeShare),
		enrolls:     one(3) + int(rest*changeEnrollShare),
		withdrawals: one(4) + int(rest*changeWithdrawShare),
	}
}

// changer holds one changeDistrict call's state.
type changer struct {
	r        *roster.Roster
	rng      splitmixRNG
	stamp    time.Time
	students []int32         // indices into r.Users, shuffled as they are drawn
	drawn    int             // students[:drawn] have been drawn
	touched  map[string]bool // IDs of the students changed, or copied
	changed  map[string]bool // IDs of the records changed
	sum      benchChange

	// templates maps an existing student's ID to the new students who
	// join each of that student's sections; withdrawn holds the IDs of
	// the students who leave.
	templates map[string][]string
	withdrawn map[string]bool
}

// draw returns an untouched student, drawn without replacement, and
// false once every student has been drawn.
func (c *changer) draw() (int32, bool) {
	for c.drawn < len(c.students) {
		j := c.drawn + c.rng.intn(len(c.students)-c.drawn)
		c.students[c.drawn], c.students[j] = c.students[j], c.students[c.drawn]
		i := c.students[c.drawn]
		c.drawn++
		if !c.touched[c.r.Users[i].ID] {
			return i, true
		}
	}
	return 0, false
}

func (c *changer) mark(id string) { c.changed[id] = true }

func (c *changer) touchUser(u *roster.User) {
	u.LastModified = c.stamp
	c.mark(u.ID)
}

func (c *changer) touchSection(s *roster.Section) {
	s.LastModified = c.stamp
	if !c.changed[s.ID] {
		c.sum.Sections++
	}
	c.mark(s.ID)
}

// any returns a student, changed or not, to borrow a name from.
func (c *changer) any() *roster.User { return &c.r.Users[c.students[c.rng.intn(len(c.students))]] }

// rename gives n students a double-barrelled last name.
func (c *changer) rename(n int) {
	for range n {
		i, ok := c.draw()
		if !ok {
			return
		}
		u := &c.r.Users[i]
		u.Name.Last = u.Name.Last + "-" + c.any().Name.Last
		c.touched[u.ID] = true
		c.touchUser(u)
		c.sum.Renamed++
	}
}

// regrade moves n students up or down a grade that their school has.
func (c *changer) regrade(n int) {
	grades := map[string]map[string]bool{}
	for _, i := range c.students {
		st := c.r.Users[i].Roles.Student
		if grades[st.School] == nil {
			grades[st.School] = map[string]bool{}
		}
		grades[st.School][st.Grade] = true
	}
	for tries := 0; c.sum.Regraded < n && tries < 4*n+16; tries++ {
		i, ok := c.draw()
		if !ok {
			return
		}
		st := c.r.Users[i].Roles.Student
		g, ok := gradeIndex(st.Grade)
		if !ok {
			continue
		}
		step := 1
		if c.rng.intn(2) == 0 {
			step = -1
		}
		to, ok := -1, false
		for _, d := range []int{step, -step} {
			if k := g + d; k >= 0 && k < len(benchGrades) && grades[st.School][benchGrades[k]] {
				to, ok = k, true
				break
			}
		}
		if !ok {
			continue
		}
		// Roles share nothing between students, so the role can change in
		// place; its demographics may be shared, so they change on a copy.
		if d := st.Demo(); d.GraduationYear != "" {
			if y, err := strconv.Atoi(d.GraduationYear); err == nil {
				d.GraduationYear = strconv.Itoa(y - (to - g))
				st.SetDemo(d)
			}
		}
		st.Grade = benchGrades[to]
		c.touched[c.r.Users[i].ID] = true
		c.touchUser(&c.r.Users[i])
		c.sum.Regraded++
	}
}

// benchGrades are Clever's grades in order.
var benchGrades = []string{"PreKindergarten", "Kindergarten", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"}

func gradeIndex(grade string) (int, bool) {
	i := slices.Index(benchGrades, grade)
	return i, i >= 0
}

// moves moves n students from one section to another of the same course,
// term and school that they are not in: a schedule change.
func (c *changer) moves(n int) {
	type key struct{ school, course, term string }
	groups := map[key][]int{}
	for i := range c.r.Sections {
		s := &c.r.Sections[i]
		k := key{s.School, s.Course, s.Term}
		groups[k] = append(groups[k], i)
	}
	var from []int
	for _, g := range groups {
		if len(g) > 1 {
			from = append(from, g...)
		}
	}
	if len(from) == 0 {
		return
	}
	slices.Sort(from) // map order is random; the change must not be
	for tries := 0; c.sum.Moved < n && tries < 8*n+16; tries++ {
		a := &c.r.Sections[from[c.rng.intn(len(from))]]
		if len(a.Students) == 0 {
			continue
		}
		sib := groups[key{a.School, a.Course, a.Term}]
		b := &c.r.Sections[sib[c.rng.intn(len(sib))]]
		id := a.Students[c.rng.intn(len(a.Students))]
		if b == a || c.touched[id] || slices.Contains(b.Students, id) {
			continue
		}
		a.Students = slices.DeleteFunc(a.Students, func(s string) bool { return s == id })
		b.Students = append(slices.Clip(b.Students), id)
		c.touched[id] = true
		c.touchSection(a)
		c.touchSection(b)
		c.sum.Moved++
	}
}

// enroll adds n new students, each to the school, grade and sections of
// an existing student, with IDs that sort after every existing one, as a
// source mints them.
func (c *changer) enroll(n int) {
	c.templates = map[string][]string{}
	last := maxID(c.r)
	for k := range n {
		t, ok := c.draw()
		if !ok {
			return
		}
		tmpl := &c.r.Users[t]
		c.touched[tmpl.ID] = true
		ts := tmpl.Roles.Student
		sis := strconv.Itoa(900_000_000 + k)
		st := &roster.Student{
			SISID: sis, StudentNumber: sis, Grade: ts.Grade, School: ts.School,
			Schools: slices.Clone(ts.Schools), DOB: ts.DOB,
		}
		st.SetDemo(roster.Demographics{GraduationYear: ts.Demo().GraduationYear})
		u := roster.User{
			ID:           newerID(last, k+1),
			District:     tmpl.District,
			Name:         roster.Name{First: c.any().Name.First, Last: c.any().Name.Last},
			Roles:        roster.Roles{Student: st},
			LastModified: c.stamp,
		}
		c.templates[tmpl.ID] = append(c.templates[tmpl.ID], u.ID)
		c.r.Users = append(c.r.Users, u)
		c.mark(u.ID)
		c.sum.Enrolled++
	}
}

// newerID returns the n-th of a run of 24-hex IDs after last, in the
// shape of Clever's IDs: a later timestamp, then a counter.
func newerID(last string, n int) string {
	ts, err := strconv.ParseUint(last[:min(8, len(last))], 16, 32)
	if err != nil {
		ts = 0x60000000
	}
	return fmt.Sprintf("%08x%016x", ts+1, n)
}

// withdraw marks n students to leave; apply removes them.
func (c *changer) withdraw(n int) {
	c.withdrawn = map[string]bool{}
	for range n {
		i, ok := c.draw()
		if !ok {
			return
		}
		c.touched[c.r.Users[i].ID] = true
		c.withdrawn[c.r.Users[i].ID] = true
		c.mark(c.r.Users[i].ID)
		c.sum.Withdrawn++
	}
}

// apply makes the enrollments and withdrawals in one pass over the
// sections and one over the users.
func (c *changer) apply() {
	if len(c.templates) == 0 && len(c.withdrawn) == 0 {
		return
	}
	for i := range c.r.Sections {
		s := &c.r.Sections[i]
		var join []string
		gone := false
		for _, id := range s.Students {
			join = append(join, c.templates[id]...)
			gone = gone || c.withdrawn[id]
		}
		if !gone && len(join) == 0 {
			continue
		}
		s.Students = slices.DeleteFunc(s.Students, func(id string) bool { return c.withdrawn[id] })
		s.Students = append(slices.Clip(s.Students), join...)
		c.touchSection(s)
	}
	if len(c.withdrawn) == 0 {
		return
	}
	users := c.r.Users[:0]
	for _, u := range c.r.Users {
		if c.withdrawn[u.ID] {
			continue
		}
		if ct := u.Roles.Contact; ct != nil && slices.ContainsFunc(ct.Relationships, func(rel roster.Relationship) bool { return c.withdrawn[rel.Student] }) {
			c.sum.Contacts++
			c.mark(u.ID)
			rels := slices.DeleteFunc(slices.Clone(ct.Relationships), func(rel roster.Relationship) bool { return c.withdrawn[rel.Student] })
			if len(rels) == 0 {
				continue // the contact of no student left
			}
			role := *ct
			role.Relationships = rels
			u.Roles.Contact = &role
			u.LastModified = c.stamp
		}
		users = append(users, u)
	}
	c.r.Users = users
}

// maxID returns the greatest ID of any record of r.
func maxID(r *roster.Roster) string {
	var last string
	for i := range r.Schools {
		last = max(last, r.Schools[i].ID)
	}
	for i := range r.Terms {
		last = max(last, r.Terms[i].ID)
	}
	for i := range r.Courses {
		last = max(last, r.Courses[i].ID)
	}
	for i := range r.Sections {
		last = max(last, r.Sections[i].ID)
	}
	for i := range r.Users {
		last = max(last, r.Users[i].ID)
	}
	return last
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// splitmixRNG is the change's random source: fixed forever, so a seed
// names the same change on every Go release.
type splitmixRNG struct{ state uint64 }

func (r *splitmixRNG) next() uint64 {
	r.state += 0x9e3779b97f4a7c15
	z := r.state
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// intn returns a number in [0, n) for 0 < n < 2³².
func (r *splitmixRNG) intn(n int) int { return int((r.next() >> 32) * uint64(n) >> 32) }
