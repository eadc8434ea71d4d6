package oneroster

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"os"
	"path"
	"slices"
	"strings"

	"github.com/klauspost/compress/flate"

	"github.com/rosterd/rosterd/roster"
)

// Package is a OneRoster CSV package as read: its manifest, the records
// of its bulk and delta files (deletions included), and every problem
// found, each named by file, line and column.
type Package struct {
	// Path is the folder or zip file read; Dir is the folder within it
	// that holds the CSV files ("" when they are at its root).
	Path string
	Dir  string
	// Manifest is the package's manifest.csv.
	Manifest Manifest
	// Modes holds the mode each rostering collection was read with.
	Modes Modes
	// Dataset holds the records of the files read.
	Dataset *Dataset
	// Hash is the SHA-256 of the package's CSV files, names and contents:
	// the same files give the same hash, in a folder or a zip, however
	// the zip was made. HashPackage computes it without reading the rows.
	Hash string
	// Issues holds the first MaxIssues errors, then the first MaxIssues
	// distinct warnings; ErrorCount and WarningCount count them all.
	Issues       []Issue
	ErrorCount   int
	WarningCount int
}

// Err returns a *PackageError holding the package's errors, or nil when
// it has none. A package with errors is refused whole: Apply returns no
// roster.
func (p *Package) Err() error {
	if p.ErrorCount == 0 {
		return nil
	}
	pe := &PackageError{Path: p.Path, Count: p.ErrorCount}
	for _, is := range p.Issues {
		if is.Severity == SeverityError {
			pe.Errors = append(pe.Errors, is)
		}
	}
	return pe
}

// Apply returns base with the package applied: bulk files replace their
// collection, delta files change it record by record, absent files leave
// it as base has it (see Merge for what that means for the roster's
// records). base is the roster the source's earlier packages gave (nil
// for none), not the roster the sharing rules left. opts.SISType
// defaults to the manifest's source.systemName. A package with errors
// returns its *PackageError and no roster.
func (p *Package) Apply(base *roster.Roster, opts MapOptions) (*roster.Roster, error) {
	if err := p.Err(); err != nil {
		return nil, err
	}
	if opts.SISType == "" {
		opts.SISType = p.Manifest.SourceSystemName
	}
	return ToRoster(Merge(base, p.Dataset, p.Modes), opts), nil
}

// ReadPackage reads the OneRoster CSV package at path: a folder or a zip
// file, with its CSV files at the root or in one folder (as zips made by
// right-clicking a folder have them). Dotfiles and __MACOSX are ignored.
//
// Every file is read to the end and every problem collected, so that one
// report lists them all. The error is a *PackageError (errors.Is
// ErrInvalidPackage) when the package has errors, returned with the
// Package; any other error means the package could not be read at all,
// and comes without one.
func ReadPackage(path string) (*Package, error) {
	l, err := openLayout(path)
	if err != nil {
		return nil, err
	}
	defer l.close()
	p := &Package{Path: path, Dir: l.dir, Dataset: &Dataset{}}
	r := &packageReader{p: p, l: l, issues: &l.issues, hashes: make(map[string]string)}
	r.read()
	p.Hash = l.hash(r.hashes)
	p.Issues = r.issues.sorted()
	p.ErrorCount, p.WarningCount = r.issues.nErrs, r.issues.nWarns
	return p, p.Err()
}

// HashPackage returns the Hash of the package at path, reading its files
// but not parsing them, so that a drop folder can tell a package it has
// processed before.
func HashPackage(path string) (string, error) {
	l, err := openLayout(path)
	if err != nil {
		return "", err
	}
	defer l.close()
	if l.fatal {
		return "", &PackageError{Path: path, Errors: l.issues.errs, Count: l.issues.nErrs}
	}
	hashes := make(map[string]string, len(l.files))
	for _, f := range l.files {
		if err := l.read(f, hashes, nil); err != nil {
			return "", err
		}
	}
	return l.hash(hashes), nil
}

// packageReader reads the files of one package.
type packageReader struct {
	p      *Package
	l      *pkgLayout
	issues *issueSet
	in     interner
	hashes map[string]string
}

func (r *packageReader) read() {
	l, p := r.l, r.p
	if l.fatal {
		return
	}
	byName := make(map[string]*pkgFile)
	var manifest *pkgFile
	for _, f := range l.files {
		base := strings.TrimSuffix(f.base, path.Ext(f.base))
		if strings.EqualFold(base, "manifest") {
			if manifest != nil {
				r.issues.errorf("", 0, "", "two manifests, %s and %s", manifest.base, f.base)
				continue
			}
			manifest = f
			continue
		}
		name, ok := knownFile(base)
		if !ok {
			r.issues.warnf(f.base, 0, "", "not a file of the OneRoster CSV binding; ignored")
			continue
		}
		if prev, dup := byName[name]; dup {
			r.issues.errorf("", 0, "", "two files for %s.csv: %s and %s", name, prev.base, f.base)
			continue
		}
		if base != name {
			r.issues.warnf(f.base, 0, "", "read as %s.csv (file names are case-sensitive)", name)
		}
		byName[name] = f
	}

	if manifest != nil {
		r.readEntry(manifest, func(rd io.Reader) { p.Manifest = readManifest(rd, manifest.base, r.issues) })
	} else {
		r.issues.warnf("", 0, "", "no manifest.csv: read as a OneRoster 1.0-style bulk package, every file in it bulk and every other file absent")
	}

	modes := map[string]Mode{}
	for _, spec := range rosterFiles {
		modes[spec.name] = r.mode(spec.name, byName[spec.name])
	}
	for _, name := range otherFiles {
		if f := byName[name]; f != nil && r.mode(name, f) != ModeAbsent {
			r.issues.warnf(f.base, 0, "", "rosterd does not use %s; ignored", name)
		}
	}
	p.Modes = Modes{
		Orgs: modes["orgs"], AcademicSessions: modes["academicSessions"], Courses: modes["courses"],
		Classes: modes["classes"], Users: modes["users"], Roles: modes["roles"],
		Enrollments: modes["enrollments"], Demographics: modes["demographics"],
	}
	users12 := p.Manifest.is12() || modes["roles"] != ModeAbsent
	for _, spec := range rosterFiles {
		f := byName[spec.name]
		if f == nil || modes[spec.name] == ModeAbsent {
			continue
		}
		r.readEntry(f, func(rd io.Reader) {
			fr := &fileReader{file: f.base, mode: modes[spec.name], r: newRecordReader(rd), issues: r.issues, in: &r.in, size: f.size}
			if spec == &usersSpec || spec == &classesSpec {
				r.in.reserve(fr.estimateRows())
			}
			fr.readFile(spec, p.Dataset, users12)
		})
	}
	for _, f := range l.files {
		if _, done := r.hashes[f.name]; !done {
			r.readEntry(f, nil)
		}
	}
}

// mode returns the mode of file name, reporting a manifest that declares
// a file the package lacks, and files the manifest leaves out.
func (r *packageReader) mode(name string, f *pkgFile) Mode {
	m := &r.p.Manifest
	if !m.Present {
		if f != nil {
			return ModeBulk
		}
		return ModeAbsent
	}
	mode := m.Mode(name)
	switch {
	case f == nil && mode != ModeAbsent:
		r.issues.errorf(r.manifestName(), m.lines[name], "value", "file.%s is %s, but %s.csv is not in the package", name, mode, name)
	case f != nil && mode == ModeAbsent:
		if _, declared := m.Files[name]; declared {
			r.issues.warnf(f.base, 0, "", "manifest.csv declares the file absent; ignored")
		} else {
			r.issues.warnf(f.base, 0, "", "manifest.csv does not declare the file, so it is absent; ignored")
		}
	}
	return mode
}

func (r *packageReader) manifestName() string {
	for _, f := range r.l.files {
		if strings.EqualFold(strings.TrimSuffix(f.base, path.Ext(f.base)), "manifest") {
			return f.base
		}
	}
	return "manifest.csv"
}

// readEntry reads one file through fn (nil to hash it only), hashing all
// of it.
func (r *packageReader) readEntry(f *pkgFile, fn func(io.Reader)) {
	if err := r.l.read(f, r.hashes, fn); err != nil {
		r.issues.errorf(f.base, 0, "", "read: %v", err)
	}
}

// pkgLayout is where a package's files are: the CSV files of its root
// folder, which is the top of the folder or zip, or its one subfolder.
type pkgLayout struct {
	dir    string
	files  []*pkgFile // the CSV files of dir, by name
	closer io.Closer
	issues issueSet
	fatal  bool
}

// pkgFile is one file of a package.
type pkgFile struct {
	name string // slash-separated path within the package
	base string // name within dir
	size int64  // uncompressed, 0 when unknown
	open func() (io.ReadCloser, error)
}

func openLayout(p string) (*pkgLayout, error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, fmt.Errorf("open oneroster package: %w", err)
	}
	var all []*pkgFile
	l := &pkgLayout{}
	if st.IsDir() {
		all, err = listFolder(p)
	} else {
		all, l.closer, err = listZip(p, st.Size())
	}
	if err != nil {
		return nil, fmt.Errorf("open oneroster package: %w", err)
	}
	l.place(all)
	return l, nil
}

func (l *pkgLayout) close() {
	if l.closer != nil {
		l.closer.Close()
	}
}

// place finds the package's root folder among all its files.
func (l *pkgLayout) place(all []*pkgFile) {
	isCSV := func(e *pkgFile) bool { return strings.EqualFold(path.Ext(e.name), ".csv") }
	var top []*pkgFile
	folders := map[string][]*pkgFile{}
	for _, e := range all {
		if !isCSV(e) {
			continue
		}
		if dir, base := path.Split(e.name); dir == "" {
			top = append(top, e)
		} else if !strings.Contains(strings.TrimSuffix(dir, "/"), "/") {
			e.base = base
			folders[strings.TrimSuffix(dir, "/")] = append(folders[strings.TrimSuffix(dir, "/")], e)
		}
	}
	ignored := 0
	switch {
	case len(top) > 0:
		l.files = top
		for _, fs := range folders {
			ignored += len(fs)
		}
	case len(folders) == 1:
		for dir, fs := range folders {
			l.dir, l.files = dir, fs
		}
	case len(folders) == 0:
		l.issues.errorf("", 0, "", "no CSV files at the package's root or in a folder of it")
		l.fatal = true
	default:
		names := make([]string, 0, len(folders))
		for dir := range folders {
			names = append(names, dir)
		}
		slices.Sort(names)
		l.issues.errorf("", 0, "", "CSV files in %d folders (%s): a package keeps them at its root or in one folder", len(names), strings.Join(names, ", "))
		l.fatal = true
	}
	for _, e := range l.files {
		if e.base == "" {
			e.base = e.name
		}
	}
	slices.SortFunc(l.files, func(a, b *pkgFile) int { return strings.Compare(a.base, b.base) })
	if ignored > 0 {
		l.issues.warnf("", 0, "", "%d CSV files in folders of the package are ignored: its files are at its root", ignored)
	}
}

// read opens f, passes it to fn (when not nil) and hashes every byte of
// it into hashes.
func (l *pkgLayout) read(f *pkgFile, hashes map[string]string, fn func(io.Reader)) error {
	rc, err := f.open()
	if err != nil {
		return err
	}
	defer rc.Close()
	h := sha256.New()
	tee := &hashingReader{r: rc, h: h}
	if fn != nil {
		fn(tee)
	}
	if _, err := io.Copy(io.Discard, tee); err != nil {
		return err
	}
	if tee.err != nil {
		return tee.err
	}
	hashes[f.name] = hex.EncodeToString(h.Sum(nil))
	return nil
}

// hash combines the hashes of the root files, by name within the root.
func (l *pkgLayout) hash(hashes map[string]string) string {
	h := sha256.New()
	for _, f := range l.files {
		fmt.Fprintf(h, "%s\x00%s\n", f.base, hashes[f.name])
	}
	return hex.EncodeToString(h.Sum(nil))
}

// hashingReader hashes what it reads and remembers a read error, which
// the CSV reader reports as the file's but the hash must not ignore.
type hashingReader struct {
	r   io.Reader
	h   hash.Hash
	err error
}

func (t *hashingReader) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	t.h.Write(p[:n])
	if err != nil && err != io.EOF {
		t.err = err
	}
	return n, err
}

// hidden reports whether a path names a dotfile, a file in a dot folder,
// or macOS's __MACOSX resource forks.
func hidden(name string) bool {
	for dataPart := range strings.SplitSeq(name, "/") {
		if strings.HasPrefix(dataPart, ".") || strings.EqualFold(dataPart, "__MACOSX") {
			return true
		}
	}
	return false
}

// listFolder lists the files of a folder and of its subfolders, one level
// down.
func listFolder(dir string) ([]*pkgFile, error) {
	var out []*pkgFile
	add := func(rel string, d os.DirEntry) {
		full := dir + "/" + rel
		var size int64
		if info, err := d.Info(); err == nil {
			size = info.Size()
		}
		out = append(out, &pkgFile{name: rel, size: size, open: func() (io.ReadCloser, error) { return os.Open(full) }})
	}
	top, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	for _, d := range top {
		if hidden(d.Name()) {
			continue
		}
		if !d.IsDir() {
			if d.Type().IsRegular() {
				add(d.Name(), d)
			}
			continue
		}
		sub, err := os.ReadDir(dir + "/" + d.Name())
		if err != nil {
			return nil, err
		}
		for _, s := range sub {
			if !s.IsDir() && s.Type().IsRegular() && !hidden(s.Name()) {
				add(d.Name()+"/"+s.Name(), s)
			}
		}
	}
	return out, nil
}

var zipMagic = [][]byte{[]byte("PK\x03\x04"), []byte("PK\x05\x06")}

// listZip lists the files of a zip. Deflated entries are inflated with
// klauspost/compress, about twice as fast as the standard library.
func listZip(name string, size int64) ([]*pkgFile, io.Closer, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, nil, err
	}
	head := make([]byte, 4)
	if _, err := io.ReadFull(f, head); err != nil || !slices.ContainsFunc(zipMagic, func(m []byte) bool { return bytes.Equal(head, m) }) {
		f.Close()
		return nil, nil, fmt.Errorf("%s is neither a folder nor a zip file", name)
	}
	zr, err := zip.NewReader(f, size)
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	zr.RegisterDecompressor(zip.Deflate, func(r io.Reader) io.ReadCloser { return flate.NewReader(r) })
	var out []*pkgFile
	for _, zf := range zr.File {
		n := strings.ReplaceAll(zf.Name, `\`, "/")
		if strings.HasSuffix(n, "/") || zf.FileInfo().IsDir() || hidden(n) {
			continue
		}
		out = append(out, &pkgFile{name: n, size: int64(zf.UncompressedSize64), open: zf.Open})
	}
	return out, f, nil
}
