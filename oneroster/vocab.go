package oneroster

import "strings"

// The statuses of a record.
const (
	StatusActive      = "active"
	StatusToBeDeleted = "tobedeleted"
	// StatusInactive is OneRoster 1.0's; 1.1 dropped it.
	StatusInactive = "inactive"
)

// The org types.
const (
	OrgDepartment = "department"
	OrgSchool     = "school"
	OrgDistrict   = "district"
	OrgLocal      = "local"
	OrgState      = "state"
	OrgNational   = "national"
)

// The academic session types.
const (
	SessionGradingPeriod = "gradingPeriod"
	SessionSemester      = "semester"
	SessionSchoolYear    = "schoolYear"
	SessionTerm          = "term"
)

// The class types.
const (
	ClassHomeroom  = "homeroom"
	ClassScheduled = "scheduled"
)

// The user roles of 1.1 (administrator, aide, guardian, parent, proctor,
// relative, student, teacher) and 1.2 (which drops administrator and adds
// counselor, districtAdministrator, principal, siteAdministrator and
// systemAdministrator). Either may appear in either shape of User.
const (
	RoleAdministrator         = "administrator"
	RoleAide                  = "aide"
	RoleCounselor             = "counselor"
	RoleDistrictAdministrator = "districtAdministrator"
	RoleGuardian              = "guardian"
	RoleParent                = "parent"
	RolePrincipal             = "principal"
	RoleProctor               = "proctor"
	RoleRelative              = "relative"
	RoleSiteAdministrator     = "siteAdministrator"
	RoleStudent               = "student"
	RoleSystemAdministrator   = "systemAdministrator"
	RoleTeacher               = "teacher"
)

// The role types of a 1.2 role.
const (
	RoleTypePrimary   = "primary"
	RoleTypeSecondary = "secondary"
)

// The enrollment roles: student, teacher, administrator and proctor (1.1
// and 1.2), and aide (1.0).
const (
	EnrollmentStudent       = "student"
	EnrollmentTeacher       = "teacher"
	EnrollmentAdministrator = "administrator"
	EnrollmentProctor       = "proctor"
	EnrollmentAide          = "aide"
)

// The values of Demographics.Sex.
const (
	SexMale        = "male"
	SexFemale      = "female"
	SexOther       = "other"
	SexUnspecified = "unspecified"
)

var (
	orgTypes        = []string{OrgDepartment, OrgSchool, OrgDistrict, OrgLocal, OrgState, OrgNational}
	userRoles       = []string{RoleAdministrator, RoleAide, RoleCounselor, RoleDistrictAdministrator, RoleGuardian, RoleParent, RolePrincipal, RoleProctor, RoleRelative, RoleSiteAdministrator, RoleStudent, RoleSystemAdministrator, RoleTeacher}
	enrollmentRoles = []string{EnrollmentStudent, EnrollmentTeacher, EnrollmentAdministrator, EnrollmentProctor, EnrollmentAide}
	sexes           = []string{SexMale, SexFemale, SexOther, SexUnspecified}
	statuses        = []string{StatusActive, StatusToBeDeleted, StatusInactive}
)

// canonical returns the member of vocab that v names, ignoring case and
// surrounding space: the spec's enumerations are case-sensitive, but
// districts send Scheduled, toBeDeleted and TEACHER, and mean them. ext
// reports a 1.2 extension value (ext:…), which no vocabulary holds.
func canonical(v string, vocab []string) (value string, ok, ext bool) {
	v = strings.TrimSpace(v)
	for _, w := range vocab {
		if v == w {
			return w, true, false
		}
	}
	for _, w := range vocab {
		if strings.EqualFold(v, w) {
			return w, true, false
		}
	}
	if len(v) > 4 && strings.EqualFold(v[:4], "ext:") {
		return v, false, true
	}
	return v, false, false
}

func equalFold(a, b string) bool { return a == b || strings.EqualFold(strings.TrimSpace(a), b) }
