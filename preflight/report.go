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
	// VerdictHeld: preflight found no error, but the change tripped a
	// guard and waits, staged, for an operator's approval.
	VerdictHeld Verdict = "held"
	// VerdictPaused: preflight found no error, but the run fell in one of
	// the connection's pause windows, so nothing was committed.
	VerdictPaused Verdict = "paused"
	// VerdictRejected: a held run an operator rejected; its staged change
	// was dropped.
	VerdictRejected Verdict = "rejected"
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
	// Changes details the diff: which fields the updates changed (with
	// old and new values) and which records were added and deleted.
	Changes *ChangeDetail `json:"changes,omitempty"`
	// Guards lists the mass-change guards the change tripped; a run that
	// trips one is held.
	Guards []GuardTrip `json:"guards"`
	// Pause names the pause window a paused run fell in.
	Pause string `json:"pause,omitempty"`
	// Decision records an operator's approval or rejection of a held run.
	Decision *Decision `json:"decision,omitempty"`
	// RollbackTo is the run whose committed roster a rollback restores.
	RollbackTo uint64 `json:"rollback_to,omitempty"`
	// ReusedFrom is the committed run whose rules and preflight result
	// this run reused instead of computing them again: it fetched the
	// same roster, under the same configuration and rosterd build, on the
	// same day, and found that run's roster still committed. Its issues
	// and counts are that run's; its change is empty.
	ReusedFrom uint64 `json:"reused_from,omitzero"`
}

// ChangeDetail is the field-level diff of a run. Updates, Added and
// Deleted hold at most MaxChangeDetail records each (the counts table has
// the totals); Fields counts every update.
type ChangeDetail struct {
	// Fields counts, per entity and field, the updated records whose
	// field changed, most changed first.
	Fields []FieldCount `json:"fields"`
	// Updates are the updated records, each with its changed fields.
	Updates []RecordUpdate `json:"updates"`
	Added   []RecordRef    `json:"added"`
	Deleted []RecordRef    `json:"deleted"`
	// Omitted counts the records of each list left out past the cap.
	UpdatesOmitted int `json:"updates_omitted,omitempty"`
	AddedOmitted   int `json:"added_omitted,omitempty"`
	DeletedOmitted int `json:"deleted_omitted,omitempty"`
}

// MaxChangeDetail caps each list of a ChangeDetail, so that a first sync
// of a large district does not list a million added records.
const MaxChangeDetail = 10_000

// FieldCount is how many updated records of an entity changed a field.
type FieldCount struct {
	Entity roster.Entity `json:"entity"`
	Field  string        `json:"field"`
	Count  int           `json:"count"`
}

// RecordRef names a record.
type RecordRef struct {
	Entity roster.Entity `json:"entity"`
	ID     string        `json:"id"`
	SISID  string        `json:"sis_id,omitempty"`
}

// RecordUpdate is one updated record and what changed in it.
type RecordUpdate struct {
	Entity roster.Entity `json:"entity"`
	ID     string        `json:"id"`
	SISID  string        `json:"sis_id,omitempty"`
	Fields []FieldChange `json:"fields"`
}

// FieldChange is one changed field. Old and New are the values as text
// ("" for absent); for a list of IDs (a section's students) Old holds the
// IDs removed and New those added. Sensitive fields (birth dates,
// demographics, program statuses) are Redacted: their values are not
// shown, only that they changed.
type FieldChange struct {
	Field string `json:"field"`
	Old   string `json:"old"`
	New   string `json:"new"`
	// List marks a list of IDs: Old holds those removed and New those
	// added, space-separated.
	List     bool `json:"list,omitempty"`
	Redacted bool `json:"redacted,omitempty"`
}

// GuardTrip is a mass-change guard a change tripped.
type GuardTrip struct {
	Entity roster.Entity `json:"entity"`
	Action string        `json:"action"` // "add", "update" or "delete"
	// Count is how many records the change would add, update or delete,
	// Committed how many the entity had, and Percent Count of Committed.
	Count     int     `json:"count"`
	Committed int     `json:"committed"`
	Percent   float64 `json:"percent"`
	// Limit states the guard ("more than 10% of the committed students").
	Limit string `json:"limit"`
}

// Decision is an operator's approval or rejection of a held run.
type Decision struct {
	Action string    `json:"action"` // "approved" or "rejected"
	By     string    `json:"by"`
	At     time.Time `json:"at"`
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
