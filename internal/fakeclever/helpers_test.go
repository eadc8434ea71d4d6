package fakeclever_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/rosterd/rosterd/internal/fakeclever"
	"github.com/rosterd/rosterd/roster"
)

const testToken = "district-token-for-tests"

// startServer serves d over a real loopback HTTP server.
func startServer(t testing.TB, d *fakeclever.Dataset, opts fakeclever.Options) (*fakeclever.Server, *httptest.Server) {
	t.Helper()
	if opts.Token == "" {
		opts.Token = testToken
	}
	fake := fakeclever.NewServer(d, opts)
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
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: read body: %v", path, err)
	}
	return resp, body
}

// listPage is a list response as an independent client reads it.
type listPage struct {
	Data []struct {
		Data map[string]any `json:"data"`
		URI  string         `json:"uri"`
	} `json:"data"`
	Links []struct {
		Rel string `json:"rel"`
		URI string `json:"uri"`
	} `json:"links"`
}

func (p *listPage) link(rel string) (string, bool) {
	for _, l := range p.Links {
		if l.Rel == rel {
			return l.URI, true
		}
	}
	return "", false
}

func (p *listPage) ids() []string {
	ids := make([]string, len(p.Data))
	for i, item := range p.Data {
		ids[i], _ = item.Data["id"].(string)
	}
	return ids
}

// getPage requests a list page and fails the test unless it is a 200 JSON
// page.
func getPage(t testing.TB, ts *httptest.Server, path string) listPage {
	t.Helper()
	resp, body := get(t, ts, path)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d: %s", path, resp.StatusCode, body)
	}
	var p listPage
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatalf("GET %s: decode: %v", path, err)
	}
	return p
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

// objectID returns a 24-hex-digit ID like Clever's, ordered by n.
func objectID(kind byte, n int) string {
	return fmt.Sprintf("5a25ff%02x%016x", kind, n)
}

const testDistrict = "5a0c91b95c7cc000010d417c"

// syntheticRoster builds a district with the given number of students in
// classes of 25, one teacher per class (every tenth also staff), one
// contact per student and two district admins. Users are listed in a
// shuffled order so FromRoster has to sort them.
func syntheticRoster(students int) *roster.Roster {
	modified := time.Date(2021, 3, 2, 22, 24, 53, 347e6, time.UTC)
	r := &roster.Roster{
		Districts: []roster.District{{ID: testDistrict, Name: "#DEMO_DISTRICT", SISType: "sftp", LastModified: modified}},
	}
	schools := max(1, students/1000)
	for i := range schools {
		r.Schools = append(r.Schools, roster.School{
			ID: objectID(1, i), District: testDistrict, Name: fmt.Sprintf("School %d", i),
			SISID: fmt.Sprint(i), SchoolNumber: fmt.Sprint(i), LowGrade: "Kindergarten", HighGrade: "8",
			Address:      roster.Address{Street: "110 Pineapple Street", City: "Brooklyn", State: "NY", Zip: "11201"},
			LastModified: modified,
		})
	}
	r.Terms = []roster.Term{{ID: objectID(2, 0), District: testDistrict, Name: "Y1",
		StartDate: roster.MustDate("2025-08-15"), EndDate: roster.MustDate("2026-06-10")}}
	classes := (students + 24) / 25
	for i := range students {
		school := objectID(1, i%schools)
		r.Users = append(r.Users, roster.User{
			ID: objectID(5, i), District: testDistrict,
			Name:  roster.Name{First: "Steve", Middle: "G", Last: fmt.Sprintf("Ziemann%d", i)},
			Email: fmt.Sprintf("student%d@example.net", i),
			Roles: roster.Roles{Student: &roster.Student{
				Demographics: &roster.Demographics{Gender: "M", Race: "Black or African American", HispanicEthnicity: "Y"},
				SISID:        fmt.Sprint(100000000 + i), StudentNumber: fmt.Sprint(100000000 + i), StateID: fmt.Sprint(200000000 + i),
				Username: fmt.Sprintf("stevez%d", i), Grade: "Kindergarten", School: school, Schools: []string{school},
				DOB: roster.MustDate("2/11/2007"),
				Ext: roster.ExtOf(map[string]json.RawMessage{"gifted_status": json.RawMessage(`""`)}),
			}},
			LastModified: modified,
		})
		r.Users = append(r.Users, roster.User{
			ID: objectID(6, i), District: testDistrict, Name: roster.Name{Last: fmt.Sprintf("Parent %d", i)},
			Roles: roster.Roles{Contact: &roster.Contact{PhoneType: "Other", Relationships: []roster.Relationship{
				{Student: objectID(5, i), Relationship: "Parent", Type: "Parent/Guardian"}}}},
			LastModified: modified,
		})
	}
	for c := range classes {
		teacher := roster.User{
			ID: objectID(4, c), District: testDistrict, Name: roster.Name{First: "Braeden", Last: fmt.Sprintf("Glover%d", c)},
			Email: fmt.Sprintf("teacher%d@example.net", c),
			Roles: roster.Roles{Teacher: &roster.Teacher{SISID: fmt.Sprint(c), TeacherNumber: fmt.Sprint(230000 + c),
				Title: "Teacher", School: objectID(1, c%schools), Schools: []string{objectID(1, c%schools)}}},
			LastModified: modified,
		}
		if c%10 == 0 {
			teacher.Roles.Staff = &roster.Staff{StaffID: fmt.Sprint(c), Title: "Coach", Schools: []string{objectID(1, c%schools)}}
		}
		r.Users = append(r.Users, teacher)
		sec := roster.Section{
			ID: objectID(3, c), District: testDistrict, School: objectID(1, c%schools), Term: r.Terms[0].ID,
			Name: fmt.Sprintf("Homeroom %d", c), SISID: fmt.Sprint(c), Subject: roster.SubjectHomeroom,
			Grade: "Kindergarten", Period: "1", Teachers: []string{teacher.ID}, LastModified: modified,
		}
		for s := c * 25; s < min(students, (c+1)*25); s++ {
			sec.Students = append(sec.Students, objectID(5, s))
		}
		r.Sections = append(r.Sections, sec)
	}
	r.Users = append(r.Users,
		roster.User{ID: objectID(7, 0), District: testDistrict, Name: roster.Name{First: "Vicky", Last: "E"},
			Roles: roster.Roles{DistrictAdmin: &roster.DistrictAdmin{}}},
		roster.User{ID: objectID(7, 1), District: testDistrict, Name: roster.Name{First: "Bob", Last: "Ross"},
			Roles: roster.Roles{DistrictAdmin: &roster.DistrictAdmin{Title: "Superintendent"}}},
	)
	// A deterministic shuffle: reverse the halves.
	half := len(r.Users) / 2
	r.Users = slices.Concat(r.Users[half:], r.Users[:half])
	return r
}

func atoi(t testing.TB, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// decodeMessage returns the string member key of a JSON error body.
func decodeMessage(t testing.TB, body []byte, key string) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("error body %q: %v", body, err)
	}
	s, _ := m[key].(string)
	return s
}

func readAll(t testing.TB, resp *http.Response) []byte {
	t.Helper()
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return body
}
