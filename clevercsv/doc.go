// Package clevercsv reads Clever's SFTP ("Secure Sync" upload) CSV format
// (schools.csv, students.csv, teachers.csv, sections.csv and
// enrollments.csv, plus staff.csv when present) into a roster.Roster,
// so that a district delivered as Clever CSV commits the same roster as
// the same district read through Clever's API, as far as the formats
// allow. Read takes a folder or a zip file; ReadFS any fs.FS.
//
// # Files and columns
//
// File names match without regard to case. Columns are found by header
// name, in any order, matched without regard to case and with spaces,
// hyphens and underscores alike ("Student_id", "student ID"). The
// columns the reader maps are Clever's documented ones:
//
//	schools.csv     School_id*, School_name*, School_number, State_id, Nces_id, Low_grade, High_grade,
//	                School_address, School_city, School_state, School_zip, School_phone
//	students.csv    School_id*, Student_id*, Student_number, State_id, Last_name*, Middle_name, First_name*,
//	                Grade, Gender, Dob, Race, Hispanic_Latino, Ell_status, Home_language, Graduation_year,
//	                Student_email, Username, Frl_status, Iep_status, Section_504_status, Gifted_status
//	teachers.csv    School_id*, Teacher_id*, Teacher_number, State_teacher_id, Teacher_email,
//	                First_name*, Middle_name, Last_name*, Title, Username
//	staff.csv       School_id*, Staff_id*, Staff_email, First_name, Middle_name, Last_name, Title,
//	                Department, Username (admins.csv, its deprecated predecessor, is read the same
//	                way, with Admin_email and Admin_title for Staff_email and Title)
//	sections.csv    School_id*, Section_id*, Teacher_id*, Teacher_2_id ... Teacher_<n>_id, Name,
//	                Section_number, Grade, Course_name, Course_number, Period, Subject,
//	                Term_name, Term_start, Term_end
//	enrollments.csv School_id*, Section_id*, Student_id*
//
// A starred column must be in the header. Columns Clever documents whose
// values the roster has no field for, and which Clever's API does not
// return either, are discarded: Principal, Principal_email and Mdr_number;
// the student's street, city, state and zip, GPAs, Disability_* and
// Home_language_code; every Contact_* column (contacts are not read: see
// below); Course_description. A column whose name holds "password" is
// never read. Every other column is a district field, kept in the
// record's ext (as Clever keeps district custom fields): a header written
// "ext.<key>", Clever's form for them, under <key>, any other header under
// its name as written. Empty values are left out of ext; enrollments.csv
// has no record to hold ext, so its other columns are ignored.
//
// Values are trimmed of surrounding white space. Rows whose fields are
// all empty (a spreadsheet's leftovers) and columns without a header name
// are ignored.
//
// # IDs
//
// The files carry the district's SIS IDs, not Clever's 24-hex IDs, and a
// SIS ID is unique only within its kind: student 47 and teacher 47 are two
// people. A record's roster ID is its SIS ID behind a prefix naming its
// kind, and SISID holds the SIS ID:
//
//	school:<School_id>    section:<Section_id>
//	student:<Student_id>  teacher:<Teacher_id>  staff:<Staff_id>
//	term:<16 hex>         course:<16 hex>
//
// Terms and courses have no ID in the files: theirs are the first 64 bits
// of a SHA-256 of what defines them (TermID, CourseID), so they stay the
// same from one delivery to the next for as long as the term or course
// does, as Clever's do. SchoolID, SectionID and UserID build the others.
//
// The files name no district, so the roster has no District record and
// every District field is empty, as are LastModified times (the files
// have none).
//
// # Records
//
//   - A user listed on several rows of one file with one ID (Clever's way
//     to put a teacher or staff member in several schools, and to give a
//     student several contacts) is one user: the first row's school is the
//     primary School, every row's school joins Schools, and a field on
//     which the rows disagree is a field error, the first row's value kept.
//   - A staff.csv row whose Staff_email is the Teacher_email of exactly
//     one teacher (compared without case) gives that teacher the staff
//     role, as Clever merges employee roles into one user; otherwise a
//     staff member is a user of its own.
//   - A section's teachers are Teacher_id, then Teacher_2_id, Teacher_3_id
//     and on in number order (Clever documents ten; any number is read),
//     the primary first, each once.
//   - Enrollments populate Section.Students in file order, each student
//     once; enrollments.csv School_id is not used. An enrollment naming a
//     section sections.csv does not hold is a field error of that section
//     (one per section); one naming a student students.csv does not hold
//     is kept, for preflight to report as an unknown student.
//   - Terms and courses are built from sections, as Clever builds them: a
//     term for each distinct Term_name, Term_start and Term_end (when any
//     of the three is there), a course for each distinct Course_name and
//     Course_number (when there is a name: Clever makes no course without
//     one). Clever's API shows one course per name and number pair (its
//     sample district's course number 101 names fourteen courses, and its
//     course Sixth Grade Advisory three numbers). Terms and courses have no
//     SISID (Clever's have none) and courses no subject.
//   - A section with a course name is named as Clever names it: "course
//     name - primary teacher's last name - period", leaving out a part it
//     lacks; without a course name it keeps its Name. This is what
//     Clever's API returns for all 376 sections its sample district shares
//     with its CSV sample.
//   - A school without School_number has its School_id as school_number,
//     as Clever's API shows for that district's schools.
//   - Duplicate School_id or Section_id rows are kept as two records, for
//     preflight to report as duplicate IDs; enrollments join the first.
//
// # Values
//
// Enumerations are normalised to the values of Clever's API, so both
// sources agree; a value the tables do not know is a roster.FieldError
// (entity, ID, field and a message that never repeats the value: the
// files hold students' personal data) and the field is left empty.
//
//	grade (students, sections, schools' low/high grade)
//	    InfantToddler, Preschool, PreKindergarten, TransitionalKindergarten,
//	    Kindergarten, 1..13, PostGraduate, Ungraded, Other (any case), and
//	    0, K, KG, KN, Kinder -> Kindergarten; -1, PK, PreK, Pre-K -> PreKindergarten;
//	    TK -> TransitionalKindergarten; IT -> InfantToddler; PR -> Preschool;
//	    PG -> PostGraduate; UG -> Ungraded; 01..13 -> 1..13
//	gender
//	    M, male -> M; F, female -> F; X, nonbinary, non-binary -> X
//	race
//	    W, White, Caucasian -> Caucasian; A -> Asian;
//	    B, Black -> Black or African American; I -> American Indian;
//	    P -> Hawaiian or Other Pacific Islander; M, Multiracial -> Two or More Races;
//	    U -> Unknown; and each of Clever's names (any case)
//	Hispanic_Latino, Ell_status, Section_504_status, Gifted_status
//	    Y, Yes, True, T, 1 -> Y; N, No, False, F, 0 -> N
//	Iep_status
//	    as the flags above; other text as written (Clever does not restrict it)
//	Frl_status
//	    Free, F -> Free; Reduced, R -> Reduced; Paid, P, N, No, Full -> Paid; Other
//	Dob, Term_start, Term_end
//	    M/D/YYYY, M/D/YY, YYYY-MM-DD or an RFC 3339 timestamp; a two-digit
//	    year is 19YY from 69 to 99 and 20YY from 00 to 68 (POSIX), so a value
//	    always reads the same
//
// Subject is free text in many exports; it maps onto Clever's subject
// enum (case, white space and "&" for "and" aside), and text the table
// does not know is "other", a value of the enum, not an error:
//
//	english/language arts  English, ELA, Language Arts, Reading, Writing, Literacy,
//	                       English Language Arts, Reading/Language Arts
//	math                   Math, Maths, Mathematics
//	science                Science, Sciences
//	social studies         Social Studies, Social Science(s), History
//	language               Language(s), World Language(s), Foreign Language(s)
//	homeroom/advisory      Homeroom, Advisory
//	interventions/online learning  Intervention(s), Online Learning
//	technology and engineering     Technology, Engineering, Computer Science
//	PE and health          PE, Physical Education, Health, PE/Health
//	arts and music         Art(s), Music, Fine Arts, Visual Arts, Performing Arts
//
// An empty Subject stays empty. Clever's API shows a subject for every
// section of its sample district, whose CSV sample has no Subject column;
// Clever does not document where they come from, and the reader does not
// guess (from course names, say): sharing rules select homerooms by
// subject.
//
// # What differs from Clever's API
//
// Beyond IDs, districts and timestamps: contacts are not read (their
// columns carry no stable ID unless Contact_sis_id is sent, and Clever's
// contact normalisation is not documented); Clever also adds to a user's
// schools those of their sections and picks as primary the school with
// most sections, where the reader keeps the schools the files list;
// district admins come from Clever's dashboard, never from the files.
//
// # Errors
//
// A problem that makes a file unusable refuses the package whole: Read
// returns no roster and an *Error listing every *FileError found (up to
// MaxErrors), each naming the file, the line and the column. Line endings
// may be LF, CRLF or a bare CR (Clever's own sample mixes LF and CR);
// a UTF-8 byte order mark is skipped; quoting follows RFC 4180, quoted
// fields may hold commas, quotes and line breaks.
//
// The package imports only the standard library and roster.
package clevercsv
