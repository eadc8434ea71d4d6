package clever_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"unsafe"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	"github.com/google/go-cmp/cmp"

	"github.com/rosterd/rosterd/clever"
	"github.com/rosterd/rosterd/connector"
	"github.com/rosterd/rosterd/internal/codec"
	"github.com/rosterd/rosterd/roster"
)

// demoDistrict serves Clever's demo district (fixtures/clever/
// demo-district-v3.0) on mux: the district, users filtered by role,
// sections, and empty schools, terms and courses. edit, when set, rewrites
// the users body first.
func demoDistrict(t *testing.T, mux *http.ServeMux, edit func([]byte) []byte) {
	t.Helper()
	dir := clever.FixtureDir(t, "clever", "demo-district-v3.0")
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	districts, users, sections := read("districts.json"), read("users.json"), read("sections.json")
	if edit != nil {
		users = edit(users)
	}

	// Split the users by role, keeping each item's JSON as recorded.
	var all struct {
		Data []jsontext.Value `json:"data"`
	}
	if err := json.Unmarshal(users, &all); err != nil {
		t.Fatal(err)
	}
	byRole := map[string][]string{}
	for _, item := range all.Data {
		var u struct {
			Data struct {
				Roles map[string]jsontext.Value `json:"roles"`
			} `json:"data"`
		}
		if err := json.Unmarshal(item, &u); err != nil {
			t.Fatal(err)
		}
		for role := range u.Data.Roles {
			byRole[role] = append(byRole[role], string(item))
		}
	}

	mux.HandleFunc("GET /v3.0/districts", func(w http.ResponseWriter, r *http.Request) {
		testQuery(t, r, url.Values{"limit": {"10000"}})
		writeJSON(w, string(districts))
	})
	mux.HandleFunc("GET /v3.0/users", func(w http.ResponseWriter, r *http.Request) {
		testBearer(t, r)
		role := r.URL.Query().Get("role")
		testQuery(t, r, url.Values{"limit": {"10000"}, "role": {role}})
		writeJSON(w, `{"data":[`+strings.Join(byRole[role], ",")+`],"links":[]}`)
	})
	mux.HandleFunc("GET /v3.0/sections", func(w http.ResponseWriter, r *http.Request) {
		testQuery(t, r, url.Values{"limit": {"10000"}})
		writeJSON(w, string(sections))
	})
	for _, empty := range []string{"schools", "terms", "courses"} {
		mux.HandleFunc("GET /v3.0/"+empty, func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, listBody(empty, ""))
		})
	}
}

// Ensure the demo district crawls into the roster its documentation
// describes, with every enrollment resolving to a fetched user.
func TestSource_FetchDemoDistrict(t *testing.T) {
	client, mux, _ := setup(t)
	demoDistrict(t, mux, nil)
	src := clever.NewSource(client, clever.SourceOptions{Roles: []roster.Role{roster.RoleContact, roster.RoleDistrictAdmin}})
	if src.Kind() != "clever" {
		t.Errorf("Kind = %q, want clever", src.Kind())
	}

	r, err := src.Fetch(t.Context())
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	gotCounts := r.Count()
	wantCounts := map[roster.Entity]int{
		roster.EntityDistrict: 1, roster.EntitySchool: 0, roster.EntityTerm: 0, roster.EntityCourse: 0,
		roster.EntitySection: 378, roster.EntityStudent: 1004, roster.EntityTeacher: 89,
		roster.EntityContact: 1002, roster.EntityDistrictAdmin: 3,
	}
	if diff := cmp.Diff(wantCounts, gotCounts); diff != "" {
		t.Errorf("counts mismatch (-want +got):\n%s", diff)
	}
	if len(r.FieldErrors) != 0 {
		t.Errorf("field errors: %+v", r.FieldErrors)
	}
	if r.Districts[0].ID != "5a0c91b95c7cc000010d417c" {
		t.Errorf("district = %q", r.Districts[0].ID)
	}

	users := make(map[string]*roster.User, len(r.Users))
	for i := range r.Users {
		u := &r.Users[i]
		if i > 0 && u.ID <= r.Users[i-1].ID {
			t.Fatalf("users not in ID order at %d: %s after %s", i, u.ID, r.Users[i-1].ID)
		}
		users[u.ID] = u
	}
	sectionsPerStudent := map[string]int{}
	for _, s := range r.Sections {
		for _, id := range s.Students {
			u, ok := users[id]
			if !ok || !u.Is(roster.RoleStudent) {
				t.Fatalf("section %s: student %s is not a fetched student", s.ID, id)
			}
			if unsafe.StringData(id) != unsafe.StringData(u.ID) {
				t.Fatalf("section %s: student ID %s does not share the user's string", s.ID, id)
			}
			sectionsPerStudent[id]++
		}
		for _, id := range s.Teachers {
			if u, ok := users[id]; !ok || !u.Is(roster.RoleTeacher) {
				t.Fatalf("section %s: teacher %s is not a fetched teacher", s.ID, id)
			}
		}
	}
	maxSections := 0
	for _, n := range sectionsPerStudent {
		maxSections = max(maxSections, n)
	}
	if maxSections != 15 {
		t.Errorf("max sections per student = %d, want 15", maxSections)
	}
	multiSchool := 0
	for _, u := range r.Users {
		if u.Roles.Teacher != nil && len(u.Roles.Teacher.Schools) > 1 {
			multiSchool++
		}
	}
	if multiSchool != 24 {
		t.Errorf("teachers in several schools = %d, want 24", multiSchool)
	}

	steve := users["5a25ffb0c1bc2a00360003ed"].Roles.Student
	if steve.DOB != roster.MustDate("2007-02-11") || steve.Username != "stevez33" || steve.Grade != "Kindergarten" {
		t.Errorf("student 5a25ffb0c1bc2a00360003ed mapped as %+v", steve)
	}
}

// Ensure a date in no known form becomes a field error naming the record
// and field, and the record is kept with the field empty.
func TestSource_FetchBadDOB(t *testing.T) {
	client, mux, _ := setup(t)
	demoDistrict(t, mux, func(users []byte) []byte {
		// Student 5a25ffb0c1bc2a00360003ed, SIS ID 100095233.
		return bytes.Replace(users, []byte(`"dob":"2/11/2007"`), []byte(`"dob":"2/30/2007"`), 1)
	})

	r, err := clever.NewSource(client, clever.SourceOptions{}).Fetch(t.Context())
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	want := []roster.FieldError{{
		Entity: roster.EntityStudent, ID: "5a25ffb0c1bc2a00360003ed", SISID: "100095233",
		Field: "dob", Message: roster.ErrDate.Error(),
	}}
	if diff := cmp.Diff(want, r.FieldErrors); diff != "" {
		t.Errorf("field errors mismatch (-want +got):\n%s", diff)
	}
	for _, u := range r.Users {
		if u.ID == "5a25ffb0c1bc2a00360003ed" {
			if !u.Roles.Student.DOB.IsZero() {
				t.Errorf("bad dob mapped as %v, want empty", u.Roles.Student.DOB)
			}
			return
		}
	}
	t.Error("the student with the bad dob was dropped")
}

// syntheticDistrict serves a small district exercising multi-role users,
// repeated IDs and every teacher-ordering case.
func syntheticDistrict(t *testing.T, mux *http.ServeMux, sectionsStatus int) {
	t.Helper()
	users := map[string][]string{
		"student": {
			`{"id":"s1","district":"d1","roles":{"student":{"sis_id":"1","school":"sc1","schools":["sc1"]}}}`,
			`{"id":"s2","district":"d1","roles":{"student":{"sis_id":"2","school":"sc1","schools":["sc1"]}}}`,
			`{"id":"s2","district":"d1","roles":{"student":{"sis_id":"2b","school":"sc1","schools":["sc1"]}}}`,
		},
		"teacher": {
			`{"id":"t1","district":"d1","roles":{"teacher":{"sis_id":"T1","school":"sc1"},"staff":{"staff_id":"ST1"}}}`,
			`{"id":"t2","district":"d1","roles":{"teacher":{"sis_id":"T2","school":"sc1"}}}`,
		},
		"staff": {
			`{"id":"a0","district":"d1","roles":{"staff":{"staff_id":"A0","title":"Nurse"}}}`,
			`{"id":"t1","district":"d1","roles":{"teacher":{"sis_id":"T1","school":"sc1"},"staff":{"staff_id":"ST1"},"district_admin":{"title":"Head"}}}`,
		},
	}
	sections := []string{
		`{"id":"x1","school":"sc1","teacher":"t2","teachers":["t1","t2"],"students":["s1","s2"]}`,
		`{"id":"x2","school":"sc1","teacher":null,"teachers":["t1"],"students":["s1"]}`,
		`{"id":"x3","school":"sc1","teacher":"t1","teachers":[],"students":["s2"]}`,
		`{"id":"x4","school":"sc1","teacher":null}`,
		`{"id":"x5","school":"sc1","teacher":"t2","teachers":["t1"],"students":["s1","","ghost"],"ext":"oops"}`,
	}
	mux.HandleFunc("GET /v3.0/districts", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, listBody("districts", "", `{"id":"d1","name":"Synthetic","district_contact":{"name":{"last":"X"}}}`))
	})
	mux.HandleFunc("GET /v3.0/schools", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, listBody("schools", "", `{"id":"sc1","district":"d1","location":{"address":"1 Main St","city":"Springfield","state":"IL","zip":"62701"},"ext":{"region":"north"},"last_modified":"2023-04-12T23:05:00.310Z"}`))
	})
	mux.HandleFunc("GET /v3.0/terms", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, listBody("terms", "", `{"id":"tm1","district":"d1","name":"Y1","start_date":"2012-12-01","end_date":"2013-06-01T00:00:00.000Z"}`))
	})
	mux.HandleFunc("GET /v3.0/courses", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, listBody("courses", "", `{"id":"c1","district":"d1","name":"Math","number":"M1"}`))
	})
	mux.HandleFunc("GET /v3.0/users", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, listBody("users", "", users[r.URL.Query().Get("role")]...))
	})
	mux.HandleFunc("GET /v3.0/sections", func(w http.ResponseWriter, r *http.Request) {
		if sectionsStatus != http.StatusOK {
			w.WriteHeader(sectionsStatus)
			return
		}
		writeJSON(w, listBody("sections", "", sections...))
	})
}

// Ensure the mapping of a small district: a user in several role listings
// is kept once with every role, a user repeated within one listing is kept
// twice, the primary teacher comes first, empty IDs are dropped and
// dangling ones kept.
func TestSource_FetchSynthetic(t *testing.T) {
	client, mux, _ := setup(t)
	syntheticDistrict(t, mux, http.StatusOK)
	r, err := clever.NewSource(client, clever.SourceOptions{Roles: []roster.Role{roster.RoleStaff, roster.RoleTeacher}}).Fetch(t.Context())
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}

	var ids []string
	for _, u := range r.Users {
		ids = append(ids, u.ID)
	}
	if diff := cmp.Diff([]string{"a0", "s1", "s2", "s2", "t1", "t2"}, ids); diff != "" {
		t.Errorf("user IDs mismatch (-want +got):\n%s", diff)
	}
	if cap(r.Users) != len(r.Users) {
		t.Errorf("users slice has capacity %d for %d users; want it exact", cap(r.Users), len(r.Users))
	}
	if r.Users[2].Roles.Student.SISID != "2" || r.Users[3].Roles.Student.SISID != "2b" {
		t.Errorf("repeated user not kept in fetch order: %q, %q", r.Users[2].Roles.Student.SISID, r.Users[3].Roles.Student.SISID)
	}
	t1 := r.Users[4]
	if diff := cmp.Diff([]roster.Role{roster.RoleTeacher, roster.RoleStaff, roster.RoleDistrictAdmin}, t1.Roles.List()); diff != "" {
		t.Errorf("t1 roles mismatch (-want +got):\n%s", diff)
	}
	wantCounts := map[roster.Entity]int{
		roster.EntityDistrict: 1, roster.EntitySchool: 1, roster.EntityTerm: 1, roster.EntityCourse: 1, roster.EntitySection: 5,
		roster.EntityStudent: 3, roster.EntityTeacher: 2, roster.EntityStaff: 2, roster.EntityDistrictAdmin: 1,
	}
	if diff := cmp.Diff(wantCounts, r.Count()); diff != "" {
		t.Errorf("counts mismatch (-want +got):\n%s", diff)
	}

	type members struct{ Teachers, Students []string }
	var got []members
	for _, s := range r.Sections {
		got = append(got, members{s.Teachers, s.Students})
	}
	want := []members{
		{[]string{"t2", "t1"}, []string{"s1", "s2"}},    // primary moved first
		{[]string{"t1"}, []string{"s1"}},                // no primary
		{[]string{"t1"}, []string{"s2"}},                // primary, empty list
		{nil, nil},                                      // nothing at all
		{[]string{"t2", "t1"}, []string{"s1", "ghost"}}, // primary missing from the list; "" dropped, dangling kept
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("section members mismatch (-want +got):\n%s", diff)
	}
	// Appending to one section's list must not overwrite the next one's.
	first := r.Sections[0].Students
	_ = append(first, "extra")
	if r.Sections[1].Teachers[0] != "t1" {
		t.Errorf("sections share list capacity: %v", r.Sections[1].Teachers)
	}

	wantSchool := roster.School{
		ID: "sc1", District: "d1",
		Address:      roster.Address{Street: "1 Main St", City: "Springfield", State: "IL", Zip: "62701"},
		Ext:          roster.ExtStrings(map[string]string{"region": "north"}),
		LastModified: r.Schools[0].LastModified,
	}
	if diff := cmp.Diff(wantSchool, r.Schools[0]); diff != "" || r.Schools[0].LastModified.IsZero() {
		t.Errorf("school mismatch (-want +got):\n%s", diff)
	}
	wantTerm := roster.Term{ID: "tm1", District: "d1", Name: "Y1", StartDate: roster.MustDate("2012-12-01"), EndDate: roster.MustDate("2013-06-01")}
	if diff := cmp.Diff(wantTerm, r.Terms[0]); diff != "" {
		t.Errorf("term mismatch (-want +got):\n%s", diff)
	}
	wantErrs := []roster.FieldError{{Entity: roster.EntitySection, ID: "x5", Field: "ext", Message: "not a JSON object"}}
	if diff := cmp.Diff(wantErrs, r.FieldErrors); diff != "" {
		t.Errorf("field errors mismatch (-want +got):\n%s", diff)
	}
}

// Ensure a crawl that fails part-way returns the error and no roster.
func TestSource_FetchIncomplete(t *testing.T) {
	client, mux, _ := setup(t)
	syntheticDistrict(t, mux, http.StatusInternalServerError)

	r, err := clever.NewSource(client, clever.SourceOptions{}).Fetch(t.Context())
	if r != nil {
		t.Errorf("Fetch returned a roster of %d sections with its error", len(r.Sections))
	}
	if err == nil || !strings.HasPrefix(err.Error(), "fetch sections: ") || !clever.IsTransient(err) {
		t.Errorf("err = %v, want a transient error fetching sections", err)
	}
}

// Ensure the crawled district must be the configured one, and that unknown
// roles are refused.
func TestSource_FetchRefuses(t *testing.T) {
	t.Run("OtherDistrict", func(t *testing.T) {
		client, mux, _ := setup(t, func(o *clever.Options) { o.DistrictID = "d2" })
		syntheticDistrict(t, mux, http.StatusOK)
		_, err := clever.NewSource(client, clever.SourceOptions{}).Fetch(t.Context())
		if err == nil || !strings.Contains(err.Error(), "district d1, not the configured d2") {
			t.Errorf("err = %v, want a district mismatch", err)
		}
	})
	t.Run("SeveralDistricts", func(t *testing.T) {
		client, mux, _ := setup(t)
		mux.HandleFunc("GET /v3.0/districts", func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, listBody("districts", "", `{"id":"d1"}`, `{"id":"d2"}`))
		})
		_, err := clever.NewSource(client, clever.SourceOptions{}).Fetch(t.Context())
		if err == nil || !strings.Contains(err.Error(), "sees 2 districts") {
			t.Errorf("err = %v, want exactly one district", err)
		}
	})
	t.Run("UnknownRole", func(t *testing.T) {
		client, _, _ := setup(t)
		_, err := clever.NewSource(client, clever.SourceOptions{Roles: []roster.Role{"parent"}}).Fetch(t.Context())
		if err == nil || !strings.Contains(err.Error(), `unknown role "parent"`) {
			t.Errorf("err = %v, want an unknown role", err)
		}
	})
	t.Run("Cancelled", func(t *testing.T) {
		client, mux, _ := setup(t)
		syntheticDistrict(t, mux, http.StatusOK)
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		r, err := clever.NewSource(client, clever.SourceOptions{}).Fetch(ctx)
		if r != nil || !errors.Is(err, context.Canceled) {
			t.Errorf("Fetch = %v, %v; want no roster and context.Canceled", r, err)
		}
	})
}

// Ensure a crawl during which Clever synced the district (its last_sync
// moved) is refused as mixing two rosters, and that a district without a
// last_sync, or one that stayed put, is read as usual.
func TestSource_FetchChangedMidCrawl(t *testing.T) {
	tests := []struct {
		name    string
		syncs   []string // last_sync of each /districts answer; the last repeats
		wantErr bool
	}{
		{"Unchanged", []string{"2026-11-30T02:00:00.000Z"}, false},
		{"NoLastSync", []string{""}, false},
		{"Moved", []string{"2026-11-30T02:00:00.000Z", "2026-12-01T02:00:00.000Z"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client, mux, _ := setup(t)
			var calls atomic.Int32
			mux.HandleFunc("GET /v3.0/districts", func(w http.ResponseWriter, r *http.Request) {
				sync := tt.syncs[min(int(calls.Add(1))-1, len(tt.syncs)-1)]
				d := `{"id":"d1","name":"Synthetic"}`
				if sync != "" {
					d = fmt.Sprintf(`{"id":"d1","name":"Synthetic","last_sync":%q}`, sync)
				}
				writeJSON(w, listBody("districts", "", d))
			})
			for _, empty := range []string{"schools", "terms", "courses", "users", "sections"} {
				mux.HandleFunc("GET /v3.0/"+empty, func(w http.ResponseWriter, r *http.Request) {
					writeJSON(w, listBody(empty, ""))
				})
			}

			r, err := clever.NewSource(client, clever.SourceOptions{}).Fetch(t.Context())
			switch {
			case tt.wantErr && (r != nil || !errors.Is(err, clever.ErrChangedMidCrawl)):
				t.Fatalf("Fetch = %v, %v; want no roster and ErrChangedMidCrawl", r, err)
			case tt.wantErr:
				for _, want := range tt.syncs {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("error %q does not name last_sync %s", err, want)
					}
				}
				if !clever.IsTransient(err) {
					t.Errorf("error %q is not transient, yet the next run reads the district whole", err)
				}
			case err != nil:
				t.Fatalf("Fetch: %v", err)
			case len(r.Districts) != 1 || r.Districts[0].ID != "d1":
				t.Errorf("districts %+v, want d1", r.Districts)
			}
		})
	}
}

// Ensure every section's member IDs share their users' strings, whether
// the fast decoder read the page (resolving IDs as it reads them) or the
// library did (resolved after the page is decoded).
func TestSource_FetchSharesMemberIDs(t *testing.T) {
	client, mux, _ := setup(t)
	mux.HandleFunc("GET /v3.0/districts", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, listBody("districts", "", `{"id":"d1","name":"Shared"}`))
	})
	for _, kind := range []string{"schools", "terms", "courses"} {
		mux.HandleFunc("GET /v3.0/"+kind, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, listBody(kind, "")) })
	}
	mux.HandleFunc("GET /v3.0/users", func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Query().Get("role") {
		case "student":
			writeJSON(w, listBody("users", "", `{"id":"s1","roles":{"student":{}}}`, `{"id":"s2","roles":{"student":{}}}`))
		case "teacher":
			writeJSON(w, listBody("users", "", `{"id":"t1","roles":{"teacher":{}}}`))
		default:
			writeJSON(w, listBody("users", ""))
		}
	})
	// Nesting deeper than the fast decoder reads sends the second page to
	// the library.
	deep := strings.Repeat("[", 300) + strings.Repeat("]", 300)
	mux.HandleFunc("GET /v3.0/sections", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("starting_after") == "" {
			writeJSON(w, listBody("sections", baseURLPath+"/v3.0/sections?limit=10000&starting_after=x1",
				`{"id":"x1","teacher":"t1","teachers":["t1"],"students":["s1","s2"]}`))
			return
		}
		writeJSON(w, listBody("sections", "",
			`{"id":"x2","teacher":"t1","teachers":["t1"],"students":["s2","ghost"],"x":`+deep+`}`))
	})
	r, err := clever.NewSource(client, clever.SourceOptions{}).Fetch(t.Context())
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	users := map[string]string{}
	for _, u := range r.Users {
		users[u.ID] = u.ID
	}
	if len(r.Sections) != 2 {
		t.Fatalf("fetched %d sections, want 2", len(r.Sections))
	}
	for _, s := range r.Sections {
		for _, id := range slices.Concat(s.Teachers, s.Students) {
			u, ok := users[id]
			if id == "ghost" {
				if ok {
					t.Errorf("section %s: dangling ID found as a user", s.ID)
				}
				continue
			}
			if !ok || unsafe.StringData(u) != unsafe.StringData(id) {
				t.Errorf("section %s: member %s does not share its user's string", s.ID, id)
			}
		}
	}
}

// countingTransport counts the bytes of the response bodies it carries.
type countingTransport struct {
	base  http.RoundTripper
	bytes atomic.Int64
}

func (c *countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := c.base.RoundTrip(req)
	if err == nil {
		resp.Body = &countingBody{ReadCloser: resp.Body, n: &c.bytes}
	}
	return resp, err
}

type countingBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n.Add(int64(n))
	return n, err
}

// Ensure a crawl tells the fetch trace the size of every page it reads,
// so that the engine can ready room for the records.
func TestSource_FetchTellsEachPagesSize(t *testing.T) {
	counting := &countingTransport{base: http.DefaultTransport.(*http.Transport).Clone()}
	client, mux, _ := setup(t, func(o *clever.Options) { o.Transport.Base = counting })
	syntheticDistrict(t, mux, http.StatusOK)
	var told atomic.Int64
	var pages atomic.Int32
	ctx := connector.WithFetchTrace(t.Context(), &connector.FetchTrace{Fetched: func(n int) {
		told.Add(int64(n))
		pages.Add(1)
	}})
	if _, err := clever.NewSource(client, clever.SourceOptions{Roles: []roster.Role{roster.RoleStaff}}).Fetch(ctx); err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	if told.Load() == 0 || told.Load() != counting.bytes.Load() {
		t.Errorf("the crawl told of %d bytes in %d pages, want the %d bytes it read", told.Load(), pages.Load(), counting.bytes.Load())
	}
}

// Ensure a crawl tells its trace when the users are final: sorted, before
// the sections are in, and as the roster returned holds them; and that the
// sections still share the users' ID strings though the users were
// sorted beside their crawl.
func TestSource_FetchTellsUsersFinal(t *testing.T) {
	client, mux, _ := setup(t)
	syntheticDistrict(t, mux, http.StatusOK)
	var seen []roster.User
	var sectionsThen int
	var atFinal []byte
	calls := 0
	early := func(r *roster.Roster) []byte {
		b, err := codec.Marshal(&roster.Roster{Districts: r.Districts, Schools: r.Schools, Terms: r.Terms, Courses: r.Courses, Users: r.Users})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	ctx := connector.WithFetchTrace(t.Context(), &connector.FetchTrace{UsersFinal: func(r *roster.Roster) {
		calls++
		seen, sectionsThen, atFinal = r.Users, len(r.Sections), early(r)
	}})
	r, err := clever.NewSource(client, clever.SourceOptions{Roles: []roster.Role{roster.RoleStaff, roster.RoleTeacher}}).Fetch(ctx)
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	if calls != 1 || sectionsThen != 0 {
		t.Fatalf("UsersFinal called %d times, with %d sections in; want once, before the sections", calls, sectionsThen)
	}
	if len(seen) != len(r.Users) || &seen[0] != &r.Users[0] {
		t.Fatal("the roster returned holds other users than UsersFinal was given")
	}
	if !slices.IsSortedFunc(seen, func(a, b roster.User) int { return strings.Compare(a.ID, b.ID) }) {
		t.Error("users were not sorted when final")
	}
	if !bytes.Equal(atFinal, early(r)) {
		t.Error("the crawl changed its users, or what comes before them, after saying they were final")
	}
	users := map[string]string{}
	for _, u := range r.Users {
		if _, twice := users[u.ID]; !twice {
			users[u.ID] = u.ID
		}
	}
	for _, s := range r.Sections {
		for _, id := range slices.Concat(s.Teachers, s.Students) {
			if u, ok := users[id]; ok && unsafe.StringData(u) != unsafe.StringData(id) {
				t.Errorf("section %s: member %s does not share its user's string", s.ID, id)
			}
		}
	}
}

// Ensure the sizes a fetch is told change nothing it returns, whether
// they are right, short or long.
func TestSource_FetchWithExpectedSizes(t *testing.T) {
	client, mux, _ := setup(t)
	syntheticDistrict(t, mux, http.StatusOK)
	src := clever.NewSource(client, clever.SourceOptions{Roles: []roster.Role{roster.RoleStaff, roster.RoleTeacher}})
	want, err := src.Fetch(t.Context())
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	users, sections := len(want.Users), len(want.Sections)
	if users < 2 || sections < 2 {
		t.Fatalf("the district has %d users and %d sections; the test needs more", users, sections)
	}
	for _, expect := range []connector.Sizes{
		{Users: users, Sections: sections},
		{Users: users / 2, Sections: sections / 2},
		{Users: 10 * users, Sections: 10 * sections},
		{Users: 1, Sections: 1},
	} {
		ctx := connector.WithFetchTrace(t.Context(), &connector.FetchTrace{Expect: expect})
		got, err := src.Fetch(ctx)
		if err != nil {
			t.Fatalf("Fetch expecting %+v: %v", expect, err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Fetch expecting %+v (-told nothing +told):\n%s", expect, diff)
		}
	}
}
