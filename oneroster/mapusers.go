package oneroster

import (
	"cmp"
	"slices"

	"github.com/rosterd/rosterd/internal/idindex"
	"github.com/rosterd/rosterd/roster"
)

// roleEntry is one role a user holds, from either shape of User or from
// roles.csv, with the orgs it holds it in.
type roleEntry struct {
	role    string // a member of userRoles
	kind    roster.Role
	primary bool
	orgs    []string
}

// staffTitles and adminTitles name the OneRoster roles that become the
// staff and district admin roles; the title is what a report shows.
var (
	staffTitles = map[string]string{
		RoleAide:              "Aide",
		RoleCounselor:         "Counselor",
		RolePrincipal:         "Principal",
		RoleProctor:           "Proctor",
		RoleSiteAdministrator: "Site Administrator",
		RoleAdministrator:     "Administrator",
	}
	adminTitles = map[string]string{
		RoleDistrictAdministrator: "District Administrator",
		RoleSystemAdministrator:   "System Administrator",
		RoleAdministrator:         "Administrator",
	}
)

// Contact relationships, in Clever's vocabulary, which the rest of
// rosterd reads: a parent is a Parent, a guardian a Parent/Guardian of
// unknown relation, a relative Family.
var contactRelations = map[string]roster.Relationship{
	RoleParent:   {Relationship: "Parent", Type: "Parent/Guardian"},
	RoleGuardian: {Type: "Parent/Guardian"},
	RoleRelative: {Relationship: "Other", Type: "Family"},
}

// The Ext keys of the user members the roster model has no field for.
const (
	extUserIDs              = "userIds"
	extEnabledUser          = "enabledUser"
	extUserMasterIdentifier = "userMasterIdentifier"
	extPreferredFirstName   = "preferredFirstName"
	extPreferredMiddleName  = "preferredMiddleName"
	extPreferredLastName    = "preferredLastName"
	extPronouns             = "pronouns"
)

func (m *mapper) usersToRoster() {
	m.beginUsers(len(m.d.Users))
	for i := range m.d.Users {
		m.addUser(&m.d.Users[i])
	}
	m.finishUsers()
}

// userFold holds what mapping users one at a time needs: each user's
// roles.csv rows and demographics, and the agents links found so far.
type userFold struct {
	// firstRole and nextRole hold the role records of each user, as a
	// list threaded through nextRole: one map entry per user rather than
	// one slice.
	firstRole    map[string]int32
	nextRole     []int32
	demographics map[string]*Demographics
	agents       []agentLink
}

// beginUsers readies m to map about n users. The dataset's roles and
// demographics must be in place: users are mapped with them.
func (m *mapper) beginUsers(n int) {
	f := &m.users
	f.firstRole = make(map[string]int32, len(m.d.Roles))
	f.nextRole = make([]int32, len(m.d.Roles))
	for i := len(m.d.Roles) - 1; i >= 0; i-- {
		rr := &m.d.Roles[i]
		if !m.keep(&rr.Base) {
			continue
		}
		f.nextRole[i] = -1
		if j, ok := f.firstRole[rr.User.SourcedID]; ok {
			f.nextRole[i] = j
		}
		f.firstRole[rr.User.SourcedID] = int32(i)
	}
	f.demographics = make(map[string]*Demographics, len(m.d.Demographics))
	for i := range m.d.Demographics {
		dm := &m.d.Demographics[i]
		if _, dup := f.demographics[dm.SourcedID]; !dup && m.keep(&dm.Base) {
			f.demographics[dm.SourcedID] = dm
		}
	}
	m.r.Users = make([]roster.User, 0, n)
}

// rolesOf returns the roles.csv rows of user id, in file order.
func (f *userFold) rolesOf(m *mapper, id string) []*RoleRecord {
	j, ok := f.firstRole[id]
	if !ok {
		return nil
	}
	var out []*RoleRecord
	for ; j >= 0; j = f.nextRole[j] {
		out = append(out, &m.d.Roles[j])
	}
	return out
}

// addUser maps one user, or notes it left out. The mapped user keeps
// none of u but its strings, so a crawl lets each page of users go once
// mapped.
func (m *mapper) addUser(u *User) {
	f := &m.users
	if !m.keep(&u.Base) || (m.opts.DropDisabledUsers && u.EnabledUser == BoolFalse) {
		m.leftOutUsers[u.SourcedID] = true
		return
	}
	out := m.user(u, f.rolesOf(m, u.SourcedID), f.demographics[u.SourcedID])
	for _, a := range u.Agents {
		if a.SourcedID != "" {
			f.agents = append(f.agents, agentLink{from: out.ID, to: a.SourcedID})
		}
	}
	m.r.Users = append(m.r.Users, out)
}

// finishUsers orders the users by ID, indexes them and links contacts to
// their students, once every user is mapped.
func (m *mapper) finishUsers() {
	agents := m.users.agents
	m.users = userFold{}
	slices.SortStableFunc(m.r.Users, func(a, b roster.User) int { return cmp.Compare(a.ID, b.ID) })
	m.userIndex = idindex.New(len(m.r.Users), func(p int32) string { return m.r.Users[p].ID })
	for i := range m.r.Users {
		m.userIndex.Add(m.r.Users[i].ID, int32(i))
	}
	m.relationships(agents)
}

// userID returns the ID string of the mapped user id, so that sections
// and contacts share it; an ID of no mapped user is interned instead.
func (m *mapper) userID(id string) string {
	if i, ok := m.userIndex.Get(id); ok {
		return m.r.Users[i].ID
	}
	return m.intern(id)
}

func (m *mapper) user(u *User, records []*RoleRecord, dm *Demographics) roster.User {
	firstErr := len(m.errs)
	entries := m.roleEntries(u, records)
	out := roster.User{
		ID:    u.SourcedID,
		Name:  roster.Name{First: u.GivenName, Middle: u.MiddleName, Last: u.FamilyName},
		Email: u.Email,
	}
	entity := entityUser
	for _, r := range roster.AllRoles {
		if slices.ContainsFunc(entries, func(e roleEntry) bool { return e.kind == r }) {
			entity = r.Entity()
			break
		}
	}
	for i := firstErr; i < len(m.errs); i++ {
		// Role errors were found before the user's entity was known.
		m.errs[i].Entity = entity
	}
	rec := recordOf(entity, u.SourcedID, u.Identifier, fileUsers, &u.Base)
	m.checkStatus(rec, &u.Base)
	out.LastModified = m.lastModified(rec, &u.Base)
	// The roles share it: an Ext is never changed in place.
	ext := m.userExt(rec, u)

	var primarySchool string
	if hasRole(entries, roster.RoleStudent) {
		school, schools := m.userSchools(u, entries, roster.RoleStudent)
		s := &roster.Student{
			SISID:    u.Identifier,
			Username: u.Username,
			Grade:    m.intern(modelGrade(u.Grades.First())),
			School:   school,
			Schools:  schools,
			Ext:      ext,
		}
		if dm != nil {
			m.demographics(recordOf(roster.EntityStudent, u.SourcedID, u.Identifier, fileDemographics, &dm.Base), s, dm)
		}
		out.Roles.Student = s
		primarySchool = school
	}
	if hasRole(entries, roster.RoleTeacher) {
		school, schools := m.userSchools(u, entries, roster.RoleTeacher)
		out.Roles.Teacher = &roster.Teacher{
			SISID:    u.Identifier,
			Username: u.Username,
			School:   school,
			Schools:  schools,
			Ext:      ext,
		}
		primarySchool = cmp.Or(primarySchool, school)
	}
	if hasRole(entries, roster.RoleStaff) {
		school, schools := m.userSchools(u, entries, roster.RoleStaff)
		out.Roles.Staff = &roster.Staff{
			StaffID:  u.Identifier,
			Username: u.Username,
			Title:    m.intern(staffTitles[firstEntry(entries, roster.RoleStaff).role]),
			Schools:  schools,
			Ext:      ext,
		}
		primarySchool = cmp.Or(primarySchool, school)
	}
	if hasRole(entries, roster.RoleDistrictAdmin) {
		out.Roles.DistrictAdmin = &roster.DistrictAdmin{Title: m.intern(adminTitles[firstEntry(entries, roster.RoleDistrictAdmin).role])}
	}
	if hasRole(entries, roster.RoleContact) {
		m.contactKinds[out.ID] = contactKind(entries)
		c := &roster.Contact{SISID: u.Identifier, Phone: u.Phone}
		if c.Phone == "" && u.SMS != "" {
			c.Phone, c.PhoneType = u.SMS, "Cell"
		}
		out.Roles.Contact = c
	}

	ids := []string{primarySchool}
	for _, e := range entries {
		ids = append(ids, e.orgs...)
	}
	ids = append(ids, u.PrimaryOrg.SourcedID)
	out.District = m.districtOr(ids...)
	return out
}

// roleEntries collects the roles u holds: the 1.1 role over its orgs, the
// 1.2 roles each over its org, and u's rows of roles.csv. Roles that
// ended before AsOf are left out.
func (m *mapper) roleEntries(u *User, records []*RoleRecord) []roleEntry {
	var out []roleEntry
	rec := recordOf(entityUser, u.SourcedID, u.Identifier, fileUsers, &u.Base)
	if u.Role != "" {
		orgs := make([]string, 0, len(u.Orgs))
		for _, o := range u.Orgs {
			if o.SourcedID != "" {
				orgs = append(orgs, o.SourcedID)
			}
		}
		if e, ok := m.roleEntry(rec, "role", u.Role, true, orgs); ok {
			out = append(out, e)
		}
	}
	add := func(rec recordRef, sectionMember string, r *Role) {
		if m.ended(rec, "roles", r.EndDate) {
			return
		}
		var orgs []string
		if r.Org.SourcedID != "" {
			orgs = []string{r.Org.SourcedID}
		}
		if e, ok := m.roleEntry(rec, sectionMember, r.Role, equalFold(r.RoleType, RoleTypePrimary), orgs); ok {
			out = append(out, e)
		}
	}
	for i := range u.Roles {
		add(rec, "roles", &u.Roles[i])
	}
	for _, rr := range records {
		add(recordOf(entityUser, u.SourcedID, u.Identifier, fileRoles, &rr.Base), "role", &rr.Role)
	}
	// Primary roles first, so that a user's primary school comes from one.
	slices.SortStableFunc(out, func(a, b roleEntry) int {
		switch {
		case a.primary == b.primary:
			return 0
		case a.primary:
			return -1
		}
		return 1
	})
	return out
}

// roleEntry maps one OneRoster role to a roster role. A 1.1
// administrator is a district admin when none of its orgs is a school (or
// a department, or an org not delivered), and staff otherwise.
func (m *mapper) roleEntry(rec recordRef, sectionMember, role string, primary bool, orgs []string) (roleEntry, bool) {
	r, known, ext := canonical(role, userRoles)
	if !known {
		if !ext {
			m.fieldError(rec, "roles", sectionMember, "not a OneRoster user role; the user holds no role from it")
		}
		return roleEntry{}, false
	}
	e := roleEntry{role: r, primary: primary, orgs: orgs}
	switch r {
	case RoleStudent:
		e.kind = roster.RoleStudent
	case RoleTeacher:
		e.kind = roster.RoleTeacher
	case RoleDistrictAdministrator, RoleSystemAdministrator:
		e.kind = roster.RoleDistrictAdmin
	case RoleGuardian, RoleParent, RoleRelative:
		e.kind = roster.RoleContact
	case RoleAdministrator:
		e.kind = roster.RoleDistrictAdmin
		for _, o := range orgs {
			if m.school(o).kind != refOther {
				e.kind = roster.RoleStaff
				break
			}
		}
	default:
		e.kind = roster.RoleStaff
	}
	return e, true
}

// hasRole reports whether entries hold a role of kind.
func hasRole(entries []roleEntry, kind roster.Role) bool {
	return slices.ContainsFunc(entries, func(e roleEntry) bool { return e.kind == kind })
}

// firstEntry returns the first entry of kind; entries are primary first.
func firstEntry(entries []roleEntry, kind roster.Role) roleEntry {
	for _, e := range entries {
		if e.kind == kind {
			return e
		}
	}
	return roleEntry{}
}

// userSchools returns the primary school and every school of the role
// kind: each org resolved to its school (districts and other orgs above
// schools are not schools, and are left out; an org that was not
// delivered is kept for preflight to report). The primary school is the
// user's primaryOrg when the role is held there, else the first school of
// a primary role; the list holds it first and the rest by ID.
func (m *mapper) userSchools(u *User, entries []roleEntry, kind roster.Role) (string, []string) {
	var schools []string
	for _, e := range entries {
		if e.kind != kind {
			continue
		}
		for _, o := range e.orgs {
			if ref := m.school(o); ref.kind != refOther && !slices.Contains(schools, ref.id) {
				schools = append(schools, ref.id)
			}
		}
	}
	switch len(schools) {
	case 0:
		return "", nil
	case 1:
		// Nearly every user has one school: share its list.
		return schools[0], m.in.List(schools)
	}
	primary := schools[0]
	if po := u.PrimaryOrg.SourcedID; po != "" {
		if ref := m.school(po); slices.Contains(schools, ref.id) {
			primary = ref.id
		}
	}
	rest := slices.DeleteFunc(schools, func(s string) bool { return s == primary })
	slices.Sort(rest)
	return primary, append([]string{primary}, rest...)
}

// userExt maps u's metadata plus the user members the roster has no field
// for: its userIds (as userIds.<type>), userMasterIdentifier, preferred
// names, pronouns, and enabledUser when it is false.
func (m *mapper) userExt(rec recordRef, u *User) roster.Ext {
	var extra []roster.ExtField
	add := func(k, v string) {
		if v != "" {
			extra = append(extra, roster.ExtField{Key: k, Value: jsonString(v)})
		}
	}
	for i, id := range u.UserIDs {
		if id.Identifier == "" || seenUserIDType(u.UserIDs[:i], id.Type) {
			continue
		}
		// Every identifier of the type, in order, from its first.
		value := id.Identifier
		for _, more := range u.UserIDs[i+1:] {
			if more.Type == id.Type && more.Identifier != "" {
				value += "," + more.Identifier
			}
		}
		add(m.userIDKey(id.Type), value)
	}
	add(extUserMasterIdentifier, u.UserMasterIdentifier)
	add(extPreferredFirstName, u.PreferredFirstName)
	add(extPreferredMiddleName, u.PreferredMiddleName)
	add(extPreferredLastName, u.PreferredLastName)
	add(extPronouns, u.Pronouns)
	switch u.EnabledUser {
	case BoolFalse:
		add(extEnabledUser, "false")
	case BoolInvalid:
		m.fieldError(rec, "ext."+extEnabledUser, "enabledUser", "not true or false; the user is kept as enabled")
	}
	// A user member wins over a metadata member of the same name.
	return roster.NewExt(append(m.metadataFields(rec, u.Metadata), extra...)...)
}

// userIDKey returns the Ext key of the userIds of type t.
func (m *mapper) userIDKey(t string) string {
	if t == "" {
		return extUserIDs
	}
	key, ok := m.userIDKeys[t]
	if !ok {
		if m.userIDKeys == nil {
			m.userIDKeys = make(map[string]string)
		}
		key = extUserIDs + "." + t
		m.userIDKeys[t] = key
	}
	return key
}

// seenUserIDType reports whether ids has an identifier of type t.
func seenUserIDType(ids []UserID, t string) bool {
	for _, id := range ids {
		if id.Type == t && id.Identifier != "" {
			return true
		}
	}
	return false
}

// races maps the demographic race flags to the race values the rest of
// rosterd reads (Clever's vocabulary).
var races = []struct {
	name string
	flag func(*Demographics) Bool
}{
	{"American Indian", func(d *Demographics) Bool { return d.AmericanIndianOrAlaskaNative }},
	{"Asian", func(d *Demographics) Bool { return d.Asian }},
	{"Black or African American", func(d *Demographics) Bool { return d.BlackOrAfricanAmerican }},
	{"Hawaiian or Other Pacific Islander", func(d *Demographics) Bool { return d.NativeHawaiianOrOtherPacificIslander }},
	{"Caucasian", func(d *Demographics) Bool { return d.White }},
}

// raceTwoOrMore is the race of a student with several race flags set.
const raceTwoOrMore = "Two or More Races"

// genders maps sex to the gender values the rest of rosterd reads
// (Clever's M, F and X); unspecified is no gender.
var genders = map[string]string{SexMale: "M", SexFemale: "F", SexOther: "X", SexUnspecified: ""}

// demographics maps a student's demographics record.
func (m *mapper) demographics(rec recordRef, s *roster.Student, dm *Demographics) {
	s.DOB = m.date(rec, "dob", "birthDate", dm.BirthDate)
	d := s.Demo()
	if dm.Sex != "" {
		if sex, ok, ext := canonical(dm.Sex, sexes); ok {
			d.Gender = m.intern(genders[sex])
		} else if !ext {
			m.fieldError(rec, "gender", "sex", "not a OneRoster sex (male, female, other or unspecified)")
		}
	}
	n, race := 0, ""
	for _, r := range races {
		switch r.flag(dm) {
		case BoolTrue:
			n++
			race = r.name
		case BoolInvalid:
			m.fieldError(rec, "race", raceMember(r.name), "not true or false")
		}
	}
	switch dm.DemographicRaceTwoOrMoreRaces {
	case BoolTrue:
		n = 2
	case BoolInvalid:
		m.fieldError(rec, "race", "demographicRaceTwoOrMoreRaces", "not true or false")
	}
	switch {
	case n > 1:
		d.Race = raceTwoOrMore
	case n == 1:
		d.Race = race
	}
	switch dm.HispanicOrLatinoEthnicity {
	case BoolTrue:
		d.HispanicEthnicity = "Y"
	case BoolFalse:
		d.HispanicEthnicity = "N"
	case BoolInvalid:
		m.fieldError(rec, "hispanic_ethnicity", "hispanicOrLatinoEthnicity", "not true or false")
	}
	s.Demographics = m.in.Demographics(d)
}

func raceMember(name string) string {
	switch name {
	case "American Indian":
		return "americanIndianOrAlaskaNative"
	case "Asian":
		return "asian"
	case "Black or African American":
		return "blackOrAfricanAmerican"
	case "Hawaiian or Other Pacific Islander":
		return "nativeHawaiianOrOtherPacificIslander"
	}
	return "white"
}

// agentLink is one agents entry: user from lists user to.
type agentLink struct{ from, to string }

// relationships gives each contact its students: the users its own agents
// list, and the users whose agents list it. Links to users left out go
// with them; links to users never delivered are kept for preflight to
// report.
func (m *mapper) relationships(links []agentLink) {
	related := make(map[int][]string)
	isContact := func(id string) (int, bool) {
		i, ok := m.userIndex.Get(id)
		return int(i), ok && m.r.Users[i].Roles.Contact != nil
	}
	for _, l := range links {
		if m.leftOutUsers[l.to] {
			continue
		}
		if i, ok := isContact(l.from); ok {
			related[i] = append(related[i], m.userID(l.to))
		}
		if i, ok := isContact(l.to); ok {
			related[i] = append(related[i], l.from)
		}
	}
	for i, students := range related {
		u := &m.r.Users[i]
		slices.Sort(students)
		students = slices.Compact(students)
		kind := m.contactKinds[u.ID]
		rels := make([]roster.Relationship, 0, len(students))
		for _, st := range students {
			if st == u.ID {
				continue
			}
			r := contactRelations[kind]
			r.Student = st
			rels = append(rels, r)
		}
		if len(rels) > 0 {
			u.Roles.Contact.Relationships = rels
		}
	}
}

// contactKind returns the contact role of entries that names the
// relationship: parent over guardian over relative.
func contactKind(entries []roleEntry) string {
	kind := ""
	for _, e := range entries {
		switch {
		case e.role == RoleParent:
			return RoleParent
		case e.role == RoleGuardian:
			kind = RoleGuardian
		case e.role == RoleRelative && kind == "":
			kind = RoleRelative
		}
	}
	return kind
}
