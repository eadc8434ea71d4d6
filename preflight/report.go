package preflight

import (
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	"github.com/rosterd/rosterd/roster"
)

// ReportSchema identifies the JSON form of Report. It changes only when a
// reader of the old form would misread the new one.
const ReportSchema = "rosterd.report/v1"

// Verdict is the outcome of a run.
type Verdict string

// The verdicts.
const (
	// VerdictCommitted: preflight found no error and the roster was
	// committed (possibly with nothing to change).
	VerdictCommitted Verdict = "committed"
	// VerdictRefused: preflight found errors; nothing was committed.
	VerdictRefused Verdict = "refused"
	// VerdictFailed: the run did not complete (a source or store failure);
	// nothing was committed.
	VerdictFailed Verdict = "failed"
	// VerdictPassed: a dry run whose preflight found no error.
	VerdictPassed Verdict = "passed"
	// VerdictHeld: preflight found no error, but the change waits for an
	// operator's approval before it is committed.
	VerdictHeld Verdict = "held"
)

// Report is the record of one run, for people and machines. Its JSON form
// is described in the package documentation.
type Report struct {
	Schema     string         `json:"schema"`
	RunID      uint64         `json:"run_id"`
	Connection string         `json:"connection"`
	Source     string         `json:"source"`
	Mode       string         `json:"mode"`            // "sync" | "preflight"
	Verdict    Verdict        `json:"verdict"`         // committed | refused | failed | passed | held
	Error      string         `json:"error,omitempty"` // why a failed run failed
	Started    time.Time      `json:"started"`
	Finished   time.Time      `json:"finished"`
	Counts     []EntityCounts `json:"counts"` // in roster.Entities order
	// Rules says what each sharing rule kept and dropped; empty when the
	// connection has no rules.
	Rules []RuleCount `json:"rules"`
	// Placement counts students by the number of sections the rules left
	// them in; absent when the run did not get that far.
	Placement *Placement    `json:"placement,omitempty"`
	Issues    []Issue       `json:"issues"`
	Summary   IssueSummary  `json:"summary"`
	Timings   []PhaseTiming `json:"timings"`
}

// EntityCounts are one entity's line of the counts table.
type EntityCounts struct {
	Entity  roster.Entity `json:"entity"`
	Fetched int           `json:"fetched"` // as the source delivered them
	Kept    int           `json:"kept"`    // after the sharing rules
	Added   int           `json:"added"`
	Updated int           `json:"updated"`
	Deleted int           `json:"deleted"`
}

// RuleCount is what one sharing rule (or a consequence of the rules, such
// as "sections.empty") kept and dropped.
type RuleCount struct {
	Rule        string        `json:"rule"`
	Description string        `json:"description,omitempty"`
	Entity      roster.Entity `json:"entity"`
	Kept        int           `json:"kept"`
	Dropped     int           `json:"dropped"`
}

// Placement counts students by how many sections they are in after the
// sharing rules.
type Placement struct {
	OneSection      int `json:"one_section"`
	NoSection       int `json:"no_section"`
	SeveralSections int `json:"several_sections"`
}

// IssueSummary counts a report's issues.
type IssueSummary struct {
	Errors   int         `json:"errors"`
	Warnings int         `json:"warnings"`
	ByCode   []CodeCount `json:"by_code"` // errors first, then by code
}

// CodeCount is the number of issues of one code.
type CodeCount struct {
	Code     string   `json:"code"`
	Severity Severity `json:"severity"`
	Count    int      `json:"count"`
}

// PhaseTiming is how long one phase of a run took.
type PhaseTiming struct {
	Phase   string  `json:"phase"` // "fetch", "snapshot", "rules", "preflight" or "commit"
	Seconds float64 `json:"seconds"`
}

// Summarize counts issues by severity and by code.
func Summarize(issues []Issue) IssueSummary {
	sum := IssueSummary{ByCode: []CodeCount{}}
	at := make(map[string]int) // code and severity → index in ByCode
	for i := range issues {
		is := &issues[i]
		switch is.Severity {
		case SeverityError:
			sum.Errors++
		case SeverityWarning:
			sum.Warnings++
		}
		key := string(is.Severity) + " " + is.Code
		j, ok := at[key]
		if !ok {
			j = len(sum.ByCode)
			at[key] = j
			sum.ByCode = append(sum.ByCode, CodeCount{Code: is.Code, Severity: is.Severity})
		}
		sum.ByCode[j].Count++
	}
	slices.SortFunc(sum.ByCode, func(a, b CodeCount) int {
		return compareIssues(Issue{Severity: a.Severity, Code: a.Code}, Issue{Severity: b.Severity, Code: b.Code})
	})
	return sum
}

// reportJSON holds the options of the report's JSON form. Text a source
// sent with invalid UTF-8 (an ID from a Latin-1 CSV file) is written with
// replacement characters rather than failing the whole report.
var reportJSON = json.JoinOptions(
	jsontext.AllowInvalidUTF8(true),
	jsontext.WithIndent("  "),
)

// WriteJSON writes r as indented JSON with a trailing newline. Empty lists
// are written as [], never null (the JSON library's default for nil
// slices), so readers need not tell the two apart.
func (r *Report) WriteJSON(w io.Writer) error {
	out := *r
	if out.Schema == "" {
		out.Schema = ReportSchema
	}
	data, err := json.Marshal(&out, reportJSON)
	if err != nil {
		return fmt.Errorf("encode report: %w", err)
	}
	data = append(data, '\n')
	if _, err := w.Write(data); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	return nil
}

// ReadReportJSON reads a report WriteJSON wrote. It refuses another
// schema; fields it does not know are ignored, so a reader keeps working
// when a later version of the schema adds some.
func ReadReportJSON(data []byte) (*Report, error) {
	var r Report
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("read report: %w", err)
	}
	if r.Schema != ReportSchema {
		return nil, fmt.Errorf("read report: schema %q is not %q", r.Schema, ReportSchema)
	}
	return &r, nil
}
