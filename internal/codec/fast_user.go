package codec

import (
	"slices"

	"github.com/rosterd/rosterd/roster"
)

// The appenders below follow the roster types field by field, in
// declaration order, with each field's json tag: omitempty drops "" and
// empty slices and maps, omitzero drops nil pointers and values whose
// IsZero says so, and a field with neither is always written. layout.go
// lists the fields so a test notices a new one.

// object is the running state of one JSON object: the buffer, where it
// opened, and whether every value so far was written as the library
// would. Once ok is false the rest is skipped and the record goes to the
// library.
type object struct {
	b    []byte
	open int
	ok   bool
}

func beginObject(b []byte) object {
	return object{b: append(b, '{'), open: len(b), ok: true}
}

func (f *object) end() ([]byte, bool) { return append(f.b, '}'), f.ok }

// str writes a string member; omitEmpty drops "". It is appendString
// inlined after the member's name, as most members are strings.
func (f *object) str(name, s string, omitEmpty bool) {
	if !f.ok || omitEmpty && s == "" {
		return
	}
	b := f.b
	if len(b) == f.open+1 {
		name = name[1:] // the object's first member
	}
	n := len(b) + len(name)
	b = slices.Grow(b, len(name)+len(s)+2)[:n+len(s)+2]
	copy(b[n-len(name):], name)
	b[n] = '"'
	if !copyPlain(b[n+1:], s) {
		f.b, f.ok = quote(b[:n], s)
		return
	}
	b[len(b)-1] = '"'
	f.b = b
}

// strs writes a []string member with omitempty.
func (f *object) strs(name string, ss []string) {
	if !f.ok || len(ss) == 0 {
		return
	}
	f.b = member(f.b, f.open, name)
	f.b, f.ok = appendStrings(f.b, ss)
}

// ext writes an Ext member with omitempty.
func (f *object) ext(name string, x roster.Ext) {
	if !f.ok || x.IsZero() {
		return
	}
	f.b = member(f.b, f.open, name)
	f.b, f.ok = appendExt(f.b, x)
}

// value writes a member whose value appendValue writes.
func (f *object) value(name string, appendValue func([]byte) ([]byte, bool)) {
	if !f.ok {
		return
	}
	f.b = member(f.b, f.open, name)
	f.b, f.ok = appendValue(f.b)
}

func appendUser(b []byte, u *roster.User) ([]byte, bool) {
	f := beginObject(b)
	f.str(`,"id":`, u.ID, false)
	f.str(`,"district":`, u.District, true)
	if !u.Name.IsZero() {
		f.value(`,"name":`, func(b []byte) ([]byte, bool) { return appendName(b, &u.Name) })
	}
	f.str(`,"email":`, u.Email, true)
	f.value(`,"roles":`, func(b []byte) ([]byte, bool) { return appendRoles(b, &u.Roles) })
	if !u.LastModified.IsZero() {
		f.value(`,"last_modified":`, func(b []byte) ([]byte, bool) { return appendTime(b, u.LastModified) })
	}
	return f.end()
}

func appendName(b []byte, n *roster.Name) ([]byte, bool) {
	f := beginObject(b)
	f.str(`,"first":`, n.First, true)
	f.str(`,"middle":`, n.Middle, true)
	f.str(`,"last":`, n.Last, true)
	return f.end()
}

func appendRoles(b []byte, rs *roster.Roles) ([]byte, bool) {
	f := beginObject(b)
	if rs.Student != nil {
		f.value(`,"student":`, func(b []byte) ([]byte, bool) { return appendStudent(b, rs.Student) })
	}
	if rs.Teacher != nil {
		f.value(`,"teacher":`, func(b []byte) ([]byte, bool) { return appendTeacher(b, rs.Teacher) })
	}
	if rs.Staff != nil {
		f.value(`,"staff":`, func(b []byte) ([]byte, bool) { return appendStaff(b, rs.Staff) })
	}
	if rs.DistrictAdmin != nil {
		f.value(`,"district_admin":`, func(b []byte) ([]byte, bool) {
			a := beginObject(b)
			a.str(`,"title":`, rs.DistrictAdmin.Title, true)
			return a.end()
		})
	}
	if rs.Contact != nil {
		f.value(`,"contact":`, func(b []byte) ([]byte, bool) { return appendContact(b, rs.Contact) })
	}
	return f.end()
}

func appendStudent(b []byte, s *roster.Student) ([]byte, bool) {
	f := beginObject(b)
	f.str(`,"sis_id":`, s.SISID, true)
	f.str(`,"student_number":`, s.StudentNumber, true)
	f.str(`,"state_id":`, s.StateID, true)
	f.str(`,"username":`, s.Username, true)
	f.str(`,"grade":`, s.Grade, true)
	f.str(`,"school":`, s.School, true)
	f.strs(`,"schools":`, s.Schools)
	if !s.DOB.IsZero() {
		f.value(`,"dob":`, func(b []byte) ([]byte, bool) { return appendDate(b, s.DOB) })
	}
	if d := s.Demographics; d != nil { // inline: nil writes nothing
		f.str(`,"gender":`, d.Gender, true)
		f.str(`,"graduation_year":`, d.GraduationYear, true)
		f.str(`,"race":`, d.Race, true)
		f.str(`,"hispanic_ethnicity":`, d.HispanicEthnicity, true)
		f.str(`,"ell_status":`, d.ELLStatus, true)
		f.str(`,"home_language":`, d.HomeLanguage, true)
	}
	if p := s.Programs; p != nil {
		// A non-nil Programs is written even when every status is
		// blank: omitzero looks at the pointer, not what it points to.
		f.value(`,"programs":`, func(b []byte) ([]byte, bool) {
			g := beginObject(b)
			g.str(`,"iep_status":`, p.IEPStatus, true)
			g.str(`,"section_504_status":`, p.Section504Status, true)
			g.str(`,"frl_status":`, p.FRLStatus, true)
			g.str(`,"gifted_status":`, p.GiftedStatus, true)
			return g.end()
		})
	}
	f.ext(`,"ext":`, s.Ext)
	return f.end()
}

func appendTeacher(b []byte, t *roster.Teacher) ([]byte, bool) {
	f := beginObject(b)
	f.str(`,"sis_id":`, t.SISID, true)
	f.str(`,"teacher_number":`, t.TeacherNumber, true)
	f.str(`,"state_id":`, t.StateID, true)
	f.str(`,"username":`, t.Username, true)
	f.str(`,"title":`, t.Title, true)
	f.str(`,"school":`, t.School, true)
	f.strs(`,"schools":`, t.Schools)
	f.ext(`,"ext":`, t.Ext)
	return f.end()
}

func appendStaff(b []byte, s *roster.Staff) ([]byte, bool) {
	f := beginObject(b)
	f.str(`,"staff_id":`, s.StaffID, true)
	f.str(`,"username":`, s.Username, true)
	f.str(`,"title":`, s.Title, true)
	f.str(`,"department":`, s.Department, true)
	f.strs(`,"schools":`, s.Schools)
	f.ext(`,"ext":`, s.Ext)
	return f.end()
}

func appendContact(b []byte, c *roster.Contact) ([]byte, bool) {
	f := beginObject(b)
	f.str(`,"sis_id":`, c.SISID, true)
	f.str(`,"phone":`, c.Phone, true)
	f.str(`,"phone_type":`, c.PhoneType, true)
	if len(c.Relationships) > 0 {
		f.value(`,"relationships":`, func(b []byte) ([]byte, bool) {
			b = append(b, '[')
			for i := range c.Relationships {
				if i > 0 {
					b = append(b, ',')
				}
				r := &c.Relationships[i]
				g := beginObject(b)
				g.str(`,"student":`, r.Student, false)
				g.str(`,"relationship":`, r.Relationship, true)
				g.str(`,"type":`, r.Type, true)
				var ok bool
				if b, ok = g.end(); !ok {
					return b, false
				}
			}
			return append(b, ']'), true
		})
	}
	return f.end()
}
