package clevercsv_test

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/rosterd/rosterd/clevercsv"
	"github.com/rosterd/rosterd/roster"
)

// minimalFiles is the smallest valid package: one school, student,
// teacher, section and enrollment.
var minimalFiles = map[string]string{
	"schools.csv":     "School_id,School_name\nS1,One\n",
	"students.csv":    "School_id,Student_id,First_name,Last_name\nS1,100,Ann,Lee\n",
	"teachers.csv":    "School_id,Teacher_id,First_name,Last_name\nS1,7,Tom,Ray\n",
	"sections.csv":    "School_id,Section_id,Teacher_id\nS1,50,7\n",
	"enrollments.csv": "School_id,Section_id,Student_id\nS1,50,100\n",
}

// pkg returns the minimal package with files replaced (or, for an empty
// content, removed) and added.
func pkg(files map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{}
	for name, body := range minimalFiles {
		fsys[name] = &fstest.MapFile{Data: []byte(body)}
	}
	for name, body := range files {
		if body == "" {
			delete(fsys, name)
			continue
		}
		fsys[name] = &fstest.MapFile{Data: []byte(body)}
	}
	return fsys
}

// mustRead reads fsys, failing the test on any error.
func mustRead(t *testing.T, fsys fstest.MapFS) *roster.Roster {
	t.Helper()
	r, err := clevercsv.ReadFS(fsys)
	if err != nil {
		t.Fatalf("ReadFS: %v", err)
	}
	return r
}

// fileErrors reads fsys, which must be refused, and returns its errors.
func fileErrors(t *testing.T, fsys fstest.MapFS) []*clevercsv.FileError {
	t.Helper()
	r, err := clevercsv.ReadFS(fsys)
	if err == nil {
		t.Fatal("ReadFS accepted the package")
	}
	if r != nil {
		t.Error("ReadFS returned a roster with its error")
	}
	var e *clevercsv.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not a *clevercsv.Error", err, err)
	}
	return e.Errors
}

func user(t *testing.T, r *roster.Roster, id string) *roster.User {
	t.Helper()
	for i := range r.Users {
		if r.Users[i].ID == id {
			return &r.Users[i]
		}
	}
	t.Fatalf("no user %s", id)
	return nil
}

func section(t *testing.T, r *roster.Roster, id string) *roster.Section {
	t.Helper()
	for i := range r.Sections {
		if r.Sections[i].ID == id {
			return &r.Sections[i]
		}
	}
	t.Fatalf("no section %s", id)
	return nil
}

func contains(s, sub string) bool { return sub != "" && strings.Contains(s, sub) }
