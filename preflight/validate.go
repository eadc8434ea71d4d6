package preflight

import (
	"github.com/rosterd/rosterd/roster"
)

// entityUser is the entity of a user record that holds no role, which no
// report entity covers. Only the ID checks and user.no_role use it.
const entityUser roster.Entity = "user"

// entityPackage is what the issues of a CSV package that cannot be read
// are reported under (a drop folder's FieldErrors).
const entityPackage roster.Entity = "package"

// checkNoRole is the check of users without any role.
const checkNoRole = "no_role"

// validator runs the record checks over a roster. Only the first record of
// each ID is checked, the one a commit would keep; the others are reported
// as duplicates.
type validator struct {
	r        *roster.Roster
	idx      *rosterIndex
	required map[roster.Entity][]roster.Field
	c        collector
	// values is scratch space for reading fields: Field.Present would
	// allocate a buffer for each of millions of calls.
	values []string
}

func (v *validator) run() {
	v.fieldErrors()
	v.districts()
	v.schools()
	v.terms()
	v.courses()
	v.sections()
	v.users()
	v.homerooms()
}

// fieldErrors reports the values the source could not represent.
func (v *validator) fieldErrors() {
	for _, fe := range v.r.FieldErrors {
		msg := fe.Message
		if msg == "" {
			msg = "the source sent a value rosterd cannot represent"
		}
		v.c.add(code(fe.Entity, checkInvalidField), fe.Entity, fe.ID, fe.SISID, fe.Field, "%s", msg)
	}
}

func (v *validator) districts() {
	ds := v.r.Districts
	v.ids(&v.idx.districts, roster.KindDistricts, len(ds), func(i int32) (roster.Entity, string, string) {
		return roster.EntityDistrict, ds[i].ID, ""
	})
	for _, i := range v.idx.districts.order {
		v.requiredFields(roster.EntityDistrict, &ds[i], ds[i].ID, "")
	}
}

func (v *validator) schools() {
	ss := v.r.Schools
	v.ids(&v.idx.schools, roster.KindSchools, len(ss), func(i int32) (roster.Entity, string, string) {
		return roster.EntitySchool, ss[i].ID, ss[i].SISID
	})
	for _, i := range v.idx.schools.order {
		v.requiredFields(roster.EntitySchool, &ss[i], ss[i].ID, ss[i].SISID)
	}
}

func (v *validator) terms() {
	ts := v.r.Terms
	v.ids(&v.idx.terms, roster.KindTerms, len(ts), func(i int32) (roster.Entity, string, string) {
		return roster.EntityTerm, ts[i].ID, ts[i].SISID
	})
	for _, i := range v.idx.terms.order {
		v.requiredFields(roster.EntityTerm, &ts[i], ts[i].ID, ts[i].SISID)
	}
}

func (v *validator) courses() {
	cs := v.r.Courses
	v.ids(&v.idx.courses, roster.KindCourses, len(cs), func(i int32) (roster.Entity, string, string) {
		return roster.EntityCourse, cs[i].ID, cs[i].SISID
	})
	for _, i := range v.idx.courses.order {
		v.requiredFields(roster.EntityCourse, &cs[i], cs[i].ID, cs[i].SISID)
	}
}

func (v *validator) sections() {
	ss := v.r.Sections
	e := roster.EntitySection
	v.ids(&v.idx.sections, roster.KindSections, len(ss), func(i int32) (roster.Entity, string, string) {
		return e, ss[i].ID, ss[i].SISID
	})
	var (
		unknownSchool  = code(e, checkUnknownSchool)
		unknownCourse  = code(e, checkUnknownCourse)
		unknownTerm    = code(e, checkUnknownTerm)
		unknownTeacher = code(e, checkUnknownTeacher)
		unknownStudent = code(e, checkUnknownStudent)
		checkTeachers  = v.c.enabled(unknownTeacher)
		checkStudents  = v.c.enabled(unknownStudent)
	)
	for _, i := range v.idx.sections.order {
		s := &ss[i]
		v.requiredFields(e, s, s.ID, s.SISID)
		if s.School != "" && !v.idx.schools.has(s.School) {
			v.c.add(unknownSchool, e, s.ID, s.SISID, "school", "school %q is not in the roster", s.School)
		}
		if s.Course != "" && !v.idx.courses.has(s.Course) {
			v.c.add(unknownCourse, e, s.ID, s.SISID, "course", "course %q is not in the roster", s.Course)
		}
		if s.Term != "" && !v.idx.terms.has(s.Term) {
			v.c.add(unknownTerm, e, s.ID, s.SISID, "term", "term %q is not in the roster", s.Term)
		}
		if checkTeachers {
			for _, t := range s.Teachers {
				if !v.idx.users.has(t) {
					v.c.add(unknownTeacher, e, s.ID, s.SISID, "teachers", "teacher %q is not in the roster", t)
				}
			}
		}
		if checkStudents {
			for _, st := range s.Students {
				if !v.idx.users.has(st) {
					v.c.add(unknownStudent, e, s.ID, s.SISID, "students", "student %q is not in the roster", st)
				}
			}
		}
	}
}

func (v *validator) users() {
	us := v.r.Users
	v.ids(&v.idx.users, roster.KindUsers, len(us), func(i int32) (roster.Entity, string, string) {
		return userEntity(&us[i]), us[i].ID, us[i].SISID()
	})
	noRole := code(entityUser, checkNoRole)
	for _, i := range v.idx.users.order {
		u := &us[i]
		held := false
		for _, role := range roster.AllRoles {
			if !u.Is(role) {
				continue
			}
			held = true
			v.userRole(u, role)
		}
		if !held {
			v.c.add(noRole, entityUser, u.ID, "", "roles", "user holds no role, so no app can tell what it is")
		}
	}
}

// userRole checks what user u holds as role.
func (v *validator) userRole(u *roster.User, role roster.Role) {
	e := role.Entity()
	sis := roleSISID(u, role)
	v.requiredFields(e, u, u.ID, sis)
	switch role {
	case roster.RoleStudent:
		v.userSchools(e, u.ID, sis, u.Roles.Student.School, u.Roles.Student.Schools)
	case roster.RoleTeacher:
		v.userSchools(e, u.ID, sis, u.Roles.Teacher.School, u.Roles.Teacher.Schools)
	case roster.RoleStaff:
		v.userSchools(e, u.ID, sis, "", u.Roles.Staff.Schools)
	case roster.RoleContact:
		for _, rel := range u.Roles.Contact.Relationships {
			if rel.Student != "" && !v.idx.users.has(rel.Student) {
				v.c.add(code(e, checkUnknownStudent), e, u.ID, sis, "students", "related student %q is not in the roster", rel.Student)
			}
		}
	}
}

// userSchools checks a user's primary school and its other schools. The
// primary school, when the list repeats it, is reported once.
func (v *validator) userSchools(e roster.Entity, id, sis, primary string, schools []string) {
	if primary != "" && !v.idx.schools.has(primary) {
		v.c.add(code(e, checkUnknownSchool), e, id, sis, "school", "primary school %q is not in the roster", primary)
	}
	for _, s := range schools {
		if s != "" && s != primary && !v.idx.schools.has(s) {
			v.c.add(code(e, checkUnknownOtherSchool), e, id, sis, "schools", "school %q in the schools list is not in the roster", s)
		}
	}
}

// ids reports the duplicate and missing IDs of kind, which has n
// records. describe returns the entity, ID and SIS ID of the record at a
// position.
func (v *validator) ids(x *idIndex, kind roster.Kind, n int, describe func(int32) (roster.Entity, string, string)) {
	for _, rep := range x.repeats {
		e, id, sis := describe(rep.pos)
		v.c.add(code(e, checkDuplicateID), e, id, sis, "id",
			"the source sent %d %s with this id; a commit would keep only the first", rep.count, kind)
	}
	for _, pos := range x.missingID {
		e, _, sis := describe(pos)
		v.c.add(code(e, checkMissingID), e, "", sis, "id",
			"record %d of the %d %s the source sent has no id", pos+1, n, kind)
	}
}

// requiredFields reports each required field of entity e that rec lacks.
func (v *validator) requiredFields(e roster.Entity, rec any, id, sis string) {
	for _, f := range v.required[e] {
		v.values = f.AppendValues(v.values[:0], rec)
		if len(v.values) == 0 {
			v.c.add(code(e, checkMissingField), e, id, sis, f.Path, "required field %s is empty", f.Path)
		}
	}
}

// userEntity returns the entity a user is reported under when an issue is
// about the whole record: its primary role.
func userEntity(u *roster.User) roster.Entity {
	if r := u.PrimaryRole(); r != "" {
		return r.Entity()
	}
	return entityUser
}

// roleSISID returns the SIS ID u has in role, the ID the district knows
// the record by.
func roleSISID(u *roster.User, role roster.Role) string {
	switch role {
	case roster.RoleStudent:
		return u.Roles.Student.SISID
	case roster.RoleTeacher:
		return u.Roles.Teacher.SISID
	case roster.RoleStaff:
		return u.Roles.Staff.StaffID
	case roster.RoleContact:
		return u.Roles.Contact.SISID
	}
	return ""
}
