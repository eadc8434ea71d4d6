package codec

// fastLayout is the shape of the roster types as the fast path
// (fast_user.go, fast_section.go) writes them: each struct's fields in
// order as "Name Type `tag`", and the methods of each type that the
// library would call. A test compares it with the types themselves, so a
// field added to, renamed in or retagged in the roster model fails the
// build's tests until the fast path writes it and this list says so.
var fastLayout = map[string][]string{
	"roster.Ext": {
		"fields *[]roster.ExtField ``",
	},
	"roster.ExtField": {
		"Key string ``",
		"Value json.RawMessage ``",
	},
	"roster.User": {
		"ID string `json:\"id\"`",
		"District string `json:\"district,omitempty\"`",
		"Name roster.Name `json:\"name,omitzero\"`",
		"Email string `json:\"email,omitempty\"`",
		"Roles roster.Roles `json:\"roles\"`",
		"LastModified time.Time `json:\"last_modified,omitzero\"`",
	},
	"roster.Name": {
		"First string `json:\"first,omitempty\"`",
		"Middle string `json:\"middle,omitempty\"`",
		"Last string `json:\"last,omitempty\"`",
	},
	"roster.Roles": {
		"Student *roster.Student `json:\"student,omitzero\"`",
		"Teacher *roster.Teacher `json:\"teacher,omitzero\"`",
		"Staff *roster.Staff `json:\"staff,omitzero\"`",
		"DistrictAdmin *roster.DistrictAdmin `json:\"district_admin,omitzero\"`",
		"Contact *roster.Contact `json:\"contact,omitzero\"`",
	},
	"roster.Student": {
		"SISID string `json:\"sis_id,omitempty\"`",
		"StudentNumber string `json:\"student_number,omitempty\"`",
		"StateID string `json:\"state_id,omitempty\"`",
		"Username string `json:\"username,omitempty\"`",
		"Grade string `json:\"grade,omitempty\"`",
		"School string `json:\"school,omitempty\"`",
		"Schools []string `json:\"schools,omitempty\"`",
		"DOB roster.Date `json:\"dob,omitzero\"`",
		"Demographics *roster.Demographics `json:\",embed\"`",
		"Programs *roster.Programs `json:\"programs,omitzero\"`",
		"Ext roster.Ext `json:\"ext,omitempty\"`",
	},
	"roster.Demographics": {
		"Gender string `json:\"gender,omitempty\"`",
		"GraduationYear string `json:\"graduation_year,omitempty\"`",
		"Race string `json:\"race,omitempty\"`",
		"HispanicEthnicity string `json:\"hispanic_ethnicity,omitempty\"`",
		"ELLStatus string `json:\"ell_status,omitempty\"`",
		"HomeLanguage string `json:\"home_language,omitempty\"`",
	},
	"roster.Programs": {
		"IEPStatus string `json:\"iep_status,omitempty\"`",
		"Section504Status string `json:\"section_504_status,omitempty\"`",
		"FRLStatus string `json:\"frl_status,omitempty\"`",
		"GiftedStatus string `json:\"gifted_status,omitempty\"`",
	},
	"roster.Teacher": {
		"SISID string `json:\"sis_id,omitempty\"`",
		"TeacherNumber string `json:\"teacher_number,omitempty\"`",
		"StateID string `json:\"state_id,omitempty\"`",
		"Username string `json:\"username,omitempty\"`",
		"Title string `json:\"title,omitempty\"`",
		"School string `json:\"school,omitempty\"`",
		"Schools []string `json:\"schools,omitempty\"`",
		"Ext roster.Ext `json:\"ext,omitempty\"`",
	},
	"roster.Staff": {
		"StaffID string `json:\"staff_id,omitempty\"`",
		"Username string `json:\"username,omitempty\"`",
		"Title string `json:\"title,omitempty\"`",
		"Department string `json:\"department,omitempty\"`",
		"Schools []string `json:\"schools,omitempty\"`",
		"Ext roster.Ext `json:\"ext,omitempty\"`",
	},
	"roster.DistrictAdmin": {
		"Title string `json:\"title,omitempty\"`",
	},
	"roster.Contact": {
		"SISID string `json:\"sis_id,omitempty\"`",
		"Phone string `json:\"phone,omitempty\"`",
		"PhoneType string `json:\"phone_type,omitempty\"`",
		"Relationships []roster.Relationship `json:\"relationships,omitempty\"`",
	},
	"roster.Relationship": {
		"Student string `json:\"student\"`",
		"Relationship string `json:\"relationship,omitempty\"`",
		"Type string `json:\"type,omitempty\"`",
	},
	"roster.Section": {
		"ID string `json:\"id\"`",
		"District string `json:\"district,omitempty\"`",
		"School string `json:\"school,omitempty\"`",
		"Course string `json:\"course,omitempty\"`",
		"Term string `json:\"term,omitempty\"`",
		"Name string `json:\"name,omitempty\"`",
		"SISID string `json:\"sis_id,omitempty\"`",
		"SectionNumber string `json:\"section_number,omitempty\"`",
		"Subject string `json:\"subject,omitempty\"`",
		"Grade string `json:\"grade,omitempty\"`",
		"Period string `json:\"period,omitempty\"`",
		"Teachers []string `json:\"teachers,omitempty\"`",
		"Students []string `json:\"students,omitempty\"`",
		"Ext roster.Ext `json:\"ext,omitempty\"`",
		"LastModified time.Time `json:\"last_modified,omitzero\"`",
	},
}

// fastMethods are the methods the library looks for (its marshalers and
// IsZero) that the roster types of fastLayout's fields have; a type not
// listed has none. The fast path calls IsZero where the library does for
// omitzero, and writes a Date as its MarshalText would; a new such method
// would change what the library writes. (time.Time is not listed: the
// library writes it by its own rules, not by its methods.)
var fastMethods = map[string][]string{
	"roster.Name": {"IsZero"},
	"roster.Date": {"IsZero", "MarshalText"},
	// appendExt writes what MarshalJSON does, as the library reformats it.
	"roster.Ext": {"IsZero", "MarshalJSON"},
}
