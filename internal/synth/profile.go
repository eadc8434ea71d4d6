package synth

import "github.com/rosterd/rosterd/roster"

// Profile says what to generate. Schools and Students set the size; every
// other knob has a realistic default when left zero.
type Profile struct {
	// Name labels the profile ("tiny", "small", ...); it does not change
	// what is generated.
	Name string
	// Seed picks the district: the same Profile always gives the same
	// roster, and another seed gives other IDs, names and schedules.
	Seed int64
	// Schools is the number of schools: about 60% elementary (K-5, some
	// with PreK), 20% middle (6-8) and 20% high (9-12); two schools are
	// one elementary and one high school.
	Schools int
	// Students is the exact number of students, spread over the grades.
	Students int
	// StudentsPerTeacher sets each school's teacher count to its students
	// divided by this, or more when its sections need more; 0 means 14.
	// Teachers a school's sections do not need co-teach or teach nothing,
	// as special education teachers and librarians do in real rosters.
	StudentsPerTeacher float64
	// Staff and DistrictAdmins are the numbers of users holding those
	// roles. One staff member in ten is also a teacher.
	Staff, DistrictAdmins int
	// Contacts adds one or two contacts (guardians) per student.
	Contacts bool
	// Defects injects data errors at set rates.
	Defects Defects
}

// Defects are optional data errors, each injected into a fraction (0..1)
// of the records eligible for it. A rate above 0 injects at least one
// defect of its kind whenever any record is eligible, so a tiny district
// with rate 0.01 still gets one. A record carries at most one defect.
type Defects struct {
	// MissingRequired blanks one required field of students (sis_id,
	// name.first, name.last, school), teachers (name.first, name.last),
	// sections (name, school) and schools (name).
	MissingRequired float64
	// DoubleHomeroom adds PreK-5 students to a second homeroom section.
	DoubleHomeroom float64
	// Dangling makes a reference of students (school) and sections
	// (school, course, term, teachers, students) point at an ID that
	// exists nowhere.
	Dangling float64
	// DuplicateID adds, right after a student or section, a second record
	// with its ID and otherwise different content.
	DuplicateID float64
}

// The kinds of Defect.
const (
	DefectMissingField   = "missing_field"
	DefectDoubleHomeroom = "double_homeroom"
	DefectDangling       = "dangling"
	DefectDuplicateID    = "duplicate_id"
)

// Defect describes one injected defect, so tests can assert that
// preflight names it.
type Defect struct {
	// Kind is one of the Defect* constants.
	Kind string
	// Entity and ID name the record carrying the defect: for
	// double_homeroom the student.
	Entity roster.Entity
	ID     string
	// Field is the roster.LookupField path of the blank or dangling field
	// ("sis_id", "name.last", "school", "teachers", "students", "course",
	// "term"); "" for duplicate_id and double_homeroom.
	Field string
	// Target is the missing ID a dangling reference points at, or the
	// second homeroom section of a double_homeroom student.
	Target string
}

// Profiles are the named districts, in size order. The large and xl
// profiles leave contacts out so an XL roster fits in memory next to a
// sync; set Contacts to add them, at about 350 bytes per contact (180 MB
// for the large profile's half a million).
var Profiles = []Profile{
	{Name: "tiny", Seed: 1, Schools: 2, Students: 60, Staff: 2, DistrictAdmins: 1, Contacts: true},
	{Name: "small", Seed: 1, Schools: 6, Students: 3_000, Staff: 30, DistrictAdmins: 2, Contacts: true},
	{Name: "medium", Seed: 1, Schools: 60, Students: 35_000, Staff: 300, DistrictAdmins: 3, Contacts: true},
	{Name: "large", Seed: 1, Schools: 600, Students: 350_000, Staff: 3_000, DistrictAdmins: 5},
	{Name: "xl", Seed: 1, Schools: 1_900, Students: 1_100_000, Staff: 9_500, DistrictAdmins: 8},
}

// ProfileByName returns the profile of Profiles named name.
func ProfileByName(name string) (Profile, bool) {
	for _, p := range Profiles {
		if p.Name == name {
			return p, true
		}
	}
	return Profile{}, false
}

// WithSeed returns p generating the district of another seed.
func (p Profile) WithSeed(seed int64) Profile {
	p.Seed = seed
	return p
}

// WithDefects returns p injecting defects d.
func (p Profile) WithDefects(d Defects) Profile {
	p.Defects = d
	return p
}
