package oneroster

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// ErrInvalidPackage is what every *PackageError is, for errors.Is.
var ErrInvalidPackage = errors.New("invalid OneRoster package")

// Severity says what an issue does to a package.
type Severity string

// The severities.
const (
	// SeverityError refuses the package: Apply returns no roster.
	SeverityError Severity = "error"
	// SeverityWarning is reported; the package is read as described.
	SeverityWarning Severity = "warning"
)

// MaxIssues caps the errors, and separately the warnings, a Package
// keeps; the counts go on.
const MaxIssues = 1000

// Issue is one problem of a package, named by file, line and column so a
// district can fix it. Messages never quote a cell: users.csv holds
// personal data.
type Issue struct {
	Severity Severity `json:"severity"`
	// File is the CSV file, as named in the package; "" for the package
	// as a whole.
	File string `json:"file,omitempty"`
	// Line is the 1-based line of the record, 0 for the whole file.
	Line int `json:"line,omitempty"`
	// Column is the header name of the column, "" for the whole row.
	Column  string `json:"column,omitempty"`
	Message string `json:"message"`
	// Count is the number of rows a warning stands for: a warning is
	// kept once per file, column and message, at its first line.
	Count int `json:"count,omitempty"`
}

// String returns the issue as users.csv:17: column givenName: message.
func (i Issue) String() string {
	var b strings.Builder
	if i.File != "" {
		b.WriteString(i.File)
		if i.Line > 0 {
			b.WriteByte(':')
			b.WriteString(strconv.Itoa(i.Line))
		}
		b.WriteString(": ")
	}
	if i.Column != "" {
		b.WriteString("column ")
		b.WriteString(i.Column)
		b.WriteString(": ")
	}
	b.WriteString(i.Message)
	if i.Count > 1 {
		fmt.Fprintf(&b, " (%d rows)", i.Count)
	}
	return b.String()
}

// PackageError refuses a package: it holds the package's errors.
type PackageError struct {
	Path string
	// Errors holds the first MaxIssues errors, in file and line order.
	Errors []Issue
	// Count is the number of errors, kept or not.
	Count int
}

func (e *PackageError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "read oneroster package %s: %d error", e.Path, e.Count)
	if e.Count != 1 {
		b.WriteByte('s')
	}
	for i, is := range e.Errors {
		if i == 3 {
			fmt.Fprintf(&b, "; and %d more", e.Count-3)
			break
		}
		b.WriteString("; ")
		b.WriteString(is.String())
	}
	return b.String()
}

// Is makes errors.Is(err, ErrInvalidPackage) hold.
func (e *PackageError) Is(target error) bool { return target == ErrInvalidPackage }

// issueSet collects a package's issues, keeping up to MaxIssues errors and
// MaxIssues distinct warnings.
type issueSet struct {
	errs      []Issue
	nErrs     int
	warns     []Issue
	warnIndex map[warnKey]int
	nWarns    int
}

type warnKey struct{ file, csvColumn, message string }

func (c *issueSet) errorf(file string, line int, csvColumn, format string, args ...any) {
	c.nErrs++
	if len(c.errs) < MaxIssues {
		c.errs = append(c.errs, Issue{Severity: SeverityError, File: file, Line: line, Column: csvColumn, Message: fmt.Sprintf(format, args...)})
	}
}

func (c *issueSet) warnf(file string, line int, csvColumn, format string, args ...any) {
	c.nWarns++
	msg := fmt.Sprintf(format, args...)
	k := warnKey{file, csvColumn, msg}
	if i, ok := c.warnIndex[k]; ok {
		c.warns[i].Count++
		return
	}
	if len(c.warns) >= MaxIssues {
		return
	}
	if c.warnIndex == nil {
		c.warnIndex = make(map[warnKey]int)
	}
	c.warnIndex[k] = len(c.warns)
	c.warns = append(c.warns, Issue{Severity: SeverityWarning, File: file, Line: line, Column: csvColumn, Message: msg, Count: 1})
}

// sorted returns the errors, then the warnings, each in file and line
// order.
func (c *issueSet) sorted() []Issue {
	order := func(a, b Issue) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
	}
	slices.SortStableFunc(c.errs, order)
	slices.SortStableFunc(c.warns, order)
	out := make([]Issue, 0, len(c.errs)+len(c.warns))
	return append(append(out, c.errs...), c.warns...)
}
