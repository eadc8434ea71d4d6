package roster

import "time"

// User is a person with one or more roles. Roles are a set: a teacher may
// also be staff and a district admin. Students and contacts are never
// combined with another role by Clever, but the model does not rely on it.
type User struct {
	ID           string    `json:"id"`
	District     string    `json:"district,omitempty"`
	Name         Name      `json:"name,omitzero"`
	Email        string    `json:"email,omitempty"`
	Roles        Roles     `json:"roles"`
	LastModified time.Time `json:"last_modified,omitzero"`
}

// Name is a person's name. Contacts often carry only Last, holding the
// whole name.
type Name struct {
	First  string `json:"first,omitempty"`
	Middle string `json:"middle,omitempty"`
	Last   string `json:"last,omitempty"`
}

// IsZero reports whether n holds no part of a name.
func (n Name) IsZero() bool { return n == Name{} }

// Role is one of the roles a user can hold.
type Role string

// The roles.
const (
	RoleStudent       Role = "student"
	RoleTeacher       Role = "teacher"
	RoleStaff         Role = "staff"
	RoleDistrictAdmin Role = "district_admin"
	RoleContact       Role = "contact"
)

// AllRoles lists every Role in the order a user's primary role is chosen.
var AllRoles = []Role{RoleStudent, RoleTeacher, RoleStaff, RoleDistrictAdmin, RoleContact}

// ParseRole returns the Role named s.
func ParseRole(s string) (Role, bool) {
	for _, r := range AllRoles {
		if string(r) == s {
			return r, true
		}
	}
	return "", false
}

// Entity returns the report entity of records holding role r.
func (r Role) Entity() Entity { return Entity(r) }

// Roles is the set of roles a user holds; a nil field is an absent role.
type Roles struct {
	Student       *Student       `json:"student,omitzero"`
	Teacher       *Teacher       `json:"teacher,omitzero"`
	Staff         *Staff         `json:"staff,omitzero"`
	DistrictAdmin *DistrictAdmin `json:"district_admin,omitzero"`
	Contact       *Contact       `json:"contact,omitzero"`
}

// Has reports whether the set holds role r.
func (rs *Roles) Has(r Role) bool {
	switch r {
	case RoleStudent:
		return rs.Student != nil
	case RoleTeacher:
		return rs.Teacher != nil
	case RoleStaff:
		return rs.Staff != nil
	case RoleDistrictAdmin:
		return rs.DistrictAdmin != nil
	case RoleContact:
		return rs.Contact != nil
	}
	return false
}

// List returns the roles in the set, in AllRoles order.
func (rs *Roles) List() []Role {
	var out []Role
	for _, r := range AllRoles {
		if rs.Has(r) {
			out = append(out, r)
		}
	}
	return out
}

// Is reports whether u holds role r.
func (u *User) Is(r Role) bool { return u.Roles.Has(r) }

// Entities returns the report entities u counts as, one per role.
func (u *User) Entities() []Entity {
	roles := u.Roles.List()
	out := make([]Entity, len(roles))
	for i, r := range roles {
		out[i] = r.Entity()
	}
	return out
}

// PrimaryRole returns the first role u holds in AllRoles order, or "" when
// u holds none.
func (u *User) PrimaryRole() Role {
	for _, r := range AllRoles {
		if u.Roles.Has(r) {
			return r
		}
	}
	return ""
}

// SISID returns the SIS identifier of u's primary role, the ID a district
// recognises.
func (u *User) SISID() string {
	switch {
	case u.Roles.Student != nil:
		return u.Roles.Student.SISID
	case u.Roles.Teacher != nil:
		return u.Roles.Teacher.SISID
	case u.Roles.Staff != nil:
		return u.Roles.Staff.StaffID
	case u.Roles.Contact != nil:
		return u.Roles.Contact.SISID
	}
	return ""
}

// Schools returns every school ID u's roles name, primary schools first,
// without repeats.
func (u *User) Schools() []string {
	var out []string
	add := func(ids ...string) {
		for _, id := range ids {
			if id == "" {
				continue
			}
			dup := false
			for _, have := range out {
				if have == id {
					dup = true
					break
				}
			}
			if !dup {
				out = append(out, id)
			}
		}
	}
	if s := u.Roles.Student; s != nil {
		add(s.School)
		add(s.Schools...)
	}
	if t := u.Roles.Teacher; t != nil {
		add(t.School)
		add(t.Schools...)
	}
	if s := u.Roles.Staff; s != nil {
		add(s.Schools...)
	}
	return out
}

// Student is the student role.
type Student struct {
	SISID         string `json:"sis_id,omitempty"`
	StudentNumber string `json:"student_number,omitempty"`
	StateID       string `json:"state_id,omitempty"`
	Username      string `json:"username,omitempty"`
	Grade         string `json:"grade,omitempty"`
	// School is the primary school; Schools lists every school, School
	// included.
	School  string   `json:"school,omitempty"`
	Schools []string `json:"schools,omitempty"`
	DOB     Date     `json:"dob,omitzero"`

	// Demographics is nil when the student has none. Its fields are
	// written inline, as the student's own. Students with the same values
	// may share one (see Interner.Demographics): read it with Demo, and
	// change it with SetDemo, never through the pointer.
	Demographics *Demographics `json:",embed"`

	// Programs holds the sensitive program fields (IEP, 504, FRL, gifted),
	// present only when the source shares them.
	Programs *Programs `json:"programs,omitzero"`

	Ext Ext `json:"ext,omitempty"`
}

// Demographics holds a student's demographic fields. They are codes, a
// language and a year, so a district of 1.1M students has few distinct
// sets of them, and sources share one copy among the students that have
// it: 88 bytes less per student, about 97 MB of an XL roster.
type Demographics struct {
	Gender            string `json:"gender,omitempty"`
	GraduationYear    string `json:"graduation_year,omitempty"`
	Race              string `json:"race,omitempty"`
	HispanicEthnicity string `json:"hispanic_ethnicity,omitempty"`
	ELLStatus         string `json:"ell_status,omitempty"`
	HomeLanguage      string `json:"home_language,omitempty"`
}

// Demo returns the student's demographics, the zero value when it has
// none.
func (s *Student) Demo() Demographics {
	if s.Demographics == nil {
		return Demographics{}
	}
	return *s.Demographics
}

// SetDemo sets the student's demographics to a copy of d of its own, or
// to nil when d is zero. It never writes through the old pointer, which
// other students may share.
func (s *Student) SetDemo(d Demographics) {
	if d == (Demographics{}) {
		s.Demographics = nil
		return
	}
	s.Demographics = &d
}

// Programs holds a student's special-program statuses. They are among the
// most sensitive fields a roster carries.
type Programs struct {
	IEPStatus        string `json:"iep_status,omitempty"`
	Section504Status string `json:"section_504_status,omitempty"`
	FRLStatus        string `json:"frl_status,omitempty"`
	GiftedStatus     string `json:"gifted_status,omitempty"`
}

// Teacher is the teacher role.
type Teacher struct {
	SISID         string   `json:"sis_id,omitempty"`
	TeacherNumber string   `json:"teacher_number,omitempty"`
	StateID       string   `json:"state_id,omitempty"`
	Username      string   `json:"username,omitempty"`
	Title         string   `json:"title,omitempty"`
	School        string   `json:"school,omitempty"`
	Schools       []string `json:"schools,omitempty"`
	Ext           Ext      `json:"ext,omitempty"`
}

// Staff is the staff role (Clever's former "school admin").
type Staff struct {
	StaffID    string   `json:"staff_id,omitempty"`
	Username   string   `json:"username,omitempty"`
	Title      string   `json:"title,omitempty"`
	Department string   `json:"department,omitempty"`
	Schools    []string `json:"schools,omitempty"`
	Ext        Ext      `json:"ext,omitempty"`
}

// DistrictAdmin is the district administrator role. It has no schools.
type DistrictAdmin struct {
	Title string `json:"title,omitempty"`
}

// Contact is the role of a parent, guardian or emergency contact.
type Contact struct {
	SISID         string         `json:"sis_id,omitempty"`
	Phone         string         `json:"phone,omitempty"`
	PhoneType     string         `json:"phone_type,omitempty"`
	Relationships []Relationship `json:"relationships,omitempty"`
}

// Relationship ties a contact to a student.
type Relationship struct {
	Student      string `json:"student"`
	Relationship string `json:"relationship,omitempty"`
	Type         string `json:"type,omitempty"`
}
