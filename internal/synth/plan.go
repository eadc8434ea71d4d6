package synth

import (
	"math"

	"github.com/rosterd/rosterd/roster"
)

// schoolPlan is what scheduling and user generation need to know about a
// school. Its students are the consecutive indices [first, first+students),
// grade by grade.
type schoolPlan struct {
	id       string
	level    level
	grades   []gradeSpan
	first    int
	students int
	// periods is the length of a secondary school's day.
	periods int
	// advisory says whether a secondary school has advisory sections.
	advisory bool
	// hrPeriod is the period an elementary school gives homerooms.
	hrPeriod string
	// teachers are the consecutive teacher indices [firstTeacher,
	// endTeacher), set by schedule.
	firstTeacher, endTeacher int
}

// gradeSpan is the students [first, first+n) of one grade of a school.
type gradeSpan struct {
	grade    int
	first, n int
}

// Shares of schools and of secondary schools' features.
const (
	middleShare   = 0.2
	highShare     = 0.2
	preKShare     = 0.25 // elementary schools with a PreK class
	advisoryShare = 0.4  // secondary schools with advisory sections
)

// planSchools decides each school's level and its students per grade, and
// makes the school records.
func (g *generator) planSchools() {
	r := newRNG(g.p.Seed, streamSchools)
	n := max(1, g.p.Schools)
	var count [numLevels]int
	if n > 1 {
		count[high] = max(1, int(math.Round(highShare*float64(n))))
		count[middle] = int(math.Round(middleShare * float64(n)))
	}
	count[elementary] = n - count[high] - count[middle]

	levels := make([]level, 0, n)
	for l := range numLevels {
		for range count[l] {
			levels = append(levels, l)
		}
	}
	for i := len(levels) - 1; i > 0; i-- {
		j := r.intn(i + 1)
		levels[i], levels[j] = levels[j], levels[i]
	}

	// Each grade holds about the same number of students, so a level's
	// share is its number of grades among the levels present.
	var levelWeights [numLevels]float64
	for l := range numLevels {
		if count[l] > 0 {
			levelWeights[l] = float64(levelGrades[l][1] - levelGrades[l][0] + 1)
		}
	}
	perLevel := split(g.p.Students, levelWeights[:])

	var schoolWeights [numLevels][]float64
	for _, l := range levels {
		schoolWeights[l] = append(schoolWeights[l], r.between(0.7, 1.3))
	}
	var perSchool [numLevels][]int
	for l := range numLevels {
		perSchool[l] = split(perLevel[l], schoolWeights[l])
	}

	g.schools = make([]schoolPlan, n)
	g.r.Schools = make([]roster.School, n)
	var nth [numLevels]int
	next := 0
	for i, l := range levels {
		s := &g.schools[i]
		*s = schoolPlan{id: g.id(kindSchool, i), level: l, first: next, students: perSchool[l][nth[l]]}
		lo, hi := levelGrades[l][0], levelGrades[l][1]
		if l == elementary && r.chance(preKShare) {
			lo = gradePreK
		}
		weights := make([]float64, 0, hi-lo+1)
		for gr := lo; gr <= hi; gr++ {
			w := r.between(0.92, 1.08)
			if gr == gradePreK {
				w /= 2
			}
			weights = append(weights, w)
		}
		s.grades = make([]gradeSpan, 0, len(weights))
		for k, m := range split(s.students, weights) {
			s.grades = append(s.grades, gradeSpan{grade: lo + k, first: next, n: m})
			next += m
		}
		switch l {
		case elementary:
			s.hrPeriod = pick(&r, []string{periodHomeroom, periods[0]})
		case middle:
			s.periods = 7
		case high:
			s.periods = pick(&r, []int{6, 7, 7, 8})
		}
		s.advisory = l != elementary && r.chance(advisoryShare)
		g.r.Schools[i] = g.school(&r, i, s, lo, hi, nth[l])
		nth[l]++
	}
}

// school makes the record of the i-th school, the nth of its level.
func (g *generator) school(r *rng, i int, s *schoolPlan, lo, hi, nth int) roster.School {
	t := &g.text
	// Stems and places cycle independently, so names repeat only after
	// more schools of a level than any profile has.
	stem := schoolStems[(nth+int(g.p.Seed&0xff)+int(s.level)*29)%len(schoolStems)]
	place := schoolPlaces[(nth/len(schoolStems))%len(schoolPlaces)]
	rec := roster.School{
		ID:           s.id,
		District:     g.districtID,
		Name:         t.begin().s(stem).s(place).s(" ").s(levelNames[s.level]).done(),
		SISID:        t.begin().n(1001 + i).done(),
		SchoolNumber: t.begin().pad(100+i, 4).done(),
		LowGrade:     gradeName(lo),
		HighGrade:    gradeName(hi),
		Phone:        t.begin().s("(").s(g.areaCode).s(") 555-").pad(r.intn(10_000), 4).done(),
		Address: roster.Address{
			Street: t.begin().n(100 + r.intn(9900)).s(" ").s(pick(r, streets)).done(),
			City:   pick(r, cities),
			State:  g.state,
			Zip:    t.begin().pad(10_000+r.intn(89_999), 5).done(),
		},
		LastModified: g.stamp(kindSchool, i),
	}
	if r.chance(0.9) {
		rec.StateID = t.begin().s(g.state).s("-").pad(r.intn(100_000), 5).done()
	}
	if r.chance(0.8) {
		rec.NCESID = t.begin().s(g.r.Districts[0].NCESID).pad(i, 5).done()
	}
	return rec
}

// split divides total into parts proportional to weights by the largest
// remainder method, so the parts add up to total exactly.
func split(total int, weights []float64) []int {
	parts := make([]int, len(weights))
	sum := 0.0
	for _, w := range weights {
		sum += w
	}
	if sum == 0 || total == 0 {
		return parts
	}
	given := 0
	rem := make([]float64, len(weights))
	for i, w := range weights {
		exact := float64(total) * w / sum
		parts[i] = int(exact)
		rem[i] = exact - float64(parts[i])
		given += parts[i]
	}
	for ; given < total; given++ {
		best := -1
		for i := range rem {
			if weights[i] > 0 && (best < 0 || rem[i] > rem[best]) {
				best = i
			}
		}
		parts[best]++
		rem[best] = -1
	}
	return parts
}
