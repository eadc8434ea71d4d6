package sharing_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rosterd/rosterd/preflight"
	"github.com/rosterd/rosterd/roster"
	"github.com/rosterd/rosterd/sharing"
)

// In smallDistrict, stu4 is in x-math-1 and x-math-2 and stu5 in x-math-1
// and x-sci-3; every other student is in one section.

// Ensure students left in several sections are issues that name every
// competing section and the rule that kept it, errors only when required.
func TestOneSection_Unresolved(t *testing.T) {
	for _, required := range []bool{true, false} {
		_, res := apply(t, sharing.Config{
			Sections:             sharing.Filter{Include: []sharing.Matcher{{"subject": {"homeroom/advisory"}}, {"subject": {"math", "science"}}}},
			OneSectionPerStudent: &sharing.OneSection{Required: required},
		})
		want := preflight.SeverityWarning
		if required {
			want = preflight.SeverityError
		}
		if len(res.Issues) != 2 {
			t.Fatalf("required=%v: %d issues, want 2: %+v", required, len(res.Issues), res.Issues)
		}
		got := map[string][]string{}
		for _, is := range res.Issues {
			if is.Code != "student.multiple_sections" || is.Severity != want || is.Entity != roster.EntityStudent || is.Field != "sections" {
				t.Errorf("required=%v: issue %+v", required, is)
			}
			for _, s := range is.Sections {
				got[is.ID+" "+is.SISID] = append(got[is.ID+" "+is.SISID], s.ID+" "+s.KeptBy)
				if !strings.Contains(is.Message, s.ID) || !strings.Contains(is.Message, s.Subject) {
					t.Errorf("message %q does not name section %s and its subject", is.Message, s.ID)
				}
			}
		}
		wantSections := map[string][]string{
			"stu4 1004": {"x-math-1 sections.include[1]", "x-math-2 sections.include[1]"},
			"stu5 1005": {"x-math-1 sections.include[1]", "x-sci-3 sections.include[1]"},
		}
		if diff := cmp.Diff(wantSections, got); diff != "" {
			t.Errorf("competing sections (-want +got):\n%s", diff)
		}
		if res.Placement != (sharing.Placement{One: 3, Several: 2}) {
			t.Errorf("placement %+v", res.Placement)
		}
	}
}

// Ensure the tie-breakers apply in order, each narrowing only when it
// prefers some but not all sections, and that the sections a student
// leaves follow.
func TestOneSection_Prefer(t *testing.T) {
	for _, tt := range []struct {
		name         string
		prefer       []sharing.Preference
		wantSections []string
		wantStu5     string // the one section stu5 keeps
		wantStats    map[string][2]int
	}{
		{"LowestPeriod", []sharing.Preference{{LowestPeriod: true}},
			[]string{"x-hr-k", "x-hr-1", "x-math-1"}, "x-math-1",
			map[string][2]int{"one_section_per_student.prefer[0]": {2, 2}}},
		{"CurrentTermThenSubject", []sharing.Preference{{Matcher: sharing.Matcher{"term": {"current"}}}, {Matcher: sharing.Matcher{"subject": {"science"}}}},
			[]string{"x-hr-k", "x-hr-1", "x-math-1", "x-sci-3"}, "x-sci-3",
			map[string][2]int{"one_section_per_student.prefer[0]": {1, 1}, "one_section_per_student.prefer[1]": {1, 1}}},
		{"PreferringNoneDecidesNothing", []sharing.Preference{{Matcher: sharing.Matcher{"subject": {"art"}}}, {Matcher: sharing.Matcher{"period": {"2", "3"}}}},
			[]string{"x-hr-k", "x-hr-1", "x-math-2", "x-sci-3"}, "x-sci-3",
			map[string][2]int{"one_section_per_student.prefer[0]": {0, 0}, "one_section_per_student.prefer[1]": {2, 2}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r, res := apply(t, sharing.Config{OneSectionPerStudent: &sharing.OneSection{Required: true, Prefer: tt.prefer}})
			if len(res.Issues) != 0 {
				t.Errorf("issues: %+v", res.Issues)
			}
			if diff := cmp.Diff(tt.wantSections, sectionIDs(r)); diff != "" {
				t.Errorf("kept sections (-want +got):\n%s", diff)
			}
			perStudent := map[string]int{}
			for _, s := range r.Sections {
				for _, id := range s.Students {
					perStudent[id]++
				}
			}
			for id, n := range perStudent {
				if n != 1 {
					t.Errorf("%s is in %d sections", id, n)
				}
			}
			if s := section(r, tt.wantStu5); s == nil || !contains(s.Students, "stu5") {
				t.Errorf("stu5 is not in %s", tt.wantStu5)
			}
			for rule, want := range tt.wantStats {
				st := stat(res, rule)
				if got := [2]int{st.Kept, st.Dropped}; got != want {
					t.Errorf("%s narrowed, removed = %v, want %v", rule, got, want)
				}
			}
			if res.Placement != (sharing.Placement{One: 5}) {
				t.Errorf("placement %+v", res.Placement)
			}
		})
	}
}

// Ensure a student in no section is an error only with require_section,
// and is dropped with the enrollments that follow.
func TestOneSection_NoSection(t *testing.T) {
	for _, require := range []bool{true, false} {
		r, res := apply(t, sharing.Config{
			Sections:             sharing.Filter{Exclude: []sharing.Matcher{{"name": {"Homeroom 1*"}}}},
			OneSectionPerStudent: &sharing.OneSection{RequireSection: require, Prefer: []sharing.Preference{{LowestPeriod: true}}},
		})
		want := preflight.SeverityWarning
		if require {
			want = preflight.SeverityError
		}
		if len(res.Issues) != 1 || res.Issues[0].Code != "student.no_section" || res.Issues[0].ID != "stu3" || res.Issues[0].Severity != want {
			t.Errorf("require_section=%v: issues %+v", require, res.Issues)
		}
		if user(r, "stu3") != nil || user(r, "tch2") != nil {
			t.Errorf("stu3 or tch2 kept: %v", userIDs(r))
		}
		if got := stat(res, "students.unassigned").Dropped; got != 1 {
			t.Errorf("students.unassigned dropped %d", got)
		}
		if res.Placement != (sharing.Placement{One: 4, None: 1}) {
			t.Errorf("placement %+v", res.Placement)
		}
	}
}

// Ensure the conflicting pairs are counted, most frequent first.
func TestApply_Conflicts(t *testing.T) {
	r := smallDistrict()
	r.Sections[4].Students = append(r.Sections[4].Students, "stu4") // stu4 now in math-1, math-2 and sci-3
	res := compile(t, sharing.Config{}).Apply(r, sharing.ApplyOptions{Now: today, ConflictPairs: 2})
	var got []string
	for _, c := range res.Conflicts {
		got = append(got, c.Sections[0].ID+"+"+c.Sections[1].ID+"="+string(rune('0'+c.Students)))
	}
	if diff := cmp.Diff([]string{"x-math-1+x-sci-3=2", "x-math-1+x-math-2=1"}, got); diff != "" {
		t.Errorf("conflicts (-want +got):\n%s", diff)
	}
}

// Ensure Trace explains every section of a student, including the one a
// tie-breaker took them out of.
func TestApply_Trace(t *testing.T) {
	r := smallDistrict()
	rules := compile(t, sharing.Config{
		Sections:             sharing.Filter{Exclude: []sharing.Matcher{{"subject": {"homeroom/advisory"}}}},
		OneSectionPerStudent: &sharing.OneSection{Prefer: []sharing.Preference{{LowestPeriod: true}}},
	})
	res := rules.Apply(r, sharing.ApplyOptions{Now: today, Trace: "stu4"})
	got := map[string]string{}
	for _, d := range res.Trace {
		got[d.Section.ID] = d.Reason
		if d.Kept != (d.Section.ID == "x-math-1") {
			t.Errorf("%s kept=%v: %s", d.Section.ID, d.Kept, d.Reason)
		}
	}
	if len(got) != 2 || !strings.Contains(got["x-math-2"], "prefer[0]") || !strings.Contains(got["x-math-1"], "one section left") {
		t.Errorf("trace %+v", res.Trace)
	}

	r = smallDistrict()
	res = rules.Apply(r, sharing.ApplyOptions{Now: today, Trace: "stu1"})
	if len(res.Trace) != 1 || res.Trace[0].Kept || !strings.Contains(res.Trace[0].Reason, "sections.exclude[0]") {
		t.Errorf("trace of stu1 %+v", res.Trace)
	}
	if len(res.TraceNotes) != 1 || !strings.Contains(res.TraceNotes[0], "in no section") {
		t.Errorf("trace notes of stu1 %q", res.TraceNotes)
	}
}

// Ensure no rules at all keep the roster exactly as it was.
func TestApply_NoRules(t *testing.T) {
	for name, rules := range map[string]*sharing.Rules{"Nil": nil, "Zero": compile(t, sharing.Config{})} {
		r := smallDistrict()
		res := rules.Apply(r, sharing.ApplyOptions{Now: today})
		if diff := cmp.Diff(smallDistrict(), r); diff != "" {
			t.Errorf("%s rules changed the roster (-want +got):\n%s", name, diff)
		}
		if len(res.Issues) != 0 || res.Placement != (sharing.Placement{One: 3, Several: 2}) {
			t.Errorf("%s rules: issues %v, placement %+v", name, res.Issues, res.Placement)
		}
	}
}

func contains(ids []string, id string) bool { return slices.Contains(ids, id) }

// Ensure contacts follow their students: relationships to dropped
// students go, a contact left with none goes, and a relationship to a
// student the roster never had stays for preflight to report.
func TestApply_Contacts(t *testing.T) {
	r := smallDistrict()
	contact := func(id string, students ...string) roster.User {
		var rels []roster.Relationship
		for _, s := range students {
			rels = append(rels, roster.Relationship{Student: s, Relationship: "Parent"})
		}
		return roster.User{ID: id, Name: roster.Name{Last: "C"}, Roles: roster.Roles{Contact: &roster.Contact{Relationships: rels}}}
	}
	r.Users = append(r.Users, contact("c-both", "stu1", "stu4"), contact("c-high", "stu4"), contact("c-unknown", "stu404"))
	rules := compile(t, sharing.Config{Students: sharing.Filter{Include: []sharing.Matcher{{"grade": {"Kindergarten"}}}}})
	res := rules.Apply(r, sharing.ApplyOptions{Now: today})
	if got := user(r, "c-both"); got == nil || len(got.Roles.Contact.Relationships) != 1 || got.Roles.Contact.Relationships[0].Student != "stu1" {
		t.Errorf("c-both = %+v", got)
	}
	if user(r, "c-high") != nil {
		t.Error("a contact of a dropped student only was kept")
	}
	if got := user(r, "c-unknown"); got == nil || len(got.Roles.Contact.Relationships) != 1 {
		t.Errorf("c-unknown = %+v", got)
	}
	if got := stat(res, "contacts.unrelated").Dropped; got != 1 {
		t.Errorf("contacts.unrelated dropped %d, want 1", got)
	}
}
