package synth

import (
	"math"

	"github.com/rosterd/rosterd/roster"
)

// Class sizes and teaching loads, from real districts' averages: they give
// about 4.7 sections per student and 22 students per section.
const (
	homeroomSize    = 22
	cohortSize      = 28
	secondaryLoad   = 6  // sections a secondary teacher teaches
	specialsLoad    = 14 // sections an elementary music, art or PE teacher teaches
	coTeacherShare  = 0.13
	thirdTeacher    = 0.2 // of co-taught sections, those with two co-teachers
	noTeacherShare  = 0.005
	defaultRatio    = 14.0 // students per teacher
	firstSectionSIS = 10_000
)

// specialsPerHomeroom is how many music, art or PE sections a homeroom
// class takes as a group, by share of homerooms.
var specialsPerHomeroom = []float64{0.45, 0.45, 0.10}

// teacherPlan is a teacher chosen while scheduling; the user record is
// made later.
type teacherPlan struct {
	id                  string
	school              int32
	first, middle, last string
	title               string
}

// homeroom is a PreK-5 homeroom section and the consecutive students in it.
type homeroom struct {
	section    int
	school     int
	first, end int
}

// pool hands out a school's sections of one kind to teachers, a load at a
// time.
type pool struct {
	teacher int32
	taught  int
}

// schedule makes every school's sections, their courses and the teachers
// who teach them.
func (g *generator) schedule() {
	g.studentIDs = make([]string, g.p.Students)
	for i := range g.studentIDs {
		g.studentIDs[i] = g.id(kindStudent, i)
	}
	ratio := g.p.StudentsPerTeacher
	if ratio <= 0 {
		ratio = defaultRatio
	}
	g.r.Sections = make([]roster.Section, 0, g.p.Students*23/100+16)
	g.teachers = make([]teacherPlan, 0, int(float64(g.p.Students)/ratio*1.1)+16)
	for si := range g.schools {
		s := &g.schools[si]
		s.firstTeacher = len(g.teachers)
		firstSection := len(g.r.Sections)
		g.primary = g.primary[:0]
		pools := make(map[string]*pool)
		if s.level == elementary {
			g.scheduleElementary(si, pools)
		} else {
			g.scheduleSecondary(si, pools)
		}
		firstSupport := len(g.teachers)
		want := int(math.Round(float64(s.students) / ratio))
		for len(g.teachers)-s.firstTeacher < want {
			g.newTeacher(si, pick(&g.rTeachers, teacherSupport))
		}
		s.endTeacher = len(g.teachers)
		g.staffSections(s, firstSection, firstSupport)
	}
}

// scheduleElementary puts each class in one homeroom with its own teacher,
// and some classes, as a group, in music, art or PE.
func (g *generator) scheduleElementary(si int, pools map[string]*pool) {
	s := &g.schools[si]
	r := &g.rSchedule
	for _, gs := range s.grades {
		if gs.n == 0 {
			continue
		}
		gc := catalog.grade(gs.grade)
		classes := max(1, int(math.Round(float64(gs.n)/homeroomSize)))
		for c := range classes {
			first, end := gs.first+gs.n*c/classes, gs.first+gs.n*(c+1)/classes
			teacher := g.newTeacher(si, gradeTitles[gs.grade+1])
			g.homerooms = append(g.homerooms, homeroom{section: len(g.r.Sections), school: si, first: first, end: end})
			g.section(s, gc.homeroom, gs.grade, s.hrPeriod, first, end, teacher, c+1)

			specials := weightedIndex(r, specialsPerHomeroom)
			start := r.intn(len(gc.specials))
			for k := range specials {
				def := gc.specials[(start+k)%len(gc.specials)]
				period := periods[1+r.intn(6)]
				g.section(s, def, gs.grade, period, first, end, g.poolTeacher(si, pools, def.pool, specialsLoad), c+1)
			}
		}
	}
}

// scheduleSecondary splits each grade into cohorts that travel together
// through the core subjects and PE, one period each, and split in two for
// electives in the remaining periods. Rotating the periods by cohort keeps
// a teacher's sections of one course in different periods.
func (g *generator) scheduleSecondary(si int, pools map[string]*pool) {
	s := &g.schools[si]
	r := &g.rSchedule
	electives := catalog.electives[s.level]
	order := make([]int, len(electives))
	for _, gs := range s.grades {
		if gs.n == 0 {
			continue
		}
		gc := catalog.grade(gs.grade)
		cohorts := max(1, int(math.Round(float64(gs.n)/cohortSize)))
		for c := range cohorts {
			first, end := gs.first+gs.n*c/cohorts, gs.first+gs.n*(c+1)/cohorts
			period := func(slot int) string { return periods[1+(c+slot)%s.periods] }
			var coreTeacher int32 = -1
			for i, def := range gc.core {
				t := g.poolTeacher(si, pools, def.pool, secondaryLoad)
				if i == c%len(gc.core) {
					coreTeacher = t
				}
				g.section(s, def, gs.grade, period(i), first, end, t, c+1)
			}
			g.section(s, gc.pe, gs.grade, period(len(gc.core)),
				first, end, g.poolTeacher(si, pools, gc.pe.pool, secondaryLoad), c+1)

			// Each elective period splits the cohort between two electives,
			// none repeated within the cohort.
			for i := range order {
				order[i] = i
			}
			for i := len(order) - 1; i > 0; i-- {
				j := r.intn(i + 1)
				order[i], order[j] = order[j], order[i]
			}
			next := 0
			mid := (first + end) / 2
			for slot := len(gc.core) + 1; slot < s.periods; slot++ {
				halves := [][2]int{{first, mid}, {mid, end}}
				if mid == first {
					halves = halves[1:]
				}
				for _, h := range halves {
					def := electives[order[next%len(order)]]
					next++
					g.section(s, def, gs.grade, period(slot), h[0], h[1],
						g.poolTeacher(si, pools, def.pool, secondaryLoad), c+1)
				}
			}
			if s.advisory {
				g.section(s, gc.advisory, gs.grade, periodHomeroom, first, end, coreTeacher, c+1)
			}
		}
	}
}

// section adds a section of course def for the students [first, end).
func (g *generator) section(s *schoolPlan, def *courseDef, grade int, period string, first, end int, teacher int32, number int) {
	r := &g.rSchedule
	if r.chance(noTeacherShare) {
		teacher = -1
	}
	n := len(g.r.Sections)
	students := g.enroll.take(end - first)
	copy(students, g.studentIDs[first:end])

	t := g.text.begin().s(def.name)
	if teacher >= 0 {
		t.s(" - ").s(g.teachers[teacher].last)
	}
	name := t.s(" - ").s(period).done()
	sec := roster.Section{
		ID:           g.id(kindSection, n),
		District:     g.districtID,
		School:       s.id,
		Course:       g.course(def),
		Term:         g.termIDs[def.term],
		Name:         name,
		SISID:        g.text.begin().n(firstSectionSIS + n).done(),
		Subject:      def.subject,
		Grade:        gradeName(grade),
		Period:       period,
		Students:     students,
		LastModified: g.stamp(kindSection, n),
	}
	if r.chance(0.4) {
		sec.SectionNumber = periods[min(number, len(periods)-1)]
		if number >= len(periods) {
			sec.SectionNumber = g.text.begin().n(number).done()
		}
	}
	g.r.Sections = append(g.r.Sections, sec)
	g.primary = append(g.primary, teacher)
}

// poolTeacher returns the teacher of the next section of a school's pool,
// hiring a new one when the current one has a full load.
func (g *generator) poolTeacher(si int, pools map[string]*pool, key string, load int) int32 {
	p := pools[key]
	if p == nil || p.taught >= load {
		p = &pool{teacher: g.newTeacher(si, poolTitles[key])}
		pools[key] = p
	}
	p.taught++
	return p.teacher
}

// newTeacher plans a teacher of school si.
func (g *generator) newTeacher(si int, title string) int32 {
	r := &g.rTeachers
	n := len(g.teachers)
	t := teacherPlan{
		id:     g.id(kindTeacher, n),
		school: int32(si),
		first:  pick(r, firstNames),
		last:   pick(r, lastNames),
		title:  title,
	}
	if r.chance(0.6) {
		t.middle = pick(r, middleInitials)
	}
	if r.chance(0.1) {
		t.title = ""
	}
	g.teachers = append(g.teachers, t)
	return int32(n)
}

// staffSections gives the school's sections their Teachers: the primary
// teacher, and on some sections co-teachers, drawn from the teachers
// without a load of their own when the school has enough of them.
func (g *generator) staffSections(s *schoolPlan, firstSection, firstSupport int) {
	r := &g.rSchedule
	all := s.endTeacher - s.firstTeacher
	support := s.endTeacher - firstSupport
	for k, primary := range g.primary {
		if primary < 0 {
			continue
		}
		n := 1
		if all > 1 && r.chance(coTeacherShare) {
			n = 2
			if all > 2 && r.chance(thirdTeacher) {
				n = 3
			}
		}
		ids := g.refs.take(n)
		ids[0] = g.teachers[primary].id
		chosen := [3]int{int(primary)}
		lo, size := s.firstTeacher, all
		if support >= n {
			lo, size = firstSupport, support
		}
		for j := 1; j < n; j++ {
			c := lo + r.intn(size)
			for taken(chosen[:j], c) {
				c = lo + (c-lo+1)%size
			}
			chosen[j] = c
			ids[j] = g.teachers[c].id
		}
		g.r.Sections[firstSection+k].Teachers = ids
	}
}

func taken(chosen []int, c int) bool {
	for _, x := range chosen {
		if x == c {
			return true
		}
	}
	return false
}

// weightedIndex returns i with probability weights[i].
func weightedIndex(r *rng, weights []float64) int {
	u := r.float()
	for i, w := range weights {
		if u < w {
			return i
		}
		u -= w
	}
	return len(weights) - 1
}
