package clevercsv

import (
	"archive/zip"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path"
	"strings"

	"github.com/rosterd/rosterd/roster"
)

// The files of a package, as Clever's SFTP instructions name them. Names
// match without regard to case: districts upload "Students.csv".
const (
	fileSchools     = "schools.csv"
	fileStudents    = "students.csv"
	fileTeachers    = "teachers.csv"
	fileStaff       = "staff.csv"
	fileAdmins      = "admins.csv" // deprecated by Clever for staff.csv; read as staff
	fileSections    = "sections.csv"
	fileEnrollments = "enrollments.csv"
)

// requiredFiles must all be in a package; staff.csv and admins.csv may be.
var requiredFiles = []string{fileSchools, fileStudents, fileTeachers, fileSections, fileEnrollments}

// Read reads the Clever CSV package at path, a folder or a zip file, into
// a roster. See ReadFS.
func Read(path string) (*roster.Roster, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("clever csv: %w", err)
	}
	if fi.IsDir() {
		return ReadFS(os.DirFS(path))
	}
	zr, err := zip.OpenReader(path)
	if err != nil {
		return nil, fmt.Errorf("clever csv %s: not a folder or a zip file: %w", path, err)
	}
	defer zr.Close()
	return ReadFS(zr)
}

// ReadFS reads the Clever CSV package at the root of fsys (a folder, or a
// zip file's *zip.Reader) into a roster. When the root holds none of the
// files but exactly one folder, the package is read from that folder, as
// zip tools often add one.
//
// A package with a problem that makes a file unusable (a file or required
// column missing, a column named twice, a row with the wrong number of
// fields, bad quoting, text that is not UTF-8, a row without its ID) is
// refused whole: ReadFS returns no roster and an *Error listing every such
// problem found, each naming its file, line and column. Values that are
// well formed but cannot be mapped (a grade or a date in no known form)
// do not refuse the package: the record keeps the field empty and the
// roster's FieldErrors name it, for preflight to report. Any other error
// (the package cannot be read at all) is returned as it is.
func ReadFS(fsys fs.FS) (*roster.Roster, error) {
	files, err := findFiles(fsys)
	if err != nil {
		return nil, fmt.Errorf("clever csv: %w", err)
	}
	rd := newReader(fsys, files)
	steps := []struct {
		file     string
		required []string
		row      func(t *table) func(t *table)
	}{
		{fileSchools, schoolRequired, rd.schoolRows},
		{fileStudents, studentRequired, rd.studentRows},
		{fileTeachers, teacherRequired, rd.teacherRows},
		{fileStaff, staffRequired, rd.staffRows},
		{fileAdmins, staffRequired, rd.staffRows},
		{fileSections, sectionRequired, rd.sectionRows},
		{fileEnrollments, enrollmentRequired, rd.enrollmentRows},
	}
	for _, s := range steps {
		if err := rd.read(s.file, s.required, s.row); err != nil {
			return nil, fmt.Errorf("clever csv: %w", err)
		}
	}
	if err := rd.errs.err(); err != nil {
		return nil, err
	}
	rd.r.FieldErrors = rd.fieldErrs
	return rd.r, nil
}

// packageFile is one file of the package found in fsys.
type packageFile struct {
	path string // in fsys
	name string // as written there
	dup  bool   // another file differs from it only in case
}

// findFiles lists the package's files by lower-case name.
func findFiles(fsys fs.FS) (map[string]packageFile, error) {
	dir := "."
	for depth := 0; ; depth++ {
		entries, err := fs.ReadDir(fsys, dir)
		if err != nil {
			return nil, err
		}
		files := map[string]packageFile{}
		var dirs []string
		for _, e := range entries {
			name := e.Name()
			if strings.HasPrefix(name, ".") || name == "__MACOSX" {
				continue
			}
			if e.IsDir() {
				dirs = append(dirs, path.Join(dir, name))
				continue
			}
			key := strings.ToLower(name)
			if have, ok := files[key]; ok {
				have.dup = true
				files[key] = have
				continue
			}
			files[key] = packageFile{path: path.Join(dir, name), name: name}
		}
		known := false
		for _, f := range append([]string{fileStaff, fileAdmins}, requiredFiles...) {
			if _, ok := files[f]; ok {
				known = true
			}
		}
		if known || depth > 0 || len(dirs) != 1 {
			return files, nil
		}
		dir = dirs[0]
	}
}

// reader holds one ReadFS call's state.
type reader struct {
	fsys  fs.FS
	files map[string]packageFile
	errs  errorList
	in    roster.Interner
	r     *roster.Roster

	fieldErrs []roster.FieldError
	seenErr   map[roster.FieldError]bool

	// users maps a user ID to its position in r.Users. staffUsers maps a
	// staff ID to the position of the user holding it, which may be a
	// teacher's; teacherEmails maps a teacher's lower-case email to the
	// teacher's position, or -1 when two teachers share it.
	users         map[string]int
	staffUsers    map[string]int
	teacherEmails map[string]int
	// teacherLast holds each teacher's last name by SIS ID, for section
	// names.
	teacherLast map[string]string

	sections map[string]int // section ID -> position of its first record
	terms    map[string]bool
	courses  map[string]bool
	// enrolled holds, for sections with many students, the students
	// already enrolled; smaller sections are searched instead.
	enrolled map[int]map[string]bool
	// unknownSections holds the section IDs of enrollments already
	// reported as naming no section.
	unknownSections map[string]bool
}

func newReader(fsys fs.FS, files map[string]packageFile) *reader {
	return &reader{
		fsys: fsys, files: files, r: &roster.Roster{},
		seenErr: map[roster.FieldError]bool{}, users: map[string]int{}, staffUsers: map[string]int{},
		teacherEmails: map[string]int{}, teacherLast: map[string]string{}, sections: map[string]int{},
		terms: map[string]bool{}, courses: map[string]bool{}, enrolled: map[int]map[string]bool{},
		unknownSections: map[string]bool{},
	}
}

// read reads one file of the package: row returns the function that maps
// each row, after resolving the file's columns from its header.
func (rd *reader) read(file string, required []string, row func(t *table) func(t *table)) error {
	f, ok := rd.files[file]
	if !ok {
		for _, req := range requiredFiles {
			if req == file {
				rd.errs.add(&FileError{File: file, Err: ErrMissingFile})
			}
		}
		return nil
	}
	if f.dup {
		rd.errs.add(&FileError{File: file, Err: ErrAmbiguousFile})
		return nil
	}
	var mapRow func(t *table)
	return readTable(rd.fsys, f.path, f.name, required, &rd.errs, func(t *table) {
		if mapRow == nil {
			mapRow = row(t)
		}
		mapRow(t)
	})
}

// record names the record a field error is about.
type record struct {
	entity roster.Entity
	id     string
	sisID  string
}

// fieldError records a value rec's row holds that cannot be mapped; the
// same error found on several rows (a student listed once per contact) is
// kept once. message never repeats the value.
func (rd *reader) fieldError(rec record, field, message string) {
	fe := roster.FieldError{Entity: rec.entity, ID: rec.id, SISID: rec.sisID, Field: field, Message: message}
	if rd.seenErr[fe] {
		return
	}
	rd.seenErr[fe] = true
	rd.fieldErrs = append(rd.fieldErrs, fe)
}

// mapped runs norm on value and records a field error with message when
// it fails, leaving the field empty.
func (rd *reader) mapped(rec record, field, value string, norm func(string) (string, bool), message string) string {
	v, ok := norm(value)
	if !ok {
		rd.fieldError(rec, field, message)
		return ""
	}
	return rd.in.String(v)
}

// date parses a date field, recording a field error for a value in no
// known form.
func (rd *reader) date(rec record, field, value string) roster.Date {
	d, err := parseDate(value)
	if err != nil {
		rd.fieldError(rec, field, err.Error())
		return roster.Date{}
	}
	return d
}

// columns is a file's columns resolved against its header: the position
// of each column the reader maps (-1 when absent) and the columns kept as
// ext.
type columns struct {
	t   *table
	pos []int
	ext []extColumn
}

// extColumn is a column kept in a record's ext under key.
type extColumn struct {
	pos int
	key string
}

// resolve finds the columns named in names (Clever's spelling) in t's
// header. Every other named column is kept as ext, unless drop says the
// reader discards it: columns Clever documents whose values the roster
// has no field for (and Clever's API does not return either), and any
// password. A header written "ext.<key>" (Clever's form for district
// fields) is kept under <key>, any other unknown header under its name.
func resolve(t *table, names []string, drop func(norm string) bool) *columns {
	c := &columns{t: t, pos: make([]int, len(names))}
	known := map[string]bool{}
	for i, n := range names {
		norm := normColumn(n)
		known[norm] = true
		c.pos[i] = t.column(norm)
	}
	for i, h := range t.header {
		norm := normColumn(h)
		if norm == "" || known[norm] || strings.Contains(norm, "password") || (drop != nil && drop(norm)) {
			continue
		}
		key := h
		if len(h) > 4 && strings.EqualFold(h[:4], "ext.") {
			key = strings.TrimSpace(h[4:])
		}
		c.ext = append(c.ext, extColumn{pos: i, key: key})
	}
	return c
}

// v returns the current row's value of column i of names.
func (c *columns) v(i int) string { return c.t.value(c.pos[i]) }

// extOf returns the current row's ext values.
func (c *columns) extOf() roster.Ext {
	var fields []roster.ExtField
	for _, e := range c.ext {
		v := c.t.value(e.pos)
		if v == "" {
			continue
		}
		raw, _ := json.Marshal(v) // a string never fails to encode
		fields = append(fields, roster.ExtField{Key: e.key, Value: raw})
	}
	return roster.NewExt(fields...)
}

// require reports a missing ID in column i and returns false when the
// current row's value of it is empty.
func (c *columns) require(i int) (string, bool) {
	v := c.v(i)
	if v == "" {
		c.t.fail(c.pos[i], ErrMissingValue)
		return "", false
	}
	return v, true
}
