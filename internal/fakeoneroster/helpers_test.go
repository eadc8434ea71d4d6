package fakeoneroster_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rosterd/rosterd/internal/fakeoneroster"
	"github.com/rosterd/rosterd/internal/synth"
	"github.com/rosterd/rosterd/roster"
)

const testToken = "static-token-for-tests"

// Paths of the two trees, for brevity.
const (
	v11 = fakeoneroster.BasePathV1p1
	v12 = fakeoneroster.BasePathV1p2
)

// startServer serves d over a real loopback HTTP server. Unless opts says
// otherwise, both trees accept the static bearer token testToken.
func startServer(t testing.TB, d *fakeoneroster.Dataset, opts fakeoneroster.Options) (*fakeoneroster.Server, *httptest.Server) {
	t.Helper()
	if opts.ConsumerKey == "" && opts.ClientID == "" && opts.BearerToken == "" {
		opts.BearerToken = testToken
	}
	fake := fakeoneroster.NewServer(d, opts)
	ts := httptest.NewServer(fake)
	t.Cleanup(ts.Close)
	return fake, ts
}

// get requests path with the test bearer token and returns the response
// with its body read.
func get(t testing.TB, ts *httptest.Server, path string) (*http.Response, []byte) {
	t.Helper()
	return getWith(t, ts, path, "Bearer "+testToken)
}

func getWith(t testing.TB, ts *httptest.Server, path, authorization string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, ts.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	return do(t, ts, req)
}

func do(t testing.TB, ts *httptest.Server, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", req.Method, req.URL, err)
	}
	return resp, body
}

// getJSON requests path, fails the test unless it is a 200, and decodes
// the body.
func getJSON(t testing.TB, ts *httptest.Server, path string) map[string]any {
	t.Helper()
	resp, body := get(t, ts, path)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d: %s", path, resp.StatusCode, body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("GET %s: Content-Type %q", path, ct)
	}
	return decode(t, body)
}

func decode(t testing.TB, body []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("decode %q: %v", body, err)
	}
	return m
}

// ids returns the sourcedIds of the objects in the collection envelope
// key of page.
func ids(t testing.TB, page map[string]any, key string) []string {
	t.Helper()
	list, ok := page[key].([]any)
	if !ok {
		t.Fatalf("page has no %q array: keys %v", key, keys(page))
	}
	out := []string{}
	for _, x := range list {
		out = append(out, x.(map[string]any)["sourcedId"].(string))
	}
	return out
}

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// listIDs fetches path (a collection) with a limit large enough for all
// of it and returns the sourcedIds under key.
func listIDs(t testing.TB, ts *httptest.Server, path, key string) []string {
	t.Helper()
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return ids(t, getJSON(t, ts, path+sep+"limit=100000"), key)
}

// codeMinor returns the imsx codeMinor of an error body of version v.
func codeMinor(t testing.TB, v fakeoneroster.Version, body []byte) string {
	t.Helper()
	m := decode(t, body)
	info := m
	if v == fakeoneroster.V1p1 {
		set, ok := m["statusInfoSet"].([]any)
		if !ok || len(set) != 1 {
			t.Fatalf("1.1 error body has no statusInfoSet of one: %s", body)
		}
		info = set[0].(map[string]any)
	}
	if info["imsx_codeMajor"] != "failure" || info["imsx_severity"] != "error" {
		t.Errorf("error body %s: codeMajor/severity not failure/error", body)
	}
	fields, _ := info["imsx_CodeMinor"].(map[string]any)["imsx_codeMinorField"].([]any)
	if len(fields) != 1 {
		t.Fatalf("error body %s: no codeMinor field", body)
	}
	return fields[0].(map[string]any)["imsx_codeMinorFieldValue"].(string)
}

// fixturesDir returns the shared fixtures folder, which sits next to the
// repository root, or skips the test when it is absent.
func fixturesDir(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("repository root not found")
		}
		dir = parent
	}
	fixtures := filepath.Join(dir, "..", "shared", "fixtures")
	if _, err := os.Stat(fixtures); err != nil {
		t.Skipf("shared fixtures not available: %v", err)
	}
	return fixtures
}

// synthRoster generates the named synth profile.
func synthRoster(t testing.TB, name string) *roster.Roster {
	t.Helper()
	p, ok := synth.ProfileByName(name)
	if !ok {
		t.Fatalf("no synth profile %q", name)
	}
	r, _ := synth.Generate(p)
	return r
}

// modified is the LastModified of fullRoster's records: nanoseconds and a
// zone other than UTC, which the wire format drops.
var modified = time.Date(2023, 4, 23, 12, 7, 31, 465_987_654, time.FixedZone("EDT", -4*3600))

// fullRoster sets every field of the domain model, with two schools, a
// user holding every role but student and contact, and contacts.
func fullRoster() *roster.Roster {
	return &roster.Roster{
		Districts: []roster.District{{
			ID: "d1", Name: "#DEMO ISD", SISType: "sftp", NCESID: "3600001", StateID: "NY-1",
			Ext: roster.ExtOf(map[string]json.RawMessage{"region": json.RawMessage(`"north"`)}), LastModified: modified,
		}},
		Schools: []roster.School{
			{
				ID: "s1", District: "d1", Name: "Pineapple Elementary School", SISID: "13K123", SchoolNumber: "123",
				StateID: "30890", NCESID: "360000101", LowGrade: "TransitionalKindergarten", HighGrade: "5",
				Phone:   "(718) 555-4567",
				Address: roster.Address{Street: "110 Pineapple Street", City: "Brooklyn", State: "NY", Zip: "11201"},
				Ext:     roster.ExtOf(map[string]json.RawMessage{"charter_school": json.RawMessage(`"N"`)}), LastModified: modified,
			},
			{ID: "s2", District: "d1", Name: "Orange High School", SISID: "13K456", LastModified: modified},
		},
		Terms: []roster.Term{{
			ID: "t1", District: "d1", Name: "S1", SISID: "T-S1",
			StartDate: roster.MustDate("2012-08-01"), EndDate: roster.MustDate("2012-12-01"), LastModified: modified,
		}},
		Courses: []roster.Course{{
			ID: "c1", District: "d1", Name: "Class 001, Homeroom", Number: "1", SISID: "C-1", Subject: "homeroom/advisory",
			LastModified: modified,
		}},
		Sections: []roster.Section{
			{
				ID: "x1", District: "d1", School: "s1", Course: "c1", Term: "t1", Name: "Sixth Grade Advisory - Madison - 4",
				SISID: "587", SectionNumber: "2", Subject: "homeroom/advisory", Grade: "6", Period: "4",
				Teachers: []string{"u2", "u4"}, Students: []string{"u1"},
				Ext: roster.ExtOf(map[string]json.RawMessage{"classroom": json.RawMessage(`"A1"`)}), LastModified: modified,
			},
			{
				ID: "x2", District: "d1", School: "s2", Course: "c1", Term: "t1", Name: "Algebra", Subject: "math",
				Grade: "Kindergarten", Teachers: []string{"u4"}, Students: []string{"u1"}, LastModified: modified,
			},
		},
		Users: []roster.User{
			{
				ID: "u1", District: "d1", Name: roster.Name{First: "James", Middle: "H", Last: "Spencer"},
				Email: "james.s@example.com", LastModified: modified,
				Roles: roster.Roles{Student: &roster.Student{
					Demographics: &roster.Demographics{Gender: "X", GraduationYear: "2016", Race: "Asian", HispanicEthnicity: "Y", ELLStatus: "N", HomeLanguage: "English"},
					SISID:        "233564109", StudentNumber: "233564110", StateID: "197500067", Username: "jamess09",
					Grade: "9", School: "s1", Schools: []string{"s1", "s2"}, DOB: roster.MustDate("1998-01-06"),
					Programs: &roster.Programs{IEPStatus: "Y", Section504Status: "N", FRLStatus: "Free", GiftedStatus: "Y"},
					Ext:      roster.ExtOf(map[string]json.RawMessage{"consent": json.RawMessage(`true`), "houses": json.RawMessage(`["red", "blue"]`)}),
				}},
			},
			{
				ID: "u2", District: "d1", Name: roster.Name{First: "Braeden", Middle: "L", Last: "Glover"},
				Email: "braeden_glover@example.net", LastModified: modified,
				Roles: roster.Roles{
					Teacher: &roster.Teacher{
						SISID: "47", TeacherNumber: "230186", StateID: "751884748", Username: "braeden.glover",
						Title: "Grade 9 English Teacher", School: "s1", Schools: []string{"s1", "s2"},
						Ext: roster.ExtOf(map[string]json.RawMessage{"room": json.RawMessage(`"B2"`)}),
					},
					Staff: &roster.Staff{
						StaffID: "S47", Username: "bglover", Title: "Coach", Department: "Athletics",
						Schools: []string{"s2"}, Ext: roster.ExtOf(map[string]json.RawMessage{"badge": json.RawMessage(`12`)}),
					},
					DistrictAdmin: &roster.DistrictAdmin{Title: "Curriculum Lead"},
				},
			},
			{
				ID: "u3", District: "d1", Name: roster.Name{Last: "Aaron Berge"}, Email: "aaron.berge@example.com",
				LastModified: modified,
				Roles: roster.Roles{Contact: &roster.Contact{
					SISID: "P-3", Phone: "(555) 555-0100", PhoneType: "Cell",
					Relationships: []roster.Relationship{{Student: "u1", Relationship: "Parent", Type: "Parent/Guardian"}},
				}},
			},
			{
				ID: "u4", District: "d1", Name: roster.Name{First: "Ada", Last: "King"},
				Roles: roster.Roles{Teacher: &roster.Teacher{SISID: "48", School: "s2", Schools: []string{"s2"}}},
			},
			{
				ID: "u5", District: "d1", Name: roster.Name{Last: "Pat Doe"},
				Roles: roster.Roles{Contact: &roster.Contact{
					Relationships: []roster.Relationship{{Student: "u1", Relationship: "Aunt/Uncle", Type: "Emergency"}},
				}},
			},
		},
	}
}

// q escapes a filter value for a query string.
func q(filter string) string { return url.QueryEscape(filter) }
