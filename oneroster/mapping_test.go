package oneroster_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/rosterd/rosterd/oneroster"
	"github.com/rosterd/rosterd/roster"
)

// Builders of model records for the mapping tests.

func recBase(id string) oneroster.Base {
	return oneroster.Base{SourcedID: id, Status: oneroster.StatusActive}
}

func recDeleted(id string) oneroster.Base {
	return oneroster.Base{SourcedID: id, Status: oneroster.StatusToBeDeleted}
}

func recRefs(ids ...string) []oneroster.GUIDRef {
	out := make([]oneroster.GUIDRef, len(ids))
	for i, id := range ids {
		out[i] = oneroster.Ref(id)
	}
	return out
}

func recOrg(id, typ, parent string) oneroster.Org {
	return oneroster.Org{Base: recBase(id), Name: strings.ToUpper(id), Type: typ, Parent: oneroster.Ref(parent)}
}

func recEnrollment(id, class, user, role string, primary oneroster.Bool) oneroster.Enrollment {
	return oneroster.Enrollment{Base: recBase(id), Class: oneroster.Ref(class), User: oneroster.Ref(user), Role: role, Primary: primary}
}

// recDistrict is a district d1 with schools s1 and s2.
var recDistrict = []oneroster.Org{recOrg("d1", "district", ""), recOrg("s1", "school", "d1"), recOrg("s2", "school", "d1")}

// extOf builds an Ext of strings.
func extOf(kv ...string) roster.Ext {
	m := map[string]string{}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return roster.ExtStrings(m)
}

var rosterOpts = []cmp.Option{cmpopts.EquateEmpty(), rawJSONEqual}

func TestToRoster_Users11(t *testing.T) {
	// Ensure 1.1 users (one role, its orgs) map to roster roles with
	// their schools, and contacts to the students their agents name.
	d := &oneroster.Dataset{Orgs: recDistrict, Users: []oneroster.User{
		{Base: recBase("stu"), Role: "student", Orgs: recRefs("s2", "s1"), Identifier: "S-1", Username: "stu.one", GivenName: "Ann", FamilyName: "Ay",
			Grades: oneroster.StringList{"KG", "01"}, UserIDs: []oneroster.UserID{{Type: "LDAP", Identifier: "12"}}, EnabledUser: oneroster.BoolFalse,
			Agents: recRefs("par")},
		{Base: recBase("tch"), Role: "Teacher", Orgs: recRefs("d1", "s1"), Identifier: "T-1", GivenName: "Tom", FamilyName: "Tee", Email: "t@x.org"},
		{Base: recBase("dadm"), Role: "administrator", Orgs: recRefs("d1"), GivenName: "Di", FamilyName: "Dee"},
		{Base: recBase("sadm"), Role: "administrator", Orgs: recRefs("s1"), Identifier: "A-2", GivenName: "Si", FamilyName: "See"},
		{Base: recBase("par"), Role: "parent", Orgs: recRefs("s2"), Identifier: "P-1", GivenName: "Pa", FamilyName: "Pee", SMS: "555-0100"},
		{Base: recBase("rel"), Role: "relative", Orgs: recRefs("s1"), GivenName: "Re", FamilyName: "Lee", Agents: recRefs("stu", "gone")},
	}}
	got := oneroster.ToRoster(d, oneroster.MapOptions{})
	want := []roster.User{
		{ID: "dadm", District: "d1", Name: roster.Name{First: "Di", Last: "Dee"}, Roles: roster.Roles{DistrictAdmin: &roster.DistrictAdmin{Title: "Administrator"}}},
		{ID: "par", District: "d1", Name: roster.Name{First: "Pa", Last: "Pee"}, Roles: roster.Roles{Contact: &roster.Contact{
			SISID: "P-1", Phone: "555-0100", PhoneType: "Cell",
			Relationships: []roster.Relationship{{Student: "stu", Relationship: "Parent", Type: "Parent/Guardian"}},
		}}},
		{ID: "rel", District: "d1", Name: roster.Name{First: "Re", Last: "Lee"}, Roles: roster.Roles{Contact: &roster.Contact{
			// An agent of no delivered user is kept for preflight to report.
			Relationships: []roster.Relationship{{Student: "gone", Relationship: "Other", Type: "Family"}, {Student: "stu", Relationship: "Other", Type: "Family"}},
		}}},
		{ID: "sadm", District: "d1", Name: roster.Name{First: "Si", Last: "See"}, Roles: roster.Roles{Staff: &roster.Staff{StaffID: "A-2", Title: "Administrator", Schools: []string{"s1"}}}},
		{ID: "stu", District: "d1", Name: roster.Name{First: "Ann", Last: "Ay"}, Roles: roster.Roles{Student: &roster.Student{
			SISID: "S-1", Username: "stu.one", Grade: "Kindergarten", School: "s2", Schools: []string{"s2", "s1"},
			// A disabled account is still a rostered person.
			Ext: extOf("userIds.LDAP", "12", "enabledUser", "false"),
		}}},
		// A district among a teacher's orgs is not one of its schools.
		{ID: "tch", District: "d1", Name: roster.Name{First: "Tom", Last: "Tee"}, Email: "t@x.org", Roles: roster.Roles{Teacher: &roster.Teacher{SISID: "T-1", School: "s1", Schools: []string{"s1"}}}},
	}
	if diff := cmp.Diff(want, got.Users, rosterOpts...); diff != "" {
		t.Errorf("users mismatch (-want +got):\n%s", diff)
	}
	if len(got.FieldErrors) != 0 {
		t.Errorf("field errors: %v", got.FieldErrors)
	}
}

func TestToRoster_Users12(t *testing.T) {
	// Ensure 1.2 users (roles with an org each, primaryOrg) and roles.csv
	// rows map alike, a user's roles combine, ended roles are left out
	// under AsOf, and unknown roles are reported.
	d := &oneroster.Dataset{Orgs: recDistrict, Users: []oneroster.User{
		{Base: recBase("tch"), GivenName: "Tom", FamilyName: "Tee", PrimaryOrg: oneroster.Ref("s2"), PreferredFirstName: "Tommy", Roles: []oneroster.Role{
			{RoleType: "secondary", Role: "teacher", Org: oneroster.Ref("s1")},
			{RoleType: "primary", Role: "teacher", Org: oneroster.Ref("s2")},
			{RoleType: "secondary", Role: "guardian", Org: oneroster.Ref("s1")},
			{RoleType: "secondary", Role: "ext:lunchMonitor", Org: oneroster.Ref("s1")},
			{RoleType: "secondary", Role: "janitor", Org: oneroster.Ref("s1")},
			{RoleType: "secondary", Role: "principal", Org: oneroster.Ref("s1"), EndDate: "2020-06-30"},
		}},
		{Base: recBase("boss"), GivenName: "Bo", FamilyName: "Ss", Roles: []oneroster.Role{{RoleType: "primary", Role: "districtAdministrator", Org: oneroster.Ref("d1")}}},
		// A 1.2 users.csv row: its roles are rows of roles.csv.
		{Base: recBase("csv"), GivenName: "Ce", FamilyName: "Sv", PrimaryOrg: oneroster.Ref("s1")},
		{Base: recBase("none"), GivenName: "No", FamilyName: "Role"},
	}, Roles: []oneroster.RoleRecord{
		{Base: recBase("r1"), User: oneroster.Ref("csv"), Role: oneroster.Role{RoleType: "primary", Role: "principal", Org: oneroster.Ref("s1")}},
		{Base: recBase("r2"), User: oneroster.Ref("csv"), Role: oneroster.Role{RoleType: "secondary", Role: "counselor", Org: oneroster.Ref("s2")}},
		{Base: recDeleted("r3"), User: oneroster.Ref("csv"), Role: oneroster.Role{Role: "teacher", Org: oneroster.Ref("s2")}},
	}}
	got := oneroster.ToRoster(d, oneroster.MapOptions{AsOf: roster.MustDate("2024-01-01")})
	want := []roster.User{
		{ID: "boss", District: "d1", Name: roster.Name{First: "Bo", Last: "Ss"}, Roles: roster.Roles{DistrictAdmin: &roster.DistrictAdmin{Title: "District Administrator"}}},
		{ID: "csv", District: "d1", Name: roster.Name{First: "Ce", Last: "Sv"}, Roles: roster.Roles{Staff: &roster.Staff{Title: "Principal", Schools: []string{"s1", "s2"}}}},
		{ID: "none", District: "d1", Name: roster.Name{First: "No", Last: "Role"}},
		{ID: "tch", District: "d1", Name: roster.Name{First: "Tom", Last: "Tee"}, Roles: roster.Roles{
			Teacher: &roster.Teacher{School: "s2", Schools: []string{"s2", "s1"}, Ext: extOf("preferredFirstName", "Tommy")},
			Contact: &roster.Contact{},
		}},
	}
	if diff := cmp.Diff(want, got.Users, rosterOpts...); diff != "" {
		t.Errorf("users mismatch (-want +got):\n%s", diff)
	}
	wantErrs := []roster.FieldError{{Entity: "teacher", ID: "tch", Field: "roles", Message: "roles: not a OneRoster user role; the user holds no role from it"}}
	if diff := cmp.Diff(wantErrs, got.FieldErrors); diff != "" {
		t.Errorf("field errors mismatch (-want +got):\n%s", diff)
	}
}

func TestToRoster_Sections(t *testing.T) {
	// Ensure classes map to sections and enrollments to their members:
	// students by ID, primary teachers first, each user once; deletions,
	// ended enrollments and roles without a place in a section left out.
	d := &oneroster.Dataset{
		Orgs: append(append([]oneroster.Org(nil), recDistrict...), recOrg("dept", "department", "s2")),
		AcademicSessions: []oneroster.AcademicSession{
			{Base: recBase("year"), Title: "2023-24", Type: "schoolYear", StartDate: "2023-08-20", EndDate: "2024-06-10"},
			{Base: recBase("fall"), Title: "Fall", Type: "semester", StartDate: "2023-08-20", EndDate: "2023-12-20"},
			{Base: recBase("q1"), Title: "Q1", Type: "gradingPeriod", StartDate: "2023-08-20", EndDate: "2023-10-20"},
		},
		Classes: []oneroster.Class{
			{Base: recBase("math"), Title: "Math 7", ClassCode: "M7-1", ClassType: "Scheduled", School: oneroster.Ref("s1"), Course: oneroster.Ref("c1"),
				Terms: recRefs("year", "fall"), Grades: oneroster.StringList{"07", "08"}, Subjects: oneroster.StringList{"Math", "Algebra"},
				Periods: oneroster.StringList{"1", "2"}},
			{Base: recBase("hr"), Title: "Homeroom", ClassType: "homeroom", School: oneroster.Ref("dept"), Terms: recRefs("nosuch", "year"), Subjects: oneroster.StringList{"Homeroom"}},
			{Base: recDeleted("gone"), Title: "Gone", School: oneroster.Ref("s1")},
		},
		Users: []oneroster.User{
			{Base: recBase("a"), Role: "student"}, {Base: recBase("b"), Role: "student"}, {Base: recDeleted("c"), Role: "student"},
			{Base: recBase("t1"), Role: "teacher"}, {Base: recBase("t2"), Role: "teacher"}, {Base: recBase("t3"), Role: "teacher"},
		},
		Enrollments: []oneroster.Enrollment{
			recEnrollment("e1", "math", "b", "student", 0),
			recEnrollment("e2", "math", "a", "student", 0),
			recEnrollment("e3", "math", "a", "student", 0), // a second enrollment of a
			recEnrollment("e4", "math", "t3", "teacher", 0),
			recEnrollment("e5", "math", "t2", "teacher", oneroster.BoolFalse),
			recEnrollment("e6", "math", "t1", "teacher", oneroster.BoolTrue),
			// Users never delivered among delivered ones, in ID order.
			recEnrollment("e15", "math", "aa", "student", 0),
			recEnrollment("e16", "math", "0z", "student", 0),
			recEnrollment("e17", "math", "aa", "student", 0),
			recEnrollment("e18", "math", "t0", "teacher", 0),
			recEnrollment("e7", "math", "c", "student", 0),       // of a deleted user
			recEnrollment("e8", "math", "x", "administrator", 0), // no place in a section
			recEnrollment("e9", "gone", "a", "student", 0),       // of a deleted class
			recEnrollment("e10", "missing", "a", "student", 0),   // of a class never delivered
			recEnrollment("e11", "hr", "stranger", "student", 0), // of a user never delivered: kept
			recEnrollment("e12", "hr", "a", "monitor", 0),        // no enrollment role
			{Base: recDeleted("e13"), Class: oneroster.Ref("hr"), User: oneroster.Ref("b"), Role: "student"},
			{Base: recBase("e14"), Class: oneroster.Ref("hr"), User: oneroster.Ref("b"), Role: "student", EndDate: "2023-09-01"},
		},
	}
	got := oneroster.ToRoster(d, oneroster.MapOptions{AsOf: roster.MustDate("2023-10-01")})
	want := []roster.Section{
		// A class of a department is a class of its school; homeroom wins
		// over the subject text; the narrowest term with dates.
		{ID: "hr", District: "d1", School: "s2", Term: "year", Name: "Homeroom", Subject: roster.SubjectHomeroom, Students: []string{"stranger"}},
		{ID: "math", District: "d1", School: "s1", Course: "c1", Term: "fall", Name: "Math 7", SectionNumber: "M7-1", Subject: "Math", Grade: "7", Period: "1,2",
			Teachers: []string{"t1", "t0", "t2", "t3"}, Students: []string{"0z", "a", "aa", "b"}},
	}
	if diff := cmp.Diff(want, got.Sections, rosterOpts...); diff != "" {
		t.Errorf("sections mismatch (-want +got):\n%s", diff)
	}
	wantErrs := []roster.FieldError{
		{Entity: "section", ID: "hr", Field: "students", Message: "role: not a OneRoster enrollment role (student, teacher, administrator, proctor or aide); the enrollment is left out"},
		{Entity: "section", ID: "missing", Field: "students", Message: "classSourcedId: enrollments name this class, which is not in the roster; they are left out"},
	}
	if diff := cmp.Diff(wantErrs, got.FieldErrors); diff != "" {
		t.Errorf("field errors mismatch (-want +got):\n%s", diff)
	}
	if got := len(got.Terms); got != 3 {
		t.Errorf("terms = %d, want 3: every academic session, grading periods too", got)
	}
}

func TestToRoster_Orgs(t *testing.T) {
	// Ensure districts and schools map, a consortium keeps each school's
	// own district, departments and bodies above districts make no record,
	// and records naming no district get the sole one only.
	for _, tc := range []struct {
		name          string
		orgs          []oneroster.Org
		wantDistricts []string
		wantSchools   map[string]string // school → district
		wantTerm      string            // the district of a term
	}{
		{
			name:          "one district",
			orgs:          []oneroster.Org{recOrg("st", "state", ""), recOrg("d1", "district", "st"), recOrg("s1", "school", "d1"), recOrg("s2", "school", ""), recOrg("dep", "department", "s1")},
			wantDistricts: []string{"d1"},
			// s2 has no parent: the sole district.
			wantSchools: map[string]string{"s1": "d1", "s2": "d1"},
			wantTerm:    "d1",
		},
		{
			name:          "consortium",
			orgs:          []oneroster.Org{recOrg("d1", "district", ""), recOrg("d2", "district", ""), recOrg("s1", "school", "d1"), recOrg("s2", "school", "d2"), recOrg("s3", "school", "")},
			wantDistricts: []string{"d1", "d2"},
			wantSchools:   map[string]string{"s1": "d1", "s2": "d2", "s3": ""},
			wantTerm:      "",
		},
		{
			name:          "deleted district",
			orgs:          []oneroster.Org{{Base: recDeleted("d1"), Type: "district"}, recOrg("s1", "school", "d1")},
			wantDistricts: nil,
			wantSchools:   map[string]string{"s1": ""},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := &oneroster.Dataset{Orgs: tc.orgs, AcademicSessions: []oneroster.AcademicSession{{Base: recBase("t"), Title: "T"}}}
			got := oneroster.ToRoster(d, oneroster.MapOptions{SISType: "Acme SIS"})
			var ds []string
			for _, x := range got.Districts {
				ds = append(ds, x.ID)
				if x.SISType != "Acme SIS" {
					t.Errorf("district %s SISType = %q", x.ID, x.SISType)
				}
			}
			if diff := cmp.Diff(tc.wantDistricts, ds); diff != "" {
				t.Errorf("districts mismatch (-want +got):\n%s", diff)
			}
			ss := map[string]string{}
			for _, s := range got.Schools {
				ss[s.ID] = s.District
			}
			if diff := cmp.Diff(tc.wantSchools, ss); diff != "" {
				t.Errorf("schools mismatch (-want +got):\n%s", diff)
			}
			if got.Terms[0].District != tc.wantTerm {
				t.Errorf("term district = %q, want %q", got.Terms[0].District, tc.wantTerm)
			}
		})
	}
	// Ensure an org type that is no OneRoster type is reported, and an
	// ext: type is not.
	got := oneroster.ToRoster(&oneroster.Dataset{Orgs: []oneroster.Org{recOrg("x", "shcool", ""), recOrg("y", "ext:campus", "")}}, oneroster.MapOptions{})
	if len(got.FieldErrors) != 1 || got.FieldErrors[0].ID != "x" || got.FieldErrors[0].Field != "id" {
		t.Errorf("field errors = %v", got.FieldErrors)
	}
}

func TestToRoster_Demographics(t *testing.T) {
	// Ensure demographics give a student its DOB, gender, race and
	// ethnicity, and values that cannot be mapped are reported without
	// repeating them.
	yes, no := oneroster.BoolTrue, oneroster.BoolFalse
	d := &oneroster.Dataset{
		Orgs: recDistrict,
		Users: []oneroster.User{
			{Base: recBase("u1"), Role: "student"}, {Base: recBase("u2"), Role: "student"}, {Base: recBase("u3"), Role: "student"},
			{Base: recBase("u4"), Role: "student"}, {Base: recBase("t1"), Role: "teacher"},
		},
		Demographics: []oneroster.Demographics{
			{Base: recBase("u1"), BirthDate: "2010-04-17", Sex: "female", Asian: yes, White: no, HispanicOrLatinoEthnicity: yes},
			{Base: recBase("u2"), BirthDate: "2011-02-03T00:00:00Z", Sex: "Male", Asian: yes, White: yes, HispanicOrLatinoEthnicity: no},
			{Base: recBase("u3"), Sex: "other", DemographicRaceTwoOrMoreRaces: yes},
			{Base: recBase("u4"), BirthDate: "31/02/2010", Sex: "ext:nonbinary-x", Asian: oneroster.BoolInvalid},
			{Base: recBase("t1"), BirthDate: "1980-01-01", Sex: "male"}, // a teacher's: no place in the roster
			{Base: recDeleted("u5"), BirthDate: "2010-01-01"},
		},
	}
	got := oneroster.ToRoster(d, oneroster.MapOptions{})
	students := map[string]roster.Student{}
	for _, u := range got.Users {
		if u.Roles.Student != nil {
			s := *u.Roles.Student
			d := s.Demo()
			students[u.ID] = roster.Student{DOB: s.DOB, Demographics: &roster.Demographics{Gender: d.Gender, Race: d.Race, HispanicEthnicity: d.HispanicEthnicity}}
		}
		if u.Roles.Teacher != nil && !u.Roles.Teacher.Ext.IsZero() {
			t.Errorf("teacher got demographics")
		}
	}
	want := map[string]roster.Student{
		"u1": {DOB: roster.MustDate("2010-04-17"), Demographics: &roster.Demographics{Gender: "F", Race: "Asian", HispanicEthnicity: "Y"}},
		"u2": {DOB: roster.MustDate("2011-02-03"), Demographics: &roster.Demographics{Gender: "M", Race: "Two or More Races", HispanicEthnicity: "N"}},
		"u3": {Demographics: &roster.Demographics{Gender: "X", Race: "Two or More Races"}},
		"u4": {Demographics: &roster.Demographics{}},
	}
	if diff := cmp.Diff(want, students); diff != "" {
		t.Errorf("students mismatch (-want +got):\n%s", diff)
	}
	wantErrs := []roster.FieldError{
		{Entity: "student", ID: "u4", Field: "dob", Message: "birthDate: a date written with slashes, which is ambiguous (day/month or month/day); set the connection's date order to read it"},
		{Entity: "student", ID: "u4", Field: "race", Message: "asian: not true or false"},
	}
	if diff := cmp.Diff(wantErrs, got.FieldErrors); diff != "" {
		t.Errorf("field errors mismatch (-want +got):\n%s", diff)
	}
}

func TestToRoster_Options(t *testing.T) {
	d := &oneroster.Dataset{
		Orgs: recDistrict,
		AcademicSessions: []oneroster.AcademicSession{
			{Base: recBase("t"), Title: "T", StartDate: "1/05/2023", EndDate: "15/06/2023"},
		},
		Users: []oneroster.User{
			{Base: recBase("on"), Role: "student", EnabledUser: oneroster.BoolTrue},
			{Base: recBase("off"), Role: "student", EnabledUser: oneroster.BoolFalse},
			{Base: oneroster.Base{SourcedID: "old", Status: "inactive"}, Role: "student"},
		},
		Classes:     []oneroster.Class{{Base: recBase("c"), Title: "C", School: oneroster.Ref("s1")}},
		Enrollments: []oneroster.Enrollment{recEnrollment("e1", "c", "on", "student", 0), recEnrollment("e2", "c", "off", "student", 0), recEnrollment("e3", "c", "old", "student", 0)},
	}
	for _, tc := range []struct {
		name     string
		opts     oneroster.MapOptions
		users    []string
		start    roster.Date
		nErrs    int
		students []string
	}{
		// By default slash dates are refused, and disabled and inactive
		// users kept.
		{"default", oneroster.MapOptions{}, []string{"off", "old", "on"}, roster.Date{}, 2, []string{"off", "old", "on"}},
		{"dmy", oneroster.MapOptions{DateOrder: oneroster.DateOrderDMY}, []string{"off", "old", "on"}, roster.MustDate("2023-05-01"), 0, []string{"off", "old", "on"}},
		// 15/06 read as month 15 is no date.
		{"mdy", oneroster.MapOptions{DateOrder: oneroster.DateOrderMDY}, []string{"off", "old", "on"}, roster.MustDate("2023-01-05"), 1, []string{"off", "old", "on"}},
		{"drop", oneroster.MapOptions{DateOrder: oneroster.DateOrderDMY, DropDisabledUsers: true, DropInactive: true}, []string{"on"}, roster.MustDate("2023-05-01"), 0, []string{"on"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := oneroster.ToRoster(d, tc.opts)
			var ids []string
			for _, u := range got.Users {
				ids = append(ids, u.ID)
			}
			if diff := cmp.Diff(tc.users, ids); diff != "" {
				t.Errorf("users mismatch (-want +got):\n%s", diff)
			}
			if got.Terms[0].StartDate != tc.start {
				t.Errorf("start = %v, want %v", got.Terms[0].StartDate, tc.start)
			}
			if len(got.FieldErrors) != tc.nErrs {
				t.Errorf("field errors = %v, want %d", got.FieldErrors, tc.nErrs)
			}
			if diff := cmp.Diff(tc.students, got.Sections[0].Students); diff != "" {
				t.Errorf("students mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestToRoster_LastModified(t *testing.T) {
	// Ensure the dateLastModified forms seen in the wild read, and others
	// are reported without repeating the value.
	for _, tc := range []struct {
		in   string
		want time.Time
		err  bool
	}{
		{"2023-05-01T18:25:43.511Z", time.Date(2023, 5, 1, 18, 25, 43, 511e6, time.UTC), false},
		{"2022-03-15T01:30:00.0000000+01:00", time.Date(2022, 3, 15, 0, 30, 0, 0, time.UTC), false}, // .NET
		{"2023-05-01", time.Date(2023, 5, 1, 0, 0, 0, 0, time.UTC), false},                          // catalyst's date alone
		{"2017-05-06 08:01:05", time.Date(2017, 5, 6, 8, 1, 5, 0, time.UTC), false},                 // oat-sa
		{"", time.Time{}, false},
		{"yesterday", time.Time{}, true},
	} {
		d := &oneroster.Dataset{Courses: []oneroster.Course{{Base: oneroster.Base{SourcedID: "c", DateLastModified: tc.in}, Title: "C"}}}
		got := oneroster.ToRoster(d, oneroster.MapOptions{})
		if !got.Courses[0].LastModified.Equal(tc.want) {
			t.Errorf("%q: LastModified = %v, want %v", tc.in, got.Courses[0].LastModified, tc.want)
		}
		if (len(got.FieldErrors) > 0) != tc.err {
			t.Errorf("%q: field errors %v", tc.in, got.FieldErrors)
		}
		for _, fe := range got.FieldErrors {
			if tc.in != "" && strings.Contains(fe.Message, tc.in) {
				t.Errorf("message %q repeats the value", fe.Message)
			}
		}
	}
}

func TestToRoster_Sorted(t *testing.T) {
	// Ensure every slice is in ID order whatever the source order, so
	// that diffs are stable.
	d := &oneroster.Dataset{
		Orgs:    []oneroster.Org{recOrg("s9", "school", ""), recOrg("s1", "school", "")},
		Courses: []oneroster.Course{{Base: recBase("c9")}, {Base: recBase("c1")}},
		Users:   []oneroster.User{{Base: recBase("u9"), Role: "student", Orgs: recRefs("s9", "s1")}, {Base: recBase("u1"), Role: "student"}},
	}
	got := oneroster.ToRoster(d, oneroster.MapOptions{})
	if got.Schools[0].ID != "s1" || got.Courses[0].ID != "c1" || got.Users[0].ID != "u1" {
		t.Errorf("not sorted: %v %v %v", got.Schools, got.Courses, got.Users)
	}
	if s := got.Users[1].Roles.Student; s.School != "s9" || !cmp.Equal(s.Schools, []string{"s9", "s1"}) {
		t.Errorf("schools = %q %q, want the first listed as primary", s.School, s.Schools)
	}
}

// Ensure CEDS grade codes read as the model's grade names whatever their
// case or zero padding, anything else is kept as written, and FromRoster
// writes the codes back.
func TestToRoster_Grades(t *testing.T) {
	for in, want := range map[string]string{
		"KG": "Kindergarten", "kg": "Kindergarten", "PK": "PreKindergarten", "TK": "TransitionalKindergarten",
		"01": "1", "1": "1", "09": "9", "12": "12", "PS": "PostGraduate", "UG": "Ungraded", "Other": "Other",
		"Grade 5": "Grade 5", "": "",
	} {
		d := &oneroster.Dataset{Classes: []oneroster.Class{{Base: oneroster.Base{SourcedID: "c"}, Title: "C", Grades: oneroster.StringList{in}}}}
		r := oneroster.ToRoster(d, oneroster.MapOptions{})
		if got := r.Sections[0].Grade; got != want {
			t.Errorf("grade %q maps to %q, want %q", in, got, want)
		}
		if in == want || in == "kg" || in == "1" {
			continue
		}
		back := oneroster.FromRoster(r)
		if got := back.Classes[0].Grades.First(); got != in {
			t.Errorf("FromRoster writes grade %q as %q, want %q", want, got, in)
		}
	}
}

// Ensure a user's userIds go to Ext one key per type, in the order the
// types first appear, each holding that type's identifiers in order;
// empty identifiers are left out, and identifiers of no type go under
// "userIds" itself. Each role holds the same values.
func TestToRoster_UserIDsByType(t *testing.T) {
	ids := []oneroster.UserID{
		{Type: "LDAP", Identifier: "a"}, {Type: "SIS", Identifier: ""}, {Type: "SIS", Identifier: "s1"},
		{Type: "LDAP", Identifier: "b"}, {Type: "", Identifier: "x"}, {Type: "Fed", Identifier: ""},
		{Type: "", Identifier: "y"}, {Type: "SIS", Identifier: "s2"},
	}
	d := &oneroster.Dataset{Orgs: recDistrict, Users: []oneroster.User{
		{Base: recBase("stu"), Role: "student", Orgs: recRefs("s1"), UserIDs: ids},
		{Base: recBase("tch"), Role: "teacher", Orgs: recRefs("s1"), UserIDs: ids[:2]},
	}}
	got := oneroster.ToRoster(d, oneroster.MapOptions{})
	if len(got.Users) != 2 {
		t.Fatalf("mapped %d users, want 2", len(got.Users))
	}
	want := extOf("userIds.LDAP", "a,b", "userIds.SIS", "s1,s2", "userIds", "x,y")
	if diff := cmp.Diff(want, got.Users[0].Roles.Student.Ext, rosterOpts...); diff != "" {
		t.Errorf("student Ext mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(extOf("userIds.LDAP", "a"), got.Users[1].Roles.Teacher.Ext, rosterOpts...); diff != "" {
		t.Errorf("teacher Ext mismatch (-want +got):\n%s", diff)
	}
}
