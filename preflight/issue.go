package preflight

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/rosterd/rosterd/roster"
)

// Issue is one problem preflight found with one record.
type Issue struct {
	Severity Severity      `json:"severity"`
	Code     string        `json:"code"` // e.g. "section.unknown_teacher"
	Entity   roster.Entity `json:"entity"`
	ID       string        `json:"id"`
	SISID    string        `json:"sis_id,omitempty"`
	Field    string        `json:"field,omitempty"`
	Message  string        `json:"message"`
	Hint     string        `json:"hint,omitempty"`
	// Sections lists the sections the issue is about, for issues that
	// concern a student's placement (student.multiple_sections).
	Sections []SectionRef `json:"sections,omitempty"`
}

// SectionRef names a section an issue is about. Name is the section's
// name as the district wrote it; Teacher is the primary teacher's ID.
type SectionRef struct {
	ID      string `json:"id"`
	SISID   string `json:"sis_id,omitempty"`
	Name    string `json:"name,omitempty"`
	Subject string `json:"subject,omitempty"`
	Period  string `json:"period,omitempty"`
	Teacher string `json:"teacher,omitempty"`
	// KeptBy is the sharing rule that kept the section, such as
	// "sections.include[0]"; empty when no include list applies.
	KeptBy string `json:"kept_by,omitempty"`
}

// compareIssues orders issues for reports: errors first, then by code,
// entity, id and field. The message breaks the remaining ties so that a
// section missing several students lists them in the same order every run.
func compareIssues(a, b Issue) int {
	if a.Severity != b.Severity {
		if a.Severity == SeverityError {
			return -1
		}
		if b.Severity == SeverityError {
			return 1
		}
	}
	return cmp.Or(
		cmp.Compare(a.Code, b.Code),
		cmp.Compare(a.Entity, b.Entity),
		cmp.Compare(a.ID, b.ID),
		cmp.Compare(a.Field, b.Field),
		cmp.Compare(a.Message, b.Message),
	)
}

// SortIssues sorts issues in report order: errors first, then by code,
// entity, id and field.
func SortIssues(issues []Issue) { slices.SortFunc(issues, compareIssues) }

// collector gathers issues under the configured severities.
type collector struct {
	opts   Options
	issues []Issue
}

// enabled reports whether issues of code c are kept, so that callers can
// skip building messages nobody reads.
func (c *collector) enabled(code string) bool {
	return c.opts.severity(code) != SeverityIgnore
}

// add records an issue of code about record (e, id, sisID), unless the
// code is ignored. The message is built from format and args only when the
// issue is kept.
func (c *collector) add(code string, e roster.Entity, id, sisID, field, format string, args ...any) {
	sev := c.opts.severity(code)
	if sev == SeverityIgnore {
		return
	}
	c.issues = append(c.issues, Issue{
		Severity: sev,
		Code:     code,
		Entity:   e,
		ID:       id,
		SISID:    sisID,
		Field:    field,
		Message:  fmt.Sprintf(format, args...),
		Hint:     codeTable[code].Hint,
	})
}
