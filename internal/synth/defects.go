package synth

import (
	"cmp"
	"math"
	"slices"
	"sort"

	"github.com/rosterd/rosterd/roster"
)

// injector injects one district's defects. A record carries at most one
// defect, so each defect is found exactly as listed: touched marks the
// records already used, by index.
type injector struct {
	g        *generator
	r        rng
	users    map[int]bool
	sections map[int]bool
	schools  map[int]bool
	defects  []Defect
}

// injectDefects injects the profile's defects and lists them, sorted.
func (g *generator) injectDefects() []Defect {
	d := g.p.Defects
	if d == (Defects{}) {
		return nil
	}
	in := &injector{
		g: g, r: newRNG(g.p.Seed, streamDefects),
		users: make(map[int]bool), sections: make(map[int]bool), schools: make(map[int]bool),
	}
	// A teacher who is also staff would be a staff record missing a name
	// too: keep defects to single-role teachers.
	for i := range g.teachers {
		if g.r.Users[g.p.Students+i].Roles.Staff != nil {
			in.users[g.p.Students+i] = true
		}
	}
	in.missing(d.MissingRequired)
	in.doubleHomeroom(d.DoubleHomeroom)
	in.dangling(d.Dangling)
	in.duplicates()
	slices.SortFunc(in.defects, func(a, b Defect) int {
		return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Entity, b.Entity),
			cmp.Compare(a.ID, b.ID), cmp.Compare(a.Field, b.Field))
	})
	return in.defects
}

// share returns the number of records of a pool of n that rate selects.
func share(rate float64, n int) int {
	if rate <= 0 {
		return 0
	}
	return min(n, int(math.Round(rate*float64(n))))
}

// atLeastOne makes counts select one record when rate asks for defects but
// rounding selected none, from the first pool that has records.
func atLeastOne(rate float64, counts []int, sizes []int) {
	if rate <= 0 {
		return
	}
	for _, c := range counts {
		if c > 0 {
			return
		}
	}
	for i, n := range sizes {
		if n > 0 {
			counts[i] = 1
			return
		}
	}
}

// spread returns up to n untouched indices of [lo, lo+size), spread evenly
// over it, and marks them touched. It returns fewer when the pool runs out.
func (in *injector) spread(n, lo, size int, touched map[int]bool) []int {
	out := make([]int, 0, n)
	for k := range n {
		i := k*size/n + in.r.intn(max(1, size/n))
		for tries := 0; tries < size && touched[lo+i%size]; tries++ {
			i++
		}
		if touched[lo+i%size] {
			break
		}
		touched[lo+i%size] = true
		out = append(out, lo+i%size)
	}
	return out
}

func (in *injector) add(d Defect) { in.defects = append(in.defects, d) }

// missing blanks a required field of students, teachers, sections and
// schools, rotating through each entity's required fields.
func (in *injector) missing(rate float64) {
	g := in.g
	nStudents, nTeachers := g.p.Students, len(g.teachers)
	sizes := []int{nStudents, len(g.r.Sections), nTeachers, len(g.r.Schools)}
	counts := make([]int, len(sizes))
	for i, n := range sizes {
		counts[i] = share(rate, n)
	}
	atLeastOne(rate, counts, sizes)
	rot := in.r.intn(4)

	for k, i := range in.spread(counts[0], 0, nStudents, in.users) {
		u := &g.r.Users[i]
		d := Defect{Kind: DefectMissingField, Entity: roster.EntityStudent, ID: u.ID}
		switch (rot + k) % 4 {
		case 0:
			d.Field, u.Roles.Student.SISID = "sis_id", ""
		case 1:
			d.Field, u.Name.First = "name.first", ""
		case 2:
			d.Field, u.Name.Last = "name.last", ""
		default:
			d.Field, u.Roles.Student.School = "school", ""
		}
		in.add(d)
	}
	for k, i := range in.spread(counts[1], 0, len(g.r.Sections), in.sections) {
		s := &g.r.Sections[i]
		d := Defect{Kind: DefectMissingField, Entity: roster.EntitySection, ID: s.ID}
		if (rot+k)%2 == 0 {
			d.Field, s.Name = "name", ""
		} else {
			d.Field, s.School = "school", ""
		}
		in.add(d)
	}
	for k, i := range in.spread(counts[2], nStudents, nTeachers, in.users) {
		u := &g.r.Users[i]
		d := Defect{Kind: DefectMissingField, Entity: roster.EntityTeacher, ID: u.ID}
		if (rot+k)%2 == 0 {
			d.Field, u.Name.First = "name.first", ""
		} else {
			d.Field, u.Name.Last = "name.last", ""
		}
		in.add(d)
	}
	for _, i := range in.spread(counts[3], 0, len(g.r.Schools), in.schools) {
		s := &g.r.Schools[i]
		s.Name = ""
		in.add(Defect{Kind: DefectMissingField, Entity: roster.EntitySchool, ID: s.ID, Field: "name"})
	}
}

// doubleHomeroom adds PreK-5 students to a second homeroom, of their own
// school when it has another.
func (in *injector) doubleHomeroom(rate float64) {
	g := in.g
	hrs := g.homerooms
	if len(hrs) < 2 {
		return
	}
	// cum[h] is the number of homeroom students before homeroom h.
	cum := make([]int, len(hrs)+1)
	for h, hr := range hrs {
		cum[h+1] = cum[h] + hr.end - hr.first
	}
	total := cum[len(hrs)]
	counts := []int{share(rate, total)}
	atLeastOne(rate, counts, []int{total})
	n := counts[0]
	for k := range n {
		ord := k*total/n + in.r.intn(max(1, total/n))
		found := false
		for tries := 0; tries < total && !found; tries, ord = tries+1, (ord+1)%total {
			h := sort.SearchInts(cum, ord+1) - 1
			student := hrs[h].first + ord - cum[h]
			if in.users[student] {
				continue
			}
			target := in.secondHomeroom(h)
			if target < 0 {
				return
			}
			in.users[student] = true
			in.sections[hrs[h].section] = true
			in.sections[target] = true
			sec := &g.r.Sections[target]
			id := g.r.Users[student].ID
			sec.Students = append(sec.Students, id)
			in.add(Defect{Kind: DefectDoubleHomeroom, Entity: roster.EntityStudent, ID: id, Target: sec.ID})
			found = true
		}
		if !found {
			return
		}
	}
}

// secondHomeroom returns the section index of an untouched homeroom other
// than homeroom h, of h's school when possible, or -1 when there is none.
func (in *injector) secondHomeroom(h int) int {
	hrs := in.g.homerooms
	lo, hi := h, h+1
	for lo > 0 && hrs[lo-1].school == hrs[h].school {
		lo--
	}
	for hi < len(hrs) && hrs[hi].school == hrs[h].school {
		hi++
	}
	for _, span := range [][2]int{{lo, hi}, {0, len(hrs)}} {
		size := span[1] - span[0]
		start := in.r.intn(size)
		for k := range size {
			c := span[0] + (start+k)%size
			if c != h && !in.sections[hrs[c].section] {
				return hrs[c].section
			}
		}
	}
	return -1
}

// dangling points a student's school, or a section's school, course,
// term, teachers or students, at an ID that exists nowhere.
func (in *injector) dangling(rate float64) {
	g := in.g
	sizes := []int{g.p.Students, len(g.r.Sections)}
	counts := []int{share(rate, sizes[0]), share(rate, sizes[1])}
	atLeastOne(rate, counts, sizes)
	for _, i := range in.spread(counts[0], 0, sizes[0], in.users) {
		u := &g.r.Users[i]
		ghost := g.ghost()
		u.Roles.Student.School = ghost
		in.add(Defect{Kind: DefectDangling, Entity: roster.EntityStudent, ID: u.ID, Field: "school", Target: ghost})
	}
	fields := []string{"school", "course", "term", "teachers", "students"}
	rot := in.r.intn(len(fields))
	for k, i := range in.spread(counts[1], 0, sizes[1], in.sections) {
		s := &g.r.Sections[i]
		ghost := g.ghost()
		field := fields[(rot+k)%len(fields)]
		switch field {
		case "school":
			s.School = ghost
		case "course":
			s.Course = ghost
		case "term":
			s.Term = ghost
		case "teachers":
			s.Teachers = append(s.Teachers, ghost)
		case "students":
			s.Students = append(s.Students, ghost)
		}
		in.add(Defect{Kind: DefectDangling, Entity: roster.EntitySection, ID: s.ID, Field: field, Target: ghost})
	}
}

// duplicateCounts returns how many students and sections get a duplicate.
func (g *generator) duplicateCounts() (students, sections int) {
	rate := g.p.Defects.DuplicateID
	sizes := []int{g.p.Students, len(g.r.Sections)}
	counts := []int{share(rate, sizes[0]), share(rate, sizes[1])}
	atLeastOne(rate, counts, sizes)
	return counts[0], counts[1]
}

// duplicates inserts, right after some students and sections, a second
// record with the same ID and otherwise different content: another
// student of the same school and grade, or the section renamed with one
// student fewer.
func (in *injector) duplicates() {
	g := in.g
	nStudents, nSections := g.duplicateCounts()
	if nStudents+nSections == 0 {
		return
	}
	rd := newRNG(g.p.Seed, streamDuplicates)

	students := in.spread(nStudents, 0, g.p.Students, in.users)
	slices.Sort(students)
	extra := make([]roster.User, len(students))
	for k, i := range students {
		s, grade := g.placeOf(i)
		g.student(&extra[k], new(roster.Student), &rd, studentRec{idx: i, seq: g.p.Students + k, school: s, grade: grade})
		in.add(Defect{Kind: DefectDuplicateID, Entity: roster.EntityStudent, ID: extra[k].ID})
	}
	g.r.Users = insertAfter(g.r.Users, students, extra)

	sections := in.spread(nSections, 0, len(g.r.Sections), in.sections)
	slices.Sort(sections)
	dups := make([]roster.Section, len(sections))
	for k, i := range sections {
		orig := &g.r.Sections[i]
		d := *orig
		n := len(g.r.Sections) + k
		d.Name = g.text.begin().s(orig.Name).s(" B").done()
		d.SISID = g.text.begin().n(firstSectionSIS + n).done()
		d.SectionNumber = "B"
		d.Teachers = slices.Clone(orig.Teachers)
		d.Students = slices.Clone(orig.Students)
		if len(d.Students) > 1 {
			d.Students = d.Students[1:]
		}
		d.LastModified = g.stamp(kindSection, n)
		dups[k] = d
		in.add(Defect{Kind: DefectDuplicateID, Entity: roster.EntitySection, ID: d.ID})
	}
	g.r.Sections = insertAfter(g.r.Sections, sections, dups)
}

// placeOf returns the school and grade of student i.
func (g *generator) placeOf(i int) (*schoolPlan, int) {
	k := sort.Search(len(g.schools), func(k int) bool { return g.schools[k].first+g.schools[k].students > i })
	s := &g.schools[k]
	for _, gs := range s.grades {
		if i < gs.first+gs.n {
			return s, gs.grade
		}
	}
	return s, s.grades[len(s.grades)-1].grade
}

// insertAfter returns s with extra[k] inserted right after s[after[k]],
// moving each record once; after is ascending.
func insertAfter[T any](s []T, after []int, extra []T) []T {
	n := len(s)
	s = slices.Grow(s, len(extra))[:n+len(extra)]
	end := n // records [after[k]+1, end) move right by k+1
	for k := len(after) - 1; k >= 0; k-- {
		from := after[k] + 1
		copy(s[from+k+1:end+k+1], s[from:end])
		s[from+k] = extra[k]
		end = from
	}
	return s
}
