package clever_test

import (
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"

	"github.com/rosterd/rosterd/clever"
	"github.com/rosterd/rosterd/internal/fakeclever"
	"github.com/rosterd/rosterd/internal/synth"
	"github.com/rosterd/rosterd/roster"
)

// benchProfile picks the generated district BenchmarkSourceFetchProfile
// crawls. large takes about a minute and 2 GB; never run xl on a shared
// machine.
var benchProfile = flag.String("clever.profile", "medium", "synth profile crawled by BenchmarkSourceFetchProfile")

// benchDistrict is a generated district served in pages of 10,000, with
// the XL district's ratio of about four enrollments per user.
type benchDistrict struct {
	pages map[string]string // request URI → body
}

func newBenchDistrict(students, teachers, sections, perSection int) *benchDistrict {
	d := &benchDistrict{pages: make(map[string]string)}
	id := func(kind, n int) string { return fmt.Sprintf("%08x%016x", kind, n) }
	schools := []string{id(1, 1), id(1, 2), id(1, 3)}
	grades := []string{"Kindergarten", "1", "2", "3", "4", "5", "6", "7", "8"}

	var items []string
	for i := range students {
		items = append(items, fmt.Sprintf(`{"data":{"id":%q,"district":"d1","created":"2021-03-02T22:24:53.347Z","last_modified":"2021-03-02T22:24:53.347Z","email":"s%d@example.net","name":{"first":"First%d","middle":"M","last":"Last%d"},"roles":{"student":{"sis_id":"%d","student_number":"%d","state_id":"9%d","credentials":{"district_username":"user%d"},"dob":"%d/%d/2010","gender":"F","grade":%q,"graduation_year":"","hispanic_ethnicity":"N","race":"Asian","ell_status":"N","enrollments":[],"location":{"zip":"10459"},"school":%q,"schools":[%q]}}},"uri":"/v3.0/users/x"}`,
			id(2, i), i, i%500, i%900, i, i, i, i, i%12+1, i%28+1, grades[i%len(grades)], schools[i%3], schools[i%3]))
	}
	d.addPages("users", "role=student", items)

	items = items[:0]
	for i := range teachers {
		items = append(items, fmt.Sprintf(`{"data":{"id":%q,"district":"d1","last_modified":"2021-03-02T22:24:55.356Z","email":"t%d@example.net","name":{"first":"T%d","last":"L%d"},"roles":{"teacher":{"sis_id":"%d","teacher_number":"%d","title":"Teacher","credentials":{"district_username":"t%d"},"school":%q,"schools":[%q,%q]}}},"uri":"/v3.0/users/x"}`,
			id(3, i), i, i, i, i, i, i, schools[i%3], schools[i%3], schools[(i+1)%3]))
	}
	d.addPages("users", "role=teacher", items)

	items = items[:0]
	for i := range sections {
		ids := make([]string, perSection)
		for j := range ids {
			ids[j] = fmt.Sprintf("%q", id(2, (i*perSection+j*7)%students))
		}
		t := id(3, i%teachers)
		items = append(items, fmt.Sprintf(`{"data":{"id":%q,"district":"d1","school":%q,"course":%q,"term_id":%q,"name":"Section %d","sis_id":"%d","section_number":"","period":"%d","grade":%q,"subject":"math","teacher":%q,"teachers":[%q],"students":[%s],"created":"2017-12-05T02:09:06.567Z","last_modified":"2021-03-02T22:25:01.742Z"},"uri":"/v3.0/sections/x"}`,
			id(4, i), schools[i%3], id(5, i%200), id(6, i%3), i, i, i%8, grades[i%len(grades)], t, t, strings.Join(ids, ",")))
	}
	d.addPages("sections", "", items)

	d.pages[baseURLPath+"/v3.0/districts?limit=10000"] = `{"data":[{"data":{"id":"d1","name":"Bench"}}],"links":[]}`
	for _, empty := range []string{"schools", "terms", "courses"} {
		d.pages[baseURLPath+"/v3.0/"+empty+"?limit=10000"] = `{"data":[],"links":[]}`
	}
	return d
}

// addPages splits items into pages of 10,000 linked by next links, the
// way Clever pages a collection.
func (d *benchDistrict) addPages(collection, query string, items []string) {
	uri := func(after int) string {
		q := "limit=10000"
		if query != "" {
			q += "&" + query
		}
		if after > 0 {
			q += fmt.Sprintf("&starting_after=p%d", after)
		}
		return fmt.Sprintf("%s/v3.0/%s?%s", baseURLPath, collection, q)
	}
	for start := 0; start < len(items); start += 10000 {
		end := min(start+10000, len(items))
		links := ""
		if end < len(items) {
			links = fmt.Sprintf(`{"rel":"next","uri":%q}`, uri(end))
		}
		d.pages[uri(start)] = fmt.Sprintf(`{"data":[%s],"links":[%s]}`, strings.Join(items[start:end], ","), links)
	}
}

func (d *benchDistrict) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, ok := d.pages[r.RequestURI]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write([]byte(body))
}

// BenchmarkSourceFetch crawls a generated district of 50,000 students,
// 2,000 teachers and 5,000 sections of 40 (200,000 enrollments) over
// loopback HTTP, end to end: paging, decoding, mapping, interning. It
// reports the heap the resulting roster keeps (sections included), in all
// and per user.
func BenchmarkSourceFetch(b *testing.B) {
	const students, teachers, sections, perSection = 50_000, 2_000, 5_000, 40
	d := newBenchDistrict(students, teachers, sections, perSection)
	srv := httptest.NewServer(d)
	defer srv.Close()
	client, err := clever.NewClient(clever.Options{
		Connection: "bench", Token: "t", BaseURL: srv.URL + baseURLPath + "/v3.0",
		Transport: fastTransport(),
	})
	if err != nil {
		b.Fatal(err)
	}
	src := clever.NewSource(client, clever.SourceOptions{})

	var r *roster.Roster
	b.ReportAllocs()
	for b.Loop() {
		r, err = src.Fetch(b.Context())
		if err != nil {
			b.Fatal(err)
		}
	}
	if len(r.Users) != students+teachers || len(r.Sections) != sections {
		b.Fatalf("fetched %d users and %d sections", len(r.Users), len(r.Sections))
	}

	// Retained heap: with only this roster alive, against none.
	r = nil
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	r, err = src.Fetch(b.Context())
	if err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	retained := float64(after.HeapAlloc) - float64(before.HeapAlloc)
	b.ReportMetric(retained/(1<<20), "roster-MiB")
	b.ReportMetric(retained/float64(len(r.Users)), "roster-B/user")
	runtime.KeepAlive(r)
}

// BenchmarkSourceFetchProfile crawls a synth district (-clever.profile,
// medium by default) served by fakeclever over loopback HTTP, with every
// role, the way "rosterd bench" does. Besides the crawl's time it reports
// the heap the fetched roster keeps per record (users, sections and the
// rest), measured after a GC with the fake's dataset alive on both sides:
// the figure that decides whether an XL sync fits in memory.
//
//	go test ./clever -run '^$' -bench SourceFetchProfile -benchtime 3x
//	go test ./clever -run '^$' -bench SourceFetchProfile -benchtime 1x -clever.profile large
func BenchmarkSourceFetchProfile(b *testing.B) {
	profile, ok := synth.ProfileByName(*benchProfile)
	if !ok {
		b.Fatalf("unknown synth profile %q", *benchProfile)
	}
	generated, _ := synth.Generate(profile)
	dataset := fakeclever.FromRoster(generated)
	generated = nil // only the served JSON stays alive, as in rosterd bench
	srv := httptest.NewServer(fakeclever.NewServer(dataset, fakeclever.Options{Token: "t", RateLimit: -1}))
	defer srv.Close()
	client, err := clever.NewClient(clever.Options{
		Connection: "bench", Token: "t", BaseURL: srv.URL + "/v3.0",
		Transport: fastTransport(),
	})
	if err != nil {
		b.Fatal(err)
	}
	src := clever.NewSource(client, clever.SourceOptions{
		Roles: []roster.Role{roster.RoleStaff, roster.RoleDistrictAdmin, roster.RoleContact},
	})

	var r *roster.Roster
	b.ReportAllocs()
	for b.Loop() {
		r, err = src.Fetch(b.Context())
		if err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()

	// Two collections on each side: the first leaves sync.Pool contents
	// (decoders, HTTP buffers) in the victim cache, the second frees them.
	r = nil
	runtime.GC()
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	r, err = src.Fetch(b.Context())
	if err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&after)
	records := len(r.Districts) + len(r.Schools) + len(r.Terms) + len(r.Courses) + len(r.Sections) + len(r.Users)
	live := float64(after.HeapAlloc) - float64(before.HeapAlloc)
	b.ReportMetric(live/1e6, "roster-MB")
	b.ReportMetric(live/float64(records), "B/record")
	b.ReportMetric(float64(records), "records")
	runtime.KeepAlive(r)
	runtime.KeepAlive(dataset)
}

// BenchmarkDecodePage decodes a page of 10,000 students and one of 10,000
// sections of 40 students, as newBenchDistrict serves them, by the
// library and by the fast decoder: the decode that was a crawl's largest
// cost.
//
//	go test ./clever -run '^$' -bench DecodePage -benchmem
func BenchmarkDecodePage(b *testing.B) {
	d := newBenchDistrict(10_000, 100, 10_000, 40)
	for _, kind := range []string{"users", "sections"} {
		var body []byte
		for uri, page := range d.pages {
			if strings.HasPrefix(uri, baseURLPath+"/v3.0/"+kind+"?") && !strings.Contains(uri, "starting_after") && !strings.Contains(uri, "role=teacher") {
				body = []byte(page)
			}
		}
		for _, fast := range []bool{false, true} {
			name := kind + "/library"
			if fast {
				name = kind + "/fast"
			}
			b.Run(name, func(b *testing.B) {
				var dec clever.PageDecoder
				b.SetBytes(int64(len(body)))
				b.ReportAllocs()
				for b.Loop() {
					n, declined, err := dec.Decode(kind, body, fast)
					if err != nil || declined || n != 10_000 {
						b.Fatalf("decoded %d records, declined %v: %v", n, declined, err)
					}
				}
			})
		}
	}
}
