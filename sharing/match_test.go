package sharing_test

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rosterd/rosterd/roster"
	"github.com/rosterd/rosterd/sharing"
)

// Ensure every section matcher field keeps exactly the sections it names.
func TestSectionMatcher_Fields(t *testing.T) {
	for _, tt := range []struct {
		name    string
		matcher sharing.Matcher
		want    []string
	}{
		{"NameGlob", sharing.Matcher{"name": {"Homeroom*"}}, []string{"x-hr-k", "x-hr-1"}},
		{"NameGlobIgnoresCase", sharing.Matcher{"name": {"homeroom k*"}}, []string{"x-hr-k"}},
		{"NameGlobQuestionMark", sharing.Matcher{"name": {"?iology 3"}}, []string{"x-sci-3"}},
		{"NameLiteralIsWhole", sharing.Matcher{"name": {"Homeroom"}}, nil},
		{"NameRegex", sharing.Matcher{"name": {"/^(Algebra|Geometry) /"}}, []string{"x-math-1", "x-math-2"}},
		{"Subject", sharing.Matcher{"subject": {"math"}}, []string{"x-math-1", "x-math-2"}},
		{"SubjectWithSlash", sharing.Matcher{"subject": {"homeroom/*"}}, []string{"x-hr-k", "x-hr-1"}},
		{"Grade", sharing.Matcher{"grade": {"9"}}, []string{"x-math-1", "x-sci-3"}},
		{"Period", sharing.Matcher{"period": {"2"}}, []string{"x-math-2"}},
		{"AnyOfPatterns", sharing.Matcher{"period": {"1", "3"}}, []string{"x-math-1", "x-sci-3"}},
		{"AllFields", sharing.Matcher{"subject": {"math"}, "period": {"1"}}, []string{"x-math-1"}},
		{"SISID", sharing.Matcher{"sis_id": {"S5"}}, []string{"x-sci-3"}},
		{"CourseID", sharing.Matcher{"course": {"c-alg"}}, []string{"x-math-1"}},
		{"CourseName", sharing.Matcher{"course": {"Geometry"}}, []string{"x-math-2"}},
		{"CourseNumber", sharing.Matcher{"course": {"SC*"}}, []string{"x-sci-3"}},
		{"CourseSISID", sharing.Matcher{"course": {"9001"}}, []string{"x-math-1"}},
		{"TermID", sharing.Matcher{"term": {"t-spring"}}, []string{"x-math-2"}},
		{"TermName", sharing.Matcher{"term": {"Fall*"}}, []string{"x-math-1", "x-sci-3"}},
		{"TermSISID", sharing.Matcher{"term": {"S27"}}, []string{"x-math-2"}},
		{"TermCurrent", sharing.Matcher{"term": {"current"}}, []string{"x-math-1", "x-sci-3"}},
		{"SchoolID", sharing.Matcher{"school": {"e1"}}, []string{"x-hr-k", "x-hr-1"}},
		{"SchoolSISID", sharing.Matcher{"school": {"201"}}, []string{"x-math-1", "x-math-2", "x-sci-3"}},
		{"SchoolName", sharing.Matcher{"school": {"*high"}}, []string{"x-math-1", "x-math-2", "x-sci-3"}},
		{"TeacherID", sharing.Matcher{"teacher": {"tch1"}}, []string{"x-hr-k", "x-math-1"}}, // co-teachers count
		{"TeacherSISID", sharing.Matcher{"teacher": {"T3"}}, []string{"x-math-1", "x-math-2"}},
		{"NoTeacher", sharing.Matcher{"teacher": {""}}, []string{"x-sci-3"}},
		{"Ext", sharing.Matcher{"ext.lms": {"canvas"}}, []string{"x-math-1"}},
		{"ExtAbsent", sharing.Matcher{"ext.lms": {""}}, []string{"x-hr-k", "x-hr-1", "x-math-2", "x-sci-3"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r, _ := apply(t, sharing.Config{
				Sections:          sharing.Filter{Include: []sharing.Matcher{tt.matcher}},
				KeepEmptySections: true, KeepUnassignedStudents: true, KeepUnassignedTeachers: true,
			})
			if diff := cmp.Diff(tt.want, sectionIDs(r)); diff != "" {
				t.Errorf("kept sections (-want +got):\n%s", diff)
			}
		})
	}
}

// Ensure a section is kept when any include matcher matches (or there is
// no include list) and no exclude matcher does, and that each rule's
// counts say so.
func TestSectionFilter_Precedence(t *testing.T) {
	math := sharing.Matcher{"subject": {"math"}}
	for _, tt := range []struct {
		name      string
		filter    sharing.Filter
		want      []string
		wantStats map[string][2]int // rule → kept, dropped
	}{
		{"ExcludeOnly", sharing.Filter{Exclude: []sharing.Matcher{math}},
			[]string{"x-hr-k", "x-hr-1", "x-sci-3"}, map[string][2]int{"sections.exclude[0]": {0, 2}}},
		{"ExcludeBeatsInclude", sharing.Filter{Include: []sharing.Matcher{math}, Exclude: []sharing.Matcher{{"period": {"2"}}}},
			[]string{"x-math-1"}, map[string][2]int{"sections.include[0]": {1, 0}, "sections.exclude[0]": {0, 1}, "sections.not_included": {0, 3}}},
		{"FirstIncludeTakesCredit", sharing.Filter{Include: []sharing.Matcher{math, {"grade": {"9"}}}},
			[]string{"x-math-1", "x-math-2", "x-sci-3"}, map[string][2]int{"sections.include[0]": {2, 0}, "sections.include[1]": {1, 0}}},
		{"SameMatcherBothWays", sharing.Filter{Include: []sharing.Matcher{math}, Exclude: []sharing.Matcher{math}},
			nil, map[string][2]int{"sections.exclude[0]": {0, 2}}},
		{"NoMatcher", sharing.Filter{}, []string{"x-hr-k", "x-hr-1", "x-math-1", "x-math-2", "x-sci-3"}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r, res := apply(t, sharing.Config{Sections: tt.filter, KeepEmptySections: true, KeepUnassignedStudents: true, KeepUnassignedTeachers: true})
			if diff := cmp.Diff(tt.want, sectionIDs(r)); diff != "" {
				t.Errorf("kept sections (-want +got):\n%s", diff)
			}
			for rule, want := range tt.wantStats {
				st := stat(res, rule)
				if got := [2]int{st.Kept, st.Dropped}; got != want {
					t.Errorf("%s kept, dropped = %v, want %v", rule, got, want)
				}
			}
		})
	}
}

// Ensure student and teacher matchers filter on role fields, school
// references and ext, and that enrollments follow the kept users.
func TestUserFilters(t *testing.T) {
	for _, tt := range []struct {
		name         string
		cfg          sharing.Config
		wantUsers    []string
		wantSections []string
	}{
		{"StudentGrade", sharing.Config{Students: sharing.Filter{Include: []sharing.Matcher{{"grade": {"Kindergarten"}}}}},
			[]string{"stu1", "stu2", "tch1"}, []string{"x-hr-k"}},
		{"StudentExt", sharing.Config{Students: sharing.Filter{Exclude: []sharing.Matcher{{"ext.consent": {"N", ""}}}}},
			[]string{"stu1", "stu4", "stu5", "tch1", "tch3"}, []string{"x-hr-k", "x-math-1", "x-math-2", "x-sci-3"}},
		{"StudentSchoolByName", sharing.Config{Students: sharing.Filter{Include: []sharing.Matcher{{"school": {"Frontier*"}}}}},
			[]string{"stu4", "stu5", "tch1", "tch3"}, []string{"x-math-1", "x-math-2", "x-sci-3"}},
		{"StudentSchoolsBySISID", sharing.Config{Students: sharing.Filter{Include: []sharing.Matcher{{"schools": {"101"}}}}},
			[]string{"stu1", "stu2", "stu3", "tch1", "tch2"}, []string{"x-hr-k", "x-hr-1"}},
		{"StudentSISID", sharing.Config{Students: sharing.Filter{Exclude: []sharing.Matcher{{"sis_id": {"1004", "1005"}}}}},
			[]string{"stu1", "stu2", "stu3", "tch1", "tch2"}, []string{"x-hr-k", "x-hr-1"}},
		{"TeacherSISID", sharing.Config{Teachers: sharing.Filter{Include: []sharing.Matcher{{"sis_id": {"T3"}}}}},
			[]string{"stu1", "stu2", "stu3", "stu4", "stu5", "tch3"}, []string{"x-hr-k", "x-hr-1", "x-math-1", "x-math-2", "x-sci-3"}},
		{"TeacherSchools", sharing.Config{Teachers: sharing.Filter{Exclude: []sharing.Matcher{{"schools": {"h1"}}}}},
			[]string{"stu1", "stu2", "stu3", "stu4", "stu5", "tch2"}, []string{"x-hr-k", "x-hr-1", "x-math-1", "x-math-2", "x-sci-3"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r, _ := apply(t, tt.cfg)
			if diff := cmp.Diff(tt.wantUsers, userIDs(r)); diff != "" {
				t.Errorf("kept users (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantSections, sectionIDs(r)); diff != "" {
				t.Errorf("kept sections (-want +got):\n%s", diff)
			}
			kept := map[string]bool{}
			for _, id := range userIDs(r) {
				kept[id] = true
			}
			for _, s := range r.Sections {
				for _, id := range append(append([]string{}, s.Students...), s.Teachers...) {
					if !kept[id] {
						t.Errorf("section %s still enrolls dropped user %s", s.ID, id)
					}
				}
			}
		})
	}
}

// Ensure the school filter takes the school's sections and users with it,
// and users in a kept school forget the dropped one.
func TestSchoolFilter(t *testing.T) {
	for _, tt := range []struct {
		name   string
		filter sharing.Filter
	}{
		{"IncludeByName", sharing.Filter{Include: []sharing.Matcher{{"name": {"*elementary"}}}}},
		{"ExcludeBySISID", sharing.Filter{Exclude: []sharing.Matcher{{"sis_id": {"201"}}}}},
		{"IncludeByID", sharing.Filter{Include: []sharing.Matcher{{"id": {"e1"}}}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r, res := apply(t, sharing.Config{Schools: tt.filter})
			if diff := cmp.Diff([]string{"x-hr-k", "x-hr-1"}, sectionIDs(r)); diff != "" {
				t.Errorf("kept sections (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]string{"stu1", "stu2", "stu3", "tch1", "tch2"}, userIDs(r)); diff != "" {
				t.Errorf("kept users (-want +got):\n%s", diff)
			}
			if len(r.Schools) != 1 || r.Schools[0].ID != "e1" {
				t.Errorf("schools = %+v", r.Schools)
			}
			if got := user(r, "tch1").Roles.Teacher.Schools; !cmp.Equal(got, []string{"e1"}) {
				t.Errorf("tch1 schools = %v, want [e1]", got)
			}
			if got := stat(res, "sections.school_dropped").Dropped; got != 3 {
				t.Errorf("sections.school_dropped dropped %d, want 3", got)
			}
		})
	}
}

// Ensure bad rules are refused at compile time with an error naming the
// rule.
func TestCompile_Errors(t *testing.T) {
	for _, tt := range []struct {
		name     string
		cfg      sharing.Config
		wantRule string
		wantErr  error
	}{
		{"UnknownSectionField", sharing.Config{Sections: sharing.Filter{Include: []sharing.Matcher{{"nmae": {"x"}}}}}, "sections.include[0].nmae", sharing.ErrUnknownField},
		{"UnknownStudentField", sharing.Config{Students: sharing.Filter{Exclude: []sharing.Matcher{{"grade": {"1"}}, {"shoe_size": {"9"}}}}}, "students.exclude[1].shoe_size", sharing.ErrUnknownField},
		{"SectionStudents", sharing.Config{Sections: sharing.Filter{Include: []sharing.Matcher{{"students": {"x"}}}}}, "sections.include[0].students", sharing.ErrUnknownField},
		{"EmptyMatcher", sharing.Config{Schools: sharing.Filter{Include: []sharing.Matcher{{}}}}, "schools.include[0]", sharing.ErrEmptyMatcher},
		{"BadRegex", sharing.Config{Sections: sharing.Filter{Include: []sharing.Matcher{{"name": {"/(/"}}}}}, "sections.include[0].name", sharing.ErrBadPattern},
		{"NoValue", sharing.Config{Teachers: sharing.Filter{Include: []sharing.Matcher{{"title": {}}}}}, "teachers.include[0].title", nil},
		{"PreferBoth", sharing.Config{OneSectionPerStudent: &sharing.OneSection{Prefer: []sharing.Preference{{LowestPeriod: true, Matcher: sharing.Matcher{"period": {"1"}}}}}}, "one_section_per_student.prefer[0]", nil},
		{"PreferBadField", sharing.Config{OneSectionPerStudent: &sharing.OneSection{Prefer: []sharing.Preference{{}, {Matcher: sharing.Matcher{"colour": {"red"}}}}}}, "one_section_per_student.prefer[0]", sharing.ErrEmptyMatcher},
		{"FieldsUnknownEntity", sharing.Config{Fields: map[roster.Entity][]string{"section": {"name"}}}, "fields.section", nil},
		{"FieldsUnknownField", sharing.Config{Fields: map[roster.Entity][]string{roster.EntityStudent: {"grade", "shoe_size"}}}, "fields.student[1]", sharing.ErrUnknownField},
		{"MatcherOnDroppedField", sharing.Config{
			Fields:   map[roster.Entity][]string{roster.EntityStudent: {"grade"}},
			Students: sharing.Filter{Exclude: []sharing.Matcher{{"ext.consent": {"N"}}}},
		}, "students.exclude[0].ext.consent", sharing.ErrFieldDropped},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := sharing.Compile(tt.cfg)
			var rerr *sharing.Error
			if !errors.As(err, &rerr) {
				t.Fatalf("Compile = %v, want a *sharing.Error", err)
			}
			if rerr.Rule != tt.wantRule {
				t.Errorf("error names rule %q, want %q (%v)", rerr.Rule, tt.wantRule, err)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("error %v is not %v", err, tt.wantErr)
			}
		})
	}
}
