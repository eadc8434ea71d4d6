package preflight

import (
	"bufio"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
)

// htmlPageSize is how many issues the HTML report shows at a time. A
// refused first sync can hold 100,000 issues; a browser lays out 200 rows
// at once without a pause, and a reader pages or filters for the rest.
const htmlPageSize = 200

// htmlOpenLimit is the longest list of the change detail the HTML report
// shows unfolded; a longer one (a first sync adds every record) starts
// folded so that the page, and its print, stays about the run.
const htmlOpenLimit = 100

// htmlSource is the page. It links nothing (no stylesheet, font, image or
// script from anywhere), so that the file reads the same from an email, a
// shared drive or a machine offline, and its Content-Security-Policy
// keeps it that way.
//
//go:embed report.html.tmpl
var htmlSource string

var htmlTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"num":   formatInt,
	"when":  func(t time.Time) string { return t.Format("2006-01-02 15:04:05 MST") },
	"iso":   func(t time.Time) string { return t.Format(time.RFC3339) },
	"secs":  seconds,
	"pct":   func(p float64) string { return strconv.FormatFloat(p, 'f', 1, 64) + "%" },
	"clean": clean,
	"fold":  func(n int) bool { return n > htmlOpenLimit },
	"add":   func(a, b int) int { return a + b },
	"count": func(n int, noun string) string {
		if n == 1 {
			return "1 " + noun
		}
		return formatInt(n) + " " + noun + "s"
	},
	"sectionInfo": sectionInfo,
}).Parse(htmlSource))

// WriteHTML writes r as one self-contained HTML page for people: the
// verdict and what it means, the summary, the counts, the guards, what the
// sharing rules did, the change detail and the issues, readable on screen
// and printable.
//
// Every issue is in the page once, as JSON a small inline script pages
// and filters (htmlPageSize at a time, by severity, code and text). The
// first page is also written as rows, so that a reader without JavaScript
// (or a mail client that strips it) still sees the summary, the counts
// and the first issues; the page says the CSV report has them all.
//
// All text is escaped by html/template: IDs, names and messages come from
// the district's source. Identifiers and messages with control characters
// or invalid UTF-8 are shown quoted and escaped, as in the text report, so
// that "x1\t" does not pass for "x1".
func (r *Report) WriteHTML(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	if err := htmlTemplate.Execute(bw, newHTMLView(r)); err != nil {
		return fmt.Errorf("write report html: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write report html: %w", err)
	}
	return nil
}

// htmlView is what the template reads.
type htmlView struct {
	R              *Report
	Title          string
	VerdictWord    string // "REFUSED"
	VerdictMeaning string // "26 errors, 1 warning; nothing was committed"
	Duration       string // "" when the start or the finish is unknown
	Counts         []EntityCounts
	ByCode         []htmlCode
	Page           []htmlIssue // the first page of issues
	CSVCommand     string
	Data           htmlData
}

// htmlCode is a line of the issues-by-code table.
type htmlCode struct {
	CodeCount
	Hint string
}

// htmlIssue is one row of the issues table, its text cleaned.
type htmlIssue struct {
	Severity, Code, Entity, ID, SISID, Field, Message, Hint string
	Sections                                                []SectionRef
}

// htmlData is the JSON the page's script reads: every issue, in report
// order, as an array of severity, code, entity, id, sis_id, field, message
// and hint, the hint as an index into Hints (one code's hint would
// otherwise repeat on every one of its issues: at 100,000 issues, 28 MB
// of page instead of 16).
// Sections holds the sections of the issues that have them, by the
// issue's index.
type htmlData struct {
	PageSize     int                     `json:"page_size"`
	Hints        []string                `json:"hints"`
	Issues       [][8]string             `json:"issues"`
	Sections     map[string][]SectionRef `json:"sections"`
	WithSections bool                    `json:"with_sections"` // the table has a sections column
}

func newHTMLView(r *Report) *htmlView {
	v := &htmlView{R: r}
	v.VerdictWord, v.VerdictMeaning = r.verdictParts()
	v.Title = "rosterd report " + strings.ToLower(v.VerdictWord)
	v.CSVCommand = "rosterd report RUN_ID --format csv"
	if r.RunID != 0 {
		v.Title = fmt.Sprintf("rosterd run %d %s", r.RunID, strings.ToLower(v.VerdictWord))
		v.CSVCommand = fmt.Sprintf("rosterd report %d --format csv", r.RunID)
	}
	if r.Connection != "" {
		v.Title += ": " + clean(r.Connection)
	}
	if !r.Started.IsZero() && !r.Finished.IsZero() {
		v.Duration = r.Finished.Sub(r.Started).Round(time.Millisecond).String()
	}
	for _, c := range r.Counts {
		if c.Fetched != 0 || c.Kept != 0 || c.Added != 0 || c.Updated != 0 || c.Deleted != 0 {
			v.Counts = append(v.Counts, c)
		}
	}

	issues := r.Issues
	if !slices.IsSortedFunc(issues, compareIssues) {
		issues = slices.Clone(issues)
		SortIssues(issues)
	}
	v.Data = htmlData{PageSize: htmlPageSize, Hints: []string{}, Issues: make([][8]string, len(issues)), Sections: map[string][]SectionRef{}}
	hintAt := map[string]int{}
	codeHint := map[string]string{}
	for i := range issues {
		is := &issues[i]
		row := &v.Data.Issues[i]
		*row = [8]string{string(is.Severity), clean(is.Code), clean(string(is.Entity)), clean(is.ID), clean(is.SISID), clean(is.Field), clean(is.Message)}
		if is.Hint != "" {
			j, ok := hintAt[is.Hint]
			if !ok {
				j = len(v.Data.Hints)
				hintAt[is.Hint] = j
				v.Data.Hints = append(v.Data.Hints, clean(is.Hint))
			}
			row[7] = strconv.Itoa(j)
			if _, ok := codeHint[is.Code]; !ok {
				codeHint[is.Code] = clean(is.Hint)
			}
		}
		var secs []SectionRef
		if len(is.Sections) > 0 {
			secs = make([]SectionRef, len(is.Sections))
			for k, s := range is.Sections {
				secs[k] = SectionRef{ID: clean(s.ID), SISID: clean(s.SISID), Name: clean(s.Name), Subject: clean(s.Subject),
					Period: clean(s.Period), Teacher: clean(s.Teacher), KeptBy: clean(s.KeptBy)}
			}
			v.Data.Sections[strconv.Itoa(i)] = secs
		}
		if i < htmlPageSize {
			hint := ""
			if row[7] != "" {
				hint = v.Data.Hints[hintAt[is.Hint]]
			}
			v.Page = append(v.Page, htmlIssue{Severity: row[0], Code: row[1], Entity: row[2], ID: row[3], SISID: row[4],
				Field: row[5], Message: row[6], Hint: hint, Sections: secs})
		}
	}
	v.Data.WithSections = len(v.Data.Sections) > 0
	for _, c := range r.Summary.ByCode {
		v.ByCode = append(v.ByCode, htmlCode{CodeCount: c, Hint: codeHint[c.Code]})
	}
	return v
}

// verdictParts splits the text report's verdict line into the verdict in
// capitals and what it means for the committed roster (empty for a
// verdict the text report does not explain).
func (r *Report) verdictParts() (word, meaning string) {
	word, meaning, _ = strings.Cut(r.verdictLine(), ": ")
	return word, meaning
}

// sectionInfo describes a section an issue names, after its ID. The
// page's script writes the same for the pages after the first.
func sectionInfo(s SectionRef) string {
	var parts []string
	add := func(prefix, v string) {
		if v != "" {
			parts = append(parts, prefix+v)
		}
	}
	add("SIS ID ", s.SISID)
	add("", s.Name)
	add("", s.Subject)
	add("period ", s.Period)
	add("teacher ", s.Teacher)
	add("kept by ", s.KeptBy)
	return strings.Join(parts, ", ")
}

// formatInt writes n with thousands separators: 100,000 issues reads at
// a glance, 100000 does not.
func formatInt(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
