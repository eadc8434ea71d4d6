package roster_test

import (
	stdjson "encoding/json"
	"testing"
	"unsafe"

	"github.com/google/go-cmp/cmp"
	"github.com/rosterd/rosterd/roster"
)

func TestRoster_Count(t *testing.T) {
	r := roster.Roster{
		Districts: []roster.District{{ID: "d"}},
		Schools:   []roster.School{{ID: "s1"}, {ID: "s2"}},
		Sections:  []roster.Section{{ID: "x"}},
		Users: []roster.User{
			{ID: "a", Roles: roster.Roles{Student: &roster.Student{}}},
			{ID: "b", Roles: roster.Roles{Teacher: &roster.Teacher{}, Staff: &roster.Staff{}}},
			{ID: "c", Roles: roster.Roles{Contact: &roster.Contact{}}},
		},
	}
	want := map[roster.Entity]int{
		roster.EntityDistrict: 1, roster.EntitySchool: 2, roster.EntityTerm: 0, roster.EntityCourse: 0,
		roster.EntitySection: 1, roster.EntityStudent: 1, roster.EntityTeacher: 1, roster.EntityStaff: 1,
		roster.EntityContact: 1,
	}
	if diff := cmp.Diff(want, r.Count()); diff != "" {
		t.Errorf("Count mismatch (-want +got):\n%s", diff)
	}
}

func TestUser_Schools(t *testing.T) {
	u := roster.User{Roles: roster.Roles{
		Teacher: &roster.Teacher{School: "s2", Schools: []string{"s1", "s2"}},
		Staff:   &roster.Staff{Schools: []string{"s3", "s1"}},
	}}
	if diff := cmp.Diff([]string{"s2", "s1", "s3"}, u.Schools()); diff != "" {
		t.Errorf("Schools mismatch (-want +got):\n%s", diff)
	}
	if got := u.PrimaryRole(); got != roster.RoleTeacher {
		t.Errorf("PrimaryRole = %q", got)
	}
}

func TestInterner(t *testing.T) {
	var in roster.Interner
	a := in.Bytes([]byte("5a25ff950a5f621109000004"))
	b := in.String(string([]byte("5a25ff950a5f621109000004")))
	if a != b || in.Len() != 1 {
		t.Fatalf("interned %q and %q, %d entries", a, b, in.Len())
	}
	if unsafeData(a) != unsafeData(b) {
		t.Error("equal strings do not share storage")
	}
	if in.String("") != "" || in.Len() != 1 {
		t.Error("empty string was interned")
	}
}

func TestInterner_List(t *testing.T) {
	var in roster.Interner
	a := in.List([]string{string([]byte("s1"))})
	b := in.List([]string{string([]byte("s1"))})
	if diff := cmp.Diff([]string{"s1"}, a); diff != "" {
		t.Fatalf("List mismatch (-want +got):\n%s", diff)
	}
	if &a[0] != &b[0] {
		t.Error("equal one-school lists do not share one slice")
	}
	if cap(a) != 1 {
		t.Errorf("a shared list has capacity %d, so an append could write into it", cap(a))
	}
	grown := append(a, "s2")
	grown[0] = "changed"
	if b[0] != "s1" {
		t.Errorf("writing to an appended copy changed the shared list to %q", b[0])
	}

	two := []string{string([]byte("s1")), string([]byte("s3"))}
	got := in.List(two)
	if &got[0] != &two[0] {
		t.Error("a list of two was copied, not interned in place")
	}
	if unsafeData(got[0]) != unsafeData(a[0]) {
		t.Error("a list of two does not share its strings with the interned ones")
	}
	if in.List(nil) != nil {
		t.Error("List(nil) is not nil")
	}
}

func TestExt_Get(t *testing.T) {
	x := roster.ExtOf(map[string]stdjson.RawMessage{"s": []byte(`"Y"`), "n": []byte(`3`), "null": []byte(`null`), "obj": []byte(`{"a":1}`)})
	for _, tt := range []struct {
		key  string
		want string
		ok   bool
	}{
		{"s", "Y", true}, {"n", "3", true}, {"null", "", false}, {"obj", `{"a":1}`, true}, {"nope", "", false},
	} {
		got, ok := x.Get(tt.key)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Get(%q) = %q, %v; want %q, %v", tt.key, got, ok, tt.want, tt.ok)
		}
	}
}

func unsafeData(s string) *byte { return unsafe.StringData(s) }
