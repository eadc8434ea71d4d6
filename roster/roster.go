package roster

import "sort"

// Roster is one district's roster as a source delivered it, or as the
// sharing rules left it. Slices are ordered by ID when they come from a
// source that pages by ID (Clever), and otherwise in source order.
type Roster struct {
	Districts []District `json:"districts,omitempty"`
	Schools   []School   `json:"schools,omitempty"`
	Terms     []Term     `json:"terms,omitempty"`
	Courses   []Course   `json:"courses,omitempty"`
	Sections  []Section  `json:"sections,omitempty"`
	Users     []User     `json:"users,omitempty"`

	// FieldErrors lists values the source received but could not represent,
	// such as a date in no known format. The record is kept with the field
	// left empty, and preflight reports each entry.
	FieldErrors []FieldError `json:"field_errors,omitempty"`
}

// FieldError is a value a source could not map into the domain model.
// Message describes the problem without repeating the value, which may be
// personal data.
type FieldError struct {
	Entity  Entity `json:"entity"`
	ID      string `json:"id"`
	SISID   string `json:"sis_id,omitempty"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Kind names a collection of records as the store keeps them.
type Kind string

// The kinds, in the order a commit writes them and a report lists them.
const (
	KindDistricts Kind = "districts"
	KindSchools   Kind = "schools"
	KindTerms     Kind = "terms"
	KindCourses   Kind = "courses"
	KindSections  Kind = "sections"
	KindUsers     Kind = "users"
)

// Kinds lists every Kind in dependency order: a record only refers to
// records of kinds listed before it (sections refer to users, which are
// listed after them, but a section is only ever checked once users exist).
var Kinds = []Kind{KindDistricts, KindSchools, KindTerms, KindCourses, KindSections, KindUsers}

// Entity names a kind of record as people read it in reports. Users are one
// Kind in the store but several entities: a teacher who is also staff is
// counted once as a teacher and once as staff.
type Entity string

// The entities.
const (
	EntityDistrict      Entity = "district"
	EntitySchool        Entity = "school"
	EntityTerm          Entity = "term"
	EntityCourse        Entity = "course"
	EntitySection       Entity = "section"
	EntityStudent       Entity = "student"
	EntityTeacher       Entity = "teacher"
	EntityStaff         Entity = "staff"
	EntityDistrictAdmin Entity = "district_admin"
	EntityContact       Entity = "contact"
)

// Entities lists every Entity in report order.
var Entities = []Entity{
	EntityDistrict, EntitySchool, EntityTerm, EntityCourse, EntitySection,
	EntityStudent, EntityTeacher, EntityStaff, EntityDistrictAdmin, EntityContact,
}

// ParseEntity returns the Entity named s.
func ParseEntity(s string) (Entity, bool) {
	for _, e := range Entities {
		if string(e) == s {
			return e, true
		}
	}
	return "", false
}

// Count returns the number of records of each entity in r. A user with
// several roles counts once per role.
func (r *Roster) Count() map[Entity]int {
	n := map[Entity]int{
		EntityDistrict: len(r.Districts),
		EntitySchool:   len(r.Schools),
		EntityTerm:     len(r.Terms),
		EntityCourse:   len(r.Courses),
		EntitySection:  len(r.Sections),
	}
	for i := range r.Users {
		// Not Entities: a slice per user is a million allocations at XL.
		for _, role := range AllRoles {
			if r.Users[i].Roles.Has(role) {
				n[role.Entity()]++
			}
		}
	}
	return n
}

// SortByID orders every collection by ID, the order the store reads them
// back in. Records with equal IDs keep their relative order.
func (r *Roster) SortByID() {
	sort.SliceStable(r.Districts, func(i, j int) bool { return r.Districts[i].ID < r.Districts[j].ID })
	sort.SliceStable(r.Schools, func(i, j int) bool { return r.Schools[i].ID < r.Schools[j].ID })
	sort.SliceStable(r.Terms, func(i, j int) bool { return r.Terms[i].ID < r.Terms[j].ID })
	sort.SliceStable(r.Courses, func(i, j int) bool { return r.Courses[i].ID < r.Courses[j].ID })
	sort.SliceStable(r.Sections, func(i, j int) bool { return r.Sections[i].ID < r.Sections[j].ID })
	sort.SliceStable(r.Users, func(i, j int) bool { return r.Users[i].ID < r.Users[j].ID })
}
