package synth

import (
	"time"

	"github.com/rosterd/rosterd/roster"
)

// Generate builds the district p describes and injects p.Defects, listing
// every defect it injected. The roster's slices are sorted by ID.
func Generate(p Profile) (*roster.Roster, []Defect) {
	g := newGenerator(p)
	g.district()
	g.planSchools()
	g.terms()
	g.schedule()
	g.users()
	defects := g.injectDefects()
	return g.r, defects
}

// generator holds one Generate call's state.
type generator struct {
	p    Profile
	ids  minter
	text text
	t0   time.Time
	r    *roster.Roster

	districtID string
	domain     string // teachers' and staff's email domain
	studentDom string // students' email domain
	areaCode   string
	state      string

	schools []schoolPlan
	termIDs [numTerms]string
	courses map[*courseDef]string

	studentIDs []string
	teachers   []teacherPlan
	homerooms  []homeroom
	// primary holds the primary teacher of each section of the school
	// being scheduled, -1 for none, until its co-teachers are chosen.
	primary []int32

	enroll   slab[string] // sections' Students
	refs     slab[string] // sections' Teachers, users' Schools
	programs slab[roster.Programs]
	// demographics shares one copy among students with the same values,
	// as the sources' mappings do.
	demographics roster.Interner
	sisBase      int

	rSchedule, rTeachers rng
	ghosts               int
}

func newGenerator(p Profile) *generator {
	r := newRNG(p.Seed, streamDistrict)
	return &generator{
		p:   p,
		ids: newMinter(p.Seed),
		// Records were last modified during one summer night's sync.
		t0:        time.Date(schoolYear, time.August, 1, 6, 0, 0, 0, time.UTC).Add(time.Duration(r.intn(86400)) * time.Second),
		r:         &roster.Roster{},
		courses:   make(map[*courseDef]string),
		rSchedule: newRNG(p.Seed, streamSchedule),
		rTeachers: newRNG(p.Seed, streamTeachers),
	}
}

// id returns the ID of the n-th record of kind k.
func (g *generator) id(k kind, n int) string {
	g.text.buf = g.ids.appendID(g.text.buf[:0], k, n)
	return g.text.done()
}

// ghost returns a new ID that no record has.
func (g *generator) ghost() string {
	g.ghosts++
	return g.id(kindGhost, g.ghosts)
}

// stamp returns the fixed LastModified of the n-th record of kind k.
func (g *generator) stamp(k kind, n int) time.Time {
	return g.t0.Add(time.Duration(k)*time.Hour + time.Duration(n)*7*time.Millisecond)
}

// district makes the district record.
func (g *generator) district() {
	r := newRNG(g.p.Seed, streamDistrict)
	dn := pick(&r, districtNames)
	st := pick(&r, states)
	g.state, g.areaCode = st.code, st.area
	g.districtID = g.id(kindDistrict, 0)
	g.domain = g.text.begin().s(dn.slug).s(".example.org").done()
	g.studentDom = g.text.begin().s("students.").s(g.domain).done()
	g.r.Districts = []roster.District{{
		ID:           g.districtID,
		Name:         g.text.begin().s(dn.name).s(" ").s(pick(&r, districtKinds)).done(),
		SISType:      "sis",
		NCESID:       g.text.begin().pad(1_000_000+r.intn(8_999_999), 7).done(),
		StateID:      g.text.begin().s(st.code).s("-").pad(r.intn(1000), 3).done(),
		LastModified: g.stamp(kindDistrict, 0),
	}}
}

// terms makes the school year and its semesters.
func (g *generator) terms() {
	g.r.Terms = make([]roster.Term, numTerms)
	for i, def := range termDefs {
		g.termIDs[i] = g.id(kindTerm, i)
		g.r.Terms[i] = roster.Term{
			ID: g.termIDs[i], District: g.districtID, Name: def.name, SISID: def.sisID,
			StartDate: def.start, EndDate: def.end, LastModified: g.stamp(kindTerm, i),
		}
	}
}

// course returns the ID of c, making the course when a section first
// needs it: Clever builds courses from sections, so none is unused.
func (g *generator) course(c *courseDef) string {
	if id, ok := g.courses[c]; ok {
		return id
	}
	n := len(g.r.Courses)
	id := g.id(kindCourse, n)
	g.courses[c] = id
	g.r.Courses = append(g.r.Courses, roster.Course{
		ID: id, District: g.districtID, Name: c.name, Number: c.number,
		SISID: g.text.begin().n(5000 + n).done(), Subject: c.subject, LastModified: g.stamp(kindCourse, n),
	})
	return id
}
