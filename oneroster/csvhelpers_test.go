package oneroster_test

import (
	"archive/zip"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/rosterd/rosterd/internal/csvexport"
	"github.com/rosterd/rosterd/oneroster"
)

// orFixtures returns the shared OneRoster fixtures folder joined with
// parts, next to the repository root (the folder holding go.mod), and
// skips the test when it is absent: the fixtures are not part of the
// repository.
func orFixtures(tb testing.TB, parts ...string) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Skip("no go.mod above the test directory; fixtures unavailable")
		}
		dir = parent
	}
	path := filepath.Join(append([]string{dir, "..", "shared", "fixtures", "oneroster"}, parts...)...)
	if _, err := os.Stat(path); err != nil {
		tb.Skipf("fixtures not available: %v", err)
	}
	return path
}

// pkgFolder writes files (names may hold one folder) into a new folder and
// returns it.
func pkgFolder(tb testing.TB, files map[string]string) string {
	tb.Helper()
	dir := tb.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	return dir
}

// pkgZip writes files into a new deflated zip, in name order, and returns
// its path.
func pkgZip(tb testing.TB, files map[string]string) string {
	tb.Helper()
	p := filepath.Join(tb.TempDir(), "package.zip")
	f, err := os.Create(p)
	if err != nil {
		tb.Fatal(err)
	}
	zw := zip.NewWriter(f)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		w, err := zw.Create(n)
		if err != nil {
			tb.Fatal(err)
		}
		io.WriteString(w, files[n])
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
	return p
}

// mustReadPackage reads the package at path and fails the test on any error.
func mustReadPackage(tb testing.TB, path string) *oneroster.Package {
	tb.Helper()
	p, err := oneroster.ReadPackage(path)
	if err != nil {
		tb.Fatalf("ReadPackage: %v", err)
	}
	return p
}

// csvLines joins rows into CSV text with LF line endings; cells are written
// as given, so tests control quoting.
func csvLines(rows ...string) string { return strings.Join(rows, "\n") + "\n" }

// writeDataset writes d as the files of a 1.2 CSV package, every file in
// mode, through create (one call per file), with
// csvexport.WriteOneRosterFiles. Users' roles go to roles.csv.
func writeDataset(create func(name string) (io.Writer, error), d *oneroster.Dataset, mode oneroster.Mode) error {
	return csvexport.WriteOneRosterFiles(create, d, oneroster.Version12, mode)
}

// datasetZip writes d as a deflated 1.2 CSV package zip at path.
func datasetZip(path string, d *oneroster.Dataset, mode oneroster.Mode) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	zw := zip.NewWriter(f)
	err = writeDataset(func(name string) (io.Writer, error) { return zw.Create(name) }, d, mode)
	if cerr := zw.Close(); err == nil {
		err = cerr
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// datasetFolder writes d as a 1.2 CSV package in a new folder.
func datasetFolder(tb testing.TB, d *oneroster.Dataset, mode oneroster.Mode) string {
	tb.Helper()
	dir := tb.TempDir()
	var open []*os.File
	err := writeDataset(func(name string) (io.Writer, error) {
		f, err := os.Create(filepath.Join(dir, name))
		open = append(open, f)
		return f, err
	}, d, mode)
	for _, f := range open {
		if f != nil {
			f.Close()
		}
	}
	if err != nil {
		tb.Fatal(err)
	}
	return dir
}
