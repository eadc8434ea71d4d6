package main

import (
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rosterd/rosterd/internal/csvexport"
	"github.com/rosterd/rosterd/internal/fakeclever"
	"github.com/rosterd/rosterd/internal/fakeoneroster"
	"github.com/rosterd/rosterd/internal/synth"
	"github.com/rosterd/rosterd/oneroster"
	"github.com/rosterd/rosterd/preflight"
	"github.com/rosterd/rosterd/roster"
)

// newSourceHarness writes a config for one connection, "district", whose
// source block is source (YAML at the level of the source: key, so
// "clever:\n  api_url: ..."), with extra appended to the connection
// (indented four spaces). Relative paths in source resolve against h.dir.
func newSourceHarness(t *testing.T, source, extra string) *harness {
	t.Helper()
	dir := t.TempDir()
	h := &harness{t: t, dir: dir, configPath: filepath.Join(dir, "rosterd.yaml")}
	var block strings.Builder
	for line := range strings.Lines(source) {
		block.WriteString("      " + line)
	}
	cfg := fmt.Sprintf(`state:
  path: state.db
log:
  level: info
connections:
  - name: district
    source:
%s%s`, block.String(), extra)
	if err := os.WriteFile(h.configPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return h
}

// putFile writes a file (a secret, say) into the harness's directory.
func (h *harness) putFile(name, body string) {
	h.t.Helper()
	if err := os.WriteFile(filepath.Join(h.dir, name), []byte(body), 0o600); err != nil {
		h.t.Fatal(err)
	}
}

// crossSourceRules are the sharing rules every source runs: homerooms,
// and the math sections of the school year but those of grade 12, one
// section per student with the lowest period winning. Each field they
// name (subject, term name, grade, period) is one all five formats carry,
// and grades mean the same on every source: OneRoster's CEDS codes are
// read into the model's words.
const crossSourceRules = `    sharing:
      sections:
        include:
          - subject: homeroom/advisory
          - subject: math
            term: "2026-2027"
        exclude:
          - subject: math
            grade: "12"
      one_section_per_student:
        required: true
        require_section: true
        prefer:
          - lowest_period: true
`

// The OneRoster credentials of the fake provider.
const (
	orConsumerKey    = "rosterd-app"
	orConsumerSecret = "consumer-5ecret-0f-the-test"
	orClientID       = "rosterd-client"
	orClientSecret   = "client-5ecret-0f-the-test"
)

// Ensure one district served as the Clever API, OneRoster 1.1 REST
// (OAuth 1.0a), OneRoster 1.2 REST (OAuth 2), OneRoster 1.1 and 1.2 CSV
// packages and a Clever CSV package commits the same roster through the
// same sharing rules, as far as every format carries it (crossProjection).
func TestSync_SameDistrictEverySource(t *testing.T) {
	p, _ := synth.ProfileByName("small")
	p.Seed = 5
	// Clever CSV has no contacts.
	p.Contacts = false
	district, _ := synth.Generate(p)
	for i := range district.Users {
		// The generator writes Y and N lunch statuses, which Clever's
		// CSV reader rightly refuses (Clever's are Free, Reduced, Paid
		// and Other); programs are no part of the projection.
		if s := district.Users[i].Roles.Student; s != nil {
			s.Programs = nil
		}
	}
	students, tied := rulesPlacement(district)

	// The district as an SIS serving OneRoster says it. A class has no
	// SIS ID but its sourcedId, which such an SIS sets to its own section
	// ID, so the sections' SIS IDs are their sourcedIds. Grades travel as
	// CEDS codes (the fake provider and oneroster.FromRoster write them)
	// and the mapping reads them back into the model's words, so the
	// families are compared as committed. Subjects stay Clever's enum
	// values, as both write them: a real SIS would send its own words
	// ("Mathematics"), which the OneRoster mapping keeps as they are while
	// Clever CSV's maps them onto the enum, so a rule on subject: math
	// would keep no math section of such a district.
	orView := *district
	orView.Sections = slices.Clone(district.Sections)
	for i := range orView.Sections {
		orView.Sections[i].ID = orView.Sections[i].SISID
	}

	cleverSrv := httptest.NewServer(fakeclever.NewServer(fakeclever.FromRoster(district), fakeclever.Options{Token: testToken}))
	t.Cleanup(cleverSrv.Close)
	orSrv := httptest.NewServer(fakeoneroster.NewServer(fakeoneroster.FromRoster(&orView), fakeoneroster.Options{
		ConsumerKey: orConsumerKey, ConsumerSecret: orConsumerSecret,
		ClientID: orClientID, ClientSecret: orClientSecret,
	}))
	t.Cleanup(orSrv.Close)
	const retries = "retries: 3\nretry_wait_min: 5ms\nretry_wait_max: 20ms\n"

	// dropPackage writes a package into the harness's drop folder with
	// write, and dates it an hour back so it has settled.
	dropPackage := func(h *harness, write func(dir string) error) {
		t.Helper()
		dir := filepath.Join(h.dir, "drop", "roster-2026-12-01")
		if err := write(dir); err != nil {
			t.Fatal(err)
		}
		old := time.Now().Add(-time.Hour)
		err := filepath.Walk(dir, func(path string, _ os.FileInfo, err error) error {
			if err != nil {
				return err
			}
			return os.Chtimes(path, old, old)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	sources := []struct {
		name   string
		family string // the grade vocabulary: clever or oneroster
		setup  func(h *harness)
		yaml   string
	}{
		{"clever api", "clever", func(h *harness) { h.putFile("token", testToken) },
			"clever:\n  api_url: " + cleverSrv.URL + "/v3.0\n  auth_url: " + cleverSrv.URL + "\n  token_file: token\n  roles: [staff]\n" + yamlIndent(retries)},
		{"oneroster 1.1 rest", "oneroster", func(h *harness) { h.putFile("consumer-secret", orConsumerSecret) },
			"oneroster:\n  version: \"1.1\"\n  base_url: " + orSrv.URL + fakeoneroster.BasePathV1p1 + "\n  auth: oauth1\n" +
				"  consumer_key: " + orConsumerKey + "\n  consumer_secret_file: consumer-secret\n  page_size: 1000\n  requests_per_minute: 60000\n  demographics: true\n" + yamlIndent(retries)},
		{"oneroster 1.2 rest", "oneroster", func(h *harness) { h.putFile("client-secret", orClientSecret) },
			"oneroster:\n  version: \"1.2\"\n  base_url: " + orSrv.URL + fakeoneroster.BasePathV1p2 + "\n  auth: oauth2\n" +
				"  token_url: " + orSrv.URL + fakeoneroster.TokenPath + "\n  client_id: " + orClientID + "\n  client_secret_file: client-secret\n" +
				"  page_size: 1000\n  requests_per_minute: 60000\n  demographics: true\n" + yamlIndent(retries)},
		{"oneroster 1.1 csv", "oneroster", func(h *harness) {
			dropPackage(h, func(dir string) error {
				return csvexport.WriteOneRoster(dir, oneroster.FromRoster(&orView), oneroster.Version11)
			})
		}, "csv:\n  path: drop\n  format: oneroster\n"},
		{"oneroster 1.2 csv", "oneroster", func(h *harness) {
			dropPackage(h, func(dir string) error {
				return csvexport.WriteOneRoster(dir, oneroster.FromRoster(&orView), oneroster.Version12)
			})
		}, "csv:\n  path: drop\n  format: oneroster\n"},
		{"clever csv", "clever", func(h *harness) {
			dropPackage(h, func(dir string) error { return csvexport.WriteClever(dir, district) })
		}, "csv:\n  path: drop\n  format: clever\n"},
	}

	got := make([]*crossProjection, len(sources))
	for i, src := range sources {
		t.Run(src.name, func(t *testing.T) {
			started := time.Now()
			h := newSourceHarness(t, src.yaml, crossSourceRules)
			src.setup(h)
			r, rep := h.syncJSON("sync")
			if r.code != exitOK || rep == nil || rep.Verdict != preflight.VerdictCommitted {
				t.Fatalf("sync exit %d, report %+v\nstdout:\n%s\nstderr:\n%s", r.code, rep, r.stdout, tailLines(r.stderr, 20))
			}
			if rep.Summary.Errors+rep.Summary.Warnings != 0 {
				t.Errorf("summary %+v: want no issue of a clean district", rep.Summary)
			}
			if p := rep.Placement; p == nil || p.OneSection != len(students) || p.NoSection+p.SeveralSections != 0 {
				t.Errorf("placement %+v, want all %d students in one section", rep.Placement, len(students))
			}
			for _, secret := range []string{orConsumerSecret, orClientSecret} {
				if strings.Contains(r.stdout+r.stderr, secret) {
					t.Error("sync printed a OneRoster secret")
				}
			}
			got[i] = projectRoster(t, h.committed())
			t.Logf("synced and read back in %v", time.Since(started).Round(time.Millisecond))
		})
	}
	if t.Failed() {
		return
	}

	// The rules keep a meaningful part of the district, with what the
	// comparison is meant to cover: several schools, homerooms and math,
	// co-taught sections, students in several schools, and students the
	// tie-breaker places.
	want := got[0]
	schools, coTaught, homerooms, math := map[string]bool{}, 0, 0, 0
	for _, s := range want.Sections {
		schools[s.School] = true
		if len(s.Teachers) > 2 {
			coTaught++
		}
		switch s.Subject {
		case roster.SubjectHomeroom:
			homerooms++
		case "math":
			math++
		}
	}
	multiSchool := 0
	for _, s := range want.Students {
		if len(s.Schools) > 1 {
			multiSchool++
		}
	}
	if len(schools) < 4 || coTaught == 0 || homerooms < 20 || math < 20 || multiSchool == 0 || tied < 100 || len(want.Staff) == 0 {
		t.Fatalf("the rules kept %d sections (%d homerooms, %d math, %d with three or more teachers) in %d schools, "+
			"%d students (%d in several schools, %d placed by the tie-breaker), %d teachers and %d staff: too little to compare",
			len(want.Sections), homerooms, math, coTaught, len(schools), len(want.Students), multiSchool, tied, len(want.Teachers), len(want.Staff))
	}
	t.Logf("comparing %d sections (%d homerooms, %d math, %d with three or more teachers) in %d schools, "+
		"%d students (%d in several schools, %d placed by the tie-breaker), %d teachers and %d staff",
		len(want.Sections), homerooms, math, coTaught, len(schools), len(want.Students), multiSchool, tied, len(want.Teachers), len(want.Staff))

	// Each source against the first of its family, then the families
	// against each other: every comparison as committed.
	first := map[string]int{}
	for i, src := range sources {
		ref, ok := first[src.family]
		if !ok {
			first[src.family] = i
			continue
		}
		if diff := cmp.Diff(got[ref], got[i]); diff != "" {
			t.Errorf("%s committed another roster than %s (-%s +%s):\n%s", src.name, sources[ref].name, sources[ref].name, src.name, diff)
		}
	}
	c, o := first["clever"], first["oneroster"]
	if diff := cmp.Diff(got[c], got[o]); diff != "" {
		t.Errorf("%s committed another roster than %s (-%s +%s):\n%s", sources[o].name, sources[c].name, sources[c].name, sources[o].name, diff)
	}
}

// yamlIndent indents YAML lines by two spaces.
func yamlIndent(s string) string {
	var b strings.Builder
	for line := range strings.Lines(s) {
		b.WriteString("  " + line)
	}
	return b.String()
}

// tailLines returns the last n lines of s.
func tailLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// crossProjection is what every source format carries of a committed
// roster, keyed by SIS ID, so that the same district read through any of
// them projects to the same value. IDs are left out: Clever's are its
// own, OneRoster's are the provider's sourcedIds and Clever CSV's are
// built from SIS IDs (clevercsv/doc.go). References are followed to the
// SIS ID (schools, users) or to the content (terms, courses) of what
// they name. A section is keyed by its SIS ID, or by its ID when it has
// none: a OneRoster class has no SIS ID but its sourcedId.
//
// Left out because at least one format cannot carry it (each doc.go's
// "not carried" list):
//   - districts (Clever CSV names none), term and course SIS IDs (Clever
//     has none), course subjects (Clever CSV), LastModified (Clever CSV);
//   - school numbers, state and NCES IDs, grade ranges, phones and
//     addresses (OneRoster);
//   - contacts and district admins (Clever CSV has no file for them);
//   - the staff role of a teacher who is also staff, and a teacher's
//     schools beyond the primary one: 1.1 gives a user one role and one
//     list of orgs, so that user is a teacher of the staff role's schools
//     too (and OneRoster gives a user one identifier, so the staff ID is
//     the teacher's SIS ID);
//   - the order of a section's co-teachers: OneRoster says only which
//     teacher is primary, and the mapping orders the others by ID;
//   - student and teacher numbers and state IDs (OneRoster carries them
//     as userIds, which the mapping keeps in Ext), titles, departments,
//     graduation year, ELL status, home language and programs
//     (OneRoster), and gender (1.1 has no sex other);
//   - ext fields (the formats name them differently).
type crossProjection struct {
	Schools  map[string]string // SIS ID → name
	Sections map[string]crossSection
	Students map[string]crossStudent
	Teachers map[string]crossTeacher
	// Staff holds the users with the staff role and no teacher role.
	Staff map[string]crossStaff
}

type crossSection struct {
	Name, Number, Subject, Grade, Period string
	Term, TermStart, TermEnd             string
	Course, CourseNumber                 string
	School                               string
	// Teachers holds the primary teacher, then the co-teachers in SIS ID
	// order; Students is in SIS ID order.
	Teachers, Students []string
}

type crossStudent struct {
	First, Middle, Last, Email, Username, Grade string
	School                                      string
	Schools                                     []string // in SIS ID order
	DOB, Race, HispanicEthnicity                string
}

type crossTeacher struct {
	First, Middle, Last, Email, Username, School string
}

type crossStaff struct {
	First, Middle, Last, Email, Username string
	Schools                              []string // in SIS ID order
}

// projectRoster projects a committed roster, failing the test when two
// records project to one key.
func projectRoster(t *testing.T, r *roster.Roster) *crossProjection {
	t.Helper()
	unique := func(kind, key string, have bool) {
		if have || key == "" {
			t.Errorf("the roster has another %s with SIS ID %q", kind, key)
		}
	}
	schools := map[string]string{}
	for _, s := range r.Schools {
		schools[s.ID] = s.SISID
	}
	terms := map[string]*roster.Term{}
	for i := range r.Terms {
		terms[r.Terms[i].ID] = &r.Terms[i]
	}
	courses := map[string]*roster.Course{}
	for i := range r.Courses {
		courses[r.Courses[i].ID] = &r.Courses[i]
	}
	students, teachers := map[string]string{}, map[string]string{}
	out := &crossProjection{Schools: map[string]string{}, Sections: map[string]crossSection{}, Students: map[string]crossStudent{},
		Teachers: map[string]crossTeacher{}, Staff: map[string]crossStaff{}}
	for _, s := range r.Schools {
		_, have := out.Schools[s.SISID]
		unique("school", s.SISID, have)
		out.Schools[s.SISID] = s.Name
	}
	sisOf := func(ids []string) []string {
		var out []string
		for _, id := range ids {
			out = append(out, schools[id])
		}
		slices.Sort(out)
		return out
	}
	for i := range r.Users {
		u := &r.Users[i]
		if s := u.Roles.Student; s != nil {
			students[u.ID] = s.SISID
			_, have := out.Students[s.SISID]
			unique("student", s.SISID, have)
			out.Students[s.SISID] = crossStudent{First: u.Name.First, Middle: u.Name.Middle, Last: u.Name.Last, Email: u.Email,
				Username: s.Username, Grade: s.Grade, School: schools[s.School], Schools: sisOf(s.Schools),
				DOB: s.DOB.String(), Race: s.Demo().Race, HispanicEthnicity: s.Demo().HispanicEthnicity}
		}
		if tc := u.Roles.Teacher; tc != nil {
			teachers[u.ID] = tc.SISID
			_, have := out.Teachers[tc.SISID]
			unique("teacher", tc.SISID, have)
			out.Teachers[tc.SISID] = crossTeacher{First: u.Name.First, Middle: u.Name.Middle, Last: u.Name.Last, Email: u.Email,
				Username: tc.Username, School: schools[tc.School]}
		} else if st := u.Roles.Staff; st != nil {
			_, have := out.Staff[st.StaffID]
			unique("staff member", st.StaffID, have)
			out.Staff[st.StaffID] = crossStaff{First: u.Name.First, Middle: u.Name.Middle, Last: u.Name.Last, Email: u.Email,
				Username: st.Username, Schools: sisOf(st.Schools)}
		}
	}
	for _, s := range r.Sections {
		ps := crossSection{Name: s.Name, Number: s.SectionNumber, Subject: s.Subject, Grade: s.Grade,
			Period: s.Period, School: schools[s.School]}
		if tm := terms[s.Term]; tm != nil {
			ps.Term, ps.TermStart, ps.TermEnd = tm.Name, tm.StartDate.String(), tm.EndDate.String()
		}
		if c := courses[s.Course]; c != nil {
			ps.Course, ps.CourseNumber = c.Name, c.Number
		}
		for _, id := range s.Teachers {
			ps.Teachers = append(ps.Teachers, teachers[id])
		}
		if len(ps.Teachers) > 2 {
			slices.Sort(ps.Teachers[1:])
		}
		for _, id := range s.Students {
			ps.Students = append(ps.Students, students[id])
		}
		slices.Sort(ps.Students)
		key := s.SISID
		if key == "" {
			key = s.ID
		}
		_, have := out.Sections[key]
		unique("section", key, have)
		out.Sections[key] = ps
	}
	return out
}

// rulesPlacement returns the students of r, and how many of them are in
// more than one section crossSourceRules keep (a homeroom, or a math
// section of 2026-2027): those the lowest_period tie-breaker places.
func rulesPlacement(r *roster.Roster) (students map[string]bool, tied int) {
	terms := map[string]string{}
	for _, tm := range r.Terms {
		terms[tm.ID] = tm.Name
	}
	students = map[string]bool{}
	for i := range r.Users {
		if r.Users[i].Roles.Student != nil {
			students[r.Users[i].ID] = true
		}
	}
	kept := map[string]int{}
	for _, s := range r.Sections {
		if s.Subject == roster.SubjectHomeroom || s.Subject == "math" && terms[s.Term] == "2026-2027" {
			for _, id := range s.Students {
				kept[id]++
			}
		}
	}
	for _, n := range kept {
		if n > 1 {
			tied++
		}
	}
	return students, tied
}
