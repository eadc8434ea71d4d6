package oneroster

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rosterd/rosterd/roster"
)

// FromRoster writes a roster as OneRoster records, the inverse of
// ToRoster: for a roster that ToRoster returned, ToRoster(FromRoster(r))
// equals r (field errors aside). Package.Apply relies on it to merge a
// delta package onto the roster the source delivered before, and tests
// and fake providers use it to serve a generated district.
//
// What the roster does not carry is not invented: users get 1.2 roles
// (each with its org, the primary school's role marked primary),
// enrollments get synthetic sourcedIds (section/role/user), terms are of
// type term, and fields ToRoster never fills (a teacher's title, a
// student's programs) are not written.
func FromRoster(r *roster.Roster) *Dataset { return fromRoster(r, allParts) }

// dataPart is a OneRoster collection, for fromRoster to build only the ones
// a merge needs.
type dataPart uint8

const (
	partOrgs dataPart = 1 << iota
	partSessions
	partCourses
	partClasses
	partUsers
	partEnrollments
	partDemographics
	allParts = partOrgs | partSessions | partCourses | partClasses | partUsers | partEnrollments | partDemographics
)

func fromRoster(r *roster.Roster, parts dataPart) *Dataset {
	d := &Dataset{}
	if r == nil {
		return d
	}
	if parts&partOrgs != 0 {
		for i := range r.Districts {
			x := &r.Districts[i]
			d.Orgs = append(d.Orgs, Org{Base: activeBase(x.ID, x.LastModified, x.Ext), Name: x.Name, Type: OrgDistrict})
		}
		for i := range r.Schools {
			s := &r.Schools[i]
			o := Org{Base: activeBase(s.ID, s.LastModified, s.Ext), Name: s.Name, Type: OrgSchool, Identifier: s.SISID, Parent: Ref(s.District)}
			if !s.Address.IsZero() && addressOf(s.Ext).IsZero() {
				for k, v := range map[string]string{"address1": s.Address.Street, "city": s.Address.City, "state": s.Address.State, "postCode": s.Address.Zip} {
					if v != "" {
						o.Metadata.SetString(k, v)
					}
				}
			}
			d.Orgs = append(d.Orgs, o)
		}
	}
	if parts&partSessions != 0 {
		for i := range r.Terms {
			t := &r.Terms[i]
			s := AcademicSession{Base: activeBase(t.ID, t.LastModified, roster.Ext{}), Title: t.Name, Type: SessionTerm,
				StartDate: t.StartDate.String(), EndDate: t.EndDate.String()}
			if !t.EndDate.IsZero() {
				s.SchoolYear = Year(strconv.Itoa(int(t.EndDate.Year)))
			}
			d.AcademicSessions = append(d.AcademicSessions, s)
		}
	}
	if parts&partCourses != 0 {
		for i := range r.Courses {
			c := &r.Courses[i]
			d.Courses = append(d.Courses, Course{Base: activeBase(c.ID, c.LastModified, roster.Ext{}), Title: c.Name,
				CourseCode: c.Number, Subjects: oneItem(c.Subject), Org: Ref(c.District)})
		}
	}
	if parts&(partClasses|partEnrollments) != 0 {
		for i := range r.Sections {
			s := &r.Sections[i]
			if parts&partClasses != 0 {
				d.Classes = append(d.Classes, fromSection(s))
			}
			if parts&partEnrollments != 0 {
				d.Enrollments = appendEnrollments(d.Enrollments, s)
			}
		}
	}
	if parts&(partUsers|partDemographics) != 0 {
		for i := range r.Users {
			u := &r.Users[i]
			if parts&partUsers != 0 {
				d.Users = append(d.Users, fromUser(u))
			}
			if s := u.Roles.Student; s != nil && parts&partDemographics != 0 {
				if dm, ok := fromStudent(u.ID, s); ok {
					d.Demographics = append(d.Demographics, dm)
				}
			}
		}
	}
	return d
}

func activeBase(id string, lastModified time.Time, x roster.Ext) Base {
	b := Base{SourcedID: id, Status: StatusActive}
	if !lastModified.IsZero() {
		b.DateLastModified = lastModified.UTC().Format(time.RFC3339Nano)
	}
	b.Metadata = x.Map()
	return b
}

// oneItem returns s as a list of one, or nil when s is blank.
func oneItem(s string) StringList {
	if s == "" {
		return nil
	}
	return StringList{s}
}

func fromSection(s *roster.Section) Class {
	c := Class{
		Base:      activeBase(s.ID, s.LastModified, s.Ext),
		Title:     s.Name,
		ClassCode: s.SectionNumber,
		ClassType: ClassScheduled,
		Grades:    oneItem(cedsGrade(s.Grade)),
		Subjects:  oneItem(s.Subject),
		Periods:   splitList(s.Period),
		Course:    Ref(s.Course),
		School:    Ref(s.School),
	}
	if s.Subject == roster.SubjectHomeroom {
		c.ClassType, c.Subjects = ClassHomeroom, nil
	}
	if s.Term != "" {
		c.Terms = []GUIDRef{Ref(s.Term)}
	}
	return c
}

// appendEnrollments writes a section's members as enrollments, its first
// teacher as the primary one.
func appendEnrollments(dst []Enrollment, s *roster.Section) []Enrollment {
	for i, t := range s.Teachers {
		dst = append(dst, Enrollment{
			Base: Base{SourcedID: s.ID + "/" + EnrollmentTeacher + "/" + t, Status: StatusActive},
			User: Ref(t), Class: Ref(s.ID), School: Ref(s.School), Role: EnrollmentTeacher, Primary: BoolOf(i == 0),
		})
	}
	for _, st := range s.Students {
		dst = append(dst, Enrollment{
			Base: Base{SourcedID: s.ID + "/" + EnrollmentStudent + "/" + st, Status: StatusActive},
			User: Ref(st), Class: Ref(s.ID), School: Ref(s.School), Role: EnrollmentStudent,
		})
	}
	return dst
}

// staffRoles and adminRoles invert staffTitles and adminTitles; a title
// ToRoster never gives (a generated "Office Manager") is a site
// administrator.
var (
	staffRoles = invert(staffTitles)
	adminRoles = invert(adminTitles)
)

func invert(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[v] = k
	}
	return out
}

func fromUser(u *roster.User) User {
	out := User{
		Base:        activeBase(u.ID, u.LastModified, roster.Ext{}),
		EnabledUser: BoolTrue,
		GivenName:   u.Name.First,
		MiddleName:  u.Name.Middle,
		FamilyName:  u.Name.Last,
		Email:       u.Email,
		Identifier:  u.SISID(),
	}
	rs := &u.Roles
	var ext roster.Ext
	switch {
	case rs.Student != nil && !rs.Student.Ext.IsZero():
		ext = rs.Student.Ext
	case rs.Teacher != nil && !rs.Teacher.Ext.IsZero():
		ext = rs.Teacher.Ext
	case rs.Staff != nil && !rs.Staff.Ext.IsZero():
		ext = rs.Staff.Ext
	}
	fromUserExt(&out, ext)

	add := func(role string, primary bool, org string) {
		r := Role{RoleType: RoleTypeSecondary, Role: role, Org: Ref(org)}
		if primary {
			r.RoleType = RoleTypePrimary
		}
		out.Roles = append(out.Roles, r)
	}
	addSchools := func(role, school string, schools []string) {
		if school == "" && len(schools) == 0 {
			add(role, true, u.District)
			return
		}
		if school != "" {
			add(role, true, school)
		}
		for _, s := range schools {
			if s != school {
				add(role, school == "" && s == schools[0], s)
			}
		}
	}
	if s := rs.Student; s != nil {
		out.Username = s.Username
		out.Grades = oneItem(cedsGrade(s.Grade))
		addSchools(RoleStudent, s.School, s.Schools)
		out.PrimaryOrg = Ref(s.School)
	}
	if t := rs.Teacher; t != nil {
		out.Username = cmp.Or(out.Username, t.Username)
		addSchools(RoleTeacher, t.School, t.Schools)
		out.PrimaryOrg = Ref(cmp.Or(out.PrimaryOrg.SourcedID, t.School))
	}
	if s := rs.Staff; s != nil {
		out.Username = cmp.Or(out.Username, s.Username)
		role, ok := staffRoles[s.Title]
		if !ok {
			role = RoleSiteAdministrator
		}
		addSchools(role, "", s.Schools)
		if len(s.Schools) > 0 {
			out.PrimaryOrg = Ref(cmp.Or(out.PrimaryOrg.SourcedID, s.Schools[0]))
		}
	}
	if a := rs.DistrictAdmin; a != nil {
		role, ok := adminRoles[a.Title]
		if !ok {
			role = RoleDistrictAdministrator
		}
		add(role, true, u.District)
	}
	if c := rs.Contact; c != nil {
		add(contactRole(c), true, u.District)
		if c.PhoneType == "Cell" {
			out.SMS = c.Phone
		} else {
			out.Phone = c.Phone
		}
		for _, r := range c.Relationships {
			out.Agents = append(out.Agents, Ref(r.Student))
		}
	}
	return out
}

// contactRole inverts contactRelations: the contact role whose
// relationship the contact's first relationship is.
func contactRole(c *roster.Contact) string {
	if len(c.Relationships) == 0 {
		return RoleGuardian
	}
	r := c.Relationships[0]
	switch {
	case r.Type == "Parent/Guardian" && r.Relationship == "Parent":
		return RoleParent
	case r.Type == "Parent/Guardian":
		return RoleGuardian
	}
	return RoleRelative
}

// fromUserExt splits a user's Ext back into its metadata and the user
// members ToRoster keeps there.
func fromUserExt(u *User, ext roster.Ext) {
	for k, v := range ext.All() {
		s, _ := ext.Get(k)
		switch {
		case k == extUserIDs || strings.HasPrefix(k, extUserIDs+"."):
			typ := strings.TrimPrefix(strings.TrimPrefix(k, extUserIDs), ".")
			for _, id := range strings.Split(s, ",") {
				u.UserIDs = append(u.UserIDs, UserID{Type: typ, Identifier: id})
			}
		case k == extEnabledUser:
			if ParseBool(s) == BoolFalse {
				u.EnabledUser = BoolFalse
			}
		case k == extUserMasterIdentifier:
			u.UserMasterIdentifier = s
		case k == extPreferredFirstName:
			u.PreferredFirstName = s
		case k == extPreferredMiddleName:
			u.PreferredMiddleName = s
		case k == extPreferredLastName:
			u.PreferredLastName = s
		case k == extPronouns:
			u.Pronouns = s
		default:
			if u.Metadata == nil {
				u.Metadata = make(Metadata)
			}
			u.Metadata[k] = v
		}
	}
	// Map order is random; identifiers are not.
	sortUserIDs(u.UserIDs)
}

func sortUserIDs(ids []UserID) {
	slices.SortStableFunc(ids, func(a, b UserID) int { return cmp.Compare(a.Type, b.Type) })
}

var sexOf = map[string]string{"M": SexMale, "F": SexFemale, "X": SexOther}

// fromStudent writes a student's demographics, or reports that it has
// none.
func fromStudent(id string, s *roster.Student) (Demographics, bool) {
	if s.DOB.IsZero() && s.Demo().Gender == "" && s.Demo().Race == "" && s.Demo().HispanicEthnicity == "" {
		return Demographics{}, false
	}
	d := Demographics{Base: Base{SourcedID: id, Status: StatusActive}, BirthDate: s.DOB.String(), Sex: sexOf[s.Demo().Gender]}
	switch s.Demo().Race {
	case raceTwoOrMore:
		d.DemographicRaceTwoOrMoreRaces = BoolTrue
	case "American Indian":
		d.AmericanIndianOrAlaskaNative = BoolTrue
	case "Asian":
		d.Asian = BoolTrue
	case "Black or African American":
		d.BlackOrAfricanAmerican = BoolTrue
	case "Hawaiian or Other Pacific Islander":
		d.NativeHawaiianOrOtherPacificIslander = BoolTrue
	case "Caucasian":
		d.White = BoolTrue
	}
	switch s.Demo().HispanicEthnicity {
	case "Y":
		d.HispanicOrLatinoEthnicity = BoolTrue
	case "N":
		d.HispanicOrLatinoEthnicity = BoolFalse
	}
	return d, true
}
