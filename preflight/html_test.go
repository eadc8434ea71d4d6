package preflight_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rosterd/rosterd/preflight"
	"github.com/rosterd/rosterd/roster"
)

// heldReport is a sync held by a guard: warnings of several codes (one
// naming sections), a field-level diff with a redacted birth date, and
// lists cut at the cap.
func heldReport() *preflight.Report {
	started := time.Date(2025, 9, 4, 6, 0, 0, 0, time.UTC)
	issues := []preflight.Issue{
		{Severity: "warning", Code: "student.unknown_other_school", Entity: "student", ID: "stu1", SISID: "sis-stu1", Field: "schools",
			Message: `school "s7" in the schools list is not in the roster`, Hint: "usually a school the district does not share with the app"},
		{Severity: "warning", Code: "student.unknown_other_school", Entity: "student", ID: "stu3", SISID: "sis-stu3", Field: "schools",
			Message: `school "s8" in the schools list is not in the roster`, Hint: "usually a school the district does not share with the app"},
		{Severity: "warning", Code: "section.no_teacher", Entity: "section", ID: "x9", Field: "teachers", Message: "has no teacher"},
		{Severity: "warning", Code: "student.multiple_sections", Entity: "student", ID: "stu2", SISID: "sis-stu2", Field: "sections",
			Message: `in 2 sections after the sharing rules: x1 ("Math 1", math); x2 ("Homeroom", homeroom/advisory)`,
			Hint:    "narrow sharing.sections",
			Sections: []preflight.SectionRef{
				{ID: "x1", SISID: "sis-x1", Name: "Math 1", Subject: "math", Period: "1", Teacher: "tch1", KeptBy: "sections.include[0]"},
				{ID: "x2", Name: "Homeroom", Subject: "homeroom/advisory"},
			}},
	}
	preflight.SortIssues(issues)
	return &preflight.Report{
		Schema: preflight.ReportSchema, RunID: 45, Connection: "springfield", Source: "clever", Mode: "sync",
		Verdict: preflight.VerdictHeld, Started: started, Finished: started.Add(90 * time.Second),
		Counts: []preflight.EntityCounts{
			{Entity: roster.EntitySchool, Fetched: 2, Kept: 2},
			{Entity: roster.EntitySection, Fetched: 40, Kept: 30, Added: 2, Updated: 1, Deleted: 5},
			{Entity: roster.EntityStudent, Fetched: 1200, Kept: 1100, Updated: 2, Deleted: 400},
			{Entity: roster.EntityTeacher},
		},
		Rules: []preflight.RuleCount{
			{Rule: "sections.include[0]", Description: `{subject="math"}`, Entity: roster.EntitySection, Kept: 30},
			{Rule: "sections.not_included", Description: "sections no include matcher matched", Entity: roster.EntitySection, Dropped: 10},
		},
		Placement: &preflight.Placement{OneSection: 1099, SeveralSections: 1},
		Issues:    issues,
		Summary:   preflight.Summarize(issues),
		Timings:   []preflight.PhaseTiming{{Phase: "fetch", Seconds: 80}, {Phase: "preflight", Seconds: 10}},
		Changes: &preflight.ChangeDetail{
			Fields: []preflight.FieldCount{
				{Entity: roster.EntityStudent, Field: "grade", Count: 2},
				{Entity: roster.EntityStudent, Field: "dob", Count: 1},
				{Entity: roster.EntitySection, Field: "students", Count: 1},
			},
			Updates: []preflight.RecordUpdate{
				{Entity: roster.EntityStudent, ID: "stu1", SISID: "sis-stu1", Fields: []preflight.FieldChange{
					{Field: "grade", Old: "9", New: "10"},
					// A renderer must not show a redacted value, even one
					// left in by mistake.
					{Field: "dob", Old: "2010-02-11", New: "2010-02-12", Redacted: true},
				}},
				{Entity: roster.EntityStudent, ID: "stu4", Fields: []preflight.FieldChange{{Field: "grade", Old: "", New: "11"}}},
				{Entity: roster.EntitySection, ID: "x1", SISID: "sis-x1", Fields: []preflight.FieldChange{{Field: "students", Old: "stu8 stu9", New: "stu4"}}},
			},
			Added:          []preflight.RecordRef{{Entity: roster.EntitySection, ID: "x30", SISID: "sis-x30"}, {Entity: roster.EntitySection, ID: "x31"}},
			Deleted:        []preflight.RecordRef{{Entity: roster.EntityStudent, ID: "stu500", SISID: "sis-stu500"}},
			DeletedOmitted: 404,
		},
		Guards: []preflight.GuardTrip{{
			Entity: roster.EntityStudent, Action: "delete", Count: 400, Committed: 1500, Percent: 26.666,
			Limit: "more than 10% of the committed students",
		}},
	}
}

// manyIssuesReport is a refused run with n issues of three codes, the
// shape of a school the district forgot to share.
func manyIssuesReport(n int) *preflight.Report {
	codes := []string{"section.unknown_student", "section.unknown_teacher", "student.unknown_school"}
	issues := make([]preflight.Issue, n)
	for i := range issues {
		code := codes[i%len(codes)]
		issues[i] = preflight.Issue{
			Severity: preflight.SeverityError, Code: code, Entity: roster.EntitySection,
			ID: fmt.Sprintf("5a25ffb0c1bc2a00%08d", i), SISID: fmt.Sprintf("sis-%d", i), Field: "students",
			Message: fmt.Sprintf(`student "5a25ffb0c1bc2a0036%06d" is not in the roster`, i),
			Hint:    "share the student with the app, remove the section with a sharing rule, or mark " + code + " as a warning in preflight.severity",
		}
	}
	preflight.SortIssues(issues)
	started := time.Date(2025, 9, 5, 6, 0, 0, 0, time.UTC)
	return &preflight.Report{
		Schema: preflight.ReportSchema, RunID: 46, Connection: "springfield", Source: "clever", Mode: "sync",
		Verdict: preflight.VerdictRefused, Started: started, Finished: started.Add(time.Minute),
		Counts: []preflight.EntityCounts{{Entity: roster.EntitySection, Fetched: n, Kept: n}},
		Issues: issues, Summary: preflight.Summarize(issues),
	}
}

func writeHTML(tb testing.TB, rep *preflight.Report) string {
	tb.Helper()
	var b bytes.Buffer
	if err := rep.WriteHTML(&b); err != nil {
		tb.Fatal(err)
	}
	return b.String()
}

// issueRowRE matches the marker every issue row carries.
var issueRowRE = regexp.MustCompile(`<tr class="issue" data-code="([^"]*)"`)

// issueRows returns the data-code of every issue row of page, in order.
func issueRows(page string) []string {
	var codes []string
	for _, m := range issueRowRE.FindAllStringSubmatch(page, -1) {
		codes = append(codes, m[1])
	}
	return codes
}

// pageData decodes the issues the page embeds for its script.
func pageData(tb testing.TB, page string) (data struct {
	PageSize int                               `json:"page_size"`
	Hints    []string                          `json:"hints"`
	Issues   [][]string                        `json:"issues"`
	Sections map[string][]preflight.SectionRef `json:"sections"`
}) {
	tb.Helper()
	const open = `<script type="application/json" id="issue-data">`
	_, rest, ok := strings.Cut(page, open)
	if !ok {
		tb.Fatalf("page has no %s", open)
	}
	block, _, ok := strings.Cut(rest, "</script>")
	if !ok {
		tb.Fatal("issue data is not closed")
	}
	if err := json.Unmarshal([]byte(block), &data); err != nil {
		tb.Fatalf("issue data: %v\n%.500s", err, block)
	}
	return data
}

// Ensure the page shows the summary, counts, guards, rules, change detail
// and issues of a held run, and never a redacted value.
func TestReport_WriteHTML(t *testing.T) {
	rep := heldReport()
	page := writeHTML(t, rep)
	for _, want := range []string{
		`<meta charset="utf-8">`,
		`<title>rosterd run 45 held: springfield</title>`,
		`<p class="verdict verdict-held" id="verdict"><strong>HELD</strong> no errors, 4 warnings, but `,
		`<time datetime="2025-09-04T06:00:00Z">2025-09-04 06:00:00 UTC</time>`,
		`<tr><th scope="row">Duration</th><td>1m30s</td></tr>`,
		`<tr><th scope="row">Phases</th><td>fetch 1m20s, preflight 10s</td></tr>`,
		`<tr><td>student</td><td class="n">1,200</td><td class="n">1,100</td><td class="n">0</td><td class="n">2</td><td class="n">400</td></tr>`,
		`<td class="n">26.7%</td><td>more than 10% of the committed students</td>`,
		`<td class="n">1,099</td>`,
		`<td><code>sections.not_included</code></td><td>section</td><td class="n">0</td><td class="n">10</td>`,
		`<li><code>grade</code>: <span class="val old">9</span> → <span class="val new">10</span></li>`,
		`<li><code>dob</code>: <span class="redacted">redacted</span></li>`,
		`<span class="val old"><span class="empty">(empty)</span></span> → <span class="val new">11</span>`,
		`<summary>Deleted records (405)</summary>`,
		`… and 404 more deleted records, not listed.`,
		`<li><span class="id">x1</span>: SIS ID sis-x1, Math 1, math, period 1, teacher tch1, kept by sections.include[0]</li>`,
		`<code>rosterd report 45 --format csv</code>`,
		`Issues 1–4 of 4`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	for _, leak := range []string{"2010-02-11", "2010-02-12"} {
		if strings.Contains(page, leak) {
			t.Errorf("page shows the redacted value %s", leak)
		}
	}
	if strings.Contains(page, "<td>teacher</td>") {
		t.Error("page lists an entity with nothing fetched, kept or changed")
	}

	var want []string
	for _, is := range rep.Issues {
		want = append(want, is.Code)
	}
	if diff := cmp.Diff(want, issueRows(page)); diff != "" {
		t.Errorf("issue rows mismatch (-want +got):\n%s", diff)
	}
	data := pageData(t, page)
	if len(data.Issues) != len(rep.Issues) || data.PageSize != 200 {
		t.Errorf("page embeds %d issues, page size %d; want %d, 200", len(data.Issues), data.PageSize, len(rep.Issues))
	}
	// Each hint once, however many issues share it.
	if len(data.Hints) != 2 {
		t.Errorf("hints %q, want the two distinct ones", data.Hints)
	}
	if secs := data.Sections["1"]; len(secs) != 2 || secs[0].KeptBy != "sections.include[0]" {
		t.Errorf("sections of issue 1 = %+v", data.Sections)
	}
}

// Ensure each verdict is shown with what it means, in the words of the
// text report, and a failed run with its error.
func TestReport_WriteHTMLVerdicts(t *testing.T) {
	for _, v := range []preflight.Verdict{
		preflight.VerdictCommitted, preflight.VerdictRefused, preflight.VerdictFailed, preflight.VerdictPassed,
		preflight.VerdictHeld, preflight.VerdictPaused, preflight.VerdictRejected,
	} {
		t.Run(string(v), func(t *testing.T) {
			rep := &preflight.Report{Verdict: v, Summary: preflight.IssueSummary{Warnings: 2}}
			var text strings.Builder
			if err := rep.WriteText(&text); err != nil {
				t.Fatal(err)
			}
			_, line, _ := strings.Cut(text.String(), "Verdict:")
			line, _, _ = strings.Cut(strings.TrimSpace(line), "\n")
			word, meaning, ok := strings.Cut(line, ": ")
			if !ok || meaning == "" {
				t.Fatalf("the text report does not explain %s: %q", v, line)
			}
			want := `<p class="verdict verdict-` + string(v) + `" id="verdict"><strong>` + word + `</strong> ` + html.EscapeString(meaning) + `</p>`
			if page := writeHTML(t, rep); !strings.Contains(page, want) {
				t.Errorf("page lacks %s", want)
			}
		})
	}

	page := writeHTML(t, failedReport())
	if !strings.Contains(page, `<p class="error" id="error"><strong>Error:</strong> fetch sections: clever: 503 Service Unavailable after 5 attempts</p>`) {
		t.Error("failed report does not show its error")
	}
	if !strings.Contains(page, "<p>No issues.</p>") || strings.Contains(page, "<script") {
		t.Error("a report without issues should say so and carry no script")
	}
}

// Ensure the summary shows a pause window, an operator's decision, a
// rollback's target and the run whose result a run reused.
func TestReport_WriteHTMLDecision(t *testing.T) {
	rep := &preflight.Report{
		RunID: 47, Verdict: preflight.VerdictCommitted, Pause: "exams",
		Decision:   &preflight.Decision{Action: "approved", By: "alice", At: time.Date(2025, 9, 4, 7, 30, 0, 0, time.UTC)},
		RollbackTo: 40, ReusedFrom: 41,
	}
	page := writeHTML(t, rep)
	for _, want := range []string{
		`<tr><th scope="row">Pause window</th><td>exams</td></tr>`,
		`<tr><th scope="row">Decision</th><td>approved by alice at <time datetime="2025-09-04T07:30:00Z">2025-09-04 07:30:00 UTC</time></td></tr>`,
		`<tr><th scope="row">Rollback target</th><td>the roster run 40 committed</td></tr>`,
		`<tr><th scope="row">Reused</th><td>the rules and preflight result of run 41 (same roster, configuration, build and day; its roster is still committed)</td></tr>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %s", want)
		}
	}
}

// Ensure a report of more issues than a page writes the first page as
// rows and every issue once, in the data the script pages.
func TestReport_WriteHTMLPages(t *testing.T) {
	rep := manyIssuesReport(450)
	page := writeHTML(t, rep)
	if n := len(issueRows(page)); n != 200 {
		t.Errorf("%d issue rows, want the first page of 200", n)
	}
	data := pageData(t, page)
	if len(data.Issues) != 450 {
		t.Fatalf("page embeds %d issues, want 450", len(data.Issues))
	}
	for i, is := range rep.Issues {
		got := data.Issues[i]
		if got[1] != is.Code || got[3] != is.ID || got[6] != is.Message || data.Hints[mustAtoi(t, got[7])] != is.Hint {
			t.Fatalf("issue %d is %q, want %+v", i, got, is)
		}
	}
	for _, want := range []string{
		"Issues 1–200 of 450",
		"This page shows 200 issues at a time",
		"JavaScript is off, so only the first 200 issues are shown.",
		`<a href="#code=section.unknown_student&amp;severity=error">`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	if len(data.Hints) != 3 {
		t.Errorf("%d hints embedded, want one per distinct hint", len(data.Hints))
	}
}

func mustAtoi(tb testing.TB, s string) int {
	tb.Helper()
	var n int
	if _, err := fmt.Sscan(s, &n); err != nil {
		tb.Fatalf("hint index %q: %v", s, err)
	}
	return n
}

// Ensure text from the district cannot add markup or script to the page:
// html/template escapes every value, in text, attributes and the data.
func TestReport_WriteHTMLEscapes(t *testing.T) {
	hostile := `"><img src=x onerror=alert(1)><script>alert(2)</script>`
	rep := &preflight.Report{
		RunID: 48, Connection: hostile, Verdict: preflight.VerdictRefused, Error: hostile,
		Counts: []preflight.EntityCounts{{Entity: roster.Entity(hostile), Fetched: 1}},
		Issues: []preflight.Issue{{
			Severity: "error", Code: "section.unknown_school", Entity: "section", ID: hostile, SISID: "</script><b>",
			Field: hostile, Message: "school " + hostile + " is missing", Hint: hostile,
			Sections: []preflight.SectionRef{{ID: hostile, Name: hostile, KeptBy: hostile}},
		}},
		Changes: &preflight.ChangeDetail{
			Updates: []preflight.RecordUpdate{{Entity: "section", ID: hostile, Fields: []preflight.FieldChange{{Field: hostile, Old: hostile, New: hostile}}}},
			Added:   []preflight.RecordRef{{Entity: "section", ID: hostile}},
		},
		Guards: []preflight.GuardTrip{{Entity: "student", Action: hostile, Limit: hostile}},
		Rules:  []preflight.RuleCount{{Rule: hostile, Description: hostile}},
	}
	rep.Summary = preflight.Summarize(rep.Issues)
	page := writeHTML(t, rep)
	for _, bad := range []string{"<img", "<script>alert", "<b>"} {
		if strings.Contains(page, bad) {
			t.Errorf("page contains %s unescaped", bad)
		}
	}
	if n := strings.Count(page, "<script"); n != 2 {
		t.Errorf("page has %d script tags, want the data and the pager", n)
	}
	// The data carries the text as it was, for the script to set as text.
	data := pageData(t, page)
	if data.Issues[0][3] != hostile || data.Issues[0][4] != "</script><b>" || data.Sections["0"][0].Name != hostile {
		t.Errorf("data changed the text: %q", data.Issues[0])
	}
	// Identifiers with control characters are shown escaped, as in the
	// text report.
	rep.Issues[0].ID = "x1\t"
	if page := writeHTML(t, rep); !strings.Contains(page, `<td class="id">&#34;x1\t&#34;</td>`) {
		t.Error(`ID "x1\t" is not shown quoted`)
	}
}

// Ensure the page loads nothing from anywhere: no stylesheet, font, image
// or script by URL, and links only within itself.
func TestReport_WriteHTMLSelfContained(t *testing.T) {
	hrefRE := regexp.MustCompile(`(?i)\bhref\s*=\s*"([^"]*)"`)
	for name, rep := range map[string]*preflight.Report{
		"held": heldReport(), "refused": refusedReport(t), "failed": failedReport(), "many": manyIssuesReport(300),
	} {
		page := writeHTML(t, rep)
		for _, bad := range []string{"src=", "url(", "@import", "<link", "<img", "<iframe", "<object", "http://", "https://"} {
			if strings.Contains(strings.ToLower(page), bad) {
				t.Errorf("%s: page contains %s", name, bad)
			}
		}
		for _, m := range hrefRE.FindAllStringSubmatch(page, -1) {
			if !strings.HasPrefix(m[1], "#") {
				t.Errorf("%s: page links to %s", name, m[1])
			}
		}
		if !strings.Contains(page, `content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'"`) {
			t.Errorf("%s: page has no Content-Security-Policy", name)
		}
	}
}

func BenchmarkWriteHTML(b *testing.B) {
	rep := manyIssuesReport(100_000)
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if err := rep.WriteHTML(&buf); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(buf.Len()), "page-bytes")
}
