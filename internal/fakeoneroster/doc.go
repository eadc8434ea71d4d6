// Package fakeoneroster is an in-process OneRoster REST provider for
// tests, benchmarks and demos.
//
// It serves a Dataset (a *roster.Roster encoded once as OneRoster JSON)
// in both REST trees: OneRoster 1.1 under /ims/oneroster/v1p1 and the 1.2
// rostering service under /ims/oneroster/rostering/v1p2, with the
// contract the specifications publish: the collection and single-object
// endpoints with their envelopes (schools are "orgs", students and
// teachers "users", terms "academicSessions"), a few nested collections,
// limit/offset paging with X-Total-Count and RFC 5988 Link headers, an
// optional server-side cap on limit, the filter grammar
// (field op 'value', at most one AND or OR), imsx_StatusInfo errors (a
// bare object in 1.2, a statusInfoSet array in 1.1), OAuth 1.0a
// two-legged signatures on the 1.1 tree and OAuth 2 client-credentials
// tokens on the 1.2 tree. Injected faults (5xx bursts, 429s with
// Retry-After, slow and truncated responses, proxy HTML pages), SetDataset
// (the district changing mid-crawl) and a request log let tests drive a
// client's retry and abort paths.
//
// The package is deliberately independent of the oneroster client
// package: both are written from the published contract, so each catches
// the other's misreadings. It imports only the standard library, roster
// and go-json-experiment/json. Its tests validate the 1.2 responses
// against the official OpenAPI document.
//
// # Endpoints
//
// Under each tree: /orgs, /schools, /academicSessions, /terms, /courses,
// /classes, /users, /students, /teachers, /enrollments, /demographics,
// each also as /{collection}/{sourcedId}; and /schools/{id}/classes,
// /classes/{id}/students, /classes/{id}/teachers and
// /{users,students,teachers}/{id}/classes. Records are served in
// sourcedId order; sort, orderBy and fields are accepted and ignored. An
// unknown path or sourcedId is a 404 with codeMinor unknownobject; a bad
// limit or offset a 400 invaliddata; a filter naming a field the object
// does not have, or not following the grammar, a 400
// invalid_filter_field. A filter may name sourcedId, status,
// dateLastModified (compared as instants; an RFC 3339 time or a date),
// any field of the object's schema, dotted into references and arrays
// ("school.sourcedId", "roles.role"), and any "metadata.<key>". On the
// 1.2 tree "role" on users means "roles.role". ~ is a case-insensitive
// contains; != holds when no value of a multi-valued field equals.
//
// Hrefs are absolute URLs of the tree and host the request reached: the
// encoded records hold a placeholder byte where the service root goes, so
// one encoding serves both trees on any address. List responses carry
// X-Total-Count (the matches of the filter) and Link, nested ones too.
//
// # Mapping
//
// The table says how each roster record becomes OneRoster JSON, so a test
// of a client's round trip (roster → fake → client → roster) can compute
// the roster it should get back and compare with go-cmp. "(1.1)" and
// "(1.2)" mark what differs between the trees; everything else is the
// same in both.
//
//	roster                     OneRoster
//	-------------------------  ------------------------------------------------
//	every record               status "active" (or "tobedeleted" when listed
//	                           in EncodeOptions.Deleted); dateLastModified =
//	                           LastModified in UTC, to the millisecond
//	                           (2006-01-02T15:04:05.000Z); a zero LastModified
//	                           is sent as the Unix epoch
//	Ext (district, school,     metadata, keys sorted, values as written
//	section; a user's: see
//	below)
//	District                   org: sourcedId ID, name Name, type "district",
//	                           identifier NCESID, children = its schools
//	School                     org: sourcedId ID, name Name, type "school",
//	                           identifier SISID, parent = District
//	Term                       academicSession: title Name, type "term",
//	                           startDate/endDate StartDate/EndDate, schoolYear
//	                           = the year of EndDate (else of StartDate)
//	Course                     course: title Name, courseCode Number,
//	                           subjects [Subject], org = District
//	Section                    class: title Name, classCode SectionNumber,
//	                           classType "homeroom" when Subject is
//	                           roster.SubjectHomeroom else "scheduled",
//	                           grades [CEDSGrade(Grade)], subjects [Subject],
//	                           course = Course, school = School,
//	                           terms [Term], periods [Period]
//	Section.Teachers,          enrollments: one per section and teacher
//	Section.Students           (role "teacher", primary "true" for the first,
//	                           "false" for the others) and per section and
//	                           student (role "student", primary "false");
//	                           sourcedId EnrollmentID(section, role, user),
//	                           user, class = the section, school = its School,
//	                           dateLastModified = the section's
//	User                       user: sourcedId ID, enabledUser "true",
//	                           givenName Name.First, familyName Name.Last,
//	                           middleName Name.Middle, email Email,
//	                           identifier User.SISID(), username = the
//	                           first Username of the student, teacher and
//	                           staff roles, metadata = the Ext of the
//	                           student role, else teacher, else staff
//	                           (1.1: username always present, maybe "")
//	  userIds                  {type, identifier}: studentNumber
//	                           (StudentNumber), studentStateId (Student
//	                           StateID), teacherNumber, teacherStateId,
//	                           staffId (StaffID), each when set
//	  roles (1.2)              for each model role in roster.AllRoles order,
//	                           one entry per org it names (the primary school
//	                           first, then Schools; the District when it
//	                           names none): student → "student", teacher →
//	                           "teacher", staff → "siteAdministrator",
//	                           district_admin → "districtAdministrator" at
//	                           the District, contact → see below at the
//	                           District; the first entry is roleType
//	                           "primary", the rest "secondary"; primaryOrg =
//	                           the first entry's org
//	  role, orgs (1.1)         role of the primary model role
//	                           (User.PrimaryRole): student, teacher,
//	                           administrator (staff and district_admin) or
//	                           the contact's; orgs = User.Schools(), else
//	                           the District
//	  contact role             from the first relationship: Relationship
//	                           "Parent" → "parent"; else Type
//	                           "Parent/Guardian" (or Relationship "Guardian")
//	                           → "guardian"; else "relative"; no
//	                           relationship → "guardian"
//	  agents                   a student's: the contacts naming it, in ID
//	                           order; a contact's: its relationships'
//	                           students
//	  phone                    the contact role's Phone
//	  grades                   [CEDSGrade(Student.Grade)]
//	Student demographics       demographics (for students with any of these;
//	                           sourcedId = the user's): birthDate DOB; sex
//	                           M → "male", F → "female", X → "other" (1.2;
//	                           omitted in 1.1, which lacks it); Race →
//	                           the six race flags, "true" for its own and
//	                           "false" for the others ("Caucasian" → white,
//	                           "Asian", "Black or African American",
//	                           "American Indian" →
//	                           americanIndianOrAlaskaNative, "Hawaiian or
//	                           Other Pacific Islander", "Two or More Races"
//	                           → demographicRaceTwoOrMoreRaces), omitted for
//	                           any other race; HispanicEthnicity Y/N →
//	                           hispanicOrLatinoEthnicity "true"/"false"
//
// CEDSGrade maps Clever's grade names to CEDS codes: InfantToddler IT,
// Preschool PR, PreKindergarten PK, TransitionalKindergarten TK,
// Kindergarten KG, 1–9 → 01–09, 10–13 as they are, PostGraduate PS,
// Ungraded UG, Other Other; anything else is sent as it is.
//
// Not carried, because OneRoster has no field for them: District SISType
// and StateID; School SchoolNumber, StateID, NCESID, LowGrade, HighGrade,
// Phone and Address; Term SISID and District; Course SISID; Section SISID
// and District; User District (but see the orgs above); every role's
// Title; Staff
// Department; Student Schools beyond the orgs above, GraduationYear,
// ELLStatus, HomeLanguage and Programs; Contact SISID unless it is the
// user's SISID(), PhoneType and the relationships' Relationship and Type;
// the Ext of a user's other roles; Roster.FieldErrors. Empty optional
// fields and empty arrays are omitted; required strings (name, title,
// givenName, familyName, identifier of an org, courseCode) are sent as ""
// when empty, and a missing required reference (a class without course
// or term) is omitted, which the 1.2 schema then flags.
//
// Booleans (enabledUser, primary, the race flags) are the strings "true"
// and "false", as the 1.2 OpenAPI types them, in both trees.
//
// # Authentication
//
// The 1.1 tree verifies OAuth 1.0a two-legged signatures (Options
// ConsumerKey, ConsumerSecret, SignatureMethod): the base string is
// rebuilt from the request as received (RFC 5849 §3.4.1: the method, the
// scheme and host lower-cased without a default port, the raw path, and
// every query and Authorization-header parameter except realm and
// oauth_signature, percent-encoded per RFC 3986 with %20, sorted by name
// then value), the key is the encoded consumer secret and "&", and the
// signature HMAC-SHA256 (or HMAC-SHA1) in base64. A request is refused
// (401, with oauth_problem in the OAuth challenge) for a wrong signature,
// an unknown consumer key, another signature method, a non-empty
// oauth_token, a timestamp further than TimestampWindow from Now, or a
// nonce already used within the window. The 1.2 tree takes bearer tokens
// from POST /token (client credentials, the client authenticated by HTTP
// Basic or by form fields), which expire after TokenLifetime; with
// CheckScopes it enforces their scopes. Options.BearerToken is a static
// token both trees accept, and TokensOnV1p1 lets the 1.1 tree take issued
// tokens too.
//
// # Performance
//
// Every record is encoded exactly once (users and demographics once per
// tree), and a page is appending pre-encoded bytes to a pooled buffer
// with the hrefs spliced in, written in one call. Filters on sourcedId,
// status and dateLastModified read indexed fields; others decode the
// records, and their selections are cached per Dataset.
package fakeoneroster
