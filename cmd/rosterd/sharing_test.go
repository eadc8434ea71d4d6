package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rosterd/rosterd/internal/fakeclever"
	"github.com/rosterd/rosterd/internal/synth"
	"github.com/rosterd/rosterd/roster"
	"github.com/rosterd/rosterd/state"
)

// demoHomerooms reads Clever's demo district as a vendor would: for every
// student, the homeroom/advisory sections it is in.
func demoHomerooms(t *testing.T) map[string][]string {
	t.Helper()
	var sections struct {
		Data []struct {
			Data struct {
				ID       string   `json:"id"`
				Subject  string   `json:"subject"`
				Students []string `json:"students"`
			} `json:"data"`
		} `json:"data"`
	}
	readFixtureJSON(t, filepath.Join(fixtures(t, "clever", "demo-district-v3.0"), "sections.json"), &sections)
	out := map[string][]string{}
	for _, s := range sections.Data {
		if s.Data.Subject != roster.SubjectHomeroom {
			continue
		}
		for _, st := range s.Data.Students {
			out[st] = append(out[st], s.Data.ID)
		}
	}
	return out
}

// homeroomsOnly keeps only homeroom/advisory sections and requires one
// section per student: Clever's demo district has students in a class
// homeroom and a "Group Guidance" or grade advisory section, so it fails.
const homeroomsOnly = `    sharing:
      sections:
        include:
          - subject: homeroom/advisory
      one_section_per_student:
        required: true
        require_section: true
`

// classHomerooms reaches one section per student on the demo district:
// every student has exactly one "Class NNN, Homeroom" section, and the
// guidance and advisory sections are the second homeroom of 417 of them.
const classHomerooms = `    sharing:
      sections:
        include:
          - subject: homeroom/advisory
            name: "Class *, Homeroom*"
      one_section_per_student:
        required: true
        require_section: true
`

// Ensure a homeroom-only rule set is refused on Clever's demo district,
// naming each student left in two sections and exactly its competing
// sections.
func TestSharing_DemoDistrictRefused(t *testing.T) {
	ds, err := fakeclever.LoadDemoDistrict(fixtures(t, "clever", "demo-district-v3.0"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{}
	for st, secs := range demoHomerooms(t) {
		if len(secs) > 1 {
			sort.Strings(secs)
			want[st] = secs
		}
	}
	if len(want) != 417 {
		t.Fatalf("the fixture has %d students in several homerooms, want 417", len(want))
	}

	h := newHarness(t, ds, homeroomsOnly)
	r, rep := h.syncJSON("sync")
	if r.code != exitRefused {
		t.Fatalf("sync exit %d, want %d\nstderr:\n%s", r.code, exitRefused, r.stderr)
	}
	got := map[string][]string{}
	for _, is := range rep.Issues {
		if is.Code != "student.multiple_sections" {
			t.Errorf("unexpected issue %+v", is)
			continue
		}
		if is.SISID == "" || is.Severity != "error" {
			t.Errorf("issue %+v lacks its SIS ID or is not an error", is)
		}
		for _, s := range is.Sections {
			got[is.ID] = append(got[is.ID], s.ID)
			if s.Name == "" || s.Subject != roster.SubjectHomeroom || s.KeptBy != "sections.include[0]" {
				t.Errorf("student %s: section %+v lacks its name, subject or rule", is.ID, s)
			}
		}
		sort.Strings(got[is.ID])
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("students in several sections (-want +got):\n%s", diff)
	}
	h.view(func(sn *state.Snapshot) {
		if n := sn.Count(roster.KindUsers); n != 0 {
			t.Errorf("a refused run committed %d users", n)
		}
	})
}

// Ensure rules that reach one section per student on the demo district
// pass and commit exactly one section per student.
func TestSharing_DemoDistrictOneSection(t *testing.T) {
	ds, err := fakeclever.LoadDemoDistrict(fixtures(t, "clever", "demo-district-v3.0"))
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, ds, classHomerooms)
	r, rep := h.syncJSON("sync")
	if r.code != exitOK || rep.Summary.Errors != 0 {
		t.Fatalf("sync exit %d, %+v\nstderr:\n%s", r.code, rep.Summary, r.stderr)
	}
	if p := rep.Placement; p == nil || p.OneSection != 1004 || p.NoSection+p.SeveralSections != 0 {
		t.Errorf("placement %+v", rep.Placement)
	}
	committed := h.committed()
	per := map[string]int{}
	for _, s := range committed.Sections {
		if s.Subject != roster.SubjectHomeroom || !strings.HasPrefix(s.Name, "Class ") {
			t.Errorf("committed section %s %q", s.ID, s.Name)
		}
		for _, st := range s.Students {
			per[st]++
		}
	}
	students := 0
	for _, u := range committed.Users {
		if u.Roles.Student == nil {
			continue
		}
		students++
		if per[u.ID] != 1 {
			t.Errorf("student %s is in %d committed sections", u.ID, per[u.ID])
		}
	}
	if students != 1004 || len(committed.Sections) != 39 {
		t.Errorf("committed %d students and %d sections, want 1004 and 39", students, len(committed.Sections))
	}
	// Teachers of no kept section went with the sections.
	teaching := map[string]bool{}
	for _, s := range committed.Sections {
		for _, id := range s.Teachers {
			teaching[id] = true
		}
	}
	for _, u := range committed.Users {
		if u.Roles.Teacher != nil && !teaching[u.ID] {
			t.Errorf("teacher %s teaches no committed section", u.ID)
		}
	}
}

func readFixtureJSON(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// Ensure a field left out of sharing.fields never reaches the state file
// (the committed roster, the kept raw roster, the stored reports) nor any
// report printed.
func TestSharing_DataMinimisation(t *testing.T) {
	dir := fixtures(t, "clever", "demo-district-v3.0")
	ds, err := fakeclever.LoadDemoDistrict(dir)
	if err != nil {
		t.Fatal(err)
	}
	var users struct {
		Data []struct {
			Data struct {
				Email string `json:"email"`
				Roles struct {
					Student *struct {
						DOB string `json:"dob"`
					} `json:"student"`
				} `json:"roles"`
			} `json:"data"`
		} `json:"data"`
	}
	readFixtureJSON(t, filepath.Join(dir, "users.json"), &users)
	var emails []string
	for _, u := range users.Data {
		if u.Data.Roles.Student != nil && u.Data.Email != "" {
			emails = append(emails, u.Data.Email)
		}
	}
	if len(emails) < 900 {
		t.Fatalf("the fixture has %d student emails", len(emails))
	}

	h := newHarness(t, ds, classHomerooms+`      fields:
        student: [sis_id, name.first, name.last, school, grade]
`)
	var printed strings.Builder
	for _, args := range [][]string{{"preflight", "--format", "json"}, {"sync"}, {"report", "2", "--format", "json"}, {"rules", "test"}} {
		r := h.rosterd(args...)
		if r.code != exitOK {
			t.Fatalf("rosterd %v exit %d\n%s%s", args, r.code, r.stdout, r.stderr)
		}
		printed.WriteString(r.stdout + r.stderr)
	}

	data, err := os.ReadFile(filepath.Join(h.dir, "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	for _, email := range emails {
		if strings.Contains(string(data), email) || strings.Contains(printed.String(), email) {
			t.Fatalf("student email %s is in the state file or a report", email)
		}
	}
	if strings.Contains(string(data), `"dob"`) || strings.Contains(printed.String(), `"dob"`) {
		t.Error("a date of birth is in the state file or a report")
	}
	// The kept raw roster is compressed, so read it back.
	st, err := state.Open(filepath.Join(h.dir, "state.db"), state.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	raw, _, err := st.LoadRaw("district")
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range raw.Users {
		if s := u.Roles.Student; s != nil && (u.Email != "" || !s.DOB.IsZero() || s.Demo().Gender != "" || s.Grade == "") {
			t.Fatalf("raw student %s keeps a dropped field (or lost a kept one): %+v %+v", u.ID, u, s)
		}
	}
	// Teachers' fields are not listed, so they are kept whole.
	if !slices.ContainsFunc(h.committed().Users, func(u roster.User) bool { return u.Roles.Teacher != nil && u.Email != "" }) {
		t.Error("no committed teacher kept an email")
	}
}

// Ensure the workbench shows what the rules do on the kept roster, and
// explains a student's sections, without changing the committed roster or
// the run history, even with --fetch.
func TestRules_Workbench(t *testing.T) {
	ds, err := fakeclever.LoadDemoDistrict(fixtures(t, "clever", "demo-district-v3.0"))
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, ds, classHomerooms)
	if r := h.rosterd("sync"); r.code != exitOK {
		t.Fatalf("sync exit %d\n%s", r.code, r.stderr)
	}
	type snapshot struct {
		Roster *roster.Roster
		Head   state.Head
		Runs   []state.Run
	}
	take := func() snapshot {
		var s snapshot
		h.view(func(sn *state.Snapshot) { s.Head = sn.Head() })
		s.Roster = h.committed()
		st, err := state.Open(filepath.Join(h.dir, "state.db"), state.Options{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		if s.Runs, err = st.Runs(state.RunFilter{}); err != nil {
			t.Fatal(err)
		}
		return s
	}
	before := take()

	// Homerooms only: 417 students are left in two sections.
	h.configure(homeroomsOnly)
	r := h.rosterd("rules", "test")
	if r.code != exitRefused {
		t.Fatalf("rules test exit %d, want %d\n%s%s", r.code, exitRefused, r.stdout, r.stderr)
	}
	for _, want := range []string{
		"Students: 587 in one section, 0 in none, 417 in several",
		"Section pairs students are most often left in together",
		"Group Guidance",
		"sections.include[0]",
		"student.multiple_sections (error, 417)",
		"REFUSED",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("rules test output lacks %q:\n%s", want, r.stdout)
		}
	}

	// A student of the fixture in a class homeroom and Group Guidance.
	var student, guidance string
	for st, secs := range demoHomerooms(t) {
		if len(secs) == 2 {
			student = st
			break
		}
	}
	h.configure(classHomerooms)
	r = h.rosterd("rules", "explain", "--student", student)
	if r.code != exitOK {
		t.Fatalf("rules explain exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, line := range strings.Split(r.stdout, "\n") {
		if strings.Contains(line, "Guidance") || strings.Contains(line, "Advisory") {
			guidance = line
		}
	}
	if !strings.Contains(r.stdout, "kept by sections.include[0]") || !strings.Contains(guidance, "no sections.include matcher matches it") ||
		!strings.Contains(r.stdout, "After the rules: in 1 section(s).") {
		t.Errorf("rules explain --student %s:\n%s", student, r.stdout)
	}

	if r := h.rosterd("rules", "test", "--fetch"); r.code != exitOK || !strings.Contains(r.stdout, "Fetched the roster") {
		t.Errorf("rules test --fetch exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if diff := cmp.Diff(before, take()); diff != "" {
		t.Errorf("the workbench changed the committed state (-before +after):\n%s", diff)
	}
}

// Ensure that on a generated district with students injected into a
// second homeroom, rules that keep elementary homerooms make preflight
// report exactly the injected students, each with both homerooms.
func TestSharing_GeneratedDoubleHomerooms(t *testing.T) {
	district, defects := generated(t, "small", 21, synth.Defects{DoubleHomeroom: 0.01})
	want := map[string]string{} // student → the injected second homeroom
	for _, d := range defects {
		want[d.ID] = d.Target
	}
	if len(want) < 5 {
		t.Fatalf("only %d defects injected", len(want))
	}
	h := newHarness(t, fakeclever.FromRoster(district), `    sharing:
      students:
        include:
          - grade: [PreKindergarten, TransitionalKindergarten, Kindergarten, "1", "2", "3", "4", "5"]
      sections:
        include:
          - subject: homeroom/advisory
      one_section_per_student:
        required: true
`)
	r, rep := h.syncJSON("preflight")
	if r.code != exitRefused {
		t.Fatalf("preflight exit %d, want %d\n%s", r.code, exitRefused, r.stderr)
	}
	got := map[string]string{}
	for _, is := range rep.Issues {
		if is.Code != "student.multiple_sections" || len(is.Sections) != 2 {
			t.Errorf("unexpected issue %+v", is)
			continue
		}
		for _, s := range is.Sections {
			if s.ID == want[is.ID] {
				got[is.ID] = s.ID
			}
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("students reported in two homerooms (-injected +reported):\n%s", diff)
	}
}

// Ensure the sharing rules config.example.yaml shows reach one section
// per student on Clever's demo district, as its comment says.
func TestSharing_ExampleConfigOnDemoDistrict(t *testing.T) {
	example, err := os.ReadFile("../../config.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	text := string(example)
	start := strings.Index(text, "\n    sharing:\n")
	end := strings.Index(text, "\n    preflight:\n")
	if start < 0 || end < start {
		t.Fatal("config.example.yaml has no sharing block before its preflight block")
	}
	ds, err := fakeclever.LoadDemoDistrict(fixtures(t, "clever", "demo-district-v3.0"))
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, ds, text[start+1:end+1])
	r, rep := h.syncJSON("sync")
	if r.code != exitOK {
		t.Fatalf("sync exit %d\n%s", r.code, r.stderr)
	}
	if p := rep.Placement; p == nil || p.OneSection != 1004 || p.NoSection+p.SeveralSections != 0 {
		t.Errorf("placement %+v", rep.Placement)
	}
}
