package clevercsv

import (
	"errors"
	"fmt"
	"strings"
)

// MaxErrors caps the file errors one Read collects. A package with more is
// refused with the first MaxErrors and a count of the rest: a file saved
// in the wrong encoding would otherwise list every one of its lines.
const MaxErrors = 100

// The problems that make a file unusable. A *FileError wraps one of them,
// so callers can classify with errors.Is.
var (
	// ErrMissingFile: a file the format requires is not in the package.
	ErrMissingFile = errors.New("file missing")
	// ErrAmbiguousFile: two files of the package differ only in case.
	ErrAmbiguousFile = errors.New("two files by this name (they differ only in case)")
	// ErrNoHeader: the file is empty, so it has no header row.
	ErrNoHeader = errors.New("no header row")
	// ErrMissingColumn: the header lacks a column the format requires.
	ErrMissingColumn = errors.New("required column missing")
	// ErrDuplicateColumn: the header names a column twice.
	ErrDuplicateColumn = errors.New("column named twice")
	// ErrFieldCount: a row has more or fewer fields than the header.
	ErrFieldCount = errors.New("wrong number of fields")
	// ErrEncoding: a field is not UTF-8.
	ErrEncoding = errors.New("not UTF-8 (save the file as UTF-8)")
	// ErrSyntax: the file is not RFC 4180 CSV (a stray or unclosed quote).
	ErrSyntax = errors.New("not valid CSV")
	// ErrMissingValue: a row lacks the ID that makes it a record.
	ErrMissingValue = errors.New("required value empty")
)

// FileError is one problem that makes a file of the package unusable. It
// names the file, the line and the column, never the value: the files
// hold students' personal data.
type FileError struct {
	// File is the file's name in the package, as written there.
	File string
	// Line is the 1-based line the problem is on; 0 when it concerns the
	// whole file.
	Line int
	// Column is the column's name: as the header writes it, or as the
	// format documents it for a missing column; "" when the problem is not
	// about one column.
	Column string
	// Field is the 1-based position of the field in its row; 0 when the
	// problem is not about one field.
	Field int
	// Err is one of the Err* sentinels, possibly wrapped with detail.
	Err error
}

func (e *FileError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	if e.Column != "" {
		fmt.Fprintf(&b, "column %s", e.Column)
		if e.Field > 0 {
			fmt.Fprintf(&b, " (field %d)", e.Field)
		}
		b.WriteString(": ")
	} else if e.Field > 0 {
		fmt.Fprintf(&b, "field %d: ", e.Field)
	}
	b.WriteString(e.Err.Error())
	return b.String()
}

func (e *FileError) Unwrap() error { return e.Err }

// Error is the error Read returns for a package it refuses: every file
// error found, in the order the files and their lines were read, up to
// MaxErrors.
type Error struct {
	Errors []*FileError
	// Omitted counts the errors found beyond MaxErrors.
	Omitted int
}

func (e *Error) Error() string {
	n := len(e.Errors) + e.Omitted
	var b strings.Builder
	if n == 1 {
		b.WriteString("clever csv: 1 error: ")
	} else {
		fmt.Fprintf(&b, "clever csv: %d errors: ", n)
	}
	const shown = 5
	for i, fe := range e.Errors {
		if i == shown {
			fmt.Fprintf(&b, "; and %d more", n-shown)
			break
		}
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(fe.Error())
	}
	return b.String()
}

// Unwrap returns the file errors, so errors.Is and errors.As see each.
func (e *Error) Unwrap() []error {
	out := make([]error, len(e.Errors))
	for i, fe := range e.Errors {
		out[i] = fe
	}
	return out
}

// errorList collects the file errors of one Read, up to MaxErrors.
type errorList struct {
	errs    []*FileError
	omitted int
}

func (l *errorList) add(fe *FileError) {
	if len(l.errs) >= MaxErrors {
		l.omitted++
		return
	}
	l.errs = append(l.errs, fe)
}

func (l *errorList) empty() bool { return len(l.errs) == 0 && l.omitted == 0 }

func (l *errorList) err() error {
	if l.empty() {
		return nil
	}
	return &Error{Errors: l.errs, Omitted: l.omitted}
}
