package sharing_test

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/rosterd/rosterd/roster"
	"github.com/rosterd/rosterd/sharing"
)

// today is the day tests apply rules on: inside term "t-fall" only.
var today = time.Date(2026, 10, 5, 12, 0, 0, 0, time.UTC)

// smallDistrict is a hand-made district every matcher field can tell
// apart:
//
//	school e1 "Adams Elementary" (sis 101), h1 "Frontier High" (sis 201)
//	x-hr-k   homeroom K at e1, teacher tch1, students stu1 stu2
//	x-hr-1   homeroom 1 at e1, teacher tch2, students stu3
//	x-math-1 math, period 1, high school h1, course c-alg, term t-fall, teacher tch3 (co-teacher tch1), students stu4 stu5, ext.lms=canvas
//	x-math-2 math, period 2, h1, course c-geo, term t-spring, teacher tch3, students stu4
//	x-sci-3  science, period 3, h1, course c-bio, term t-fall, no teacher, students stu5
func smallDistrict() *roster.Roster {
	student := func(id, sis, grade, school string, ext roster.Ext) roster.User {
		return roster.User{ID: id, Name: roster.Name{First: "F" + id, Last: "L" + id}, Email: id + "@example.net",
			Roles: roster.Roles{Student: &roster.Student{Demographics: &roster.Demographics{Gender: "X"}, SISID: sis, Grade: grade, School: school, Schools: []string{school}, Ext: ext}}}
	}
	teacher := func(id, sis string, schools ...string) roster.User {
		return roster.User{ID: id, Name: roster.Name{First: "T" + id, Last: "L" + id},
			Roles: roster.Roles{Teacher: &roster.Teacher{SISID: sis, School: schools[0], Schools: schools, Title: "Teacher"}}}
	}
	consent := func(v string) roster.Ext {
		return roster.ExtOf(map[string]json.RawMessage{"consent": json.RawMessage(`"` + v + `"`)})
	}
	return &roster.Roster{
		Districts: []roster.District{{ID: "d1", Name: "District"}},
		Schools: []roster.School{
			{ID: "e1", Name: "Adams Elementary", SISID: "101"},
			{ID: "h1", Name: "Frontier High", SISID: "201"},
		},
		Terms: []roster.Term{
			{ID: "t-fall", Name: "Fall 2026", SISID: "F26", StartDate: roster.Date{Year: 2026, Month: 8, Day: 24}, EndDate: roster.Date{Year: 2027, Month: 1, Day: 15}},
			{ID: "t-spring", Name: "Spring 2027", SISID: "S27", StartDate: roster.Date{Year: 2027, Month: 1, Day: 19}, EndDate: roster.Date{Year: 2027, Month: 6, Day: 11}},
		},
		Courses: []roster.Course{
			{ID: "c-alg", Name: "Algebra I", Number: "MA101", SISID: "9001"},
			{ID: "c-geo", Name: "Geometry", Number: "MA201"},
			{ID: "c-bio", Name: "Biology", Number: "SC101"},
		},
		Sections: []roster.Section{
			{ID: "x-hr-k", School: "e1", Name: "Homeroom K - Smith", SISID: "S1", Subject: "homeroom/advisory", Grade: "Kindergarten", Teachers: []string{"tch1"}, Students: []string{"stu1", "stu2"}},
			{ID: "x-hr-1", School: "e1", Name: "Homeroom 1 - Jones", SISID: "S2", Subject: "homeroom/advisory", Grade: "1", Teachers: []string{"tch2"}, Students: []string{"stu3"}},
			{ID: "x-math-1", School: "h1", Course: "c-alg", Term: "t-fall", Name: "Algebra I - Lee - 1", SISID: "S3", Subject: "math", Grade: "9", Period: "1",
				Teachers: []string{"tch3", "tch1"}, Students: []string{"stu4", "stu5"}, Ext: roster.ExtOf(map[string]json.RawMessage{"lms": json.RawMessage(`"canvas"`)})},
			{ID: "x-math-2", School: "h1", Course: "c-geo", Term: "t-spring", Name: "Geometry - Lee - 2", SISID: "S4", Subject: "math", Grade: "10", Period: "2",
				Teachers: []string{"tch3"}, Students: []string{"stu4"}},
			{ID: "x-sci-3", School: "h1", Course: "c-bio", Term: "t-fall", Name: "Biology 3", SISID: "S5", Subject: "science", Grade: "9", Period: "3",
				Students: []string{"stu5"}},
		},
		Users: []roster.User{
			student("stu1", "1001", "Kindergarten", "e1", consent("Y")),
			student("stu2", "1002", "Kindergarten", "e1", consent("N")),
			student("stu3", "1003", "1", "e1", roster.Ext{}),
			student("stu4", "1004", "9", "h1", consent("Y")),
			student("stu5", "1005", "9", "h1", consent("Y")),
			teacher("tch1", "T1", "e1", "h1"),
			teacher("tch2", "T2", "e1"),
			teacher("tch3", "T3", "h1"),
		},
	}
}

// compile compiles cfg, failing the test on an error.
func compile(t *testing.T, cfg sharing.Config) *sharing.Rules {
	t.Helper()
	cfg.Location = time.UTC
	rules, err := sharing.Compile(cfg)
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	return rules
}

// apply compiles cfg and applies it to a fresh small district.
func apply(t *testing.T, cfg sharing.Config) (*roster.Roster, *sharing.Result) {
	t.Helper()
	r := smallDistrict()
	rules := compile(t, cfg)
	rules.Minimise(r)
	res := rules.Apply(r, sharing.ApplyOptions{Now: today})
	return r, res
}

func sectionIDs(r *roster.Roster) []string {
	var ids []string
	for _, s := range r.Sections {
		ids = append(ids, s.ID)
	}
	return ids
}

func userIDs(r *roster.Roster) []string {
	var ids []string
	for _, u := range r.Users {
		ids = append(ids, u.ID)
	}
	return ids
}

func section(r *roster.Roster, id string) *roster.Section {
	i := slices.IndexFunc(r.Sections, func(s roster.Section) bool { return s.ID == id })
	if i < 0 {
		return nil
	}
	return &r.Sections[i]
}

func user(r *roster.Roster, id string) *roster.User {
	i := slices.IndexFunc(r.Users, func(u roster.User) bool { return u.ID == id })
	if i < 0 {
		return nil
	}
	return &r.Users[i]
}

func stat(res *sharing.Result, rule string) sharing.RuleStat {
	for _, s := range res.Rules {
		if s.Rule == rule {
			return s
		}
	}
	return sharing.RuleStat{Rule: rule + " (absent)"}
}
