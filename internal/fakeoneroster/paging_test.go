package fakeoneroster_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rosterd/rosterd/internal/fakeoneroster"
)

// pagingFixture serves the tiny synthetic district (164 users) and returns
// the sorted IDs of its users.
func pagingFixture(t *testing.T, opts fakeoneroster.Options) ([]string, *httptest.Server) {
	t.Helper()
	r := synthRoster(t, "tiny")
	_, ts := startServer(t, fakeoneroster.FromRoster(r), opts)
	var all []string
	for _, u := range r.Users {
		all = append(all, u.ID)
	}
	slices.Sort(all)
	return all, ts
}

// links parses an RFC 5988 Link header into rel → URL.
func links(t *testing.T, header string) map[string]string {
	t.Helper()
	out := map[string]string{}
	if header == "" {
		return out
	}
	re := regexp.MustCompile(`^<([^>]*)>; rel="([a-z]+)"$`)
	for part := range strings.SplitSeq(header, ", ") {
		m := re.FindStringSubmatch(part)
		if m == nil {
			t.Fatalf("Link part %q is not <url>; rel=\"x\"", part)
		}
		out[m[2]] = m[1]
	}
	return out
}

// offsetOf returns the limit and offset of a link URL.
func offsetOf(t *testing.T, link string) (limit, offset int) {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	limit, _ = strconv.Atoi(u.Query().Get("limit"))
	offset, _ = strconv.Atoi(u.Query().Get("offset"))
	return limit, offset
}

func TestList_DefaultLimit(t *testing.T) {
	all, ts := pagingFixture(t, fakeoneroster.Options{})
	resp, body := get(t, ts, v12+"/users")
	if diff := cmp.Diff(all[:100], ids(t, decode(t, body), "users")); diff != "" {
		t.Errorf("first page (-want +got):\n%s", diff)
	}
	if got := resp.Header.Get("X-Total-Count"); got != strconv.Itoa(len(all)) {
		t.Errorf("X-Total-Count = %s, want %d", got, len(all))
	}
	want := map[string]string{
		"next":  ts.URL + v12 + "/users?limit=100&offset=100",
		"first": ts.URL + v12 + "/users?limit=100&offset=0",
		"last":  ts.URL + v12 + "/users?limit=100&offset=100",
	}
	if diff := cmp.Diff(want, links(t, resp.Header.Get("Link"))); diff != "" {
		t.Errorf("links (-want +got):\n%s", diff)
	}
}

// Ensure limit and offset select the records they say, and the links
// around a middle page.
func TestList_LimitOffset(t *testing.T) {
	all, ts := pagingFixture(t, fakeoneroster.Options{})
	tests := []struct {
		query  string
		lo, hi int
		rels   map[string]int // rel → offset
	}{
		{"limit=10&offset=20", 20, 30, map[string]int{"next": 30, "prev": 10, "first": 0, "last": 160}},
		{"limit=10&offset=5", 5, 15, map[string]int{"next": 15, "prev": 0, "first": 0, "last": 160}},
		{"limit=50&offset=150", 150, 164, map[string]int{"prev": 100, "first": 0, "last": 150}},
		{"limit=1000", 0, 164, map[string]int{"first": 0, "last": 0}},
		{"offset=500", 164, 164, map[string]int{"prev": 400, "first": 0, "last": 100}},
	}
	for _, tt := range tests {
		resp, body := get(t, ts, v11+"/users?"+tt.query)
		if diff := cmp.Diff(all[tt.lo:tt.hi], ids(t, decode(t, body), "users")); diff != "" {
			t.Errorf("%s: page (-want +got):\n%s", tt.query, diff)
		}
		got := map[string]int{}
		for rel, link := range links(t, resp.Header.Get("Link")) {
			_, got[rel] = offsetOf(t, link)
		}
		if diff := cmp.Diff(tt.rels, got); diff != "" {
			t.Errorf("%s: link offsets (-want +got):\n%s", tt.query, diff)
		}
	}
}

// Ensure a server-side cap serves fewer records than asked and says so:
// limit=10000 under a cap of 250 gives pages of 250, links of limit 250
// and the real total.
func TestList_MaxLimitCap(t *testing.T) {
	r := synthRoster(t, "small")
	d := fakeoneroster.FromRoster(r)
	_, ts := startServer(t, d, fakeoneroster.Options{MaxLimit: 250})
	total := d.Len(fakeoneroster.V1p2, "users")
	if total <= 1000 {
		t.Fatalf("small district has only %d users", total)
	}
	resp, body := get(t, ts, v12+"/users?limit=10000")
	if n := len(ids(t, decode(t, body), "users")); n != 250 {
		t.Errorf("limit=10000 under a cap of 250 gave %d records", n)
	}
	if got := resp.Header.Get("X-Total-Count"); got != strconv.Itoa(total) {
		t.Errorf("X-Total-Count = %s, want %d", got, total)
	}
	ls := links(t, resp.Header.Get("Link"))
	if limit, offset := offsetOf(t, ls["next"]); limit != 250 || offset != 250 {
		t.Errorf("next link %q: limit %d offset %d, want 250 and 250", ls["next"], limit, offset)
	}
	if _, offset := offsetOf(t, ls["last"]); offset != (total-1)/250*250 {
		t.Errorf("last link %q, want offset %d", ls["last"], (total-1)/250*250)
	}

	// A client advancing by what it received (or following next) visits
	// every user exactly once; one advancing by the limit it asked for
	// would have stopped after the first page.
	var got []string
	next, pages := ts.URL+v12+"/users?limit=10000", 0
	for next != "" {
		if pages++; pages > 100 {
			t.Fatal("next links do not end")
		}
		resp, body := get(t, ts, strings.TrimPrefix(next, ts.URL))
		page := ids(t, decode(t, body), "users")
		if len(page) > 250 {
			t.Fatalf("page of %d records under a cap of 250", len(page))
		}
		got = append(got, page...)
		next = links(t, resp.Header.Get("Link"))["next"]
	}
	var want []string
	for _, u := range r.Users {
		want = append(want, u.ID)
	}
	slices.Sort(want)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("users visited (-want +got):\n%s", diff)
	}
	if pages != (total+249)/250 {
		t.Errorf("%d pages, want %d", pages, (total+249)/250)
	}
}

// Ensure the links keep the request's other parameters, filter included.
func TestList_LinksKeepParameters(t *testing.T) {
	_, ts := pagingFixture(t, fakeoneroster.Options{})
	filter := "status='active' AND role='student'"
	resp, _ := get(t, ts, v11+"/users?limit=7&sort=familyName&filter="+url.QueryEscape(filter))
	next := links(t, resp.Header.Get("Link"))["next"]
	u, err := url.Parse(next)
	if err != nil {
		t.Fatal(err)
	}
	if u.Query().Get("filter") != filter || u.Query().Get("sort") != "familyName" || u.Path != v11+"/users" {
		t.Errorf("next link %q lost the request's parameters", next)
	}
}

// Ensure the GG4L style drops the angle brackets and overshoots next by
// one, and LinkNone sends no Link at all.
func TestList_LinkStyles(t *testing.T) {
	_, ts := pagingFixture(t, fakeoneroster.Options{Links: fakeoneroster.LinkGG4L})
	resp, _ := get(t, ts, v12+"/users?limit=100")
	want := ts.URL + v12 + `/users?limit=100&offset=101; rel="next", ` +
		ts.URL + v12 + `/users?limit=100&offset=0; rel="first", ` +
		ts.URL + v12 + `/users?limit=100&offset=100; rel="last"`
	if got := resp.Header.Get("Link"); got != want {
		t.Errorf("GG4L Link =\n%s\nwant\n%s", got, want)
	}

	_, ts = pagingFixture(t, fakeoneroster.Options{Links: fakeoneroster.LinkNone})
	resp, _ = get(t, ts, v12+"/users?limit=10")
	if got, ok := resp.Header["Link"]; ok {
		t.Errorf("LinkNone sent Link %q", got)
	}
	if resp.Header.Get("X-Total-Count") == "" {
		t.Error("LinkNone dropped X-Total-Count too")
	}
}

func TestList_BadParameters(t *testing.T) {
	_, ts := pagingFixture(t, fakeoneroster.Options{})
	for _, query := range []string{"limit=0", "limit=-1", "limit=ten", "limit=", "offset=-1", "offset=x"} {
		for _, tree := range []struct {
			path string
			v    fakeoneroster.Version
		}{{v11, fakeoneroster.V1p1}, {v12, fakeoneroster.V1p2}} {
			resp, body := get(t, ts, tree.path+"/users?"+query)
			if resp.StatusCode != http.StatusBadRequest {
				t.Errorf("%s %s: status %d, want 400", tree.path, query, resp.StatusCode)
				continue
			}
			if got := codeMinor(t, tree.v, body); got != fakeoneroster.CodeInvalidData {
				t.Errorf("%s %s: codeMinor %q", tree.path, query, got)
			}
		}
	}
}
