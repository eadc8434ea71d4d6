package oneroster_test

import (
	"errors"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rosterd/rosterd/oneroster"
	"github.com/rosterd/rosterd/roster"
)

// The base package of the Apply tests: a 1.1 bulk district.
var applyBaseFiles = map[string]string{
	"manifest.csv": csvLines("propertyName,value", "manifest.version,1.0", "oneroster.version,1.1",
		"file.orgs,bulk", "file.academicSessions,bulk", "file.courses,bulk", "file.classes,bulk",
		"file.users,bulk", "file.enrollments,bulk", "file.demographics,bulk"),
	"orgs.csv":             csvLines("sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId", "d1,,,District,district,,", "s1,,,School One,school,S1,d1"),
	"academicSessions.csv": csvLines("sourcedId,status,dateLastModified,title,type,startDate,endDate,parentSourcedId,schoolYear", "t1,,,Year,schoolYear,2023-08-20,2024-06-10,,2024"),
	"courses.csv":          csvLines("sourcedId,status,dateLastModified,schoolYearSourcedId,title,courseCode,grades,orgSourcedId,subjects,subjectCodes", "c1,,,t1,Math,M1,,s1,Math,"),
	"classes.csv": csvLines("sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,classType,location,schoolSourcedId,termSourcedIds,subjects,subjectCodes,periods",
		"k1,,,Math 1,07,c1,M1-1,scheduled,,s1,t1,Math,,1", "k2,,,Math 2,07,c1,M1-2,scheduled,,s1,t1,Math,,2"),
	"users.csv": csvLines(users11Header+",identifier,agentSourcedIds",
		"st1,,,true,s1,student,,,Ann,Ay,A1,par", "st2,,,true,s1,student,,,Bo,By,B2,", "st3,,,true,s1,student,,,Cy,Cee,C3,",
		"te1,,,true,s1,teacher,,,Tom,Tee,T1,", "par,,,true,s1,parent,,,Pa,Pee,P1,"),
	"enrollments.csv": csvLines("sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,primary,beginDate,endDate",
		"e1,,,k1,s1,st1,student,,,", "e2,,,k1,s1,st2,student,,,", "e3,,,k1,s1,te1,teacher,true,,", "e4,,,k2,s1,st3,student,,,", "e5,,,k2,s1,te1,teacher,true,,"),
	"demographics.csv": csvLines("sourcedId,status,dateLastModified,birthDate,sex", "st1,,,2011-01-02,female"),
}

// manifestWith declares the files of modes (name, mode, name, mode...)
// and leaves every other absent.
func manifestWith(version string, modes ...string) string {
	rows := []string{"propertyName,value", "manifest.version,1.0", "oneroster.version," + version}
	for i := 0; i < len(modes); i += 2 {
		rows = append(rows, "file."+modes[i]+","+modes[i+1])
	}
	return csvLines(rows...)
}

// applySummary is what the Apply tests look at in a roster.
type applySummary struct {
	Sections map[string][2][]string // section → teachers, students
	Users    map[string][]roster.Role
	Names    map[string]string // section, school and course names
	DOB      map[string]string
	Parent   []string // the parent's students
}

func summariseRoster(r *roster.Roster) applySummary {
	s := applySummary{Sections: map[string][2][]string{}, Users: map[string][]roster.Role{}, Names: map[string]string{}, DOB: map[string]string{}}
	for _, x := range r.Sections {
		s.Sections[x.ID] = [2][]string{x.Teachers, x.Students}
		s.Names[x.ID] = x.Name
	}
	for _, x := range r.Schools {
		s.Names[x.ID] = x.Name
	}
	for _, x := range r.Courses {
		s.Names[x.ID] = x.Name
	}
	for _, u := range r.Users {
		s.Users[u.ID] = u.Roles.List()
		if st := u.Roles.Student; st != nil && !st.DOB.IsZero() {
			s.DOB[u.ID] = st.DOB.String()
		}
		if c := u.Roles.Contact; c != nil {
			for _, rel := range c.Relationships {
				s.Parent = append(s.Parent, rel.Student)
			}
		}
	}
	return s
}

var (
	rolesStudent = []roster.Role{roster.RoleStudent}
	rolesTeacher = []roster.Role{roster.RoleTeacher}
	rolesContact = []roster.Role{roster.RoleContact}
)

func applyBaseSummary() applySummary {
	return applySummary{
		Sections: map[string][2][]string{"k1": {{"te1"}, {"st1", "st2"}}, "k2": {{"te1"}, {"st3"}}},
		Users:    map[string][]roster.Role{"st1": rolesStudent, "st2": rolesStudent, "st3": rolesStudent, "te1": rolesTeacher, "par": rolesContact},
		Names:    map[string]string{"k1": "Math 1", "k2": "Math 2", "s1": "School One", "c1": "Math"},
		DOB:      map[string]string{"st1": "2011-01-02"},
		Parent:   []string{"st1"},
	}
}

func TestPackage_Apply(t *testing.T) {
	recBase, err := mustReadPackage(t, pkgFolder(t, applyBaseFiles)).Apply(nil, oneroster.MapOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(applyBaseSummary(), summariseRoster(recBase)); diff != "" {
		t.Fatalf("base mismatch (-want +got):\n%s", diff)
	}
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  func(s *applySummary)
	}{
		{
			// Ensure a package of only a manifest changes nothing.
			name:  "ManifestOnly",
			files: map[string]string{"manifest.csv": manifestWith("1.1")},
			want:  func(s *applySummary) {},
		},
		{
			// Ensure classes in bulk with enrollments absent replace the
			// sections and keep the remaining ones' members; the removed
			// section's enrollments go with it.
			name: "ClassesBulkEnrollmentsAbsent",
			files: map[string]string{
				"manifest.csv": manifestWith("1.1", "classes", "bulk", "enrollments", "absent"),
				"classes.csv":  csvLines("sourcedId,title,courseSourcedId,schoolSourcedId,termSourcedIds", "k1,Math One,c1,s1,t1", "k3,New,c1,s1,t1"),
			},
			want: func(s *applySummary) {
				s.Sections = map[string][2][]string{"k1": {{"te1"}, {"st1", "st2"}}, "k3": {}}
				s.Names["k1"], s.Names["k3"] = "Math One", "New"
				delete(s.Names, "k2")
			},
		},
		{
			// Ensure classes in delta change one section, keeping its
			// members, and delete another.
			name: "ClassesDelta",
			files: map[string]string{
				"manifest.csv": manifestWith("1.1", "classes", "delta"),
				"classes.csv":  csvLines("sourcedId,status,dateLastModified,title,schoolSourcedId", "k1,active,2024-01-01,Math One,s1", "k2,tobedeleted,2024-01-01,,"),
			},
			want: func(s *applySummary) {
				s.Sections = map[string][2][]string{"k1": {{"te1"}, {"st1", "st2"}}}
				s.Names["k1"] = "Math One"
				delete(s.Names, "k2")
			},
		},
		{
			// Ensure enrollments in delta add and remove members by class
			// and user, whatever their sourcedIds.
			name: "EnrollmentsDelta",
			files: map[string]string{
				"manifest.csv": manifestWith("1.1", "enrollments", "delta"),
				"enrollments.csv": csvLines("sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,primary",
					"x1,active,2024-01-01,k1,s1,st3,student,", "x2,tobedeleted,2024-01-01,k1,s1,st1,student,", "x3,active,2024-01-01,k2,s1,st3,teacher,true"),
			},
			want: func(s *applySummary) {
				s.Sections["k1"] = [2][]string{{"te1"}, {"st2", "st3"}}
				// The same user in the same class: the enrollment is replaced.
				s.Sections["k2"] = [2][]string{{"st3", "te1"}, nil}
			},
		},
		{
			// Ensure enrollments in bulk replace every membership.
			name: "EnrollmentsBulk",
			files: map[string]string{
				"manifest.csv":    manifestWith("1.1", "enrollments", "bulk"),
				"enrollments.csv": csvLines("sourcedId,classSourcedId,userSourcedId,role", "y1,k2,st1,student"),
			},
			want: func(s *applySummary) { s.Sections = map[string][2][]string{"k1": {}, "k2": {nil, {"st1"}}} },
		},
		{
			// Ensure deleting users deletes their memberships, demographics
			// and the links of contacts to them.
			name: "UsersDelta",
			files: map[string]string{
				"manifest.csv": manifestWith("1.1", "users", "delta"),
				"users.csv":    csvLines(users11Header, "st1,tobedeleted,2024-01-01,,,,,,,", "st4,active,2024-01-01,true,s1,student,,,Di,Dee"),
			},
			want: func(s *applySummary) {
				delete(s.Users, "st1")
				s.Users["st4"] = rolesStudent
				s.Sections["k1"] = [2][]string{{"te1"}, {"st2"}}
				s.DOB, s.Parent = map[string]string{}, nil
			},
		},
		{
			// Ensure users in bulk delete the users they leave out.
			name: "UsersBulk",
			files: map[string]string{
				"manifest.csv": manifestWith("1.1", "users", "bulk"),
				"users.csv":    csvLines(users11Header+",agentSourcedIds", "st1,,,true,s1,student,,,Ann,Ay,", "te1,,,true,s1,teacher,,,Tom,Tee,", "par,,,true,s1,parent,,,Pa,Pee,st1"),
			},
			want: func(s *applySummary) {
				delete(s.Users, "st2")
				delete(s.Users, "st3")
				s.Sections = map[string][2][]string{"k1": {{"te1"}, {"st1"}}, "k2": {{"te1"}, nil}}
			},
		},
		{
			// Ensure 1.2 users.csv rows, which carry no roles, keep the
			// roles rosterd holds when roles.csv is absent, and that roles
			// in delta add and remove roles by user, org and role.
			name: "Users12RolesDelta",
			files: map[string]string{
				"manifest.csv": manifestWith("1.2", "users", "bulk", "roles", "delta"),
				"users.csv": csvLines("sourcedId,status,dateLastModified,enabledUser,givenName,familyName,primaryOrgSourcedId",
					"st1,,,true,Ann,Ay,s1", "st2,,,true,Bo,By,s1", "st3,,,true,Cy,Cee,s1", "te1,,,true,Tom,Tee,s1", "par,,,true,Pa,Pee,s1"),
				"roles.csv": csvLines("sourcedId,status,dateLastModified,userSourcedId,roleType,role,beginDate,endDate,orgSourcedId",
					"r1,active,2024-01-01,te1,secondary,counselor,,,s1", "r2,tobedeleted,2024-01-01,st3,,student,,,s1"),
			},
			want: func(s *applySummary) {
				s.Users["te1"] = []roster.Role{roster.RoleTeacher, roster.RoleStaff}
				s.Users["st3"] = nil
				// The agents were in the 1.1 users rows this bulk replaced.
				s.Parent = nil
			},
		},
		{
			// Ensure demographics in delta change one student's.
			name: "DemographicsDelta",
			files: map[string]string{
				"manifest.csv":     manifestWith("1.1", "demographics", "delta"),
				"demographics.csv": csvLines("sourcedId,status,dateLastModified,birthDate", "st1,tobedeleted,2024-01-01,", "st2,active,2024-01-01,2012-03-04"),
			},
			want: func(s *applySummary) { s.DOB = map[string]string{"st2": "2012-03-04"} },
		},
		{
			// Ensure orgs and courses in delta rename their records and
			// leave what refers to them.
			name: "OrgsCoursesDelta",
			files: map[string]string{
				"manifest.csv": manifestWith("1.1", "orgs", "delta", "courses", "delta"),
				"orgs.csv":     csvLines("sourcedId,status,dateLastModified,name,type,parentSourcedId", "s1,active,2024-01-01,School 1,school,d1"),
				"courses.csv":  csvLines("sourcedId,status,dateLastModified,title", "c1,active,2024-01-01,Mathematics"),
			},
			want: func(s *applySummary) { s.Names["s1"], s.Names["c1"] = "School 1", "Mathematics" },
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := mustReadPackage(t, pkgFolder(t, tc.files))
			got, err := p.Apply(recBase, oneroster.MapOptions{})
			if err != nil {
				t.Fatal(err)
			}
			want := applyBaseSummary()
			tc.want(&want)
			if diff := cmp.Diff(want, summariseRoster(got)); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
			// Ensure Apply leaves the package as it was: applying it twice
			// gives the same roster.
			again, _ := p.Apply(recBase, oneroster.MapOptions{})
			if diff := cmp.Diff(got, again, rosterOpts...); diff != "" {
				t.Errorf("second Apply differs (-first +second):\n%s", diff)
			}
		})
	}
	t.Run("ErrInvalidPackage", func(t *testing.T) {
		p, _ := oneroster.ReadPackage(pkgFolder(t, map[string]string{"manifest.csv": manifestWith("1.1", "users", "bulk")}))
		if r, err := p.Apply(recBase, oneroster.MapOptions{}); r != nil || !errors.Is(err, oneroster.ErrInvalidPackage) {
			t.Errorf("Apply = %v, %v; want no roster and the package's errors", r, err)
		}
	})
}

func TestPackage_Apply_Snapshots(t *testing.T) {
	// Ensure rjeike's successive bulk snapshots apply one onto the other:
	// course 10009 comes (inactive, read as active), stays, goes by
	// absence; class 3221847 comes.
	root := orFixtures(t, "rjeike-OneRoster.Net", "CSVSample")
	var r *roster.Roster
	for _, step := range []struct {
		dir       string
		course    bool
		class     bool
		nSections int
	}{
		{".", false, false, 3},
		{"Step1-UpdateCourse", true, false, 3},
		{"Step2-AddCourse", true, false, 3},
		{"Step3-DeleteCourse", false, false, 3},
		{"Step4-AddClass", false, true, 4},
	} {
		p := mustReadPackage(t, filepath.Join(root, step.dir))
		var err error
		r, err = p.Apply(r, oneroster.MapOptions{DateOrder: oneroster.DateOrderMDY})
		if err != nil {
			t.Fatal(err)
		}
		hasCourse := slices.ContainsFunc(r.Courses, func(c roster.Course) bool { return c.ID == "10009" })
		hasClass := slices.ContainsFunc(r.Sections, func(s roster.Section) bool { return s.ID == "3221847" })
		if hasCourse != step.course || hasClass != step.class || len(r.Sections) != step.nSections {
			t.Errorf("%s: course 10009 %v, class 3221847 %v, %d sections; want %v, %v, %d",
				step.dir, hasCourse, hasClass, len(r.Sections), step.course, step.class, step.nSections)
		}
	}
}

func TestMerge_RESTDelta(t *testing.T) {
	// Ensure a REST delta pull (every collection delta, 1.2 users with
	// their roles embedded) merges onto the roster before it: a changed
	// user's roles are replaced, a deleted class goes with its members.
	before := &oneroster.Dataset{
		Orgs:    recDistrict,
		Classes: []oneroster.Class{{Base: recBase("k1"), Title: "K1", School: oneroster.Ref("s1")}, {Base: recBase("k2"), Title: "K2", School: oneroster.Ref("s1")}},
		Users: []oneroster.User{
			{Base: recBase("u1"), Roles: []oneroster.Role{{RoleType: "primary", Role: "teacher", Org: oneroster.Ref("s1")}}},
			{Base: recBase("u2"), Roles: []oneroster.Role{{RoleType: "primary", Role: "student", Org: oneroster.Ref("s1")}}},
		},
		Enrollments: []oneroster.Enrollment{recEnrollment("e1", "k1", "u2", "student", 0), recEnrollment("e2", "k2", "u2", "student", 0)},
	}
	prev := oneroster.ToRoster(before, oneroster.MapOptions{})
	changes := &oneroster.Dataset{
		Classes: []oneroster.Class{{Base: recDeleted("k2")}},
		Users:   []oneroster.User{{Base: recBase("u1"), Roles: []oneroster.Role{{RoleType: "primary", Role: "principal", Org: oneroster.Ref("s2")}}}},
	}
	all := oneroster.ModeDelta
	modes := oneroster.Modes{Orgs: all, AcademicSessions: all, Courses: all, Classes: all, Users: all, Enrollments: all, Demographics: all}
	got := oneroster.ToRoster(oneroster.Merge(prev, changes, modes), oneroster.MapOptions{})
	if len(got.Sections) != 1 || got.Sections[0].ID != "k1" || !cmp.Equal(got.Sections[0].Students, []string{"u2"}) {
		t.Errorf("sections = %+v", got.Sections)
	}
	u1 := got.Users[0]
	if u1.Roles.Teacher != nil || u1.Roles.Staff == nil || !cmp.Equal(u1.Roles.Staff.Schools, []string{"s2"}) {
		t.Errorf("u1 roles = %+v", u1.Roles)
	}
	if len(got.FieldErrors) != 0 {
		t.Errorf("field errors: %v", got.FieldErrors)
	}
}
