package roster

import (
	"fmt"
	"strings"
)

// Clear removes the field's values from rec, a *User holding the field's
// entity's role, for data minimisation. Only fields of the user entities
// can be cleared, and never "id": a record without its ID cannot be
// stored. A user without the entity's role is left as it is.
//
// Fields every user entity shares (name.*, email, district) live on the
// User itself, so clearing one clears it for every role the user holds.
func (f Field) Clear(rec any) error {
	u, ok := rec.(*User)
	if !ok || u == nil {
		return fmt.Errorf("clear %s.%s: %T is not a user", f.Entity, f.Path, rec)
	}
	if f.Path == "id" {
		return fmt.Errorf("clear %s.id: a record's ID is never dropped", f.Entity)
	}
	if !u.Roles.Has(Role(f.Entity)) {
		return nil
	}
	if key, isExt := strings.CutPrefix(f.Path, "ext."); isExt {
		if ext := userExt(u, f.Entity); ext != nil {
			*ext = ext.Without(key)
		}
		return nil
	}
	if clear, ok := commonClearers[f.Path]; ok {
		clear(u)
		return nil
	}
	clear, ok := roleClearers[f.Entity][f.Path]
	if !ok {
		return fmt.Errorf("clear %s.%s: not a field of a user entity", f.Entity, f.Path)
	}
	clear(u)
	return nil
}

// ExtKeys returns the ext keys rec holds for entity e, for data
// minimisation to drop the ones it does not keep.
func ExtKeys(e Entity, rec any) []string {
	read, ok := extReaders[e]
	if !ok {
		return nil
	}
	return read(rec).Keys()
}

func userExt(u *User, e Entity) *Ext {
	switch {
	case e == EntityStudent && u.Roles.Student != nil:
		return &u.Roles.Student.Ext
	case e == EntityTeacher && u.Roles.Teacher != nil:
		return &u.Roles.Teacher.Ext
	case e == EntityStaff && u.Roles.Staff != nil:
		return &u.Roles.Staff.Ext
	}
	return nil
}

var commonClearers = map[string]func(*User){
	"district":    func(u *User) { u.District = "" },
	"name.first":  func(u *User) { u.Name.First = "" },
	"name.middle": func(u *User) { u.Name.Middle = "" },
	"name.last":   func(u *User) { u.Name.Last = "" },
	"email":       func(u *User) { u.Email = "" },
}

func student(set func(*Student)) func(*User) { return func(u *User) { set(u.Roles.Student) } }
func teacher(set func(*Teacher)) func(*User) { return func(u *User) { set(u.Roles.Teacher) } }
func staff(set func(*Staff)) func(*User)     { return func(u *User) { set(u.Roles.Staff) } }
func contact(set func(*Contact)) func(*User) { return func(u *User) { set(u.Roles.Contact) } }

// program clears one of a student's program statuses, dropping the
// Programs block once it is empty.
func program(set func(*Programs)) func(*User) {
	return student(func(s *Student) {
		if s.Programs == nil {
			return
		}
		set(s.Programs)
		if *s.Programs == (Programs{}) {
			s.Programs = nil
		}
	})
}

// demographic clears one of a student's demographic fields on a copy of
// its own: the one it had may be shared with other students.
func demographic(set func(*Demographics)) func(*User) {
	return student(func(s *Student) {
		if s.Demographics == nil {
			return
		}
		d := *s.Demographics
		set(&d)
		s.SetDemo(d)
	})
}

// roleClearers clear the fields of each user entity's role. A test checks
// that every field LookupField knows has one.
var roleClearers = map[Entity]map[string]func(*User){
	EntityStudent: {
		"sis_id":             student(func(s *Student) { s.SISID = "" }),
		"student_number":     student(func(s *Student) { s.StudentNumber = "" }),
		"state_id":           student(func(s *Student) { s.StateID = "" }),
		"username":           student(func(s *Student) { s.Username = "" }),
		"grade":              student(func(s *Student) { s.Grade = "" }),
		"school":             student(func(s *Student) { s.School = "" }),
		"schools":            student(func(s *Student) { s.Schools = nil }),
		"dob":                student(func(s *Student) { s.DOB = Date{} }),
		"gender":             demographic(func(d *Demographics) { d.Gender = "" }),
		"graduation_year":    demographic(func(d *Demographics) { d.GraduationYear = "" }),
		"race":               demographic(func(d *Demographics) { d.Race = "" }),
		"hispanic_ethnicity": demographic(func(d *Demographics) { d.HispanicEthnicity = "" }),
		"ell_status":         demographic(func(d *Demographics) { d.ELLStatus = "" }),
		"home_language":      demographic(func(d *Demographics) { d.HomeLanguage = "" }),
		"iep_status":         program(func(p *Programs) { p.IEPStatus = "" }),
		"section_504_status": program(func(p *Programs) { p.Section504Status = "" }),
		"frl_status":         program(func(p *Programs) { p.FRLStatus = "" }),
		"gifted_status":      program(func(p *Programs) { p.GiftedStatus = "" }),
	},
	EntityTeacher: {
		"sis_id":         teacher(func(t *Teacher) { t.SISID = "" }),
		"teacher_number": teacher(func(t *Teacher) { t.TeacherNumber = "" }),
		"state_id":       teacher(func(t *Teacher) { t.StateID = "" }),
		"username":       teacher(func(t *Teacher) { t.Username = "" }),
		"title":          teacher(func(t *Teacher) { t.Title = "" }),
		"school":         teacher(func(t *Teacher) { t.School = "" }),
		"schools":        teacher(func(t *Teacher) { t.Schools = nil }),
	},
	EntityStaff: {
		"staff_id":   staff(func(s *Staff) { s.StaffID = "" }),
		"username":   staff(func(s *Staff) { s.Username = "" }),
		"title":      staff(func(s *Staff) { s.Title = "" }),
		"department": staff(func(s *Staff) { s.Department = "" }),
		"schools":    staff(func(s *Staff) { s.Schools = nil }),
	},
	EntityDistrictAdmin: {
		"title": func(u *User) { u.Roles.DistrictAdmin.Title = "" },
	},
	EntityContact: {
		"sis_id":     contact(func(c *Contact) { c.SISID = "" }),
		"phone":      contact(func(c *Contact) { c.Phone = "" }),
		"phone_type": contact(func(c *Contact) { c.PhoneType = "" }),
		"students":   contact(func(c *Contact) { c.Relationships = nil }),
	},
}

// UserEntities are the entities a User record can count as.
var UserEntities = []Entity{EntityStudent, EntityTeacher, EntityStaff, EntityDistrictAdmin, EntityContact}
