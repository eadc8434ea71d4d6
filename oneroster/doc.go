// Package oneroster is rosterd's adapter for OneRoster 1.1 and 1.2: the
// wire model both REST bindings and the CSV binding share, its mapping
// into roster.Roster, and the reader of CSV packages (a folder or a zip
// with manifest.csv) that districts drop over SFTP.
//
// # The model
//
// Org, AcademicSession, Course, Class, User, Enrollment and Demographics
// carry the members the REST bindings name, with the same JSON names, so a
// REST body decodes straight into them (Dataset.DecodeJSON decodes a whole
// response body), and the CSV reader fills the same structs from columns
// of the same names. The model is lenient where real providers are
// sloppy: Bool reads true, "TRUE", 1 and 0; StringList reads a bare
// string as a list; Year reads schoolYear as a number or a string;
// enumerations stay strings, so 1.2 ext: extensions and case variants
// (Scheduled, toBeDeleted) decode; a GUIDRef keeps only its sourcedId,
// since hrefs and types in the wild are relative, placeholders or wrong.
// Passwords are never decoded. A REST page of enrollments or users, most
// of a crawl's bytes, is read by a scan of their shape when it can be
// (fastdecode.go), and by the JSON library otherwise.
//
// # The mapping
//
// ToRoster maps a Dataset the way a district's data means it. Records
// with status tobedeleted are deletions and are left out, with whatever
// refers to them (an enrollment of a deleted class). A value that cannot
// be mapped becomes a roster.FieldError naming the record, the roster
// field and the OneRoster member (and, for CSV, the file, line and
// column), never the value; the record is kept without it. Every slice is
// ordered by ID.
//
//	OneRoster                      roster
//	org type district              District (a consortium has several)
//	org type school                School; its district is the first district above it
//	org type department            no record: a class or user of a department belongs
//	                               to the nearest school above it
//	org local/state/national/ext:  no record (they sit above districts)
//	org identifier                 School.SISID
//	org metadata address1, city,   School.Address (ClassLink's columns), and Ext
//	  state, postCode
//	academicSession (every type)   Term, named by its title: grading periods too, since
//	                               1.1 lets a class name any session as its term
//	course                         Course: courseCode → Number, subjects[0] → Subject
//	class                          Section: title → Name, classCode → SectionNumber,
//	                               grades[0] → Grade, periods joined → Period,
//	                               subjects[0] → Subject, metadata → Ext
//	class classType homeroom       Subject homeroom/advisory, whatever its subjects say
//	class terms                    Term: the narrowest listed session with dates
//	                               (a class of a semester and its year is taught in the
//	                               semester); the first listed on a tie or without dates
//	enrollment student / teacher   Section.Students / Section.Teachers (primary=true
//	                               teachers first, then by ID); administrator, proctor
//	                               and aide have no place in a section and are left out
//	user role student / teacher    Student / Teacher: identifier → SISID, username,
//	                               grades[0] → Student.Grade
//	aide, counselor, principal,    Staff, titled Aide, Counselor, Principal, Proctor,
//	  proctor, siteAdministrator   Site Administrator
//	districtAdministrator,         DistrictAdmin, titled District or System Administrator
//	  systemAdministrator
//	administrator (1.1)            DistrictAdmin when none of its orgs is a school,
//	                               Staff (Administrator) otherwise
//	guardian / parent / relative   Contact; its students are its agents and the users
//	                               whose agents name it; Relationship Parent (parent),
//	                               Type Parent/Guardian (guardian), Other/Family
//	                               (relative); phone, or sms as a Cell phone
//	1.1 orgs, 1.2 roles[].org,     each role's School and Schools (the primaryOrg when
//	  roles.csv, primaryOrg        the role is held there, else a primary role's first
//	                               school; the rest by ID)
//	userIds, userMasterIdentifier, the roles' Ext: userIds.<type>, userMasterIdentifier,
//	  preferred names, pronouns    preferredFirstName, ..., pronouns
//	demographics                   Student DOB, Gender (M, F, X for other; unspecified
//	                               is none), Race (one flag → its name, several or
//	                               demographicRaceTwoOrMoreRaces → Two or More Races),
//	                               HispanicEthnicity (Y/N); Clever's vocabulary, which
//	                               the rest of rosterd reads
//
// Grades are read from the CEDS codes (KG, 01, …) into the model's words
// (Kindergarten, 1, …: Clever's enumeration, which the rest of rosterd and
// the sharing rules use), and FromRoster writes them back as codes; a
// grade outside CEDS is kept as written. Subjects stay the district's own
// text: enumerations stay strings in the roster model. A person with two
// roles in 1.1 is two users with two sourcedIds and stays two users: IDs
// are the keys, and merging by username would guess.
//
// A user with enabledUser=false is kept, with "enabledUser": "false" in
// its roles' Ext: the spec means access is suspended, not that the person
// left, and dropping them would take them out of their sections and count
// as deletions in the next diff, only to add them back when the account is
// enabled. Sharing rules can leave them out by that field;
// MapOptions.DropDisabledUsers leaves them out here. The OneRoster 1.0
// status inactive is kept the same way unless MapOptions.DropInactive.
//
// Dates are ISO 8601. Slash dates (1/05/2023) are field errors unless the
// connection sets MapOptions.DateOrder, since exporters disagree on which
// number is the month. A dateLastModified of a date alone is midnight UTC.
//
// # Packages
//
// ReadPackage reads a folder or a zip, with its CSV files at the root or in
// one folder, ignoring dotfiles and __MACOSX. Columns are matched by header
// name, so reordered, missing optional and extension columns read fine:
// metadata.* and ext_* columns go to the records' Metadata, unknown
// columns are warned about, 1.0 names and common misspellings (grade,
// agents, prefferedGivenName) are read with a warning. The reader accepts a
// UTF-8 BOM, CRLF, LF and bare CR line endings, and RFC 4180 quoting with
// embedded line breaks; blank cells are null. A package without
// manifest.csv is read as a 1.0-style bulk package.
//
// Every error names the file, line and column (users.csv:17: column
// givenName: ...). The reader collects them all (up to MaxIssues) rather
// than stopping at the first, and a package with any error is refused
// whole: Apply returns its *PackageError. Errors are what makes a package
// unreadable or ambiguous: a missing needed column, a row without
// sourcedId, a repeated sourcedId, a status that is neither active nor
// tobedeleted, broken quoting, a manifest declaring a file the package
// lacks or a mode that is neither bulk, delta nor absent. Values rosterd
// cannot map (bad dates, unknown roles) are left to the mapping's field
// errors, which preflight reports.
//
// Package.Apply merges a package onto the roster earlier packages gave:
// bulk files replace their collection, delta files upsert and delete by
// sourcedId, absent files leave theirs as it was. Merge does the same for
// any Dataset (a REST delta pull); it writes the earlier roster back as
// records with FromRoster, the exact inverse of ToRoster, so that one
// mapping serves every source and mode. Package.Hash and HashPackage
// identify a package by its files' names and contents.
//
// Within rosterd the package imports only roster (and klauspost/compress
// for faster inflating), never the engine, the store or preflight.
package oneroster
