package oneroster

// The wire model: one struct per OneRoster object, shaped and tagged as the
// 1.1 and 1.2 REST bindings name their members, so that a REST body decodes
// straight into it (with encoding/json or go-json-experiment) and the CSV
// reader fills the same structs from columns of the same names.
//
// Deliberately left out: passwords (users.password, userProfiles
// credentials), which rosterd must never hold; the children lists of orgs
// and academic sessions, which repeat their parents; resources and
// userProfiles, which rostering does not use; and the href and type of
// every GUIDRef (see GUIDRef).

// Base holds the members every OneRoster object carries.
type Base struct {
	SourcedID string `json:"sourcedId"`
	// Status is active or tobedeleted (1.0 also sent inactive), as sent;
	// compare with IsDeleted, which ignores case.
	Status string `json:"status,omitempty"`
	// DateLastModified is an ISO 8601 timestamp, kept as text until the
	// mapping parses it: providers send date-only and .NET forms too.
	DateLastModified string   `json:"dateLastModified,omitempty"`
	Metadata         Metadata `json:"metadata,omitempty"`

	// Line is the line of the CSV file the record was read from, so that
	// a value the mapping cannot use is reported where the district can
	// find it; 0 for records that did not come from a CSV file.
	Line int `json:"-"`
}

// IsDeleted reports whether the record is a deletion (status tobedeleted,
// in any case).
func (b *Base) IsDeleted() bool { return equalFold(b.Status, StatusToBeDeleted) }

// IsInactive reports whether the record carries the OneRoster 1.0 status
// inactive.
func (b *Base) IsInactive() bool { return equalFold(b.Status, StatusInactive) }

// base gives generic code over the record types access to their Base.
func (b *Base) base() *Base { return b }

// GUIDRef is a reference to another object. Only SourcedID is decoded:
// real providers send relative hrefs, placeholder hrefs and the wrong type
// ("type":"user" on an org), so rosterd never reads them, and decoding
// them would hold two more strings for each of millions of references.
type GUIDRef struct {
	SourcedID string `json:"sourcedId"`
}

// Ref returns a GUIDRef to id.
func Ref(id string) GUIDRef { return GUIDRef{SourcedID: id} }

// Org is an organisation: a district, a school, a department of a school,
// or a local, state or national body above districts.
type Org struct {
	Base
	Name string `json:"name"`
	// Type is one of the Org* constants, or an ext: extension (1.2).
	Type       string  `json:"type"`
	Identifier string  `json:"identifier,omitempty"`
	Parent     GUIDRef `json:"parent,omitzero"`
}

// AcademicSession is a school year, semester, term or grading period.
type AcademicSession struct {
	Base
	Title string `json:"title"`
	// Type is one of the Session* constants, or an ext: extension (1.2).
	Type string `json:"type"`
	// StartDate and EndDate are YYYY-MM-DD, kept as text until mapped.
	StartDate string  `json:"startDate"`
	EndDate   string  `json:"endDate"`
	Parent    GUIDRef `json:"parent,omitzero"`
	// SchoolYear is the year the school year ends (YYYY); the 1.1
	// reference implementation sent it as a number.
	SchoolYear Year `json:"schoolYear,omitempty"`
}

// Course is what classes teach.
type Course struct {
	Base
	Title string `json:"title"`
	// SchoolYear refers to the academic session of the school year.
	SchoolYear   GUIDRef    `json:"schoolYear,omitzero"`
	CourseCode   string     `json:"courseCode,omitempty"`
	Grades       StringList `json:"grades,omitempty"`
	Subjects     StringList `json:"subjects,omitempty"`
	SubjectCodes StringList `json:"subjectCodes,omitempty"`
	// Org is the school or district offering the course.
	Org GUIDRef `json:"org,omitzero"`
}

// Class is a class: a course taught to a group of students in a school
// during one or more academic sessions.
type Class struct {
	Base
	Title     string `json:"title"`
	ClassCode string `json:"classCode,omitempty"`
	// ClassType is homeroom or scheduled, or an ext: extension (1.2).
	ClassType    string     `json:"classType,omitempty"`
	Location     string     `json:"location,omitempty"`
	Grades       StringList `json:"grades,omitempty"`
	Subjects     StringList `json:"subjects,omitempty"`
	SubjectCodes StringList `json:"subjectCodes,omitempty"`
	Periods      StringList `json:"periods,omitempty"`
	Course       GUIDRef    `json:"course,omitzero"`
	School       GUIDRef    `json:"school,omitzero"`
	// Terms lists the academic sessions the class is taught in.
	Terms []GUIDRef `json:"terms,omitempty"`
}

// User is a person. OneRoster 1.1 gives a user one Role and its Orgs (a
// person with two roles is two users); 1.2 gives Roles, each with its org,
// and a PrimaryOrg. A provider may send either shape, so both are here
// and the mapping reads whichever is filled.
type User struct {
	Base
	Username    string   `json:"username,omitempty"`
	UserIDs     []UserID `json:"userIds,omitempty"`
	EnabledUser Bool     `json:"enabledUser,omitzero"`
	GivenName   string   `json:"givenName"`
	FamilyName  string   `json:"familyName"`
	MiddleName  string   `json:"middleName,omitempty"`
	// The preferred names are 1.2; its CSV binding names them
	// preferredGivenName, preferredMiddleName and preferredFamilyName.
	PreferredFirstName   string `json:"preferredFirstName,omitempty"`
	PreferredMiddleName  string `json:"preferredMiddleName,omitempty"`
	PreferredLastName    string `json:"preferredLastName,omitempty"`
	Pronouns             string `json:"pronouns,omitempty"`
	UserMasterIdentifier string `json:"userMasterIdentifier,omitempty"`
	// Identifier is the human-readable ID the district uses (the SIS ID).
	Identifier string `json:"identifier,omitempty"`
	Email      string `json:"email,omitempty"`
	SMS        string `json:"sms,omitempty"`
	Phone      string `json:"phone,omitempty"`
	// Agents are the user's related people: a student's parents and
	// guardians, or a parent's children.
	Agents []GUIDRef  `json:"agents,omitempty"`
	Grades StringList `json:"grades,omitempty"`

	// Role and Orgs are the 1.1 shape.
	Role string    `json:"role,omitempty"`
	Orgs []GUIDRef `json:"orgs,omitempty"`

	// Roles and PrimaryOrg are the 1.2 shape.
	Roles      []Role  `json:"roles,omitempty"`
	PrimaryOrg GUIDRef `json:"primaryOrg,omitzero"`
}

// HasRoleData reports whether the record says which roles the user holds,
// in either shape. A 1.2 users.csv row never does: its roles are rows of
// roles.csv.
func (u *User) HasRoleData() bool { return u.Role != "" || len(u.Roles) > 0 }

// UserID is one of a user's identifiers in another system (LDAP, SSO).
type UserID struct {
	Type       string `json:"type"`
	Identifier string `json:"identifier"`
}

// Role is one role a 1.2 user holds in one org.
type Role struct {
	// RoleType is primary or secondary.
	RoleType string `json:"roleType,omitempty"`
	// Role is one of the Role* constants, or an ext: extension.
	Role        string  `json:"role"`
	Org         GUIDRef `json:"org,omitzero"`
	UserProfile string  `json:"userProfile,omitempty"`
	// BeginDate and EndDate are YYYY-MM-DD, kept as text until mapped.
	BeginDate string `json:"beginDate,omitempty"`
	EndDate   string `json:"endDate,omitempty"`
}

// RoleRecord is a row of the 1.2 CSV file roles.csv: one Role of one
// user, with its own sourcedId and status. REST embeds the same roles in
// the user instead.
type RoleRecord struct {
	Base
	User GUIDRef `json:"user"`
	Role Role    `json:"role"`
}

// Enrollment places a user in a class with a role.
type Enrollment struct {
	Base
	User   GUIDRef `json:"user"`
	Class  GUIDRef `json:"class"`
	School GUIDRef `json:"school,omitzero"`
	// Role is one of the Enrollment* constants (1.1 also had aide), or an
	// ext: extension (1.2).
	Role string `json:"role"`
	// Primary marks a class's primary teacher.
	Primary   Bool   `json:"primary,omitzero"`
	BeginDate string `json:"beginDate,omitempty"`
	EndDate   string `json:"endDate,omitempty"`
}

// Demographics holds one user's demographic data; its sourcedId is the
// user's.
type Demographics struct {
	Base
	BirthDate string `json:"birthDate,omitempty"`
	// Sex is male or female, and in 1.2 also unspecified or other.
	Sex                                  string `json:"sex,omitempty"`
	AmericanIndianOrAlaskaNative         Bool   `json:"americanIndianOrAlaskaNative,omitzero"`
	Asian                                Bool   `json:"asian,omitzero"`
	BlackOrAfricanAmerican               Bool   `json:"blackOrAfricanAmerican,omitzero"`
	NativeHawaiianOrOtherPacificIslander Bool   `json:"nativeHawaiianOrOtherPacificIslander,omitzero"`
	White                                Bool   `json:"white,omitzero"`
	DemographicRaceTwoOrMoreRaces        Bool   `json:"demographicRaceTwoOrMoreRaces,omitzero"`
	HispanicOrLatinoEthnicity            Bool   `json:"hispanicOrLatinoEthnicity,omitzero"`
	CountryOfBirthCode                   string `json:"countryOfBirthCode,omitempty"`
	StateOfBirthAbbreviation             string `json:"stateOfBirthAbbreviation,omitempty"`
	CityOfBirth                          string `json:"cityOfBirth,omitempty"`
	PublicSchoolResidenceStatus          string `json:"publicSchoolResidenceStatus,omitempty"`
}

// Dataset holds the records of one pull or one package, as delivered:
// deletions (status tobedeleted) included, in source order.
type Dataset struct {
	Orgs             []Org
	AcademicSessions []AcademicSession
	Courses          []Course
	Classes          []Class
	Users            []User
	// Roles holds the rows of a 1.2 roles.csv; REST embeds roles in Users.
	Roles        []RoleRecord
	Enrollments  []Enrollment
	Demographics []Demographics
}

// Len returns the number of records d holds.
func (d *Dataset) Len() int {
	return len(d.Orgs) + len(d.AcademicSessions) + len(d.Courses) + len(d.Classes) +
		len(d.Users) + len(d.Roles) + len(d.Enrollments) + len(d.Demographics)
}
