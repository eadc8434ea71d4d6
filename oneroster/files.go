package oneroster

import "strings"

// The rostering files of the CSV binding, with their 1.1 and 1.2 columns
// (spec order), and the names real files use instead.
var (
	baseCols = []colSpec{
		{name: "sourcedId", need: true, value: true},
		{name: "status", spec: true},
		{name: "dateLastModified", spec: true, aliases: []string{"dataLastModified"}},
	}
	orgsSpec = fileSpec{name: "orgs", cols: withBase(
		colSpec{name: "name", need: true, spec: true},
		colSpec{name: "type", need: true, spec: true, value: true},
		colSpec{name: "identifier"},
		colSpec{name: "parentSourcedId"},
	)}
	sessionsSpec = fileSpec{name: "academicSessions", cols: withBase(
		colSpec{name: "title", need: true, spec: true},
		colSpec{name: "type", spec: true},
		colSpec{name: "startDate", need: true, spec: true},
		colSpec{name: "endDate", need: true, spec: true},
		colSpec{name: "parentSourcedId"},
		colSpec{name: "schoolYear", spec: true},
	)}
	coursesSpec = fileSpec{name: "courses", cols: withBase(
		colSpec{name: "schoolYearSourcedId", aliases: []string{"schoolYearId"}},
		colSpec{name: "title", need: true, spec: true},
		colSpec{name: "courseCode"},
		colSpec{name: "grades", aliases: []string{"grade"}},
		colSpec{name: "orgSourcedId", spec: true},
		colSpec{name: "subjects"},
		colSpec{name: "subjectCodes"},
	)}
	classesSpec = fileSpec{name: "classes", cols: withBase(
		colSpec{name: "title", need: true, spec: true},
		colSpec{name: "grades", aliases: []string{"grade"}},
		colSpec{name: "courseSourcedId", spec: true},
		colSpec{name: "classCode"},
		colSpec{name: "classType", spec: true},
		colSpec{name: "location"},
		colSpec{name: "schoolSourcedId", need: true, spec: true},
		colSpec{name: "termSourcedIds", spec: true, aliases: []string{"termSourcedId"}},
		colSpec{name: "subjects"},
		colSpec{name: "subjectCodes"},
		colSpec{name: "periods"},
	)}
	usersSpec = fileSpec{name: "users", cols: withBase(
		colSpec{name: "enabledUser", spec: true},
		// orgSourcedIds and role are 1.1's; 1.2 has roles.csv instead.
		colSpec{name: "orgSourcedIds"},
		colSpec{name: "role"},
		colSpec{name: "username"},
		colSpec{name: "userIds", aliases: []string{"userId"}},
		colSpec{name: "givenName", need: true, spec: true},
		colSpec{name: "familyName", need: true, spec: true},
		colSpec{name: "middleName"},
		colSpec{name: "identifier"},
		colSpec{name: "email"},
		colSpec{name: "sms"},
		colSpec{name: "phone"},
		colSpec{name: "agentSourcedIds", aliases: []string{"agents"}},
		colSpec{name: "grades", aliases: []string{"grade"}},
		colSpec{name: "password", skip: true},
		colSpec{name: "userMasterIdentifier"},
		colSpec{name: "resourceSourcedIds", skip: true},
		colSpec{name: "preferredGivenName", aliases: []string{"prefferedGivenName", "preferredFirstName"}},
		colSpec{name: "preferredMiddleName", aliases: []string{"prefferedMiddleName"}},
		colSpec{name: "preferredFamilyName", aliases: []string{"prefferedFamilyName", "preferredLastName"}},
		colSpec{name: "primaryOrgSourcedId"},
		colSpec{name: "pronouns"},
	)}
	rolesSpec = fileSpec{name: "roles", cols: withBase(
		colSpec{name: "userSourcedId", need: true, spec: true, value: true},
		colSpec{name: "roleType", spec: true},
		colSpec{name: "role", need: true, spec: true, value: true},
		colSpec{name: "beginDate"},
		colSpec{name: "endDate"},
		colSpec{name: "orgSourcedId", need: true, spec: true},
		colSpec{name: "userProfileSourcedId"},
	)}
	enrollmentsSpec = fileSpec{name: "enrollments", cols: withBase(
		colSpec{name: "classSourcedId", need: true, spec: true, value: true},
		colSpec{name: "schoolSourcedId", spec: true},
		colSpec{name: "userSourcedId", need: true, spec: true, value: true},
		colSpec{name: "role", need: true, spec: true, value: true},
		colSpec{name: "primary"},
		colSpec{name: "beginDate"},
		colSpec{name: "endDate"},
	)}
	demographicsSpec = fileSpec{name: "demographics", cols: []colSpec{
		// OneRoster 1.0 keyed demographics by userSourcedId.
		{name: "sourcedId", need: true, value: true, aliases: []string{"userSourcedId"}},
		baseCols[1], baseCols[2],
		{name: "birthDate", aliases: []string{"birthdate"}},
		{name: "sex"},
		{name: "americanIndianOrAlaskaNative"},
		{name: "asian"},
		{name: "blackOrAfricanAmerican"},
		{name: "nativeHawaiianOrOtherPacificIslander"},
		{name: "white"},
		{name: "demographicRaceTwoOrMoreRaces"},
		{name: "hispanicOrLatinoEthnicity"},
		{name: "countryOfBirthCode"},
		{name: "stateOfBirthAbbreviation"},
		{name: "cityOfBirth"},
		{name: "publicSchoolResidenceStatus"},
	}}
)

func withBase(cols ...colSpec) []colSpec { return append(append([]colSpec(nil), baseCols...), cols...) }

// rosterFiles lists the files rosterd reads, in the order it reads them:
// users before enrollments, so enrollments share their users' ID strings.
var rosterFiles = []*fileSpec{&orgsSpec, &sessionsSpec, &coursesSpec, &classesSpec, &usersSpec, &rolesSpec, &demographicsSpec, &enrollmentsSpec}

// otherFiles are the files of the CSV binding rosterd has no use for:
// gradebook, resources and 1.2 user profiles.
var otherFiles = []string{
	"categories", "classResources", "courseResources", "lineItems", "resources", "results",
	"userProfiles", "userResources", "scoreScales", "lineItemLearningObjectiveIds", "lineItemScoreScales",
	"resultLearningObjectiveIds", "resultScoreScales",
}

// readFile reads one rostering file into d. users12 says that users.csv
// may lack the 1.1 role columns, because the package is 1.2 or has a
// roles.csv.
func (f *fileReader) readFile(spec *fileSpec, d *Dataset, users12 bool) {
	var need func(colSpec) bool
	if spec == &usersSpec && !users12 {
		need = func(c colSpec) bool { return c.name == "role" || c.name == "orgSourcedIds" }
	}
	if !f.header(spec, need) {
		return
	}
	switch spec {
	case &orgsSpec:
		f.readOrgs(d)
	case &sessionsSpec:
		f.readSessions(d)
	case &coursesSpec:
		f.readCourses(d)
	case &classesSpec:
		f.readClasses(d)
	case &usersSpec:
		f.readUsers(d)
	case &rolesSpec:
		f.readRoles(d)
	case &enrollmentsSpec:
		f.readEnrollments(d)
	case &demographicsSpec:
		f.readDemographics(d)
	}
}

func (f *fileReader) readOrgs(d *Dataset) {
	var (
		cName            = f.at("name")
		cType            = f.at("type")
		cIdentifier      = f.at("identifier")
		cParentSourcedID = f.at("parentSourcedId")
	)
	for f.next() {
		b, ok := f.base(idShared)
		if !ok || !f.need(&b) {
			continue
		}
		d.Orgs = append(grow(f, d.Orgs), Org{
			Base:       b,
			Name:       f.text(cName),
			Type:       f.ref(cType),
			Identifier: f.text(cIdentifier),
			Parent:     Ref(f.ref(cParentSourcedID)),
		})
	}
}

func (f *fileReader) readSessions(d *Dataset) {
	var (
		cTitle           = f.at("title")
		cType            = f.at("type")
		cStartDate       = f.at("startDate")
		cEndDate         = f.at("endDate")
		cParentSourcedID = f.at("parentSourcedId")
		cSchoolYear      = f.at("schoolYear")
	)
	for f.next() {
		b, ok := f.base(idShared)
		if !ok || !f.need(&b) {
			continue
		}
		d.AcademicSessions = append(grow(f, d.AcademicSessions), AcademicSession{
			Base:       b,
			Title:      f.text(cTitle),
			Type:       f.ref(cType),
			StartDate:  f.ref(cStartDate),
			EndDate:    f.ref(cEndDate),
			Parent:     Ref(f.ref(cParentSourcedID)),
			SchoolYear: Year(f.ref(cSchoolYear)),
		})
	}
}

func (f *fileReader) readCourses(d *Dataset) {
	var (
		cTitle               = f.at("title")
		cSchoolYearSourcedID = f.at("schoolYearSourcedId")
		cCourseCode          = f.at("courseCode")
		cGrades              = f.at("grades")
		cSubjects            = f.at("subjects")
		cSubjectCodes        = f.at("subjectCodes")
		cOrgSourcedID        = f.at("orgSourcedId")
	)
	for f.next() {
		b, ok := f.base(idShared)
		if !ok || !f.need(&b) {
			continue
		}
		d.Courses = append(grow(f, d.Courses), Course{
			Base:         b,
			Title:        f.text(cTitle),
			SchoolYear:   Ref(f.ref(cSchoolYearSourcedID)),
			CourseCode:   f.text(cCourseCode),
			Grades:       f.listCell(cGrades),
			Subjects:     f.listCell(cSubjects),
			SubjectCodes: f.listCell(cSubjectCodes),
			Org:          Ref(f.ref(cOrgSourcedID)),
		})
	}
}

func (f *fileReader) readClasses(d *Dataset) {
	var (
		cTitle           = f.at("title")
		cClassCode       = f.at("classCode")
		cClassType       = f.at("classType")
		cLocation        = f.at("location")
		cGrades          = f.at("grades")
		cSubjects        = f.at("subjects")
		cSubjectCodes    = f.at("subjectCodes")
		cPeriods         = f.at("periods")
		cCourseSourcedID = f.at("courseSourcedId")
		cSchoolSourcedID = f.at("schoolSourcedId")
		cTermSourcedIDs  = f.at("termSourcedIds")
	)
	for f.next() {
		b, ok := f.base(idShared)
		if !ok || !f.need(&b) {
			continue
		}
		d.Classes = append(grow(f, d.Classes), Class{
			Base:         b,
			Title:        f.text(cTitle),
			ClassCode:    f.text(cClassCode),
			ClassType:    f.ref(cClassType),
			Location:     f.text(cLocation),
			Grades:       f.listCell(cGrades),
			Subjects:     f.listCell(cSubjects),
			SubjectCodes: f.listCell(cSubjectCodes),
			Periods:      f.listCell(cPeriods),
			Course:       Ref(f.ref(cCourseSourcedID)),
			School:       Ref(f.ref(cSchoolSourcedID)),
			Terms:        f.refs(cTermSourcedIDs),
		})
	}
}

func (f *fileReader) readUsers(d *Dataset) {
	var (
		cUsername             = f.at("username")
		cUserIDs              = f.at("userIds")
		cEnabledUser          = f.at("enabledUser")
		cGivenName            = f.at("givenName")
		cFamilyName           = f.at("familyName")
		cMiddleName           = f.at("middleName")
		cPreferredGivenName   = f.at("preferredGivenName")
		cPreferredMiddleName  = f.at("preferredMiddleName")
		cPreferredFamilyName  = f.at("preferredFamilyName")
		cPronouns             = f.at("pronouns")
		cUserMasterIdentifier = f.at("userMasterIdentifier")
		cIdentifier           = f.at("identifier")
		cEmail                = f.at("email")
		cSms                  = f.at("sms")
		cPhone                = f.at("phone")
		cAgentSourcedIDs      = f.at("agentSourcedIds")
		cGrades               = f.at("grades")
		cRole                 = f.at("role")
		cOrgSourcedIDs        = f.at("orgSourcedIds")
		cPrimaryOrgSourcedID  = f.at("primaryOrgSourcedId")
	)
	for f.next() {
		b, ok := f.base(idShared)
		if !ok || !f.need(&b) {
			continue
		}
		u := User{
			Base:                 b,
			Username:             f.text(cUsername),
			UserIDs:              parseUserIDs(f.cell(cUserIDs)),
			EnabledUser:          f.bool(cEnabledUser),
			GivenName:            f.text(cGivenName),
			FamilyName:           f.text(cFamilyName),
			MiddleName:           f.text(cMiddleName),
			PreferredFirstName:   f.text(cPreferredGivenName),
			PreferredMiddleName:  f.text(cPreferredMiddleName),
			PreferredLastName:    f.text(cPreferredFamilyName),
			Pronouns:             f.ref(cPronouns),
			UserMasterIdentifier: f.text(cUserMasterIdentifier),
			Identifier:           f.text(cIdentifier),
			Email:                f.text(cEmail),
			SMS:                  f.text(cSms),
			Phone:                f.text(cPhone),
			Agents:               f.refs(cAgentSourcedIDs),
			Grades:               f.listCell(cGrades),
			Role:                 f.ref(cRole),
			Orgs:                 f.refs(cOrgSourcedIDs),
			PrimaryOrg:           Ref(f.ref(cPrimaryOrgSourcedID)),
		}
		d.Users = append(grow(f, d.Users), u)
	}
}

func (f *fileReader) readRoles(d *Dataset) {
	var (
		cUserSourcedID        = f.at("userSourcedId")
		cRoleType             = f.at("roleType")
		cRole                 = f.at("role")
		cOrgSourcedID         = f.at("orgSourcedId")
		cUserProfileSourcedID = f.at("userProfileSourcedId")
		cBeginDate            = f.at("beginDate")
		cEndDate              = f.at("endDate")
	)
	for f.next() {
		b, ok := f.base(idLink)
		if !ok || !f.need(&b) || !f.deletionNeeds(&b, "roles", cUserSourcedID, cOrgSourcedID, cRole) {
			continue
		}
		d.Roles = append(grow(f, d.Roles), RoleRecord{
			Base: b,
			User: Ref(f.ref(cUserSourcedID)),
			Role: Role{
				RoleType:    f.ref(cRoleType),
				Role:        f.ref(cRole),
				Org:         Ref(f.ref(cOrgSourcedID)),
				UserProfile: f.ref(cUserProfileSourcedID),
				BeginDate:   f.ref(cBeginDate),
				EndDate:     f.ref(cEndDate),
			},
		})
	}
}

func (f *fileReader) readEnrollments(d *Dataset) {
	var (
		cUserSourcedID   = f.at("userSourcedId")
		cClassSourcedID  = f.at("classSourcedId")
		cSchoolSourcedID = f.at("schoolSourcedId")
		cRole            = f.at("role")
		cPrimary         = f.at("primary")
		cBeginDate       = f.at("beginDate")
		cEndDate         = f.at("endDate")
	)
	for f.next() {
		b, ok := f.base(idLink)
		if !ok || !f.need(&b) || !f.deletionNeeds(&b, "enrollments", cClassSourcedID, cUserSourcedID) {
			continue
		}
		d.Enrollments = append(grow(f, d.Enrollments), Enrollment{
			Base:      b,
			User:      Ref(f.ref(cUserSourcedID)),
			Class:     Ref(f.ref(cClassSourcedID)),
			School:    Ref(f.ref(cSchoolSourcedID)),
			Role:      f.ref(cRole),
			Primary:   f.bool(cPrimary),
			BeginDate: f.ref(cBeginDate),
			EndDate:   f.ref(cEndDate),
		})
	}
}

func (f *fileReader) readDemographics(d *Dataset) {
	// Demographics are keyed by their user's sourcedId, which users.csv
	// interned; nothing refers to them, so their IDs are not interned.
	var (
		cBirthDate                            = f.at("birthDate")
		cSex                                  = f.at("sex")
		cAmericanIndianOrAlaskaNative         = f.at("americanIndianOrAlaskaNative")
		cAsian                                = f.at("asian")
		cBlackOrAfricanAmerican               = f.at("blackOrAfricanAmerican")
		cNativeHawaiianOrOtherPacificIslander = f.at("nativeHawaiianOrOtherPacificIslander")
		cWhite                                = f.at("white")
		cDemographicRaceTwoOrMoreRaces        = f.at("demographicRaceTwoOrMoreRaces")
		cHispanicOrLatinoEthnicity            = f.at("hispanicOrLatinoEthnicity")
		cCountryOfBirthCode                   = f.at("countryOfBirthCode")
		cStateOfBirthAbbreviation             = f.at("stateOfBirthAbbreviation")
		cCityOfBirth                          = f.at("cityOfBirth")
		cPublicSchoolResidenceStatus          = f.at("publicSchoolResidenceStatus")
	)
	for f.next() {
		b, ok := f.base(idChecked)
		if !ok {
			continue
		}
		d.Demographics = append(grow(f, d.Demographics), Demographics{
			Base:                                 b,
			BirthDate:                            f.text(cBirthDate),
			Sex:                                  f.ref(cSex),
			AmericanIndianOrAlaskaNative:         f.bool(cAmericanIndianOrAlaskaNative),
			Asian:                                f.bool(cAsian),
			BlackOrAfricanAmerican:               f.bool(cBlackOrAfricanAmerican),
			NativeHawaiianOrOtherPacificIslander: f.bool(cNativeHawaiianOrOtherPacificIslander),
			White:                                f.bool(cWhite),
			DemographicRaceTwoOrMoreRaces:        f.bool(cDemographicRaceTwoOrMoreRaces),
			HispanicOrLatinoEthnicity:            f.bool(cHispanicOrLatinoEthnicity),
			CountryOfBirthCode:                   f.ref(cCountryOfBirthCode),
			StateOfBirthAbbreviation:             f.ref(cStateOfBirthAbbreviation),
			CityOfBirth:                          f.ref(cCityOfBirth),
			PublicSchoolResidenceStatus:          f.ref(cPublicSchoolResidenceStatus),
		})
	}
}

// parseUserIDs reads a userIds cell: {type:identifier} items
// ("{LDAP:12},{LTI:15}"), or bare identifiers, comma-separated.
func parseUserIDs(c []byte) []UserID {
	if len(c) == 0 {
		return nil
	}
	var out []UserID
	s := string(c)
	if !strings.Contains(s, "{") {
		for item := range strings.SplitSeq(s, ",") {
			if item = strings.TrimSpace(item); item != "" {
				out = append(out, userID(item))
			}
		}
		return out
	}
	for len(s) > 0 {
		open := strings.IndexByte(s, '{')
		if open < 0 {
			break
		}
		end := strings.IndexByte(s[open:], '}')
		if end < 0 {
			end = len(s) - open
		}
		if item := strings.TrimSpace(s[open+1 : open+end]); item != "" {
			out = append(out, userID(item))
		}
		if open+end+1 >= len(s) {
			break
		}
		s = s[open+end+1:]
	}
	return out
}

func userID(item string) UserID {
	if i := strings.IndexByte(item, ':'); i >= 0 {
		return UserID{Type: strings.TrimSpace(item[:i]), Identifier: strings.TrimSpace(item[i+1:])}
	}
	return UserID{Identifier: item}
}
