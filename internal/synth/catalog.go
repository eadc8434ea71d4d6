package synth

import (
	"strconv"

	"github.com/rosterd/rosterd/roster"
)

// level is a kind of school.
type level uint8

const (
	elementary level = iota // PreK or K to 5
	middle                  // 6 to 8
	high                    // 9 to 12
	numLevels
)

var levelNames = [numLevels]string{"Elementary School", "Middle School", "High School"}

// levelGrades are the grades a school of each level serves; an
// elementary school may add PreKindergarten.
var levelGrades = [numLevels][2]int{{0, 5}, {6, 8}, {9, 12}}

// Grades are numbered -1 (PreKindergarten), 0 (Kindergarten) and 1 to 12.
const gradePreK = -1

var (
	gradeNames  = [14]string{"PreKindergarten", "Kindergarten", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"}
	gradeLabels = [14]string{"PK", "K", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"}
	// gradeTitles name homeroom teachers.
	gradeTitles = [14]string{
		"Pre-K Teacher", "Kindergarten Teacher", "Grade 1 Teacher", "Grade 2 Teacher", "Grade 3 Teacher",
		"Grade 4 Teacher", "Grade 5 Teacher",
	}
)

func gradeName(g int) string { return gradeNames[g+1] }

// periods holds the period strings sections use, shared by every section.
var periods = func() [9]string {
	var p [9]string
	for i := range p {
		p[i] = strconv.Itoa(i)
	}
	return p
}()

const periodHomeroom = "HR"

// Subjects, from Clever's section subject enum.
const (
	subjectMath     = "math"
	subjectELA      = "english/language arts"
	subjectScience  = "science"
	subjectSocial   = "social studies"
	subjectLanguage = "language"
	subjectPE       = "PE and health"
	subjectArts     = "arts and music"
	subjectTech     = "technology and engineering"
	subjectOther    = "other"
)

// term is one of the district's three terms.
type term uint8

const (
	termYear term = iota
	termFall
	termSpring
	numTerms
)

// termDefs is the 2026-2027 school year and its two semesters.
var termDefs = [numTerms]struct {
	name, sisID string
	start, end  roster.Date
}{
	{"2026-2027", "Y1", roster.MustDate("2026-08-24"), roster.MustDate("2027-06-11")},
	{"Semester 1", "S1", roster.MustDate("2026-08-24"), roster.MustDate("2027-01-15")},
	{"Semester 2", "S2", roster.MustDate("2027-01-19"), roster.MustDate("2027-06-11")},
}

// schoolYear is the calendar year the school year starts in; students'
// dates of birth follow from it.
const schoolYear = 2026

// courseDef is a course of the district's catalog. Sections of every
// school of a level share the catalog's courses.
type courseDef struct {
	name, number, subject string
	// pool groups the courses one teacher teaches, and titles the teacher.
	pool string
	term term
}

// Teacher pools, by the title of the teachers in them.
var poolTitles = map[string]string{
	subjectMath: "Math Teacher", subjectELA: "English Teacher", subjectScience: "Science Teacher",
	subjectSocial: "Social Studies Teacher", subjectLanguage: "World Language Teacher",
	subjectPE: "Physical Education Teacher", subjectArts: "Fine Arts Teacher",
	subjectTech: "Technology Teacher", subjectOther: "Teacher",
	"music": "Music Teacher", "art": "Art Teacher",
}

// gradeCourses are the courses of one grade.
type gradeCourses struct {
	homeroom *courseDef    // PreK-5
	specials [3]*courseDef // PreK-5: music, art, PE
	core     [4]*courseDef // 6-12: math, ELA, science, social studies
	pe       *courseDef    // 6-12
	advisory *courseDef    // 6-12
}

// catalog is the district's course catalog, the same for every district.
var catalog = buildCatalog()

type courseCatalog struct {
	grades    [14]gradeCourses
	electives [numLevels][]*courseDef
}

func (c *courseCatalog) grade(g int) *gradeCourses { return &c.grades[g+1] }

func buildCatalog() *courseCatalog {
	c := &courseCatalog{}
	num := func(prefix string, g int) string {
		if g == gradePreK {
			return prefix + "PK"
		}
		return prefix + strconv.Itoa(100 + g)[1:]
	}
	for g := gradePreK; g <= 12; g++ {
		gc := c.grade(g)
		label := gradeLabels[g+1]
		if g <= 5 {
			gc.homeroom = &courseDef{"Homeroom " + label, num("HR", g), roster.SubjectHomeroom, "", termYear}
			gc.specials = [3]*courseDef{
				{"General Music " + label, num("MU", g), subjectArts, "music", termYear},
				{"Art " + label, num("AR", g), subjectArts, "art", termYear},
				{"Physical Education " + label, num("PE", g), subjectPE, subjectPE, termYear},
			}
			continue
		}
		names := [4]string{"Math " + label, "English " + label, "Science " + label, "Social Studies " + label}
		if g >= 9 {
			names = [4]string{
				[]string{"Algebra I", "Geometry", "Algebra II", "Precalculus"}[g-9],
				"English " + label,
				[]string{"Biology", "Chemistry", "Physics", "Environmental Science"}[g-9],
				[]string{"World History", "US History", "US Government", "Economics"}[g-9],
			}
		}
		subjects := [4]string{subjectMath, subjectELA, subjectScience, subjectSocial}
		prefixes := [4]string{"MA", "EN", "SC", "SS"}
		for i := range gc.core {
			gc.core[i] = &courseDef{names[i], num(prefixes[i], g), subjects[i], subjects[i], termYear}
		}
		gc.pe = &courseDef{"Physical Education " + label, num("PE", g), subjectPE, subjectPE, termYear}
		gc.advisory = &courseDef{"Advisory " + label, num("AD", g), roster.SubjectHomeroom, "", termYear}
	}
	c.electives[middle] = []*courseDef{
		{"Spanish 1A", "WL601", subjectLanguage, subjectLanguage, termYear},
		{"French 1A", "WL602", subjectLanguage, subjectLanguage, termYear},
		{"Band", "FA601", subjectArts, "music", termYear},
		{"Choir", "FA602", subjectArts, "music", termYear},
		{"Art", "FA603", subjectArts, "art", termFall},
		{"Intro to Engineering", "TE601", subjectTech, subjectTech, termSpring},
		{"Computer Science Discoveries", "TE602", subjectTech, subjectTech, termYear},
		{"Study Skills", "OT601", subjectOther, subjectOther, termYear},
		{"Health", "HE601", subjectPE, subjectPE, termFall},
	}
	c.electives[high] = []*courseDef{
		{"Spanish I", "WL901", subjectLanguage, subjectLanguage, termYear},
		{"Spanish II", "WL902", subjectLanguage, subjectLanguage, termYear},
		{"French I", "WL903", subjectLanguage, subjectLanguage, termYear},
		{"Mandarin I", "WL904", subjectLanguage, subjectLanguage, termYear},
		{"Art I", "FA901", subjectArts, "art", termYear},
		{"Concert Band", "FA902", subjectArts, "music", termYear},
		{"Chorus", "FA903", subjectArts, "music", termYear},
		{"Theater Arts", "FA904", subjectArts, "art", termSpring},
		{"Computer Science Principles", "TE901", subjectTech, subjectTech, termYear},
		{"Engineering Design", "TE902", subjectTech, subjectTech, termFall},
		{"Psychology", "SS905", subjectSocial, subjectSocial, termFall},
		{"Financial Literacy", "OT901", subjectOther, subjectOther, termSpring},
		{"Yearbook", "OT902", subjectOther, subjectOther, termYear},
		{"Health", "HE901", subjectPE, subjectPE, termSpring},
	}
	return c
}
