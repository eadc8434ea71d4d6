package clever

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"unsafe"

	"github.com/google/go-cmp/cmp"
	"github.com/rosterd/rosterd/internal/fakeclever"
	"github.com/rosterd/rosterd/internal/synth"
	"github.com/rosterd/rosterd/roster"
)

// usersPageBody returns the first page of n users the fake Clever serves
// for the small synthetic district.
func usersPageBody(t *testing.T, n int) []byte {
	t.Helper()
	profile, _ := synth.ProfileByName("small")
	generated, _ := synth.Generate(profile)
	srv := httptest.NewServer(fakeclever.NewServer(fakeclever.FromRoster(generated), fakeclever.Options{Token: "t", RateLimit: -1}))
	defer srv.Close()
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/v3.0/users?role=student&limit="+strconv.Itoa(n), nil)
	req.Header.Set("Authorization", "Bearer t")
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET users: %d %v", resp.StatusCode, err)
	}
	return body
}

// Ensure the fast decoder keeps the strings a roster holds on to (IDs,
// names, emails) together in a few large allocations, not one each: an
// XL district's users made 10M of them, and their rounding to size
// classes was about 45 MB of the fetched roster.
func TestFastDecode_KeepsStringsTogether(t *testing.T) {
	const users = 1000
	body := usersPageBody(t, users)
	var p page[User]
	allocs := testing.AllocsPerRun(5, func() {
		if !decodeFast(body, &p) {
			t.Fatal("page declined")
		}
	})
	if len(p.Data.list) != users {
		t.Fatalf("decoded %d users, want %d", len(p.Data.list), users)
	}
	t.Logf("%.1f allocations per user", allocs/users)
	if perUser := allocs / users; perUser > 6 {
		t.Errorf("decoding made %.1f allocations per user, want at most 6", perUser)
	}
	a, b := p.Data.list[0], p.Data.list[1]
	far := func(x, y string) bool {
		d := uintptr(unsafe.Pointer(unsafe.StringData(x))) - uintptr(unsafe.Pointer(unsafe.StringData(y)))
		return d > textChunk && -d > textChunk
	}
	if far(a.ID, b.ID) || far(a.Name.First, a.Name.Last) {
		t.Errorf("two users' IDs, or one user's first and last names, are in allocations of their own")
	}
}

// Ensure a user's list of schools does not keep the decoder's memory it
// was read into: a list of one is the shared one, and a longer one a copy.
func TestInternAll_LeavesTheDecodersChunk(t *testing.T) {
	m := newMapper(&roster.Roster{})
	chunk := []string{"s1", "", "s2", "s3"} // as scanner.strings leaves them
	one := m.internAll(chunk[0:2])
	two := m.internAll(chunk[2:4])
	chunk[0], chunk[2], chunk[3] = "overwritten", "overwritten", "overwritten"
	if diff := cmp.Diff([]string{"s1"}, one); diff != "" {
		t.Errorf("one school (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"s2", "s3"}, two); diff != "" {
		t.Errorf("two schools (-want +got):\n%s", diff)
	}
	if got := m.internAll(chunk[1:2]); got != nil {
		t.Errorf("a list of only an empty ID = %q, want nil", got)
	}
}

// Ensure the mapping takes students from slabs, not one allocation each.
func TestMapper_StudentsFromSlabs(t *testing.T) {
	m := newMapper(&roster.Roster{})
	var prev *roster.Student
	for i := range 3 * studentSlab {
		s := (&StudentRole{SISID: strconv.Itoa(i)}).toRoster(m, record{entity: roster.EntityStudent, id: strconv.Itoa(i)}, "")
		if s.SISID != strconv.Itoa(i) {
			t.Fatalf("student %d has SIS ID %q", i, s.SISID)
		}
		if prev != nil && i%studentSlab != 0 {
			if gap := uintptr(unsafe.Pointer(s)) - uintptr(unsafe.Pointer(prev)); gap != unsafe.Sizeof(roster.Student{}) {
				t.Fatalf("student %d is %d bytes after the one before, not next to it", i, gap)
			}
		}
		prev = s
	}
	if got := testing.AllocsPerRun(100, func() { m.newStudent() }); got > 0.1 {
		t.Errorf("newStudent allocates %.2f times a student", got)
	}
}
