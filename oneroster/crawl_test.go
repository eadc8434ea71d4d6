package oneroster_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rosterd/rosterd/connector"
	"github.com/rosterd/rosterd/internal/codec"
	"github.com/rosterd/rosterd/internal/synth"
	"github.com/rosterd/rosterd/oneroster"
	"github.com/rosterd/rosterd/roster"
)

// pagedProvider serves collections of raw JSON records with limit/offset
// paging and X-Total-Count, as a OneRoster 1.2 provider with a bearer
// token does, so that a test can serve records the mapping must report
// (a primary that is no boolean, a role that is none) byte for byte.
type pagedProvider struct {
	colls map[string][]json.RawMessage // by path, such as "/enrollments"
	keys  map[string]string            // the envelope member of each path
	// maxLimit caps limit, as real providers silently do; 0 is no cap.
	maxLimit int
	// lie adds one to the X-Total-Count of this path; noTotal sends
	// none, as some providers do.
	lie     string
	noTotal bool
	// failPath answers 500 from failOffset on, past the retries.
	failPath   string
	failOffset int
	// change, when set, changes the data between two collections.
	change *midCrawl
}

// midCrawl serves other collections from the first request for the path
// when on, as a provider whose district changes between two collections
// of a crawl does.
type midCrawl struct {
	when    string
	after   map[string][]json.RawMessage
	mu      sync.Mutex
	swapped bool
}

func (m *midCrawl) colls(path string, before map[string][]json.RawMessage) map[string][]json.RawMessage {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.swapped = m.swapped || path == m.when
	if m.swapped {
		return m.after
	}
	return before
}

const pagedToken = "paged-token"

func (p *pagedProvider) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer "+pagedToken {
		http.Error(w, "{}", http.StatusUnauthorized)
		return
	}
	path := strings.TrimPrefix(r.URL.Path, "/ims/oneroster/rostering/v1p2")
	colls := p.colls
	if p.change != nil {
		colls = p.change.colls(path, colls)
	}
	recs, ok := colls[path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	offset, _ := strconv.Atoi(r.URL.Query().Get("offset"))
	if p.maxLimit > 0 && limit > p.maxLimit {
		limit = p.maxLimit
	}
	if path == p.failPath && offset >= p.failOffset {
		http.Error(w, `{"imsx_codeMajor":"failure","imsx_description":"boom"}`, http.StatusInternalServerError)
		return
	}
	total := len(recs)
	if path == p.lie {
		total++
	}
	page := recs[min(offset, len(recs)):min(offset+limit, len(recs))]
	body, _ := json.Marshal(map[string][]json.RawMessage{p.keys[path]: page})
	w.Header().Set("Content-Type", "application/json")
	if !p.noTotal {
		w.Header().Set("X-Total-Count", strconv.Itoa(total))
	}
	w.Write(body)
}

// messyDistrict is a generated district as OneRoster records, with the
// enrollments, users and classes the mapping leaves out or reports
// spread through each collection, so that they fall on many pages.
func messyDistrict(t *testing.T) *pagedProvider {
	t.Helper()
	p, _ := synth.ProfileByName("small")
	gen, _ := synth.Generate(p)
	d := oneroster.FromRoster(gen)
	raw := func(v any) json.RawMessage {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	all := func(n int, at func(int) any) []json.RawMessage {
		out := make([]json.RawMessage, n)
		for i := range out {
			out[i] = raw(at(i))
		}
		return out
	}
	users := all(len(d.Users), func(i int) any { return d.Users[i] })
	classes := all(len(d.Classes), func(i int) any { return d.Classes[i] })
	enrollments := all(len(d.Enrollments), func(i int) any { return d.Enrollments[i] })

	student, teacher := d.Users[0].SourcedID, ""
	for _, u := range d.Users {
		if u.Role == oneroster.RoleTeacher || len(u.Roles) > 0 && u.Roles[0].Role == oneroster.RoleTeacher {
			teacher = u.SourcedID
			break
		}
	}
	class := d.Classes[len(d.Classes)/2].SourcedID
	enr := func(id, status, user, class, role, extra string) json.RawMessage {
		return json.RawMessage(fmt.Sprintf(`{"sourcedId":%q,"status":%q,"user":{"sourcedId":%q},"class":{"sourcedId":%q},"role":%q%s}`,
			id, status, user, class, role, extra))
	}
	const active, st = "active", oneroster.EnrollmentStudent
	odd := []json.RawMessage{
		enr("e-aide", active, teacher, class, "aide", ""),
		enr("e-ext", active, teacher, class, "ext:coach", ""),
		enr("e-bogus", active, student, class, "janitor", ""),
		enr("e-primary", active, teacher, class, oneroster.EnrollmentTeacher, `,"primary":"maybe"`),
		enr("e-noclass-1", active, student, "no-such-class", st, ""),
		enr("e-noclass-2", active, teacher, "no-such-class", oneroster.EnrollmentTeacher, ""),
		enr("e-twice", active, student, class, st, ""),
		enr("e-twice-again", active, student, class, st, ""),
		enr("e-deleted", "tobedeleted", student, d.Classes[1].SourcedID, st, ""),
		enr("e-status", "weird", student, d.Classes[2].SourcedID, st, ""),
		enr("e-ended", active, student, d.Classes[3].SourcedID, st, `,"endDate":"2001-06-30"`),
		enr("e-slash", active, student, d.Classes[4].SourcedID, st, `,"endDate":"06/30/2001"`),
		enr("e-gone-user", active, "u-deleted", class, st, ""),
		enr("e-disabled-user", active, "u-disabled", class, st, ""),
		enr("e-gone-class", active, student, "c-deleted", st, ""),
		enr("e-unknown-user", active, "u-nobody", class, st, ""),
	}
	// Spread the odd ones: one every len/len(odd) records, so that at
	// any page size they sit on different pages, some first or last.
	step := len(enrollments) / len(odd)
	for i, e := range odd {
		at := min(i*step+i, len(enrollments))
		enrollments = append(enrollments[:at], append([]json.RawMessage{e}, enrollments[at:]...)...)
	}
	enrollments = append(enrollments, enr("e-last", active, teacher, d.Classes[5].SourcedID, oneroster.EnrollmentTeacher, `,"primary":true`))

	users = append(users[:len(users)/3], append([]json.RawMessage{
		json.RawMessage(`{"sourcedId":"u-deleted","status":"tobedeleted","givenName":"Gone","familyName":"User","roles":[{"roleType":"primary","role":"student","org":{"sourcedId":"x"}}]}`),
	}, users[len(users)/3:]...)...)
	users = append(users,
		json.RawMessage(`{"sourcedId":"u-disabled","status":"active","enabledUser":"false","givenName":"Off","familyName":"User","roles":[{"roleType":"primary","role":"student","org":{"sourcedId":"x"}}]}`))
	classes = append([]json.RawMessage{
		json.RawMessage(`{"sourcedId":"c-deleted","status":"tobedeleted","title":"Gone","course":{"sourcedId":"x"},"school":{"sourcedId":"x"}}`),
	}, classes...)

	return &pagedProvider{
		colls: map[string][]json.RawMessage{
			"/orgs":             all(len(d.Orgs), func(i int) any { return d.Orgs[i] }),
			"/academicSessions": all(len(d.AcademicSessions), func(i int) any { return d.AcademicSessions[i] }),
			"/courses":          all(len(d.Courses), func(i int) any { return d.Courses[i] }),
			"/classes":          classes,
			"/users":            users,
			"/enrollments":      enrollments,
			"/demographics":     all(len(d.Demographics), func(i int) any { return d.Demographics[i] }),
		},
		keys: map[string]string{"/orgs": "orgs", "/academicSessions": "academicSessions", "/courses": "courses",
			"/classes": "classes", "/users": "users", "/enrollments": "enrollments", "/demographics": "demographics"},
	}
}

func pagedClient(t *testing.T, url string, pageSize, inFlight int) *oneroster.Client {
	t.Helper()
	return client(t, oneroster.ClientOptions{Version: oneroster.Version12, BaseURL: url + "/ims/oneroster/rostering/v1p2",
		Auth: oneroster.AuthBearer, Token: pagedToken, PageSize: pageSize, MaxInFlight: inFlight, Demographics: true})
}

// Ensure a sync's crawl, which maps each page of classes, users and
// enrollments as it arrives and keeps no Dataset, gives exactly the
// roster ToRoster makes of the whole Dataset, field errors and their
// order included, at every page size and number of pages in flight: an
// enrollment lost shows as a missing student or teacher, and the odd
// ones, spread over the pages, as a field error missing or doubled. (A
// doubled plain enrollment changes no roster; the count check against
// X-Total-Count, tested below, is what refuses it.)
func TestSource_FetchMatchesDataset(t *testing.T) {
	base := messyDistrict(t)
	srv := httptest.NewServer(base)
	t.Cleanup(srv.Close)
	opts := oneroster.MapOptions{SISType: "paged", AsOf: roster.Date{Year: 2020, Month: 1, Day: 1}, DropDisabledUsers: true}

	d, err := pagedClient(t, srv.URL, oneroster.MaxPageSize, 1).Dataset(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(d.Enrollments), len(base.colls["/enrollments"]); got != want {
		t.Fatalf("the Dataset holds %d enrollments, the provider serves %d", got, want)
	}
	want := oneroster.ToRoster(d, opts)
	// The odd records must reach the mapping, or this test shows nothing.
	for _, msg := range []string{"primary: not true or false", "role: not a OneRoster enrollment role",
		"classSourcedId: enrollments name this class", "status: not a OneRoster status", "endDate: a date written with slashes"} {
		if !slices.ContainsFunc(want.FieldErrors, func(e roster.FieldError) bool { return strings.Contains(e.Message, msg) }) {
			t.Fatalf("no field error %q among %d", msg, len(want.FieldErrors))
		}
	}

	for _, tt := range []struct {
		pageSize, inFlight, maxLimit int
		noTotal                      bool
	}{
		{1000, 1, 0, false},
		{97, 1, 0, false},
		{97, 3, 0, false},
		{16, 4, 0, false}, // a page for each odd enrollment
		{oneroster.MaxPageSize, 2, 0, false},
		{1000, 2, 333, false}, // the provider caps the page below what was asked
		{97, 2, 0, true},      // no X-Total-Count: one page at a time
		{1000, 1, 333, true},
	} {
		t.Run(fmt.Sprintf("pages of %d, %d in flight, capped at %d, no total %v", tt.pageSize, tt.inFlight, tt.maxLimit, tt.noTotal), func(t *testing.T) {
			prov := *base
			prov.maxLimit, prov.noTotal = tt.maxLimit, tt.noTotal
			srv := httptest.NewServer(&prov)
			defer srv.Close()
			got, err := oneroster.NewSource(pagedClient(t, srv.URL, tt.pageSize, tt.inFlight), opts).Fetch(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got, rawJSONEqual); diff != "" {
				t.Errorf("the crawl's roster differs from ToRoster of the Dataset (-dataset +crawl):\n%s", diff)
			}
		})
	}
}

// Ensure a crawl that fails part way through the enrollments, or whose
// enrollments disagree with X-Total-Count, returns no roster: the
// sections mapped so far would read as students withdrawn.
func TestSource_FetchAllOrNothing(t *testing.T) {
	base := messyDistrict(t)
	n := len(base.colls["/enrollments"])
	for _, tt := range []struct {
		name     string
		inFlight int
		setup    func(*pagedProvider)
		want     error
		contains string
	}{
		{"a page fails, one at a time", 1, func(p *pagedProvider) { p.failPath, p.failOffset = "/enrollments", n/2 }, nil, "500"},
		{"a page fails, three at a time", 3, func(p *pagedProvider) { p.failPath, p.failOffset = "/enrollments", n/2 }, nil, "500"},
		{"the last page fails", 2, func(p *pagedProvider) { p.failPath, p.failOffset = "/enrollments", n-n%97 }, nil, "500"},
		{"one record short of X-Total-Count", 2, func(p *pagedProvider) { p.lie = "/enrollments" }, oneroster.ErrCountMismatch, "/enrollments"},
		{"users short of X-Total-Count", 1, func(p *pagedProvider) { p.lie = "/users" }, oneroster.ErrCountMismatch, "/users"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			prov := *base
			tt.setup(&prov)
			srv := httptest.NewServer(&prov)
			defer srv.Close()
			r, err := oneroster.NewSource(pagedClient(t, srv.URL, 97, tt.inFlight), oneroster.MapOptions{}).Fetch(context.Background())
			if err == nil || r != nil {
				t.Fatalf("Fetch = %d sections, %v; want no roster and an error", len(r.Sections), err)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("error %v, want %v", err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.contains) || !strings.Contains(err.Error(), `oneroster "district"`) {
				t.Errorf("error %q does not name %q and the connection", err, tt.contains)
			}
		})
	}
}

// Ensure a crawl across a change that keeps each collection consistent
// in itself (five users withdrawn, with their enrollments, once the
// users are read and before the enrollments are) returns no roster: it
// would hold the users without their enrollments. Only counting the
// collections again at the end sees it.
func TestSource_FetchFailsOnAChangeBetweenCollections(t *testing.T) {
	base := messyDistrict(t)
	type ref struct {
		SourcedID string `json:"sourcedId"`
		User      struct {
			SourcedID string `json:"sourcedId"`
		} `json:"user"`
	}
	idOf := func(raw json.RawMessage) ref {
		var r ref
		if err := json.Unmarshal(raw, &r); err != nil {
			t.Fatal(err)
		}
		return r
	}
	after := maps.Clone(base.colls)
	gone := map[string]bool{}
	after["/users"] = slices.DeleteFunc(slices.Clone(base.colls["/users"]), func(raw json.RawMessage) bool {
		if len(gone) < 5 {
			gone[idOf(raw).SourcedID] = true
			return true
		}
		return false
	})
	after["/enrollments"] = slices.DeleteFunc(slices.Clone(base.colls["/enrollments"]), func(raw json.RawMessage) bool {
		return gone[idOf(raw).User.SourcedID]
	})
	if len(after["/enrollments"]) == len(base.colls["/enrollments"]) {
		t.Fatal("the withdrawn users had no enrollments to lose")
	}
	for _, inFlight := range []int{1, 3} {
		prov := *base
		prov.change = &midCrawl{when: "/enrollments", after: after}
		srv := httptest.NewServer(&prov)
		r, err := oneroster.NewSource(pagedClient(t, srv.URL, 97, inFlight), oneroster.MapOptions{}).Fetch(context.Background())
		srv.Close()
		if err == nil || r != nil {
			t.Fatalf("%d in flight: Fetch = a roster, %v; want no roster and an error", inFlight, err)
		}
		if !errors.Is(err, oneroster.ErrCountMismatch) || !strings.Contains(err.Error(), "/users") {
			t.Errorf("%d in flight: error %v, want ErrCountMismatch naming /users", inFlight, err)
		}
	}
}

// Ensure Walk, the bench's floor, reads every record of every collection
// a sync reads, page by page, and fails as a crawl does.
func TestClient_Walk(t *testing.T) {
	base := messyDistrict(t)
	srv := httptest.NewServer(base)
	t.Cleanup(srv.Close)
	got := map[string]int{}
	err := pagedClient(t, srv.URL, 97, 2).Walk(context.Background(), func(path string, n int) error {
		if n > 97 {
			t.Errorf("%s: a page of %d records, asked 97", path, n)
		}
		got[path] += n
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{}
	for path, recs := range base.colls {
		want[path] = len(recs)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("records walked (-served +walked):\n%s", diff)
	}

	prov := *base
	prov.lie = "/enrollments"
	lying := httptest.NewServer(&prov)
	t.Cleanup(lying.Close)
	err = pagedClient(t, lying.URL, 97, 2).Walk(context.Background(), func(string, int) error { return nil })
	if !errors.Is(err, oneroster.ErrCountMismatch) || !strings.Contains(err.Error(), "fetch enrollments") {
		t.Errorf("walk of a provider miscounting enrollments: %v, want ErrCountMismatch naming them", err)
	}
}

// Ensure a crawl tells its trace when the users are final, before the
// enrollments place anyone, and that nothing it does after changes them,
// nor the districts, schools, terms and courses before them.
func TestSource_FetchTellsUsersFinal(t *testing.T) {
	srv := httptest.NewServer(messyDistrict(t))
	t.Cleanup(srv.Close)
	opts := oneroster.MapOptions{SISType: "paged", AsOf: roster.Date{Year: 2020, Month: 1, Day: 1}, DropDisabledUsers: true}
	var (
		calls   int
		seen    *roster.Roster
		atFinal []byte
		placed  int
	)
	early := func(r *roster.Roster) []byte {
		b, err := codec.Marshal(&roster.Roster{Districts: r.Districts, Schools: r.Schools, Terms: r.Terms, Courses: r.Courses, Users: r.Users})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	ctx := connector.WithFetchTrace(context.Background(), &connector.FetchTrace{UsersFinal: func(r *roster.Roster) {
		calls++
		seen, atFinal = r, early(r)
		for _, s := range r.Sections {
			placed += len(s.Students) + len(s.Teachers)
		}
	}})
	got, err := oneroster.NewSource(pagedClient(t, srv.URL, 97, 2), opts).Fetch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if calls != 1 || placed != 0 {
		t.Fatalf("UsersFinal called %d times, with %d members placed; want once, before the enrollments", calls, placed)
	}
	if seen != got || len(got.Users) == 0 {
		t.Fatalf("UsersFinal was given another roster than the crawl returned, or no users")
	}
	if !bytes.Equal(atFinal, early(got)) {
		t.Error("the crawl changed its users, or what comes before them, after saying they were final")
	}
}

// countingWriter counts the body bytes a handler writes.
type countingWriter struct {
	http.ResponseWriter
	n *atomic.Int64
}

func (w countingWriter) Write(b []byte) (int, error) {
	w.n.Add(int64(len(b)))
	return w.ResponseWriter.Write(b)
}

// Ensure a crawl tells its trace the size of every page of records it
// keeps, at any number of pages in flight, so that the engine can ready
// room for them; and not of the enrollments, which only fill sections'
// member lists, nor of the counts read again at the end.
func TestSource_FetchTellsEachKeptPagesSize(t *testing.T) {
	base := messyDistrict(t)
	var kept, notKept atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := &kept
		if strings.HasSuffix(r.URL.Path, "/enrollments") || r.URL.Query().Get("limit") == "1" {
			n = &notKept
		}
		base.ServeHTTP(countingWriter{ResponseWriter: w, n: n}, r)
	}))
	t.Cleanup(srv.Close)
	opts := oneroster.MapOptions{SISType: "paged", AsOf: roster.Date{Year: 2020, Month: 1, Day: 1}, DropDisabledUsers: true}
	for _, inFlight := range []int{1, 3} {
		kept.Store(0)
		notKept.Store(0)
		var told atomic.Int64
		ctx := connector.WithFetchTrace(context.Background(), &connector.FetchTrace{Fetched: func(n int) { told.Add(int64(n)) }})
		if _, err := oneroster.NewSource(pagedClient(t, srv.URL, 97, inFlight), opts).Fetch(ctx); err != nil {
			t.Fatal(err)
		}
		if notKept.Load() == 0 {
			t.Fatalf("%d in flight: no enrollment or count was served; the test reads nothing", inFlight)
		}
		if told.Load() == 0 || told.Load() != kept.Load() {
			t.Errorf("%d in flight: the crawl told of %d bytes, want the %d bytes of the pages it keeps (and not the %d of enrollments and counts)",
				inFlight, told.Load(), kept.Load(), notKept.Load())
		}
	}
}
