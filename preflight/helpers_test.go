package preflight_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/rosterd/rosterd/internal/codec"
	"github.com/rosterd/rosterd/roster"
)

// memCommitted is an in-memory committed roster. ForEach walks IDs in byte
// order, as bbolt does, and hands out id and data in buffers the next call
// overwrites, so a caller that keeps them past the call sees garbage, as it
// would with bbolt.
type memCommitted struct {
	recs   map[roster.Kind]map[string][]byte
	sorted map[roster.Kind][]string // IDs in order, rebuilt after a put
}

func newMemCommitted() *memCommitted {
	return &memCommitted{recs: map[roster.Kind]map[string][]byte{}, sorted: map[roster.Kind][]string{}}
}

func (m *memCommitted) Get(kind roster.Kind, id string) []byte { return m.recs[kind][id] }

func (m *memCommitted) ForEach(kind roster.Kind, fn func(id, data []byte) error) error {
	ids, ok := m.sorted[kind]
	if !ok {
		for id := range m.recs[kind] {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		m.sorted[kind] = ids
	}
	var idBuf, dataBuf []byte
	for _, id := range ids {
		idBuf = append(idBuf[:0], id...)
		dataBuf = append(dataBuf[:0], m.recs[kind][id]...)
		if err := fn(idBuf, dataBuf); err != nil {
			return err
		}
	}
	return nil
}

// putRaw stores data under kind and id as it is.
func (m *memCommitted) putRaw(kind roster.Kind, id string, data []byte) {
	if m.recs[kind] == nil {
		m.recs[kind] = make(map[string][]byte)
	}
	m.recs[kind][id] = data
	delete(m.sorted, kind)
}

// put encodes rec and stores it under kind.
func (m *memCommitted) put(tb testing.TB, kind roster.Kind, id string, rec any) {
	tb.Helper()
	data, err := codec.Marshal(rec)
	if err != nil {
		tb.Fatal(err)
	}
	m.putRaw(kind, id, data)
}

// commit stores every record of r, as a successful run would have.
func commit(tb testing.TB, r *roster.Roster) *memCommitted {
	tb.Helper()
	m := newMemCommitted()
	for i := range r.Districts {
		m.put(tb, roster.KindDistricts, r.Districts[i].ID, &r.Districts[i])
	}
	for i := range r.Schools {
		m.put(tb, roster.KindSchools, r.Schools[i].ID, &r.Schools[i])
	}
	for i := range r.Terms {
		m.put(tb, roster.KindTerms, r.Terms[i].ID, &r.Terms[i])
	}
	for i := range r.Courses {
		m.put(tb, roster.KindCourses, r.Courses[i].ID, &r.Courses[i])
	}
	for i := range r.Sections {
		m.put(tb, roster.KindSections, r.Sections[i].ID, &r.Sections[i])
	}
	for i := range r.Users {
		m.put(tb, roster.KindUsers, r.Users[i].ID, &r.Users[i])
	}
	return m
}

// failingCommitted is a store whose reads of one kind fail, as a bbolt
// file on a failing disk would.
type failingCommitted struct {
	*memCommitted
	kind roster.Kind
	err  error
}

func (f failingCommitted) ForEach(kind roster.Kind, fn func(id, data []byte) error) error {
	if kind == f.kind {
		return f.err
	}
	return f.memCommitted.ForEach(kind, fn)
}

var errDisk = errors.New("input/output error")

// cleanRoster returns a small roster that passes every check with the
// default options: one of each entity, all references resolved.
func cleanRoster() *roster.Roster {
	return &roster.Roster{
		Districts: []roster.District{{ID: "d1", Name: "Demo District"}},
		Schools:   []roster.School{{ID: "s1", District: "d1", Name: "North High", SISID: "sis-s1"}},
		Terms:     []roster.Term{{ID: "t1", Name: "2025-2026"}},
		Courses:   []roster.Course{{ID: "c1", Name: "Algebra I"}},
		Sections: []roster.Section{{
			ID: "x1", School: "s1", Course: "c1", Term: "t1", Name: "Algebra I - 1", SISID: "sis-x1",
			Teachers: []string{"tch1"}, Students: []string{"stu1"},
		}},
		Users: []roster.User{
			{ID: "ct1", Name: roster.Name{Last: "Pat Doe"}, Roles: roster.Roles{Contact: &roster.Contact{
				SISID: "sis-ct1", Relationships: []roster.Relationship{{Student: "stu1", Relationship: "Parent"}},
			}}},
			{ID: "da1", Name: roster.Name{Last: "Admin"}, Roles: roster.Roles{DistrictAdmin: &roster.DistrictAdmin{}}},
			{ID: "stf1", Name: roster.Name{Last: "Lee"}, Roles: roster.Roles{Staff: &roster.Staff{
				StaffID: "sis-stf1", Schools: []string{"s1"},
			}}},
			{ID: "stu1", Name: roster.Name{First: "Ana", Last: "Diaz"}, Roles: roster.Roles{Student: &roster.Student{
				SISID: "sis-stu1", School: "s1", Schools: []string{"s1"},
			}}},
			{ID: "tch1", Name: roster.Name{First: "Sam", Last: "Kim"}, Roles: roster.Roles{Teacher: &roster.Teacher{
				SISID: "sis-tch1", School: "s1", Schools: []string{"s1"},
			}}},
		},
	}
}

// user returns the user id of r, for a test to edit.
func user(tb testing.TB, r *roster.Roster, id string) *roster.User {
	tb.Helper()
	for i := range r.Users {
		if r.Users[i].ID == id {
			return &r.Users[i]
		}
	}
	tb.Fatalf("no user %q", id)
	return nil
}

// fixturesDir returns the shared fixtures folder next to the repository,
// skipping the test when it is absent (a checkout without the fixtures).
func fixturesDir(tb testing.TB, sub ...string) string {
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
			tb.Skip("repository root not found")
		}
		dir = parent
	}
	fixtures := filepath.Join(append([]string{dir, "..", "shared", "fixtures"}, sub...)...)
	if _, err := os.Stat(fixtures); err != nil {
		tb.Skipf("fixtures not available: %v", err)
	}
	return fixtures
}
