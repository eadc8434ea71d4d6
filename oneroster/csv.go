package oneroster

import (
	"bytes"
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"
)

// colSpec describes one column of a OneRoster CSV file.
type colSpec struct {
	name string
	// aliases are other names real files use for the column: OneRoster
	// 1.0 names (grade, userId, agents) and misspellings
	// (prefferedGivenName, dataLastModified).
	aliases []string
	// need: rosterd cannot build the records without the column, so a
	// file lacking it is refused.
	need bool
	// spec: the OneRoster spec requires the column; a file lacking it is
	// read with the column blank, and warned about.
	spec bool
	// value: an active row needs a value in the column, or it is refused.
	value bool
	// skip: the column is known and never read (passwords).
	skip bool
}

// fileSpec describes one OneRoster CSV file.
type fileSpec struct {
	name string // as the manifest names it: "users"
	cols []colSpec
}

// fileReader reads the rows of one file of a package into the model.
type fileReader struct {
	file   string // as named in the package: "users.csv"
	mode   Mode
	r      *recordReader
	issues *issueSet
	in     *interner
	// col maps a column name of the spec to its index in the header;
	// meta lists the metadata columns.
	col  map[string]int
	meta []metaCol
	// width is the header's number of columns.
	width int
	// seen maps each sourcedId read to its line, to report repeats.
	seen map[string]int
	// line is the current record's line.
	line int
	// fatal is set when the file cannot be read on, or lacks a needed
	// column.
	fatal bool
	// size is the file's size in bytes, 0 when unknown.
	size int64
	// The columns of the base members, and of the values rosterd needs.
	cID, cStatus, cDLM csvColumn
	valueCols          []csvColumn
	valueNames         []string
	// last holds each column's last reference, for ref.
	last []lastRef
}

// sizeSample is the number of rows after which a file's rows are
// counted from its size.
const sizeSample = 256

// grow returns records with room for the next record. Once it holds
// sizeSample records, it grows to the rows the file's size predicts
// rather than by doubling: a district's enrollments.csv holds millions of
// rows, and doubling would copy them over and over and leave up to half
// of the last copy unused.
func grow[T any](f *fileReader, records []T) []T {
	if len(records) < cap(records) || len(records) < sizeSample || f.size <= 0 || f.r.bytes <= 0 {
		return records
	}
	perRow := float64(f.r.bytes) / float64(len(records))
	left := float64(f.size-f.r.bytes) / perRow
	return slices.Grow(records, int(left*1.05)+sizeSample)
}

// metaCol is a metadata.* or ext_* column: district extensions, kept
// into the record's Metadata under key.
type metaCol struct {
	index int
	key   string
}

// header reads the header row and resolves it against spec. Columns are
// matched by name, so reordered columns read as well as ordered ones; a
// name that matches only without case, or by an alias, is warned about.
// It reports false when the file has no header or lacks a needed column.
func (f *fileReader) header(spec *fileSpec, need func(colSpec) bool) bool {
	if err := f.r.Read(); err != nil {
		if errors.Is(err, io.EOF) {
			f.issues.errorf(f.file, 0, "", "the file is empty: a OneRoster file starts with its header row")
		} else {
			f.readError(err)
		}
		return false
	}
	f.col = make(map[string]int, len(spec.cols))
	f.width = f.r.NumFields()
	var unknown []string
	emptyNames := 0
	for j := range f.r.NumFields() {
		name := strings.TrimSpace(string(f.r.Field(j)))
		switch {
		case name == "":
			emptyNames++
			continue
		case strings.HasPrefix(name, "metadata."):
			f.meta = append(f.meta, metaCol{index: j, key: strings.TrimPrefix(name, "metadata.")})
			continue
		case strings.HasPrefix(name, "ext_"):
			f.meta = append(f.meta, metaCol{index: j, key: name})
			continue
		}
		c, how := spec.lookup(name)
		if c == nil {
			unknown = append(unknown, name)
			continue
		}
		if prev, dup := f.col[c.name]; dup {
			f.issues.errorf(f.file, 1, c.name, "the column appears twice (columns %d and %d)", prev+1, j+1)
			f.fatal = true
			continue
		}
		f.col[c.name] = j
		switch how {
		case matchAlias:
			f.issues.warnf(f.file, 1, name, "read as column %s", c.name)
		case matchCase:
			f.issues.warnf(f.file, 1, name, "read as column %s (column names are case-sensitive)", c.name)
		}
	}
	if emptyNames > 0 {
		f.issues.warnf(f.file, 1, "", "%d columns have no name in the header; their cells are ignored", emptyNames)
	}
	if len(unknown) > 0 {
		f.issues.warnf(f.file, 1, "", "columns not in OneRoster are ignored: %s", strings.Join(unknown, ", "))
	}
	f.cID, f.cStatus, f.cDLM = f.at("sourcedId"), f.at("status"), f.at("dateLastModified")
	for _, c := range spec.cols {
		if c.value && c.name != "sourcedId" {
			f.valueCols = append(f.valueCols, f.at(c.name))
			f.valueNames = append(f.valueNames, c.name)
		}
	}
	for _, c := range spec.cols {
		if _, ok := f.col[c.name]; ok {
			continue
		}
		switch {
		case c.need || (need != nil && need(c)):
			f.issues.errorf(f.file, 1, c.name, "the column is missing, and rosterd needs it")
			f.fatal = true
		case c.spec:
			f.issues.warnf(f.file, 1, c.name, "the column is missing (the OneRoster spec requires it); read as blank")
		}
	}
	return !f.fatal
}

type colMatch uint8

const (
	matchName colMatch = iota
	matchAlias
	matchCase
)

func (s *fileSpec) lookup(name string) (*colSpec, colMatch) {
	for i := range s.cols {
		if s.cols[i].name == name {
			return &s.cols[i], matchName
		}
	}
	for i := range s.cols {
		if slices.Contains(s.cols[i].aliases, name) {
			return &s.cols[i], matchAlias
		}
	}
	for i := range s.cols {
		c := &s.cols[i]
		if strings.EqualFold(c.name, name) || slices.ContainsFunc(c.aliases, func(a string) bool { return strings.EqualFold(a, name) }) {
			return c, matchCase
		}
	}
	return nil, 0
}

// next reads the next data row, reporting malformed ones and skipping
// blank ones (a row of empty cells).
func (f *fileReader) next() bool {
	for !f.fatal {
		err := f.r.Read()
		if err == nil {
			f.line = f.r.start
			if f.blankRow() {
				continue
			}
			f.checkWidth()
			if f.r.bareQuote {
				f.issues.warnf(f.file, f.line, "", "a quote inside an unquoted cell is read as text (RFC 4180 quotes the whole cell)")
			}
			return true
		}
		if errors.Is(err, io.EOF) {
			return false
		}
		f.readError(err)
	}
	return false
}

func (f *fileReader) readError(err error) {
	var se *syntaxError
	if errors.As(err, &se) {
		f.issues.errorf(f.file, se.line, f.columnName(se.field), "%s", se.msg)
		f.fatal = f.fatal || se.fatal
		return
	}
	f.issues.errorf(f.file, f.r.line, "", "read: %v", err)
	f.fatal = true
}

// columnName returns the header name of column j, or its number.
func (f *fileReader) columnName(j int) string {
	for name, i := range f.col {
		if i == j {
			return name
		}
	}
	for _, m := range f.meta {
		if m.index == j {
			return "metadata." + m.key
		}
	}
	return strconv.Itoa(j + 1)
}

func (f *fileReader) blankRow() bool {
	for j := range f.r.NumFields() {
		if len(bytes.TrimSpace(f.r.Field(j))) > 0 {
			return false
		}
	}
	return true
}

// checkWidth warns about rows with another number of cells than the
// header has. Missing trailing cells read as blank; extra cells are
// ignored.
func (f *fileReader) checkWidth() {
	n := f.r.NumFields()
	switch {
	case n < f.width:
		f.issues.warnf(f.file, f.line, "", "the row has fewer cells than the header; the missing ones read as blank")
	case n > f.width:
		for j := f.width; j < n; j++ {
			if len(bytes.TrimSpace(f.r.Field(j))) > 0 {
				f.issues.warnf(f.file, f.line, "", "the row has more cells than the header; the extra ones are ignored")
				return
			}
		}
	}
}

// csvColumn is the index of a column in the header, -1 when the file lacks
// it.
type csvColumn int

// at returns the column of the spec's column name.
func (f *fileReader) at(name string) csvColumn {
	if j, ok := f.col[name]; ok {
		return csvColumn(j)
	}
	return -1
}

// cell returns the trimmed cell of column c, nil when the file lacks the
// column or the row the cell.
func (f *fileReader) cell(c csvColumn) []byte {
	if c < 0 || int(c) >= f.r.NumFields() {
		return nil
	}
	return bytes.TrimSpace(f.r.Field(int(c)))
}

// text returns a cell as a string of its own.
func (f *fileReader) text(c csvColumn) string { return string(f.cell(c)) }

// ref returns a cell that repeats across rows (IDs, enumerations, dates)
// as a shared string. Files are often sorted by one of their references
// (enrollments by class), so the column's last value is tried before the
// interner.
func (f *fileReader) ref(c csvColumn) string {
	b := f.cell(c)
	if len(b) == 0 {
		return ""
	}
	if f.last == nil {
		f.last = make([]lastRef, f.width)
	}
	if int(c) < len(f.last) {
		l := &f.last[c]
		if l.s != "" && string(b) == l.s {
			return l.s
		}
		l.s = f.in.Bytes(b)
		return l.s
	}
	return f.in.Bytes(b)
}

// lastRef is the last value ref returned for a column.
type lastRef struct{ s string }

// repeat returns a cell as a string, shared with the column's last value
// when equal to it.
func (f *fileReader) repeat(c csvColumn) string {
	b := f.cell(c)
	if len(b) == 0 {
		return ""
	}
	if f.last == nil {
		f.last = make([]lastRef, f.width)
	}
	if int(c) >= len(f.last) {
		return string(b)
	}
	l := &f.last[c]
	if string(b) != l.s {
		l.s = string(b)
	}
	return l.s
}

// estimateRows guesses a file's rows from its size, for sizing maps.
func (f *fileReader) estimateRows() int { return int(min(f.size/80, 1<<24)) }

// refs returns a list cell of references ("t1,t2"), shared strings.
func (f *fileReader) refs(c csvColumn) []GUIDRef {
	items := f.listCell(c)
	if len(items) == 0 {
		return nil
	}
	out := make([]GUIDRef, len(items))
	for i, it := range items {
		out[i] = GUIDRef{SourcedID: it}
	}
	return out
}

// listCell returns a list cell ("09,10,11") as shared strings.
func (f *fileReader) listCell(c csvColumn) StringList {
	b := f.cell(c)
	if len(b) == 0 {
		return nil
	}
	if bytes.IndexByte(b, ',') < 0 {
		return StringList{f.ref(c)}
	}
	var out StringList
	for item := range bytes.SplitSeq(b, []byte{','}) {
		if item = bytes.TrimSpace(item); len(item) > 0 {
			out = append(out, f.in.Bytes(item))
		}
	}
	return out
}

// bool returns a boolean cell.
func (f *fileReader) bool(c csvColumn) Bool {
	switch b := f.cell(c); string(b) {
	case "":
		return BoolAbsent
	case "true":
		return BoolTrue
	case "false":
		return BoolFalse
	default:
		return ParseBool(string(b))
	}
}

// idKind says how base treats a file's sourcedIds.
type idKind uint8

const (
	// idShared: other records refer to the ID (users, classes, orgs), so
	// it is interned for references to share, and checked for repeats.
	idShared idKind = iota
	// idChecked: checked for repeats, not interned (demographics).
	idChecked
	// idLink: neither (enrollments, roles): nothing refers to a link,
	// rosterd keys links by what they link, and a map of millions of
	// enrollment IDs would cost more than the check is worth.
	idLink
)

// base reads the members every record has. It reports false, having
// reported why, for a row that cannot be read: no sourcedId, a status
// that is no OneRoster status, or a sourcedId repeated in the file.
func (f *fileReader) base(kind idKind) (Base, bool) {
	b := Base{Line: f.line}
	id := f.cell(f.cID)
	if len(id) == 0 {
		f.issues.errorf(f.file, f.line, "sourcedId", "blank: every row needs a sourcedId")
		return b, false
	}
	if kind == idShared {
		b.SourcedID = f.in.Bytes(id)
	} else {
		b.SourcedID = string(id)
	}
	if kind != idLink {
		if f.seen == nil {
			f.seen = make(map[string]int, f.estimateRows())
		}
		if at, dup := f.seen[b.SourcedID]; dup {
			f.issues.errorf(f.file, f.line, "sourcedId", "repeats the sourcedId of line %d", at)
			return b, false
		}
		f.seen[b.SourcedID] = f.line
	}
	if status := f.cell(f.cStatus); len(status) > 0 {
		var s string
		ok := true
		switch string(status) { // no allocation for the statuses of nearly every row
		case StatusActive:
			s = StatusActive
		case StatusToBeDeleted:
			s = StatusToBeDeleted
		default:
			s, ok, _ = canonical(string(status), statuses)
		}
		switch {
		case !ok:
			f.issues.errorf(f.file, f.line, "status", "not a OneRoster status (active or tobedeleted)")
			return b, false
		case s == StatusInactive:
			f.issues.warnf(f.file, f.line, "status", "inactive is a OneRoster 1.0 status; the record is read as active")
		case string(status) != s:
			f.issues.warnf(f.file, f.line, "status", "read as %s (statuses are lower-case)", s)
		}
		b.Status = s
	} else if f.mode == ModeDelta {
		f.issues.warnf(f.file, f.line, "status", "blank in a delta file, where every row needs one; read as active")
	}
	// Timestamps repeat only run by run, if at all: they are shared with
	// the row before, never interned.
	b.DateLastModified = f.repeat(f.cDLM)
	for _, m := range f.meta {
		if m.index < f.r.NumFields() {
			if v := bytes.TrimSpace(f.r.Field(m.index)); len(v) > 0 {
				b.Metadata.SetString(m.key, string(v))
			}
		}
	}
	return b, true
}

// need reports, for an active row, the blank cells of the columns whose
// value rosterd needs; false when any is blank.
func (f *fileReader) need(b *Base) bool {
	if b.IsDeleted() {
		return true
	}
	ok := true
	for i, c := range f.valueCols {
		if len(f.cell(c)) == 0 {
			f.issues.errorf(f.file, f.line, f.valueNames[i], "blank: rosterd needs a value to place the record")
			ok = false
		}
	}
	return ok
}

// deletionNeeds refuses a delta deletion that lacks a column naming what
// it links: rosterd keeps links (a user in a class), not the sourcedIds
// of enrollments and roles.
func (f *fileReader) deletionNeeds(b *Base, what string, cols ...csvColumn) bool {
	if !b.IsDeleted() || f.mode != ModeDelta {
		return true
	}
	ok := true
	for _, c := range cols {
		if len(f.cell(c)) == 0 {
			f.issues.errorf(f.file, f.line, f.columnName(int(c)), "blank in a deletion: rosterd deletes %s by what they link, so a deletion must name it", what)
			ok = false
		}
	}
	return ok
}
