package fakeoneroster

import (
	"slices"
	"strings"

	"github.com/rosterd/rosterd/internal/fakewire"
	"github.com/rosterd/rosterd/roster"
)

// users encodes the users for both versions, and the demographics, and
// returns the user index at each user position.
func (e *encoder) users(d *Dataset) []int32 {
	us := e.r.Users
	e.agents = map[string][]string{}
	for _, i := range sortedOrder(len(us), func(i int) string { return us[i].ID }) {
		if c := us[i].Roles.Contact; c != nil {
			for _, rel := range c.Relationships {
				if rel.Student != "" && !slices.Contains(e.agents[rel.Student], us[i].ID) {
					e.agents[rel.Student] = append(e.agents[rel.Student], us[i].ID)
				}
			}
		}
	}
	idOf := func(i int) string { return us[i].ID }
	order := sortedOrder(len(us), idOf)
	for vi, v := range []Version{V1p1, V1p2} {
		d.colls[collUsers][vi] = buildStore(order, idOf, func(dst []byte, i int) encoded {
			return e.user(dst, &us[i], v)
		})
		d.roles[vi] = map[string][]int32{}
		for pos, i := range order {
			for _, role := range userRoles(&us[i], v) {
				if sel := d.roles[vi][role]; len(sel) == 0 || sel[len(sel)-1] != int32(pos) {
					d.roles[vi][role] = append(sel, int32(pos))
				}
			}
		}
	}

	// Demographics: the students that have any.
	var students []int32
	for _, i := range order {
		if s := us[i].Roles.Student; s != nil && hasDemographics(s) {
			students = append(students, i)
		}
	}
	for vi, v := range []Version{V1p1, V1p2} {
		d.colls[collDemographics][vi] = buildStore(students, idOf, func(dst []byte, i int) encoded {
			return e.demographics(dst, &us[i], v)
		})
	}
	return order
}

// oneRosterRole is a role entry of a 1.2 user: a OneRoster role at an org.
type oneRosterRole struct {
	role, org string
}

// roleEntries lists the OneRoster roles u holds, the primary first: for
// each model role in roster.AllRoles order, one entry per org it names
// (its primary school first), or one at the district when it names none.
func roleEntries(u *roster.User) []oneRosterRole {
	var out []oneRosterRole
	add := func(role string, orgs ...string) {
		n := 0
		for _, org := range orgs {
			if org == "" || slices.Contains(out, oneRosterRole{role, org}) {
				continue
			}
			out = append(out, oneRosterRole{role, org})
			n++
		}
		if n == 0 && !slices.Contains(out, oneRosterRole{role, u.District}) {
			out = append(out, oneRosterRole{role, u.District})
		}
	}
	rs := &u.Roles
	if s := rs.Student; s != nil {
		add("student", append([]string{s.School}, s.Schools...)...)
	}
	if t := rs.Teacher; t != nil {
		add("teacher", append([]string{t.School}, t.Schools...)...)
	}
	if s := rs.Staff; s != nil {
		add("siteAdministrator", s.Schools...)
	}
	if rs.DistrictAdmin != nil {
		add("districtAdministrator")
	}
	if c := rs.Contact; c != nil {
		add(contactRole(c))
	}
	return out
}

// v1p1Role is the one role a 1.1 user carries: its primary model role's.
func v1p1Role(u *roster.User) string {
	switch u.PrimaryRole() {
	case roster.RoleStudent:
		return "student"
	case roster.RoleTeacher:
		return "teacher"
	case roster.RoleStaff, roster.RoleDistrictAdmin:
		return "administrator"
	case roster.RoleContact:
		return contactRole(u.Roles.Contact)
	}
	return ""
}

// contactRole reads a contact's OneRoster role off its first relationship:
// a Parent is a parent, any other Parent/Guardian contact a guardian, and
// everyone else (emergency contacts, family) a relative.
func contactRole(c *roster.Contact) string {
	if len(c.Relationships) == 0 {
		return "guardian"
	}
	rel := c.Relationships[0]
	switch {
	case strings.EqualFold(rel.Relationship, "Parent"):
		return "parent"
	case strings.EqualFold(rel.Type, "Parent/Guardian"), strings.EqualFold(rel.Relationship, "Guardian"):
		return "guardian"
	}
	return "relative"
}

// userRoles lists the OneRoster roles u is found under by role filters and
// by /students and /teachers in version v.
func userRoles(u *roster.User, v Version) []string {
	if v == V1p1 {
		if role := v1p1Role(u); role != "" {
			return []string{role}
		}
		return nil
	}
	var out []string
	for _, e := range roleEntries(u) {
		if !slices.Contains(out, e.role) {
			out = append(out, e.role)
		}
	}
	return out
}

// userMetadata is the Ext a user's metadata carries: its student role's,
// else its teacher role's, else its staff role's.
func userMetadata(u *roster.User) roster.Ext {
	switch rs := &u.Roles; {
	case rs.Student != nil:
		return rs.Student.Ext
	case rs.Teacher != nil:
		return rs.Teacher.Ext
	case rs.Staff != nil:
		return rs.Staff.Ext
	}
	return roster.Ext{}
}

// username is the username of the first of u's roles that has one.
func username(u *roster.User) string {
	rs := &u.Roles
	switch {
	case rs.Student != nil && rs.Student.Username != "":
		return rs.Student.Username
	case rs.Teacher != nil && rs.Teacher.Username != "":
		return rs.Teacher.Username
	case rs.Staff != nil && rs.Staff.Username != "":
		return rs.Staff.Username
	}
	return ""
}

// The userIds types the fake writes.
const (
	UserIDStudentNumber  = "studentNumber"
	UserIDStudentStateID = "studentStateId"
	UserIDTeacherNumber  = "teacherNumber"
	UserIDTeacherStateID = "teacherStateId"
	UserIDStaffID        = "staffId"
)

func userIDs(w *objWriter, u *roster.User) {
	type userID struct{ typ, id string }
	var ids []userID
	add := func(typ, id string) {
		if id != "" {
			ids = append(ids, userID{typ, id})
		}
	}
	if s := u.Roles.Student; s != nil {
		add(UserIDStudentNumber, s.StudentNumber)
		add(UserIDStudentStateID, s.StateID)
	}
	if t := u.Roles.Teacher; t != nil {
		add(UserIDTeacherNumber, t.TeacherNumber)
		add(UserIDTeacherStateID, t.StateID)
	}
	if s := u.Roles.Staff; s != nil {
		add(UserIDStaffID, s.StaffID)
	}
	if len(ids) == 0 {
		return
	}
	w.key("userIds")
	w.buf = append(w.buf, '[')
	for i, x := range ids {
		if i > 0 {
			w.buf = append(w.buf, ',')
		}
		w.buf = append(w.buf, `{"type":`...)
		w.buf = fakewire.AppendString(w.buf, x.typ)
		w.buf = append(w.buf, `,"identifier":`...)
		w.buf = fakewire.AppendString(w.buf, x.id)
		w.buf = append(w.buf, '}')
	}
	w.buf = append(w.buf, ']')
}

// agentsOf lists u's agents: a student's contacts, a contact's students.
func (e *encoder) agentsOf(u *roster.User) []string {
	var out []string
	if u.Roles.Student != nil {
		out = append(out, e.agents[u.ID]...)
	}
	if c := u.Roles.Contact; c != nil {
		for _, rel := range c.Relationships {
			if rel.Student != "" && !slices.Contains(out, rel.Student) {
				out = append(out, rel.Student)
			}
		}
	}
	return out
}

func (e *encoder) user(dst []byte, u *roster.User, v Version) encoded {
	w := objWriter{buf: dst}
	w.begin()
	rec := e.base(&w, u.ID, u.LastModified)
	w.metadata(userMetadata(u))
	if v == V1p1 {
		w.str("username", username(u))
	} else {
		w.opt("username", username(u))
	}
	userIDs(&w, u)
	w.str("enabledUser", "true")
	w.str("givenName", u.Name.First)
	w.str("familyName", u.Name.Last)
	w.opt("middleName", u.Name.Middle)
	if v == V1p1 {
		w.str("role", v1p1Role(u))
	} else {
		entries := roleEntries(u)
		w.key("roles")
		w.buf = append(w.buf, '[')
		for i, x := range entries {
			if i > 0 {
				w.buf = append(w.buf, ',')
			}
			w.begin()
			if i == 0 {
				w.str("roleType", "primary")
			} else {
				w.str("roleType", "secondary")
			}
			w.str("role", x.role)
			w.ref("org", "orgs", "org", x.org)
			w.end()
		}
		w.buf = append(w.buf, ']')
		if len(entries) > 0 {
			w.ref("primaryOrg", "orgs", "org", entries[0].org)
		}
	}
	w.opt("identifier", u.SISID())
	w.opt("email", u.Email)
	if c := u.Roles.Contact; c != nil {
		w.opt("phone", c.Phone)
	}
	w.refs("agents", "users", "user", e.agentsOf(u)...)
	if v == V1p1 {
		orgs := u.Schools()
		if len(orgs) == 0 {
			orgs = []string{u.District}
		}
		w.refs("orgs", "orgs", "org", orgs...)
	}
	if s := u.Roles.Student; s != nil {
		w.strs("grades", CEDSGrade(s.Grade))
	}
	w.end()
	rec.json = w.buf
	return rec
}

func hasDemographics(s *roster.Student) bool {
	return !s.DOB.IsZero() || sex(s.Demo().Gender, V1p2) != "" || raceFlag(s.Demo().Race) != "" || hispanic(s.Demo().HispanicEthnicity) != ""
}

// sex maps the model's gender (Clever's M, F, X) to OneRoster's sex; 1.1
// knows only male and female.
func sex(gender string, v Version) string {
	switch gender {
	case "M":
		return "male"
	case "F":
		return "female"
	case "X":
		if v == V1p2 {
			return "other"
		}
	}
	return ""
}

// raceFlags are the OneRoster race flags in schema order, each with the
// model's (Clever's) race value it stands for.
var raceFlags = [...]struct{ flag, race string }{
	{"americanIndianOrAlaskaNative", "American Indian"},
	{"asian", "Asian"},
	{"blackOrAfricanAmerican", "Black or African American"},
	{"nativeHawaiianOrOtherPacificIslander", "Hawaiian or Other Pacific Islander"},
	{"white", "Caucasian"},
	{"demographicRaceTwoOrMoreRaces", "Two or More Races"},
}

func raceFlag(race string) string {
	for _, f := range raceFlags {
		if f.race == race {
			return f.flag
		}
	}
	return ""
}

func hispanic(v string) string {
	switch v {
	case "Y":
		return "true"
	case "N":
		return "false"
	}
	return ""
}

func (e *encoder) demographics(dst []byte, u *roster.User, v Version) encoded {
	s := u.Roles.Student
	w := objWriter{buf: dst}
	w.begin()
	rec := e.base(&w, u.ID, u.LastModified)
	w.date("birthDate", s.DOB)
	w.opt("sex", sex(s.Demo().Gender, v))
	if flag := raceFlag(s.Demo().Race); flag != "" {
		for _, f := range raceFlags {
			w.boolStr(f.flag, f.flag == flag)
		}
	}
	w.opt("hispanicOrLatinoEthnicity", hispanic(s.Demo().HispanicEthnicity))
	w.end()
	rec.json = w.buf
	return rec
}
