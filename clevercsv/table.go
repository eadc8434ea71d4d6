package clevercsv

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"unicode/utf8"
)

// newlineReader turns CRLF and bare CR (old Mac) line endings into LF, so
// the CSV reader sees one kind of line and counts lines right for all
// three. Clever's own sample mixes them: three of its five files end lines
// with a bare CR. A CR inside a quoted field becomes LF too.
type newlineReader struct {
	r  io.Reader
	cr bool // the last byte read was a CR
}

func (n *newlineReader) Read(p []byte) (int, error) {
	for {
		k, err := n.r.Read(p)
		out := 0
		for i := 0; i < k; i++ {
			b := p[i]
			if n.cr {
				n.cr = false
				if b == '\n' {
					continue // the LF of a CRLF, already written as LF
				}
			}
			if b == '\r' {
				n.cr = true
				b = '\n'
			}
			p[out] = b
			out++
		}
		if out > 0 || err != nil || k == 0 {
			return out, err
		}
	}
}

// normColumn is the name a header is matched by: trimmed, lower case, with
// runs of spaces, hyphens and underscores as one underscore. Clever
// documents "Student_id"; districts send "Student_ID", "student_id" and
// "Student id", and Clever accepts them.
func normColumn(h string) string {
	h = strings.ToLower(strings.TrimSpace(h))
	var b strings.Builder
	sep := false
	for _, r := range h {
		if r == ' ' || r == '-' || r == '_' || r == '\t' {
			sep = true
			continue
		}
		if sep && b.Len() > 0 {
			b.WriteByte('_')
		}
		sep = false
		b.WriteRune(r)
	}
	return b.String()
}

// table is one CSV file of the package being read: its header, and the
// column each normalised name sits in.
type table struct {
	name   string   // the file's name in the package
	header []string // as written, trimmed
	index  map[string]int
	usable bool // the header is complete: rows can be mapped
	errs   *errorList
	r      *csv.Reader
	rec    []string
	line   int
}

// column returns the position of the column named norm (a normColumn
// name), or -1.
func (t *table) column(norm string) int {
	if i, ok := t.index[norm]; ok {
		return i
	}
	return -1
}

// value returns the trimmed field of the current row at position i, or ""
// for a column the file does not have.
func (t *table) value(i int) string {
	if i < 0 {
		return ""
	}
	return strings.TrimSpace(t.rec[i])
}

// fail records a problem of the current row's field i (-1: the row).
func (t *table) fail(i int, err error) {
	fe := &FileError{File: t.name, Line: t.line, Err: err}
	if i >= 0 {
		fe.Column, fe.Field = t.header[i], i+1
		fe.Line, _ = t.r.FieldPos(i)
	}
	t.errs.add(fe)
}

// readTable reads the file at path of fsys, named name in errors: it
// checks the header has every column of required (normColumn names; the
// documented spelling of each is what an error names), then calls row for
// each row with the table positioned on it. Rows that are not well formed
// (a wrong number of fields, a field that is not UTF-8, bad quoting) are
// reported and skipped; when the header is incomplete every row is still
// checked, so one pass lists every problem, but row is never called.
func readTable(fsys fs.FS, path, name string, required []string, errs *errorList, row func(t *table)) error {
	f, err := fsys.Open(path)
	if err != nil {
		return fmt.Errorf("open %s: %w", name, err)
	}
	defer f.Close()

	br := bufio.NewReaderSize(&newlineReader{r: f}, 64<<10)
	if head, _ := br.Peek(3); bytes.HasPrefix(head, []byte("\xEF\xBB\xBF")) {
		br.Discard(3)
	} else if bytes.HasPrefix(head, []byte{0xFF, 0xFE}) || bytes.HasPrefix(head, []byte{0xFE, 0xFF}) {
		errs.add(&FileError{File: name, Err: fmt.Errorf("%w: the file is UTF-16", ErrEncoding)})
		return nil
	}

	r := csv.NewReader(br)
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	t := &table{name: name, index: map[string]int{}, errs: errs, r: r}

	header, err := r.Read()
	if err == io.EOF {
		errs.add(&FileError{File: name, Err: ErrNoHeader})
		return nil
	}
	if err != nil {
		return t.readError(err)
	}
	t.readHeader(header, required)

	for {
		rec, err := r.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			if stop := t.readError(err); stop != nil {
				return stop
			}
			continue
		}
		t.rec = rec
		t.line, _ = r.FieldPos(0)
		if !t.wellFormed() || !t.usable || blank(rec) {
			continue
		}
		row(t)
	}
}

// readHeader indexes the header and reports duplicate and missing columns.
func (t *table) readHeader(header []string, required []string) {
	t.header = make([]string, len(header))
	t.usable = true
	for i, h := range header {
		h = strings.TrimSpace(h)
		t.header[i] = h
		if !utf8.ValidString(h) || strings.IndexByte(h, 0) >= 0 {
			// A NUL is valid UTF-8, but in a header it is UTF-16 text
			// without its byte order mark.
			t.errs.add(&FileError{File: t.name, Line: 1, Field: i + 1, Err: ErrEncoding})
			t.usable = false
			continue
		}
		n := normColumn(h)
		if n == "" {
			continue // an unnamed column (a spreadsheet's trailing comma) is ignored
		}
		if _, dup := t.index[n]; dup {
			t.errs.add(&FileError{File: t.name, Line: 1, Column: h, Field: i + 1, Err: ErrDuplicateColumn})
			t.usable = false
			continue
		}
		t.index[n] = i
	}
	for _, req := range required {
		if _, ok := t.index[normColumn(req)]; ok {
			continue
		}
		err := ErrMissingColumn
		if len(header) == 1 && strings.ContainsAny(header[0], ";\t|") {
			err = fmt.Errorf("%w (the header is one field: is the file separated by something other than commas?)", ErrMissingColumn)
		}
		t.errs.add(&FileError{File: t.name, Line: 1, Column: req, Err: err})
		t.usable = false
	}
}

// wellFormed checks the current row has one field per column, each UTF-8.
func (t *table) wellFormed() bool {
	if len(t.rec) != len(t.header) {
		t.errs.add(&FileError{File: t.name, Line: t.line,
			Err: fmt.Errorf("%w: the row has %d, the header %d", ErrFieldCount, len(t.rec), len(t.header))})
		return false
	}
	ok := true
	for i, v := range t.rec {
		if !utf8.ValidString(v) {
			t.fail(i, ErrEncoding)
			ok = false
		}
	}
	return ok
}

// readError reports an error of the CSV reader. A syntax error is one
// row's problem and reading goes on; any other error ends the file.
func (t *table) readError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		// The line the record starts on: for an unclosed quote, where the
		// quote opens rather than the end of the file.
		t.errs.add(&FileError{File: t.name, Line: pe.StartLine, Err: fmt.Errorf("%w: %v", ErrSyntax, pe.Err)})
		return nil
	}
	return fmt.Errorf("read %s: %w", t.name, err)
}

// blank reports whether every field of rec is empty: a spreadsheet's
// leftover row, skipped.
func blank(rec []string) bool {
	for _, v := range rec {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}
