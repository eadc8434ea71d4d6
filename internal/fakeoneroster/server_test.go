package fakeoneroster_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rosterd/rosterd/internal/fakeoneroster"
	"github.com/rosterd/rosterd/roster"
)

// Ensure every collection answers under both trees with the envelope key
// the specification names, and its single-object form with the singular.
func TestEndpoints_Envelopes(t *testing.T) {
	r := fullRoster()
	_, ts := startServer(t, fakeoneroster.FromRoster(r), fakeoneroster.Options{})
	tests := []struct {
		path, plural, singular string
		want                   []string
	}{
		{"/orgs", "orgs", "org", []string{"d1", "s1", "s2"}},
		{"/schools", "orgs", "org", []string{"s1", "s2"}},
		{"/academicSessions", "academicSessions", "academicSession", []string{"t1"}},
		{"/terms", "academicSessions", "academicSession", []string{"t1"}},
		{"/courses", "courses", "course", []string{"c1"}},
		{"/classes", "classes", "class", []string{"x1", "x2"}},
		{"/users", "users", "user", []string{"u1", "u2", "u3", "u4", "u5"}},
		{"/students", "users", "user", []string{"u1"}},
		{"/teachers", "users", "user", []string{"u2", "u4"}},
		{"/enrollments", "enrollments", "enrollment", []string{"x1-student-u1", "x1-teacher-u2", "x1-teacher-u4", "x2-student-u1", "x2-teacher-u4"}},
		{"/demographics", "demographics", "demographics", []string{"u1"}},
	}
	for _, tree := range []string{v11, v12} {
		for _, tt := range tests {
			page := getJSON(t, ts, tree+tt.path)
			if len(page) != 1 {
				t.Errorf("%s%s: envelope keys %v, want only %q", tree, tt.path, keys(page), tt.plural)
			}
			if diff := cmp.Diff(tt.want, ids(t, page, tt.plural)); diff != "" {
				t.Errorf("%s%s mismatch (-want +got):\n%s", tree, tt.path, diff)
			}
			for _, id := range tt.want {
				one := getJSON(t, ts, tree+tt.path+"/"+id)
				obj, ok := one[tt.singular].(map[string]any)
				if !ok || len(one) != 1 || obj["sourcedId"] != id {
					t.Errorf("%s%s/%s: got keys %v, want one %q with sourcedId %s", tree, tt.path, id, keys(one), tt.singular, id)
				}
			}
		}
	}
}

// Ensure a single-object path answers only for records of its endpoint:
// a district is no school, a teacher no student.
func TestEndpoints_NotFound(t *testing.T) {
	_, ts := startServer(t, fakeoneroster.FromRoster(fullRoster()), fakeoneroster.Options{})
	for _, tree := range []struct {
		path string
		v    fakeoneroster.Version
	}{{v11, fakeoneroster.V1p1}, {v12, fakeoneroster.V1p2}} {
		for _, p := range []string{
			"/users/nobody", "/schools/d1", "/students/u2", "/teachers/u1", "/demographics/u2", "/classes/x9",
			"/schools/d1/classes", "/classes/x9/students", "/students/u2/classes", "/gradebook", "/users/u1/orgs",
			"/users/", "/classes/x1/students/u1",
		} {
			resp, body := get(t, ts, tree.path+p)
			if resp.StatusCode != http.StatusNotFound {
				t.Errorf("GET %s%s: status %d, want 404", tree.path, p, resp.StatusCode)
				continue
			}
			if got := codeMinor(t, tree.v, body); got != fakeoneroster.CodeUnknownObject {
				t.Errorf("GET %s%s: codeMinor %q", tree.path, p, got)
			}
		}
	}
	resp, _ := get(t, ts, "/ims/oneroster/v1p0/users")
	if resp.StatusCode != http.StatusNotFound || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Errorf("path outside the trees: status %d, Content-Type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}

// Ensure the nested collections list the classes of a school and of a
// user, and the students and teachers of a class.
func TestEndpoints_Nested(t *testing.T) {
	_, ts := startServer(t, fakeoneroster.FromRoster(fullRoster()), fakeoneroster.Options{})
	tests := []struct {
		path, key string
		want      []string
	}{
		{"/schools/s1/classes", "classes", []string{"x1"}},
		{"/schools/s2/classes", "classes", []string{"x2"}},
		{"/classes/x1/students", "users", []string{"u1"}},
		{"/classes/x1/teachers", "users", []string{"u2", "u4"}},
		{"/classes/x2/teachers", "users", []string{"u4"}},
		{"/students/u1/classes", "classes", []string{"x1", "x2"}},
		{"/teachers/u4/classes", "classes", []string{"x1", "x2"}},
		{"/users/u2/classes", "classes", []string{"x1"}},
		{"/users/u3/classes", "classes", []string{}},
	}
	for _, tree := range []string{v11, v12} {
		for _, tt := range tests {
			if diff := cmp.Diff(tt.want, listIDs(t, ts, tree+tt.path, tt.key)); diff != "" {
				t.Errorf("%s%s mismatch (-want +got):\n%s", tree, tt.path, diff)
			}
		}
	}
	// Nested collections page and filter like the others.
	resp, body := get(t, ts, v12+"/classes/x1/teachers?limit=1&offset=1")
	if got := ids(t, decode(t, body), "users"); !cmp.Equal(got, []string{"u4"}) || resp.Header.Get("X-Total-Count") != "2" {
		t.Errorf("second page of x1's teachers: %v, X-Total-Count %q", got, resp.Header.Get("X-Total-Count"))
	}
	if got := listIDs(t, ts, v12+"/classes/x1/teachers?filter="+q("givenName='Ada'"), "users"); !cmp.Equal(got, []string{"u4"}) {
		t.Errorf("filtered teachers of x1: %v", got)
	}
}

// Ensure hrefs are absolute URLs of the tree and host the request
// reached.
func TestEndpoints_Hrefs(t *testing.T) {
	_, ts := startServer(t, fakeoneroster.FromRoster(fullRoster()), fakeoneroster.Options{})
	for _, tree := range []string{v11, v12} {
		c := getJSON(t, ts, tree+"/classes/x1")["class"].(map[string]any)
		if got, want := c["school"].(map[string]any)["href"], ts.URL+tree+"/orgs/s1"; got != want {
			t.Errorf("%s: school href %v, want %s", tree, got, want)
		}
		req, _ := http.NewRequest(http.MethodGet, ts.URL+tree+"/classes/x1", nil)
		req.Host = "roster.example.org"
		req.Header.Set("Authorization", "Bearer "+testToken)
		_, body := do(t, ts, req)
		if want := "http://roster.example.org" + tree + "/courses/c1"; !strings.Contains(string(body), want) {
			t.Errorf("%s: body for Host roster.example.org lacks %s: %s", tree, want, body)
		}
	}
}

// Ensure the trees are read-only.
func TestEndpoints_MethodNotAllowed(t *testing.T) {
	_, ts := startServer(t, fakeoneroster.FromRoster(fullRoster()), fakeoneroster.Options{})
	req, _ := http.NewRequest(http.MethodDelete, ts.URL+v12+"/users/u1", nil)
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp, _ := do(t, ts, req)
	if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "GET" {
		t.Errorf("DELETE: status %d, Allow %q", resp.StatusCode, resp.Header.Get("Allow"))
	}
}

// Ensure SetDataset changes what later requests see, as a district
// changing mid-crawl: the total moves and the next page shifts.
func TestServer_SetDataset(t *testing.T) {
	r := fullRoster()
	fake, ts := startServer(t, fakeoneroster.FromRoster(r), fakeoneroster.Options{})
	first := getJSON(t, ts, v12+"/users?limit=2")
	if diff := cmp.Diff([]string{"u1", "u2"}, ids(t, first, "users")); diff != "" {
		t.Fatalf("first page (-want +got):\n%s", diff)
	}
	// u0 joins and sorts first: offset paging now repeats u2.
	changed := fullRoster()
	changed.Users = append(changed.Users, roster.User{ID: "u0", Name: roster.Name{First: "New", Last: "Kid"},
		Roles: roster.Roles{Student: &roster.Student{School: "s1"}}})
	fake.SetDataset(fakeoneroster.FromRoster(changed))
	resp, body := get(t, ts, v12+"/users?limit=2&offset=2")
	if diff := cmp.Diff([]string{"u2", "u3"}, ids(t, decode(t, body), "users")); diff != "" {
		t.Errorf("second page after the change (-want +got):\n%s", diff)
	}
	if got := resp.Header.Get("X-Total-Count"); got != "6" {
		t.Errorf("X-Total-Count after the change = %s, want 6", got)
	}
}

// Ensure the request log keeps every request with its status, size and
// credential, and ResetRequests empties it.
func TestServer_Requests(t *testing.T) {
	fake, ts := startServer(t, fakeoneroster.FromRoster(fullRoster()), fakeoneroster.Options{})
	_, body := get(t, ts, v12+"/users?limit=1")
	getWith(t, ts, v11+"/orgs", "")
	want := []fakeoneroster.Request{
		{Method: "GET", Path: v12 + "/users?limit=1", Status: 200, Bytes: len(body), Auth: "bearer"},
		{Method: "GET", Path: v11 + "/orgs", Status: 401, Bytes: fake.Requests()[1].Bytes},
	}
	if diff := cmp.Diff(want, fake.Requests()); diff != "" {
		t.Errorf("request log (-want +got):\n%s", diff)
	}
	fake.ResetRequests()
	if n := len(fake.Requests()); n != 0 {
		t.Errorf("%d requests after ResetRequests", n)
	}
}

func TestNewServer_Panics(t *testing.T) {
	d := fakeoneroster.FromRoster(fullRoster())
	for name, opts := range map[string]fakeoneroster.Options{
		"NoCredential":    {},
		"UnknownSigning":  {ConsumerKey: "k", SignatureMethod: "RSA-SHA1"},
		"PlaintextSigner": {ConsumerKey: "k", SignatureMethod: "PLAINTEXT"},
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("NewServer accepted the options")
				}
			}()
			fakeoneroster.NewServer(d, opts)
		})
	}
}

// Ensure a sourcedId with characters a path must escape ("/", space) is
// served at its escaped path and linked to by an escaped href.
func TestEndpoints_EscapedIDs(t *testing.T) {
	r := fullRoster()
	r.Schools[1].ID = "s 2/b"
	r.Sections[1].School = "s 2/b"
	_, ts := startServer(t, fakeoneroster.FromRoster(r), fakeoneroster.Options{})
	school := getJSON(t, ts, v12+"/schools/s%202%2Fb")["org"].(map[string]any)
	if school["sourcedId"] != "s 2/b" {
		t.Errorf("school sourcedId %v", school["sourcedId"])
	}
	c := getJSON(t, ts, v12+"/classes/x2")["class"].(map[string]any)
	if got, want := c["school"].(map[string]any)["href"], ts.URL+v12+"/orgs/s%202%2Fb"; got != want {
		t.Errorf("href %v, want %s", got, want)
	}
	if got := listIDs(t, ts, v12+"/schools/s%202%2Fb/classes", "classes"); !cmp.Equal(got, []string{"x2"}) {
		t.Errorf("classes of the escaped school: %v", got)
	}
}
