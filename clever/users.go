package clever

import (
	"context"
	"net/url"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/rosterd/rosterd/roster"
)

// User is a user as Clever sends it: one person with a set of roles. A
// teacher may also be staff and a district admin; students and contacts
// never share a user with another role.
type User struct {
	ID           string `json:"id"`
	District     string `json:"district"`
	Email        string `json:"email"`
	Name         Name   `json:"name"`
	Roles        Roles  `json:"roles"`
	Created      string `json:"created"`
	LastModified string `json:"last_modified"`
}

// Name is a person's name. Contacts usually have only Last, holding the
// whole name.
type Name struct {
	First  string `json:"first"`
	Middle string `json:"middle"`
	Last   string `json:"last"`
}

// Roles holds a user's roles; an absent role is nil.
type Roles struct {
	Student       *StudentRole       `json:"student"`
	Teacher       *TeacherRole       `json:"teacher"`
	Staff         *StaffRole         `json:"staff"`
	DistrictAdmin *DistrictAdminRole `json:"district_admin"`
	Contact       *ContactRole       `json:"contact"`
}

// Credentials holds a user's district login name.
type Credentials struct {
	DistrictUsername string `json:"district_username"`
}

// StudentRole is the student role. DOB is M/D/YYYY; the v3.1 program
// fields (IEP, 504, FRL, gifted) appear only when the district shares
// them.
type StudentRole struct {
	SISID             string             `json:"sis_id"`
	StudentNumber     string             `json:"student_number"`
	StateID           string             `json:"state_id"`
	LegacyID          string             `json:"legacy_id"`
	Credentials       Credentials        `json:"credentials"`
	Email             string             `json:"email"`
	DOB               string             `json:"dob"`
	Gender            string             `json:"gender"`
	Grade             string             `json:"grade"`
	GraduationYear    string             `json:"graduation_year"`
	Race              string             `json:"race"`
	HispanicEthnicity string             `json:"hispanic_ethnicity"`
	ELLStatus         string             `json:"ell_status"`
	HomeLanguage      string             `json:"home_language"`
	HomeLanguageCode  string             `json:"home_language_code"`
	IEPStatus         string             `json:"iep_status"`
	Section504Status  string             `json:"section_504_status"`
	FRLStatus         string             `json:"frl_status"`
	GiftedStatus      string             `json:"gifted_status"`
	School            string             `json:"school"`
	Schools           []string           `json:"schools"`
	Enrollments       []SchoolEnrollment `json:"enrollments"`
	Location          Location           `json:"location"`
	Ext               jsontext.Value     `json:"ext"`
}

// SchoolEnrollment is a student's enrollment in a school. Clever sends it
// empty in every district seen so far; sections are the real enrollments.
type SchoolEnrollment struct {
	School    string `json:"school"`
	StartDate string `json:"start_date"`
	EndDate   string `json:"end_date"`
}

// TeacherRole is the teacher role.
type TeacherRole struct {
	SISID         string         `json:"sis_id"`
	TeacherNumber string         `json:"teacher_number"`
	StateID       string         `json:"state_id"`
	LegacyID      string         `json:"legacy_id"`
	Title         string         `json:"title"`
	Credentials   Credentials    `json:"credentials"`
	School        string         `json:"school"`
	Schools       []string       `json:"schools"`
	Ext           jsontext.Value `json:"ext"`
}

// StaffRole is the staff role (formerly "school admin").
type StaffRole struct {
	StaffID     string         `json:"staff_id"`
	LegacyID    string         `json:"legacy_id"`
	Title       string         `json:"title"`
	Department  string         `json:"department"`
	Roles       []string       `json:"roles"`
	Credentials Credentials    `json:"credentials"`
	Schools     []string       `json:"schools"`
	Ext         jsontext.Value `json:"ext"`
}

// DistrictAdminRole is the district administrator role.
type DistrictAdminRole struct {
	Title    string `json:"title"`
	LegacyID string `json:"legacy_id"`
}

// ContactRole is the role of a parent, guardian or emergency contact.
type ContactRole struct {
	SISID                string                `json:"sis_id"`
	LegacyID             string                `json:"legacy_id"`
	Phone                string                `json:"phone"`
	PhoneType            string                `json:"phone_type"`
	StudentRelationships []StudentRelationship `json:"student_relationships"`
}

// StudentRelationship ties a contact to a student.
type StudentRelationship struct {
	Student      string `json:"student"`
	Relationship string `json:"relationship"`
	Type         string `json:"type"`
}

// ListUsers calls fn with each page of users holding role (student,
// teacher, staff, district_admin or contact; "" lists every user), in ID
// order. fn must not keep the slice or anything it points to (roles):
// they are reused for a later page.
func (c *Client) ListUsers(ctx context.Context, role string, fn func([]User) error) error {
	q := url.Values{}
	if role != "" {
		q.Set("role", role)
	}
	return listPages(ctx, c, c.api(), c.collectionURL("users", q), false, nil, fn)
}

// sisID is the SIS ID of the user's primary role, as roster.User.SISID
// would return it.
func (u *User) sisID() string {
	switch r := u.Roles; {
	case r.Student != nil:
		return r.Student.SISID
	case r.Teacher != nil:
		return r.Teacher.SISID
	case r.Staff != nil:
		return r.Staff.StaffID
	case r.Contact != nil:
		return r.Contact.SISID
	}
	return ""
}

// entity is the report entity of the user's primary role; listed is the
// role whose listing the user came from, for a user without roles.
func (u *User) entity(listed roster.Role) roster.Entity {
	switch r := u.Roles; {
	case r.Student != nil:
		return roster.EntityStudent
	case r.Teacher != nil:
		return roster.EntityTeacher
	case r.Staff != nil:
		return roster.EntityStaff
	case r.DistrictAdmin != nil:
		return roster.EntityDistrictAdmin
	case r.Contact != nil:
		return roster.EntityContact
	}
	return listed.Entity()
}

func (u *User) toRoster(m *mapper, listed roster.Role) roster.User {
	rec := record{entity: u.entity(listed), id: u.ID, sisID: u.sisID()}
	out := roster.User{
		ID:           u.ID,
		District:     m.intern(u.District),
		Name:         m.name(u),
		Email:        u.Email,
		LastModified: m.timestamp(rec, "last_modified", u.LastModified),
	}
	m.addRoles(&out.Roles, u, out.Email)
	return out
}

// name maps u's name, interning the parts: a district's students and
// staff share a few thousand first and last names between them. A
// contact's whole name, which Clever sends as its last name, rarely
// repeats, and would only grow the interner.
func (m *mapper) name(u *User) roster.Name {
	n := roster.Name{First: m.intern(u.Name.First), Middle: m.intern(u.Name.Middle), Last: u.Name.Last}
	if u.Name.First != "" || u.Roles.Contact == nil {
		n.Last = m.intern(u.Name.Last)
	}
	return n
}

// addMissingRoles completes kept, the copy of a multi-role user mapped
// from an earlier listing, with the roles of u that it lacks: a multi-role
// user appears in the listing of each of its roles. Usernames share the
// kept copy's email, since that is the one the roster holds.
func (m *mapper) addMissingRoles(kept *roster.User, u *User) {
	m.addRoles(&kept.Roles, u, kept.Email)
}

// addRoles maps the roles of u that dst lacks; email is the user's email
// as the roster keeps it.
func (m *mapper) addRoles(dst *roster.Roles, u *User, email string) {
	sisID := u.sisID()
	if r := u.Roles.Student; r != nil && dst.Student == nil {
		dst.Student = r.toRoster(m, record{entity: roster.EntityStudent, id: u.ID, sisID: sisID}, email)
	}
	if r := u.Roles.Teacher; r != nil && dst.Teacher == nil {
		dst.Teacher = r.toRoster(m, record{entity: roster.EntityTeacher, id: u.ID, sisID: sisID}, email)
	}
	if r := u.Roles.Staff; r != nil && dst.Staff == nil {
		dst.Staff = r.toRoster(m, record{entity: roster.EntityStaff, id: u.ID, sisID: sisID}, email)
	}
	if r := u.Roles.DistrictAdmin; r != nil && dst.DistrictAdmin == nil {
		dst.DistrictAdmin = &roster.DistrictAdmin{Title: m.intern(r.Title)}
	}
	if r := u.Roles.Contact; r != nil && dst.Contact == nil {
		dst.Contact = r.toRoster(m)
	}
}

// toRoster maps the student role of the user whose kept email is email.
func (s *StudentRole) toRoster(m *mapper, rec record, email string) *roster.Student {
	out := m.newStudent()
	*out = roster.Student{
		SISID:         s.SISID,
		StudentNumber: sharePrefix(s.StudentNumber, s.SISID),
		StateID:       s.StateID,
		Username:      sharePrefix(s.Credentials.DistrictUsername, email),
		Grade:         m.intern(s.Grade),
		School:        m.intern(s.School),
		Schools:       m.internAll(s.Schools),
		DOB:           m.date(rec, "dob", s.DOB),
		Demographics: m.in.Demographics(roster.Demographics{
			Gender: s.Gender, GraduationYear: s.GraduationYear, Race: s.Race,
			HispanicEthnicity: s.HispanicEthnicity, ELLStatus: s.ELLStatus, HomeLanguage: s.HomeLanguage,
		}),
		Ext: m.ext(rec, "ext", s.Ext),
	}
	if s.IEPStatus != "" || s.Section504Status != "" || s.FRLStatus != "" || s.GiftedStatus != "" {
		out.Programs = &roster.Programs{
			IEPStatus:        m.intern(s.IEPStatus),
			Section504Status: m.intern(s.Section504Status),
			FRLStatus:        m.intern(s.FRLStatus),
			GiftedStatus:     m.intern(s.GiftedStatus),
		}
	}
	return out
}

func (t *TeacherRole) toRoster(m *mapper, rec record, email string) *roster.Teacher {
	return &roster.Teacher{
		SISID:         t.SISID,
		TeacherNumber: sharePrefix(t.TeacherNumber, t.SISID),
		StateID:       t.StateID,
		Username:      sharePrefix(t.Credentials.DistrictUsername, email),
		Title:         m.intern(t.Title),
		School:        m.intern(t.School),
		Schools:       m.internAll(t.Schools),
		Ext:           m.ext(rec, "ext", t.Ext),
	}
}

func (s *StaffRole) toRoster(m *mapper, rec record, email string) *roster.Staff {
	return &roster.Staff{
		StaffID:    s.StaffID,
		Username:   sharePrefix(s.Credentials.DistrictUsername, email),
		Title:      m.intern(s.Title),
		Department: m.intern(s.Department),
		Schools:    m.internAll(s.Schools),
		Ext:        m.ext(rec, "ext", s.Ext),
	}
}

func (c *ContactRole) toRoster(m *mapper) *roster.Contact {
	out := &roster.Contact{
		SISID:     c.SISID,
		Phone:     c.Phone,
		PhoneType: m.intern(c.PhoneType),
	}
	if len(c.StudentRelationships) > 0 {
		out.Relationships = make([]roster.Relationship, 0, len(c.StudentRelationships))
		for _, r := range c.StudentRelationships {
			out.Relationships = append(out.Relationships, roster.Relationship{
				Student:      m.userID(r.Student),
				Relationship: m.intern(r.Relationship),
				Type:         m.intern(r.Type),
			})
		}
	}
	return out
}
