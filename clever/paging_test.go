package clever_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	"github.com/google/go-cmp/cmp"

	"github.com/rosterd/rosterd/clever"
)

// recording is one VCR-style file of fixtures/clever/recorded-v3.0.
type recording struct {
	Interactions []interaction `json:"interactions"`
}

type interaction struct {
	Request struct {
		Method string `json:"method"`
		URL    string `json:"url"`
	} `json:"request"`
	Response struct {
		Status     int               `json:"status"`
		Headers    map[string]string `json:"headers"`
		BodyIsJSON bool              `json:"body_is_json"`
		Body       jsontext.Value    `json:"body"`
	} `json:"response"`
}

func loadRecording(t *testing.T, name string) recording {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(clever.FixtureDir(t, "clever", "recorded-v3.0"), name))
	if err != nil {
		t.Fatal(err)
	}
	var rec recording
	if err := json.Unmarshal(b, &rec); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return rec
}

// body returns the recorded body as sent: the JSON itself, or the text of
// a non-JSON body.
func (it *interaction) body(t *testing.T) []byte {
	t.Helper()
	if it.Response.BodyIsJSON {
		return it.Response.Body
	}
	var s string
	if err := json.Unmarshal(it.Response.Body, &s); err != nil {
		t.Fatal(err)
	}
	return []byte(s)
}

// writeRecorded replays a recorded response: status, Clever's own headers
// (content type, rate limit, request IDs) and body.
func (it *interaction) writeRecorded(t *testing.T, w http.ResponseWriter, body []byte) {
	for name, v := range it.Response.Headers {
		if name == "content-type" || strings.HasPrefix(name, "x-") || strings.HasPrefix(name, "clever-") {
			w.Header().Set(name, v)
		}
	}
	w.WriteHeader(it.Response.Status)
	w.Write(body)
}

// rebaseLinks rewrites a recorded page's link URIs ("/v3.0/...") to carry
// the test server's base path, as a server behind that prefix would send
// them; with dropNext, the next link goes too (the recording stops there).
func rebaseLinks(t *testing.T, body []byte, dropNext bool) []byte {
	t.Helper()
	var page map[string]jsontext.Value
	if err := json.Unmarshal(body, &page); err != nil {
		t.Fatal(err)
	}
	var links []map[string]string
	if err := json.Unmarshal(page["links"], &links); err != nil {
		t.Fatal(err)
	}
	kept := links[:0]
	for _, l := range links {
		if dropNext && l["rel"] == "next" {
			continue
		}
		l["uri"] = baseURLPath + l["uri"]
		kept = append(kept, l)
	}
	var err error
	if page["links"], err = json.Marshal(kept); err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(page, json.Deterministic(true))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// listIDs lists collection through the client and returns every item's
// ID in the order received.
func listIDs(ctx context.Context, c *clever.Client, collection string) ([]string, error) {
	var ids []string
	switch collection {
	case "schools":
		return ids, c.ListSchools(ctx, func(p []clever.School) error {
			for _, x := range p {
				ids = append(ids, x.ID)
			}
			return nil
		})
	case "terms":
		return ids, c.ListTerms(ctx, func(p []clever.Term) error {
			for _, x := range p {
				ids = append(ids, x.ID)
			}
			return nil
		})
	case "courses":
		return ids, c.ListCourses(ctx, func(p []clever.Course) error {
			for _, x := range p {
				ids = append(ids, x.ID)
			}
			return nil
		})
	case "sections":
		return ids, c.ListSections(ctx, func(p []clever.Section) error {
			for _, x := range p {
				ids = append(ids, x.ID)
			}
			return nil
		})
	case "users":
		return ids, c.ListUsers(ctx, "", func(p []clever.User) error {
			for _, x := range p {
				ids = append(ids, x.ID)
			}
			return nil
		})
	case "events":
		return ids, c.ListEvents(ctx, "", func(p []clever.Event) error {
			for _, x := range p {
				ids = append(ids, x.ID)
			}
			return nil
		})
	}
	return nil, errors.New("unknown collection " + collection)
}

// Ensure the client pages through real recorded listings: it requests
// exactly the recorded URLs, in order, by following next links resolved
// against the base URL's host (not its path), and receives every item
// once, in ascending ID order.
func TestClient_PagingRecorded(t *testing.T) {
	tests := []struct {
		file       string
		collection string
		// pageSize is the limit the recording used: 3 where the URL says
		// so, else the API's default of 100, which the client must send
		// explicitly.
		pageSize int
	}{
		{"schools_paged_limit3.json", "schools", 3},
		{"terms_paged_limit3.json", "terms", 3},
		{"courses_paged.json", "courses", 100},
		{"sections_paged.json", "sections", 100},
		{"users_paged.json", "users", 100},
		{"events_paged.json", "events", 100},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			rec := loadRecording(t, tt.file)
			client, mux, _ := setup(t, func(o *clever.Options) { o.PageSize = tt.pageSize })

			// The URLs the client must request, as the server sees them.
			responses := make(map[string]*interaction)
			var want []string
			wantItems := 0
			for i := range rec.Interactions {
				it := &rec.Interactions[i]
				u, err := url.Parse(it.Request.URL)
				if err != nil {
					t.Fatal(err)
				}
				if i == 0 && !u.Query().Has("limit") {
					u.RawQuery = "limit=" + strconv.Itoa(tt.pageSize)
				}
				uri := baseURLPath + u.RequestURI()
				want = append(want, uri)
				responses[uri] = it
				var page struct {
					Data []jsontext.Value `json:"data"`
				}
				if err := json.Unmarshal(it.Response.Body, &page); err != nil {
					t.Fatal(err)
				}
				wantItems += len(page.Data)
			}

			var mu sync.Mutex
			var got []string
			mux.HandleFunc("GET /", func(w http.ResponseWriter, r *http.Request) {
				testBearer(t, r)
				mu.Lock()
				got = append(got, r.RequestURI)
				mu.Unlock()
				it, ok := responses[r.RequestURI]
				if !ok {
					t.Errorf("unrecorded request %s", r.RequestURI)
					http.NotFound(w, r)
					return
				}
				last := it == &rec.Interactions[len(rec.Interactions)-1]
				it.writeRecorded(t, w, rebaseLinks(t, it.body(t), last))
			})

			ids, err := listIDs(t.Context(), client, tt.collection)
			if err != nil {
				t.Fatalf("list %s: %v", tt.collection, err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("requested URLs mismatch (-want +got):\n%s", diff)
			}
			if len(ids) != wantItems {
				t.Errorf("got %d items, want %d", len(ids), wantItems)
			}
			for i := 1; i < len(ids); i++ {
				if ids[i] <= ids[i-1] {
					t.Fatalf("IDs not ascending and unique at %d: %s after %s", i, ids[i], ids[i-1])
				}
			}
		})
	}
}

// Ensure paging stops at a page with no items even when it carries a next
// link, as Clever's starting_after pages may.
func TestClient_PagingStopsOnEmptyPage(t *testing.T) {
	client, mux, _ := setup(t)
	var calls int
	mux.HandleFunc("GET /v3.0/schools", func(w http.ResponseWriter, r *http.Request) {
		calls++
		switch r.URL.Query().Get("starting_after") {
		case "":
			writeJSON(w, listBody("schools", baseURLPath+"/v3.0/schools?limit=10000&starting_after=s2", `{"id":"s1"}`, `{"id":"s2"}`))
		case "s2":
			writeJSON(w, listBody("schools", baseURLPath+"/v3.0/schools?limit=10000&starting_after=s9"))
		default:
			t.Errorf("followed the next link of an empty page: %s", r.RequestURI)
		}
	})

	ids, err := listIDs(t.Context(), client, "schools")
	if err != nil {
		t.Fatalf("ListSchools: %v", err)
	}
	if diff := cmp.Diff([]string{"s1", "s2"}, ids); diff != "" {
		t.Errorf("IDs mismatch (-want +got):\n%s", diff)
	}
	if calls != 2 {
		t.Errorf("requests = %d, want 2", calls)
	}
}

// Ensure a page the skim takes for one with records, but which decodes
// to none, still ends the listing: its next page may be asked for, but
// none of it is kept. A page whose first data array is empty but whose
// last is not goes on.
func TestClient_PagingStopsOnPageDecodedEmpty(t *testing.T) {
	const next = baseURLPath + "/v3.0/schools?limit=10000&starting_after=s9"
	links := fmt.Sprintf(`"links":[{"rel":"next","uri":%q}]`, next)
	tests := []struct {
		name   string
		second string
		want   []string
	}{
		{name: "items without records", second: `{"data":[{"uri":"/v3.0/schools/x"}],` + links + `}`, want: []string{"s1", "s2"}},
		{name: "records replaced by an empty data", second: `{"data":[{"data":{"id":"s8"}}],"data":[],` + links + `}`, want: []string{"s1", "s2"}},
		{name: "empty data replaced by records", second: `{"data":[],"data":[{"data":{"id":"s8"}}],` + links + `}`, want: []string{"s1", "s2", "s8", "s10"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client, mux, _ := setup(t)
			mux.HandleFunc("GET /v3.0/schools", func(w http.ResponseWriter, r *http.Request) {
				switch r.URL.Query().Get("starting_after") {
				case "":
					writeJSON(w, listBody("schools", baseURLPath+"/v3.0/schools?limit=10000&starting_after=s2", `{"id":"s1"}`, `{"id":"s2"}`))
				case "s2":
					writeJSON(w, tt.second)
				default:
					writeJSON(w, listBody("schools", "", `{"id":"s10"}`))
				}
			})
			ids, err := listIDs(t.Context(), client, "schools")
			if err != nil {
				t.Fatalf("ListSchools: %v", err)
			}
			if diff := cmp.Diff(tt.want, ids); diff != "" {
				t.Errorf("IDs mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// Ensure a next link back to a page already read is an error, not an
// endless crawl.
func TestClient_PagingLoop(t *testing.T) {
	tests := []struct {
		name string
		next map[string]string // starting_after → next link of that page
	}{
		{"SelfLink", map[string]string{"": "/v3.0/courses?limit=10000"}},
		{"Cycle", map[string]string{
			"":   "/v3.0/courses?limit=10000&starting_after=c1",
			"c1": "/v3.0/courses?limit=10000&starting_after=c2",
			"c2": "/v3.0/courses?limit=10000&starting_after=c1",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client, mux, _ := setup(t)
			calls := 0
			mux.HandleFunc("GET /v3.0/courses", func(w http.ResponseWriter, r *http.Request) {
				calls++
				after := r.URL.Query().Get("starting_after")
				writeJSON(w, listBody("courses", baseURLPath+tt.next[after], `{"id":"c`+after+`"}`))
			})

			_, err := listIDs(t.Context(), client, "courses")
			if !errors.Is(err, clever.ErrPaginationLoop) {
				t.Fatalf("err = %v, want ErrPaginationLoop", err)
			}
			if !strings.Contains(err.Error(), testConn) || !strings.Contains(err.Error(), "/v3.0/courses") {
				t.Errorf("error %q does not name the connection and the path", err)
			}
			if calls != len(tt.next) {
				t.Errorf("requests = %d, want %d", calls, len(tt.next))
			}
		})
	}
}

// Ensure a next link to another host is refused, so the bearer token is
// never sent there.
func TestClient_PagingForeignHost(t *testing.T) {
	client, mux, _ := setup(t)
	mux.HandleFunc("GET /v3.0/schools", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, listBody("schools", "https://attacker.invalid/v3.0/schools?starting_after=s1", `{"id":"s1"}`))
	})

	_, err := listIDs(t.Context(), client, "schools")
	if !errors.Is(err, clever.ErrForeignNextLink) {
		t.Errorf("err = %v, want ErrForeignNextLink", err)
	}
}

// Ensure a relative next link (no leading slash) resolves against the
// page that carried it.
func TestClient_PagingRelativeLink(t *testing.T) {
	client, mux, _ := setup(t)
	mux.HandleFunc("GET /v3.0/users", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("starting_after") == "" {
			testQuery(t, r, url.Values{"limit": {"10000"}, "role": {"staff"}})
			writeJSON(w, listBody("users", "users?limit=10000&role=staff&starting_after=u1", `{"id":"u1"}`))
			return
		}
		testQuery(t, r, url.Values{"limit": {"10000"}, "role": {"staff"}, "starting_after": {"u1"}})
		writeJSON(w, listBody("users", "", `{"id":"u2"}`))
	})

	var ids []string
	err := client.ListUsers(t.Context(), "staff", func(p []clever.User) error {
		for _, u := range p {
			ids = append(ids, u.ID)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("ListUsers: %v", err)
	}
	if diff := cmp.Diff([]string{"u1", "u2"}, ids); diff != "" {
		t.Errorf("IDs mismatch (-want +got):\n%s", diff)
	}
}

// Ensure an error from the page callback stops paging and is returned:
// the pages read ahead meanwhile are never handed over, and no more than
// ListAhead are read.
func TestClient_PagingCallbackError(t *testing.T) {
	client, mux, _ := setup(t)
	var ahead atomic.Int32
	mux.HandleFunc("GET /v3.0/sections", func(w http.ResponseWriter, r *http.Request) {
		n := 0
		if after := r.URL.Query().Get("starting_after"); after != "" {
			n, _ = strconv.Atoi(strings.TrimPrefix(after, "x"))
			ahead.Add(1)
		}
		next := baseURLPath + "/v3.0/sections?limit=10000&starting_after=x" + strconv.Itoa(n+1)
		writeJSON(w, listBody("sections", next, `{"id":"x`+strconv.Itoa(n+1)+`"}`))
	})
	stop := errors.New("enough")
	calls := 0
	err := client.ListSections(t.Context(), func([]clever.Section) error { calls++; return stop })
	if !errors.Is(err, stop) {
		t.Errorf("err = %v, want the callback's error", err)
	}
	if calls != 1 || ahead.Load() > clever.ListAhead {
		t.Errorf("callback called %d times, %d pages read ahead; want 1 and at most %d", calls, ahead.Load(), clever.ListAhead)
	}
}

// Ensure a listing hands every page to the callback once, in order,
// however the pages' decoding interleaves: pages of different sizes
// decode in different times.
func TestClient_PagingInOrder(t *testing.T) {
	client, mux, _ := setup(t)
	const pages = 60
	var want []string
	items := func(n int) []string {
		var out []string
		for k := range 1 + (n*37)%200 { // 1 to 200 items
			out = append(out, fmt.Sprintf(`{"id":"u%03d-%03d","name":{"first":"%s"}}`, n, k, strings.Repeat("x", k)))
		}
		return out
	}
	for n := range pages {
		for k := range 1 + (n*37)%200 {
			want = append(want, fmt.Sprintf("u%03d-%03d", n, k))
		}
	}
	mux.HandleFunc("GET /v3.0/users", func(w http.ResponseWriter, r *http.Request) {
		n := 0
		if after := r.URL.Query().Get("starting_after"); after != "" {
			n, _ = strconv.Atoi(strings.TrimPrefix(after, "p"))
		}
		next := ""
		if n+1 < pages {
			next = baseURLPath + "/v3.0/users?limit=10000&starting_after=p" + strconv.Itoa(n+1)
		}
		writeJSON(w, listBody("users", next, items(n)...))
	})
	ids, err := listIDs(t.Context(), client, "users")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, ids); diff != "" {
		t.Errorf("IDs mismatch (-want +got):\n%s", diff)
	}
}

// Ensure the next page is read while the callback maps this one: a crawl
// is paced, and a callback that waited for each page before the next was
// asked for would add its time to every request's.
func TestClient_PagingReadsAhead(t *testing.T) {
	client, mux, _ := setup(t)
	asked := make(chan struct{})
	mux.HandleFunc("GET /v3.0/users", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("starting_after") == "" {
			writeJSON(w, listBody("users", baseURLPath+"/v3.0/users?limit=10000&starting_after=u1", `{"id":"u1"}`))
			return
		}
		close(asked)
		writeJSON(w, listBody("users", "", `{"id":"u2"}`))
	})

	var ids []string
	err := client.ListUsers(t.Context(), "", func(p []clever.User) error {
		if len(ids) == 0 {
			select {
			case <-asked:
			case <-time.After(10 * time.Second):
				return errors.New("page 2 was not asked for while page 1 was being mapped")
			}
		}
		for _, u := range p {
			ids = append(ids, u.ID)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("ListUsers: %v", err)
	}
	if diff := cmp.Diff([]string{"u1", "u2"}, ids); diff != "" {
		t.Errorf("IDs mismatch (-want +got):\n%s", diff)
	}
}

// Ensure a listing ends with the context's error when the context ends
// while a page is being read.
func TestClient_PagingCanceled(t *testing.T) {
	client, mux, _ := setup(t)
	ctx, cancel := context.WithCancel(t.Context())
	mux.HandleFunc("GET /v3.0/terms", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("starting_after") == "" {
			writeJSON(w, listBody("terms", baseURLPath+"/v3.0/terms?limit=10000&starting_after=t1", `{"id":"t1"}`))
			return
		}
		cancel()
		<-r.Context().Done()
	})
	_, err := listIDs(ctx, client, "terms")
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}
