package preflight_test

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/rosterd/rosterd/preflight"
	"github.com/rosterd/rosterd/roster"
)

var updateGolden = flag.Bool("update", os.Getenv("UPDATE_GOLDEN") == "1", "rewrite testdata/golden")

// refusedReport is a sync refused for a school the district does not
// share: more issues of one code than the text report lists.
func refusedReport(t *testing.T) *preflight.Report {
	t.Helper()
	r := cleanRoster()
	user(t, r, "stu1").Name.Last = ""
	user(t, r, "stu1").Roles.Student.Schools = []string{"s1", "s7"}
	for i := range 23 {
		r.Sections[0].Students = append(r.Sections[0].Students, fmt.Sprintf("5a25ffb0c1bc2a00360%05d", i))
	}
	r.FieldErrors = []roster.FieldError{{Entity: "student", ID: "stu1", SISID: "sis-stu1", Field: "dob", Message: "not a date in any known form"}}
	res, err := preflight.Check(r, commit(t, cleanRoster()), preflight.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// The sharing rules left one student in two sections, and say so.
	res.AddIssues(preflight.Options{}, []preflight.Issue{{
		Severity: preflight.SeverityError, Code: "student.multiple_sections", Entity: roster.EntityStudent,
		ID: "stu2", SISID: "sis-stu2", Field: "sections", Message: `in 2 sections after the sharing rules: x1 ("Math 1", math); x2 ("Homeroom", homeroom/advisory)`,
		Sections: []preflight.SectionRef{
			{ID: "x1", SISID: "sis-x1", Name: "Math 1", Subject: "math", Period: "1", Teacher: "tch1", KeptBy: "sections.include[0]"},
			{ID: "x2", Name: "Homeroom", Subject: "homeroom/advisory", KeptBy: "sections.include[1]"},
		},
	}})
	fetched := r.Count()
	fetched[roster.EntitySection] = 5
	started := time.Date(2025, 9, 1, 6, 0, 0, 0, time.UTC)
	return &preflight.Report{
		Schema:     preflight.ReportSchema,
		RunID:      42,
		Connection: "springfield",
		Source:     "clever",
		Mode:       "sync",
		Verdict:    preflight.VerdictRefused,
		Started:    started,
		Finished:   started.Add(62500 * time.Millisecond),
		Counts:     res.EntityCounts(fetched),
		Rules: []preflight.RuleCount{
			{Rule: "sections.include[0]", Description: `{subject="math"}`, Entity: roster.EntitySection, Kept: 1},
			{Rule: "sections.include[1]", Description: `{subject="homeroom/advisory"}`, Entity: roster.EntitySection, Kept: 1},
			{Rule: "sections.not_included", Description: "sections no include matcher matched", Entity: roster.EntitySection, Dropped: 3},
		},
		Placement: &preflight.Placement{OneSection: 1, SeveralSections: 1},
		Issues:    res.Issues,
		Summary:   preflight.Summarize(res.Issues),
		Timings: []preflight.PhaseTiming{
			{Phase: "fetch", Seconds: 58.25}, {Phase: "rules", Seconds: 0.5}, {Phase: "preflight", Seconds: 3.75},
		},
	}
}

// guardedReport is a sync whose change deletes most sections and updates a
// student: held by the default guards, with the field-level diff.
func guardedReport(t *testing.T) *preflight.Report {
	t.Helper()
	before := cleanRoster()
	for i := range 9 {
		before.Sections = append(before.Sections, roster.Section{ID: fmt.Sprintf("x%d", i+2), School: "s1", Name: "Extra", Students: []string{"stu1"}})
	}
	r := cleanRoster()
	stu := user(t, r, "stu1")
	stu.Name.Last = "Diaz-Ortiz"
	stu.Roles.Student.Grade = "10"
	stu.Roles.Student.DOB = roster.Date{Year: 2010, Month: 4, Day: 1}
	res, err := preflight.Check(r, commit(t, before), preflight.Options{})
	if err != nil {
		t.Fatal(err)
	}
	started := time.Date(2025, 9, 4, 6, 0, 0, 0, time.UTC)
	return &preflight.Report{
		Schema: preflight.ReportSchema, RunID: 45, Connection: "springfield", Source: "clever", Mode: "sync",
		Verdict: preflight.VerdictHeld, Started: started, Finished: started.Add(2 * time.Second),
		Counts: res.EntityCounts(r.Count()), Issues: res.Issues, Summary: preflight.Summarize(res.Issues),
		Changes: &res.Changes, Guards: res.Guards,
		Timings: []preflight.PhaseTiming{{Phase: "fetch", Seconds: 1.5}, {Phase: "preflight", Seconds: 0.5}},
	}
}

// failedReport is a run whose fetch failed.
func failedReport() *preflight.Report {
	started := time.Date(2025, 9, 2, 6, 0, 0, 0, time.UTC)
	return &preflight.Report{
		Schema:     preflight.ReportSchema,
		RunID:      43,
		Connection: "springfield",
		Source:     "clever",
		Mode:       "sync",
		Verdict:    preflight.VerdictFailed,
		Error:      "fetch sections: clever: 503 Service Unavailable after 5 attempts",
		Started:    started,
		Finished:   started.Add(4 * time.Minute),
		Counts:     (&preflight.Result{}).EntityCounts(nil),
		Summary:    preflight.Summarize(nil),
		Timings:    []preflight.PhaseTiming{{Phase: "fetch", Seconds: 240}},
	}
}

// committedReport is a sync that found nothing to change.
func committedReport(t *testing.T) *preflight.Report {
	t.Helper()
	r := cleanRoster()
	res, err := preflight.Check(r, commit(t, r), preflight.Options{})
	if err != nil {
		t.Fatal(err)
	}
	started := time.Date(2025, 9, 3, 6, 0, 0, 0, time.UTC)
	return &preflight.Report{
		Schema: preflight.ReportSchema, RunID: 44, Connection: "springfield", Source: "clever", Mode: "sync",
		Verdict: preflight.VerdictCommitted, Started: started, Finished: started.Add(1500 * time.Millisecond),
		Counts: res.EntityCounts(r.Count()), Issues: res.Issues, Summary: preflight.Summarize(res.Issues),
	}
}

// golden compares got with testdata/golden/name, or rewrites the file
// when UPDATE_GOLDEN=1.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *updateGolden {
		if err := os.WriteFile(path, got, 0o600); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run UPDATE_GOLDEN=1 go test ./preflight/ to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", path, diff)
	}
}

func TestReport_Golden(t *testing.T) {
	reports := map[string]*preflight.Report{
		"refused":   refusedReport(t),
		"failed":    failedReport(),
		"committed": committedReport(t),
		"held":      guardedReport(t),
	}
	if held := reports["held"]; len(held.Guards) != 1 || len(held.Changes.Updates) != 1 {
		t.Fatalf("the held report trips %d guards and has %d updates, want 1 and 1", len(held.Guards), len(held.Changes.Updates))
	}
	for name, rep := range reports {
		t.Run(name, func(t *testing.T) {
			var text, js, csvOut bytes.Buffer
			if err := rep.WriteText(&text); err != nil {
				t.Fatal(err)
			}
			if err := rep.WriteJSON(&js); err != nil {
				t.Fatal(err)
			}
			if err := rep.WriteCSV(&csvOut); err != nil {
				t.Fatal(err)
			}
			golden(t, "report_"+name+".txt", text.Bytes())
			golden(t, "report_"+name+".json", js.Bytes())
			golden(t, "report_"+name+".csv", csvOut.Bytes())
		})
	}
}

// Ensure the text report caps each code at 20 lines and says how many
// more there are, and that a failed run shows its error.
func TestReport_WriteText(t *testing.T) {
	var b strings.Builder
	if err := refusedReport(t).WriteText(&b); err != nil {
		t.Fatal(err)
	}
	text := b.String()
	for _, want := range []string{
		"REFUSED: 26 errors, 1 warning; nothing was committed",
		"section.unknown_student (error, 23)",
		"... and 3 more (see the JSON or CSV report)",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("text report lacks %q:\n%s", want, text)
		}
	}
	if n := strings.Count(text, "is not in the roster"); n != 20+1 {
		t.Errorf("%d issue lines name a missing record, want 20 students + 1 school", n)
	}

	b.Reset()
	if err := failedReport().WriteText(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "Error:      fetch sections: clever: 503") {
		t.Errorf("failed report does not show its error:\n%s", b.String())
	}
}

// Ensure text from a source cannot break the terminal rendering.
func TestReport_WriteTextEscapes(t *testing.T) {
	rep := &preflight.Report{Verdict: preflight.VerdictRefused, Issues: []preflight.Issue{{
		Severity: "error", Code: "section.unknown_school", Entity: "section", ID: "x\t1\n\x1b[31m", Message: "bad",
	}}}
	var b strings.Builder
	if err := rep.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "\x1b") || !strings.Contains(b.String(), `"x\t1\n\x1b[31m"`) {
		t.Errorf("control characters not escaped:\n%s", b.String())
	}
}

// Ensure a report survives WriteJSON and ReadReportJSON unchanged, and
// that empty lists are written as [].
func TestReport_JSONRoundTrip(t *testing.T) {
	for _, rep := range []*preflight.Report{refusedReport(t), failedReport()} {
		var b bytes.Buffer
		if err := rep.WriteJSON(&b); err != nil {
			t.Fatal(err)
		}
		got, err := preflight.ReadReportJSON(b.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		// A nil list comes back empty: the JSON form has no null lists.
		if diff := cmp.Diff(rep, got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("round trip mismatch (-want +got):\n%s", diff)
		}
	}
	var b bytes.Buffer
	if err := (&preflight.Report{}).WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"schema": "rosterd.report/v1"`, `"issues": []`, `"counts": []`, `"by_code": []`} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("empty report JSON lacks %s:\n%s", want, b.String())
		}
	}
	if strings.Contains(b.String(), "null") || strings.Contains(b.String(), `"error"`) {
		t.Errorf("empty report JSON has null or an empty error:\n%s", b.String())
	}
}

// Ensure a report holding text that is not UTF-8 still writes.
func TestReport_WriteJSONInvalidUTF8(t *testing.T) {
	rep := &preflight.Report{Issues: []preflight.Issue{{Severity: "error", Code: "student.invalid_field", ID: "caf\xe9"}}}
	var b bytes.Buffer
	if err := rep.WriteJSON(&b); err != nil {
		t.Fatalf("WriteJSON: %v", err)
	}
	got, err := preflight.ReadReportJSON(b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if got.Issues[0].ID != "caf\uFFFD" {
		t.Errorf("ID = %q, want the invalid byte replaced", got.Issues[0].ID)
	}
}

func TestReadReportJSON_Invalid(t *testing.T) {
	for name, data := range map[string]string{
		"other schema": `{"schema": "rosterd.report/v2", "run_id": 1}`,
		"no schema":    `{"run_id": 1}`,
		"not json":     `run 1 refused`,
		"wrong type":   `{"schema": "rosterd.report/v1", "run_id": "one"}`,
	} {
		if _, err := preflight.ReadReportJSON([]byte(data)); err == nil {
			t.Errorf("%s: ReadReportJSON succeeded", name)
		}
	}
}

// Ensure a CSV cell a spreadsheet would run as a formula is made text.
func TestReport_WriteCSVDefusesFormulas(t *testing.T) {
	rep := &preflight.Report{Issues: []preflight.Issue{{
		Severity: "error", Code: "section.unknown_school", Entity: "section", ID: `=HYPERLINK("http://x")`, SISID: "+1", Message: "m",
	}}}
	var b bytes.Buffer
	if err := rep.WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	rows := readCSV(t, b.Bytes())
	want := [][]string{
		{"severity", "code", "entity", "id", "sis_id", "field", "message", "hint"},
		{"error", "section.unknown_school", "section", `'=HYPERLINK("http://x")`, "'+1", "", "m", ""},
	}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("CSV mismatch (-want +got):\n%s", diff)
	}
}

func TestSummarize(t *testing.T) {
	issues := []preflight.Issue{
		{Severity: "warning", Code: "student.unknown_other_school"},
		{Severity: "error", Code: "section.unknown_student"},
		{Severity: "warning", Code: "student.unknown_other_school"},
		{Severity: "error", Code: "student.missing_field"},
		{Severity: "error", Code: "section.unknown_student"},
	}
	want := preflight.IssueSummary{Errors: 3, Warnings: 2, ByCode: []preflight.CodeCount{
		{Code: "section.unknown_student", Severity: "error", Count: 2},
		{Code: "student.missing_field", Severity: "error", Count: 1},
		{Code: "student.unknown_other_school", Severity: "warning", Count: 2},
	}}
	if diff := cmp.Diff(want, preflight.Summarize(issues)); diff != "" {
		t.Errorf("Summarize mismatch (-want +got):\n%s", diff)
	}
}

// Ensure a reused result says whose it is in text and JSON, and that a
// computed one has no reused_from at all (the golden reports).
func TestReport_ReusedFrom(t *testing.T) {
	rep := &preflight.Report{Schema: preflight.ReportSchema, RunID: 9, Verdict: preflight.VerdictCommitted, ReusedFrom: 7}
	var text, js bytes.Buffer
	if err := rep.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	if err := rep.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text.String(), "the rules and preflight result of run 7") {
		t.Errorf("text report does not name the reused run:\n%s", text.String())
	}
	back, err := preflight.ReadReportJSON(js.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if back.ReusedFrom != 7 {
		t.Errorf("reused_from read back as %d, want 7:\n%s", back.ReusedFrom, js.String())
	}
}
