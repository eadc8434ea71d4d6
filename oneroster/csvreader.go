package oneroster

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// recordReader reads RFC 4180 records: fields separated by commas, a field
// with a comma, quote or line break quoted, a quote inside it doubled.
// encoding/csv does most of this, but a reader of district files also
// needs what it does not: bare CR line endings (old Mac exports), the
// field of a syntax error (to name its column), recovery at the next line
// after one, and fields as bytes, so that a caller keeping one cell of a
// row does not keep the whole row alive.
//
// A UTF-8 BOM at the start is dropped; CRLF, LF and CR all end a line,
// and a line break inside a quoted field reads as LF. A quote inside an
// unquoted field is kept as text (the record reports it); text after a
// closing quote is a syntax error, and so is a quoted field that never
// closes, which ends the file.
type recordReader struct {
	br *bufio.Reader
	// line counts the lines read; start is the line the current record
	// starts on.
	line, start int
	// buf holds the current record's fields back to back; ends[i] is
	// where field i ends.
	buf  []byte
	ends []int
	long []byte
	// bareQuote is set when the current record has a quote inside an
	// unquoted field.
	bareQuote bool
	done      bool
	// bytes counts the bytes read, for estimating a file's rows.
	bytes int64
}

// The limits of one record: a quoted field this long has lost its
// closing quote.
const (
	maxLine  = 16 << 20
	maxField = 1 << 20
)

// syntaxError is a record that is not valid CSV. The reader goes on with
// the next line unless fatal.
type syntaxError struct {
	line  int // the line the record starts on
	field int // 0-based
	msg   string
	fatal bool
}

func (e *syntaxError) Error() string { return e.msg }

var (
	errLineTooLong = errors.New("a line longer than 16 MiB")
	bom            = []byte{0xEF, 0xBB, 0xBF}
)

func newRecordReader(r io.Reader) *recordReader {
	return &recordReader{br: bufio.NewReaderSize(&crReader{r: r}, 64<<10)}
}

// readLine returns the next line without its line break, valid until the
// next call.
func (r *recordReader) readLine() ([]byte, error) {
	line, err := r.br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		r.long = append(r.long[:0], line...)
		for err == bufio.ErrBufferFull {
			line, err = r.br.ReadSlice('\n')
			r.long = append(r.long, line...)
			if len(r.long) > maxLine {
				return nil, errLineTooLong
			}
		}
		line = r.long
	}
	if len(line) == 0 && err != nil {
		return nil, err
	}
	if err != nil && err != io.EOF {
		return nil, err
	}
	r.line++
	r.bytes += int64(len(line))
	if r.line == 1 {
		line = bytes.TrimPrefix(line, bom)
	}
	if n := len(line); n > 0 && line[n-1] == '\n' {
		line = line[:n-1]
	}
	return line, nil
}

// Read reads the next record, skipping blank lines. It returns io.EOF at
// the end, a *syntaxError for a malformed record, and any error of the
// underlying reader.
func (r *recordReader) Read() error {
	if r.done {
		return io.EOF
	}
	var line []byte
	var err error
	for len(line) == 0 {
		if line, err = r.readLine(); err != nil {
			if err == io.EOF {
				r.done = true
			}
			return err
		}
	}
	r.start = r.line
	r.buf, r.ends, r.bareQuote = r.buf[:0], r.ends[:0], false
	pos := 0
	for {
		if pos < len(line) && line[pos] == '"' {
			pos++
			for {
				i := bytes.IndexByte(line[pos:], '"')
				if i < 0 {
					r.buf = append(r.buf, line[pos:]...)
					r.buf = append(r.buf, '\n')
					if len(r.buf)-r.fieldStart() > maxField {
						r.done = true
						return &syntaxError{line: r.start, field: len(r.ends), fatal: true,
							msg: "a quoted field runs past 1 MiB: its closing quote is missing"}
					}
					if line, err = r.readLine(); err != nil {
						if err == io.EOF {
							r.done = true
							return &syntaxError{line: r.start, field: len(r.ends), fatal: true,
								msg: "a quoted field is never closed: its closing quote is missing"}
						}
						return err
					}
					pos = 0
					continue
				}
				r.buf = append(r.buf, line[pos:pos+i]...)
				pos += i + 1
				if pos < len(line) && line[pos] == '"' {
					r.buf = append(r.buf, '"')
					pos++
					continue
				}
				break
			}
			if pos < len(line) && line[pos] != ',' {
				return &syntaxError{line: r.start, field: len(r.ends),
					msg: "text after the closing quote of a quoted field (a quote inside a quoted field is written twice)"}
			}
		} else {
			f := line[pos:]
			if i := bytes.IndexByte(f, ','); i >= 0 {
				f = f[:i]
			}
			if bytes.IndexByte(f, '"') >= 0 {
				r.bareQuote = true
			}
			r.buf = append(r.buf, f...)
			pos += len(f)
		}
		r.ends = append(r.ends, len(r.buf))
		if pos >= len(line) {
			return nil
		}
		pos++ // the comma
		if pos == len(line) {
			r.ends = append(r.ends, len(r.buf)) // a trailing comma ends an empty field
			return nil
		}
	}
}

func (r *recordReader) fieldStart() int {
	if len(r.ends) == 0 {
		return 0
	}
	return r.ends[len(r.ends)-1]
}

// NumFields returns the number of fields of the current record.
func (r *recordReader) NumFields() int { return len(r.ends) }

// Field returns field i of the current record, valid until the next Read.
func (r *recordReader) Field(i int) []byte {
	start := 0
	if i > 0 {
		start = r.ends[i-1]
	}
	return r.buf[start:r.ends[i]]
}

// crReader turns CRLF and bare CR line endings into LF.
type crReader struct {
	r  io.Reader
	cr bool // the last byte read was a CR, already passed on as LF
}

func (c *crReader) Read(p []byte) (int, error) {
	for {
		n, err := c.r.Read(p)
		if n == 0 {
			return 0, err
		}
		buf, out, i := p[:n], 0, 0
		if c.cr {
			c.cr = false
			if buf[0] == '\n' {
				i = 1 // the LF of a CRLF split across reads
			}
		}
		for i < n {
			j := bytes.IndexByte(buf[i:], '\r')
			if j < 0 {
				out += copy(buf[out:], buf[i:])
				break
			}
			out += copy(buf[out:], buf[i:i+j])
			buf[out] = '\n'
			out++
			i += j + 1
			switch {
			case i == n:
				c.cr = true
			case buf[i] == '\n':
				i++
			}
		}
		if out > 0 || err != nil {
			return out, err
		}
	}
}
