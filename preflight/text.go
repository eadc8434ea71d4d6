package preflight

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"
	"unicode/utf8"
)

// maxTextLinesPerCode caps the lines of one code in the text report: a
// school missing from the sharing can produce thousands of identical
// issues, and the JSON and CSV reports hold them all.
const maxTextLinesPerCode = 20

// WriteText renders r for a terminal: a summary, the counts table, then
// the issues grouped by code. It is plain UTF-8 without colours, so it
// reads the same in a terminal, a log and an email.
func (r *Report) WriteText(w io.Writer) error {
	bw := bufio.NewWriter(w)
	r.writeSummary(bw)
	if err := r.writeCounts(bw); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	if err := r.writeGuards(bw); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	if err := r.writeChanges(bw); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	if err := r.writeRules(bw); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	if err := r.writeIssues(bw); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	return nil
}

func (r *Report) writeSummary(w *bufio.Writer) {
	line := func(label, value string) { fmt.Fprintf(w, "%-12s%s\n", label+":", value) }
	if r.RunID != 0 { // a rules test is no run
		line("Run", strconv.FormatUint(r.RunID, 10))
	}
	line("Connection", clean(r.Connection))
	line("Source", clean(r.Source))
	line("Mode", clean(r.Mode))
	line("Verdict", r.verdictLine())
	if r.Error != "" {
		line("Error", clean(r.Error))
	}
	if r.Pause != "" {
		line("Paused", clean(r.Pause))
	}
	if d := r.Decision; d != nil {
		line("Decision", clean(d.Action)+" by "+clean(d.By)+" at "+d.At.Format("2006-01-02 15:04:05 MST"))
	}
	if r.RollbackTo != 0 {
		line("Rollback", "restores the roster run "+strconv.FormatUint(r.RollbackTo, 10)+" committed")
	}
	if r.ReusedFrom != 0 {
		line("Reused", "the rules and preflight result of run "+strconv.FormatUint(r.ReusedFrom, 10)+
			" (same roster, configuration, build and day; its roster is still committed)")
	}
	if !r.Started.IsZero() {
		line("Started", r.Started.Format("2006-01-02 15:04:05 MST"))
	}
	if !r.Started.IsZero() && !r.Finished.IsZero() {
		took := r.Finished.Sub(r.Started).Round(time.Millisecond).String()
		if len(r.Timings) > 0 {
			phases := make([]string, len(r.Timings))
			for i, t := range r.Timings {
				phases[i] = clean(t.Phase) + " " + seconds(t.Seconds)
			}
			took += " (" + strings.Join(phases, ", ") + ")"
		}
		line("Duration", took)
	}
}

// verdictLine states the verdict in capitals and what it means for the
// committed roster.
func (r *Report) verdictLine() string {
	errs, warns := r.Summary.Errors, r.Summary.Warnings
	withWarnings := ""
	if warns > 0 {
		withWarnings = ", " + plural(warns, "warning")
	}
	switch r.Verdict {
	case VerdictCommitted:
		if r.changed() {
			return "COMMITTED: the roster was committed" + withWarnings
		}
		return "COMMITTED: nothing to change" + withWarnings
	case VerdictRefused:
		return "REFUSED: " + plural(errs, "error") + withWarnings + "; nothing was committed"
	case VerdictFailed:
		return "FAILED: the run did not complete; nothing was committed"
	case VerdictPassed:
		return "PASSED: no errors" + withWarnings + "; a dry run commits nothing"
	case VerdictHeld:
		return "HELD: no errors" + withWarnings + ", but the change tripped a guard and waits for an operator's approval; nothing is committed until then"
	case VerdictPaused:
		return "PAUSED: no errors" + withWarnings + ", but the run fell in a pause window; nothing was committed"
	case VerdictRejected:
		return "REJECTED: an operator rejected the held change; nothing was committed"
	}
	return strings.ToUpper(clean(string(r.Verdict)))
}

func (r *Report) changed() bool {
	for _, c := range r.Counts {
		if c.Added+c.Updated+c.Deleted > 0 {
			return true
		}
	}
	return false
}

func (r *Report) writeCounts(w *bufio.Writer) error {
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ENTITY\tFETCHED\tKEPT\tADDED\tUPDATED\tDELETED")
	rows := 0
	for _, c := range r.Counts {
		if c.Fetched == 0 && c.Kept == 0 && c.Added == 0 && c.Updated == 0 && c.Deleted == 0 {
			continue
		}
		rows++
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\n", clean(string(c.Entity)), c.Fetched, c.Kept, c.Added, c.Updated, c.Deleted)
	}
	if rows == 0 {
		fmt.Fprintln(w, "No records were fetched, kept or changed.")
		return nil
	}
	return tw.Flush()
}

// maxTextUpdates caps the updated records the text report lists; the JSON
// and HTML reports hold the detail.
const maxTextUpdates = 20

// writeGuards says which guards held the run, and by how much.
func (r *Report) writeGuards(w *bufio.Writer) error {
	if len(r.Guards) == 0 {
		return nil
	}
	fmt.Fprintln(w, "\nGuards tripped (the change waits for \"rosterd approve\" or \"rosterd reject\"):")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  ENTITY\tACTION\tCOUNT\tOF COMMITTED\tLIMIT")
	for _, g := range r.Guards {
		fmt.Fprintf(tw, "  %s\t%s\t%d\t%d (%.1f%%)\t%s\n", clean(string(g.Entity)), clean(g.Action), g.Count, g.Committed, g.Percent, clean(g.Limit))
	}
	return tw.Flush()
}

// writeChanges lists the fields the updates changed, and the first
// updated records with old and new values.
func (r *Report) writeChanges(w *bufio.Writer) error {
	c := r.Changes
	if c == nil || len(c.Updates) == 0 {
		return nil
	}
	fmt.Fprintln(w, "\nChanged fields:")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  ENTITY\tFIELD\tRECORDS")
	for _, f := range c.Fields {
		fmt.Fprintf(tw, "  %s\t%s\t%d\n", clean(string(f.Entity)), clean(f.Field), f.Count)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w, "\nUpdates:")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  ENTITY\tID\tSIS_ID\tFIELD\tOLD\tNEW")
	for _, u := range c.Updates[:min(len(c.Updates), maxTextUpdates)] {
		for _, f := range u.Fields {
			old, new := orDash(f.Old), orDash(f.New)
			switch {
			case f.Redacted:
				old, new = "(redacted)", "(redacted)"
			case f.List:
				old, new = "removed "+old, "added "+new
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\n", clean(string(u.Entity)), orDash(u.ID), orDash(u.SISID), clean(f.Field), old, new)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if more := len(c.Updates) - maxTextUpdates + c.UpdatesOmitted; more > 0 {
		fmt.Fprintf(w, "  ... and %d more updated records (see the JSON or HTML report)\n", more)
	}
	return nil
}

// writeRules writes what the sharing rules did, when there are any.
func (r *Report) writeRules(w *bufio.Writer) error {
	if p := r.Placement; p != nil {
		fmt.Fprintf(w, "\nStudents: %d in one section, %d in none, %d in several\n", p.OneSection, p.NoSection, p.SeveralSections)
	}
	if len(r.Rules) == 0 {
		return nil
	}
	fmt.Fprintln(w, "\nSharing rules:")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  RULE\tENTITY\tKEPT\tDROPPED\tMATCHES")
	for _, c := range r.Rules {
		fmt.Fprintf(tw, "  %s\t%s\t%d\t%d\t%s\n", clean(c.Rule), clean(string(c.Entity)), c.Kept, c.Dropped, orDash(c.Description))
	}
	return tw.Flush()
}

func (r *Report) writeIssues(w *bufio.Writer) error {
	fmt.Fprintln(w)
	if len(r.Issues) == 0 {
		fmt.Fprintln(w, "No issues.")
		return nil
	}
	fmt.Fprintf(w, "Issues: %s, %s\n", plural(r.Summary.Errors, "error"), plural(r.Summary.Warnings, "warning"))
	issues := slices.Clone(r.Issues)
	SortIssues(issues)
	for len(issues) > 0 {
		n := 1
		for n < len(issues) && issues[n].Code == issues[0].Code && issues[n].Severity == issues[0].Severity {
			n++
		}
		if err := writeGroup(w, issues[:n]); err != nil {
			return err
		}
		issues = issues[n:]
	}
	return nil
}

// writeGroup writes the issues of one code and severity.
func writeGroup(w *bufio.Writer, group []Issue) error {
	first := group[0]
	fmt.Fprintf(w, "\n%s (%s, %d)\n", clean(first.Code), clean(string(first.Severity)), len(group))
	if first.Hint != "" {
		fmt.Fprintf(w, "  Hint: %s\n", clean(first.Hint))
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  ENTITY\tID\tSIS_ID\tFIELD\tMESSAGE")
	for _, is := range group[:min(len(group), maxTextLinesPerCode)] {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n",
			orDash(string(is.Entity)), orDash(is.ID), orDash(is.SISID), orDash(is.Field), clean(is.Message))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if more := len(group) - maxTextLinesPerCode; more > 0 {
		fmt.Fprintf(w, "  ... and %d more (see the JSON or CSV report)\n", more)
	}
	return nil
}

// clean makes text from a source safe for a terminal and for tabwriter:
// text with control characters or invalid UTF-8 is shown quoted and
// escaped.
func clean(s string) string {
	if !utf8.ValidString(s) || strings.ContainsFunc(s, unicode.IsControl) {
		return strconv.Quote(s)
	}
	return s
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return clean(s)
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// seconds formats a phase's duration like time.Duration does.
func seconds(s float64) string {
	return time.Duration(s * float64(time.Second)).Round(time.Millisecond).String()
}
