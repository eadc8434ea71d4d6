package roster

import (
	"fmt"
	"sort"
	"strings"
)

// Field reads one named field of a record, such as "sis_id" of a student
// or "ext.consent" of a section. Config names fields this way (required
// fields now, sharing-rule matchers and data minimisation later), so an
// unknown name is caught when the config loads.
type Field struct {
	Entity Entity
	Path   string
	read   func(rec any, dst []string) []string
}

// AppendValues appends the field's non-empty values in rec to dst. rec is
// a pointer to the record type of the field's entity (*User for the user
// entities); a record of another type, or a user without the entity's
// role, has no values.
func (f Field) AppendValues(dst []string, rec any) []string {
	return f.read(rec, dst)
}

// Present reports whether rec has a non-empty value for the field.
func (f Field) Present(rec any) bool {
	var buf [4]string
	return len(f.read(rec, buf[:0])) > 0
}

// LookupField returns the field path of entity e. Paths are the lower-case
// names used in reports ("name.last", "dob", "ext.<key>").
func LookupField(e Entity, path string) (Field, error) {
	table, ok := fieldTables[e]
	if !ok {
		return Field{}, fmt.Errorf("unknown entity %q", e)
	}
	if key, isExt := strings.CutPrefix(path, "ext."); isExt {
		ext, ok := extReaders[e]
		if !ok || key == "" {
			return Field{}, fmt.Errorf("%s has no field %q", e, path)
		}
		return Field{Entity: e, Path: path, read: func(rec any, dst []string) []string {
			if v, ok := ext(rec).Get(key); ok && v != "" {
				dst = append(dst, v)
			}
			return dst
		}}, nil
	}
	read, ok := table[path]
	if !ok {
		return Field{}, fmt.Errorf("%s has no field %q (known: %s)", e, path, strings.Join(FieldNames(e), ", "))
	}
	return Field{Entity: e, Path: path, read: read}, nil
}

// FieldNames lists the field paths of entity e, sorted, without the open
// "ext.<key>" family.
func FieldNames(e Entity) []string {
	var names []string
	for n := range fieldTables[e] {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

type reader = func(rec any, dst []string) []string

// one returns a reader of a single string field of records of type T.
func one[T any](get func(*T) string) reader {
	return func(rec any, dst []string) []string {
		if r, ok := rec.(*T); ok && r != nil {
			if v := get(r); v != "" {
				dst = append(dst, v)
			}
		}
		return dst
	}
}

// many returns a reader of a multi-valued field of records of type T.
func many[T any](get func(*T) []string) reader {
	return func(rec any, dst []string) []string {
		if r, ok := rec.(*T); ok && r != nil {
			for _, v := range get(r) {
				if v != "" {
					dst = append(dst, v)
				}
			}
		}
		return dst
	}
}

// role adapts a reader of a role struct R to a reader of users holding it.
func role[R any](get func(*User) *R, read reader) reader {
	return func(rec any, dst []string) []string {
		if u, ok := rec.(*User); ok && u != nil {
			if r := get(u); r != nil {
				return read(r, dst)
			}
		}
		return dst
	}
}

// userFields adds the fields every user entity shares to t, read only
// from users holding the role that has returns.
func userFields(has func(*User) bool, t map[string]reader) map[string]reader {
	common := map[string]func(*User) string{
		"id":          func(u *User) string { return u.ID },
		"district":    func(u *User) string { return u.District },
		"name.first":  func(u *User) string { return u.Name.First },
		"name.middle": func(u *User) string { return u.Name.Middle },
		"name.last":   func(u *User) string { return u.Name.Last },
		"email":       func(u *User) string { return u.Email },
	}
	for name, get := range common {
		t[name] = func(rec any, dst []string) []string {
			if u, ok := rec.(*User); ok && u != nil && has(u) {
				if v := get(u); v != "" {
					dst = append(dst, v)
				}
			}
			return dst
		}
	}
	return t
}

func dateText(d Date) string { return d.String() }

func programs(s *Student) *Programs {
	if s.Programs == nil {
		return &Programs{}
	}
	return s.Programs
}

var fieldTables = map[Entity]map[string]reader{
	EntityDistrict: {
		"id":       one(func(d *District) string { return d.ID }),
		"name":     one(func(d *District) string { return d.Name }),
		"sis_type": one(func(d *District) string { return d.SISType }),
		"nces_id":  one(func(d *District) string { return d.NCESID }),
		"state_id": one(func(d *District) string { return d.StateID }),
	},
	EntitySchool: {
		"id":            one(func(s *School) string { return s.ID }),
		"district":      one(func(s *School) string { return s.District }),
		"name":          one(func(s *School) string { return s.Name }),
		"sis_id":        one(func(s *School) string { return s.SISID }),
		"school_number": one(func(s *School) string { return s.SchoolNumber }),
		"state_id":      one(func(s *School) string { return s.StateID }),
		"nces_id":       one(func(s *School) string { return s.NCESID }),
		"low_grade":     one(func(s *School) string { return s.LowGrade }),
		"high_grade":    one(func(s *School) string { return s.HighGrade }),
		"phone":         one(func(s *School) string { return s.Phone }),
	},
	EntityTerm: {
		"id":         one(func(t *Term) string { return t.ID }),
		"district":   one(func(t *Term) string { return t.District }),
		"name":       one(func(t *Term) string { return t.Name }),
		"sis_id":     one(func(t *Term) string { return t.SISID }),
		"start_date": one(func(t *Term) string { return dateText(t.StartDate) }),
		"end_date":   one(func(t *Term) string { return dateText(t.EndDate) }),
	},
	EntityCourse: {
		"id":       one(func(c *Course) string { return c.ID }),
		"district": one(func(c *Course) string { return c.District }),
		"name":     one(func(c *Course) string { return c.Name }),
		"number":   one(func(c *Course) string { return c.Number }),
		"sis_id":   one(func(c *Course) string { return c.SISID }),
		"subject":  one(func(c *Course) string { return c.Subject }),
	},
	EntitySection: {
		"id":             one(func(s *Section) string { return s.ID }),
		"district":       one(func(s *Section) string { return s.District }),
		"school":         one(func(s *Section) string { return s.School }),
		"course":         one(func(s *Section) string { return s.Course }),
		"term":           one(func(s *Section) string { return s.Term }),
		"name":           one(func(s *Section) string { return s.Name }),
		"sis_id":         one(func(s *Section) string { return s.SISID }),
		"section_number": one(func(s *Section) string { return s.SectionNumber }),
		"subject":        one(func(s *Section) string { return s.Subject }),
		"grade":          one(func(s *Section) string { return s.Grade }),
		"period":         one(func(s *Section) string { return s.Period }),
		"teacher":        one(func(s *Section) string { return s.PrimaryTeacher() }),
		"teachers":       many(func(s *Section) []string { return s.Teachers }),
		"students":       many(func(s *Section) []string { return s.Students }),
	},
	EntityStudent: userFields(func(u *User) bool { return u.Roles.Student != nil }, map[string]reader{
		"sis_id":             studentField(func(s *Student) string { return s.SISID }),
		"student_number":     studentField(func(s *Student) string { return s.StudentNumber }),
		"state_id":           studentField(func(s *Student) string { return s.StateID }),
		"username":           studentField(func(s *Student) string { return s.Username }),
		"grade":              studentField(func(s *Student) string { return s.Grade }),
		"school":             studentField(func(s *Student) string { return s.School }),
		"schools":            role(func(u *User) *Student { return u.Roles.Student }, many(func(s *Student) []string { return s.Schools })),
		"dob":                studentField(func(s *Student) string { return dateText(s.DOB) }),
		"gender":             studentField(func(s *Student) string { return s.Demo().Gender }),
		"graduation_year":    studentField(func(s *Student) string { return s.Demo().GraduationYear }),
		"race":               studentField(func(s *Student) string { return s.Demo().Race }),
		"hispanic_ethnicity": studentField(func(s *Student) string { return s.Demo().HispanicEthnicity }),
		"ell_status":         studentField(func(s *Student) string { return s.Demo().ELLStatus }),
		"home_language":      studentField(func(s *Student) string { return s.Demo().HomeLanguage }),
		"iep_status":         studentField(func(s *Student) string { return programs(s).IEPStatus }),
		"section_504_status": studentField(func(s *Student) string { return programs(s).Section504Status }),
		"frl_status":         studentField(func(s *Student) string { return programs(s).FRLStatus }),
		"gifted_status":      studentField(func(s *Student) string { return programs(s).GiftedStatus }),
	}),
	EntityTeacher: userFields(func(u *User) bool { return u.Roles.Teacher != nil }, map[string]reader{
		"sis_id":         teacherField(func(t *Teacher) string { return t.SISID }),
		"teacher_number": teacherField(func(t *Teacher) string { return t.TeacherNumber }),
		"state_id":       teacherField(func(t *Teacher) string { return t.StateID }),
		"username":       teacherField(func(t *Teacher) string { return t.Username }),
		"title":          teacherField(func(t *Teacher) string { return t.Title }),
		"school":         teacherField(func(t *Teacher) string { return t.School }),
		"schools":        role(func(u *User) *Teacher { return u.Roles.Teacher }, many(func(t *Teacher) []string { return t.Schools })),
	}),
	EntityStaff: userFields(func(u *User) bool { return u.Roles.Staff != nil }, map[string]reader{
		"staff_id":   staffField(func(s *Staff) string { return s.StaffID }),
		"username":   staffField(func(s *Staff) string { return s.Username }),
		"title":      staffField(func(s *Staff) string { return s.Title }),
		"department": staffField(func(s *Staff) string { return s.Department }),
		"schools":    role(func(u *User) *Staff { return u.Roles.Staff }, many(func(s *Staff) []string { return s.Schools })),
	}),
	EntityDistrictAdmin: userFields(func(u *User) bool { return u.Roles.DistrictAdmin != nil }, map[string]reader{
		"title": role(func(u *User) *DistrictAdmin { return u.Roles.DistrictAdmin }, one(func(a *DistrictAdmin) string { return a.Title })),
	}),
	EntityContact: userFields(func(u *User) bool { return u.Roles.Contact != nil }, map[string]reader{
		"sis_id":     contactField(func(c *Contact) string { return c.SISID }),
		"phone":      contactField(func(c *Contact) string { return c.Phone }),
		"phone_type": contactField(func(c *Contact) string { return c.PhoneType }),
		"students": role(func(u *User) *Contact { return u.Roles.Contact }, many(func(c *Contact) []string {
			ids := make([]string, len(c.Relationships))
			for i, r := range c.Relationships {
				ids[i] = r.Student
			}
			return ids
		})),
	}),
}

func studentField(get func(*Student) string) reader {
	return role(func(u *User) *Student { return u.Roles.Student }, one(get))
}

func teacherField(get func(*Teacher) string) reader {
	return role(func(u *User) *Teacher { return u.Roles.Teacher }, one(get))
}

func staffField(get func(*Staff) string) reader {
	return role(func(u *User) *Staff { return u.Roles.Staff }, one(get))
}

func contactField(get func(*Contact) string) reader {
	return role(func(u *User) *Contact { return u.Roles.Contact }, one(get))
}

// extReaders returns the Ext of a record of each entity that has one.
var extReaders = map[Entity]func(rec any) Ext{
	EntityDistrict: func(rec any) Ext {
		if d, ok := rec.(*District); ok && d != nil {
			return d.Ext
		}
		return Ext{}
	},
	EntitySchool: func(rec any) Ext {
		if s, ok := rec.(*School); ok && s != nil {
			return s.Ext
		}
		return Ext{}
	},
	EntitySection: func(rec any) Ext {
		if s, ok := rec.(*Section); ok && s != nil {
			return s.Ext
		}
		return Ext{}
	},
	EntityStudent: func(rec any) Ext {
		if u, ok := rec.(*User); ok && u != nil && u.Roles.Student != nil {
			return u.Roles.Student.Ext
		}
		return Ext{}
	},
	EntityTeacher: func(rec any) Ext {
		if u, ok := rec.(*User); ok && u != nil && u.Roles.Teacher != nil {
			return u.Roles.Teacher.Ext
		}
		return Ext{}
	},
	EntityStaff: func(rec any) Ext {
		if u, ok := rec.(*User); ok && u != nil && u.Roles.Staff != nil {
			return u.Roles.Staff.Ext
		}
		return Ext{}
	},
}
