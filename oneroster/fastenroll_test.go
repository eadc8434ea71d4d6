package oneroster

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rosterd/rosterd/internal/fakeoneroster"
	"github.com/rosterd/rosterd/internal/synth"
	"github.com/rosterd/rosterd/roster"
)

// enrollmentPages are page bodies for the fast enrollment decoder: fast
// says whether it must decode the page itself rather than give it to the
// library.
var enrollmentPages = []fastPage{
	{"1.2 as the fake sends it", `{"enrollments":[{"sourcedId":"e1","status":"active","dateLastModified":"2025-08-01T12:00:00.000Z",` +
		`"user":{"href":"/users/u1","sourcedId":"u1","type":"user"},"class":{"href":"/classes/c1","sourcedId":"c1","type":"class"},` +
		`"school":{"href":"/orgs/s1","sourcedId":"s1","type":"org"},"role":"student","primary":"false","beginDate":"2025-08-15","endDate":"2026-06-10"}]}`, true},
	{"several, members in another order, spaces", "{ \"enrollments\" : [ {\"role\" : \"teacher\" ,\n\t\"primary\": true, \"class\":{ \"sourcedId\" : \"c\" } , \"sourcedId\":\"a\"} ,\r\n" +
		`{"sourcedId":"b","user":{"sourcedId":"u"},"primary":false}, {} ] }`, true},
	{"metadata and unknown members of every kind", `{"enrollments":[{"sourcedId":"e","metadata":{"ext":{"a":[1,"x]",{"b":null}]}},` +
		`"extra":[true,false,null,-1.5e3,{"k":"}"}],"n":12,"t":true,"z":null,"user":{"sourcedId":"u","extra":{"sourcedId":"nested"}}}]}`, true},
	{"empty metadata, primary as every lenient form", `{"enrollments":[{"metadata":{},"primary":"TRUE"},{"primary":1},{"primary":"yes"},{"primary":null},{"metadata":null}]}`, true},
	{"metadata that is no object", `{"enrollments":[{"metadata":"x"},{"metadata":[1]}]}`, true},
	{"other members around the collection", `{"statusInfoSet":[{"imsx_codeMajor":"success"}],"enrollments":[{"sourcedId":"e"}],"next":"x"}`, true},
	{"no enrollments", `{"enrollments":[]}`, true},
	{"null collection", `{"enrollments":null}`, true},

	{"an escape in a member skipped", `{"enrollments":[{"extra":"a\"b"}]}`, false},
	{"a control byte", "{\"enrollments\":[{\"sourcedId\":\"a\tb\"}]}", false},
	{"a trailing comma", `{"enrollments":[{"sourcedId":"a",}]}`, false},
	{"a trailing comma in the array", `{"enrollments":[{"sourcedId":"a"},]}`, false},
	{"a number JSON does not have", `{"enrollments":[{"n":01}]}`, false},
	{"a literal cut short", `{"enrollments":[{"n":nul}]}`, false},
	{"a literal run on", `{"enrollments":[{"n":nullx}]}`, false},
	{"deep nesting", `{"enrollments":[{"n":` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `}]}`, false},
	{"an escape", `{"enrollments":[{"sourcedId":"e\u0031"}]}`, false},
	{"an escaped quote", `{"enrollments":[{"role":"a\"b"}]}`, false},
	{"beyond ASCII", `{"enrollments":[{"sourcedId":"é"}]}`, false},
	{"invalid UTF-8", "{\"enrollments\":[{\"sourcedId\":\"\xff\"}]}", false},
	{"null string", `{"enrollments":[{"sourcedId":null}]}`, false},
	{"number for a string", `{"enrollments":[{"role":5}]}`, false},
	{"null reference", `{"enrollments":[{"user":null}]}`, false},
	{"string reference", `{"enrollments":[{"user":"u1"}]}`, false},
	{"member named twice", `{"enrollments":[{"sourcedId":"a","sourcedId":"b"}]}`, false},
	{"reference's member named twice", `{"enrollments":[{"user":{"sourcedId":"a","sourcedId":"b"}}]}`, false},
	{"member in another case", `{"enrollments":[{"SourcedId":"a"}]}`, false},
	{"reference's member in another case", `{"enrollments":[{"user":{"sourcedid":"a"}}]}`, false},
	{"null element", `{"enrollments":[null]}`, false},
	{"collection twice", `{"enrollments":[{"sourcedId":"a"}],"enrollments":[{"sourcedId":"b"}]}`, false},
	{"collection not an array", `{"enrollments":{"sourcedId":"a"}}`, false},
	{"no collection", `{"users":[]}`, false},
	{"not an object", `[]`, false},
	{"cut short", `{"enrollments":[{"sourcedId":"a"}`, false},
	{"trailing bytes, which the library does not read either", `{"enrollments":[{"sourcedId":"a"}]} x`, true},
	{"not JSON", `<html>`, false},
}

// Ensure the fast decoder decodes the pages it should, exactly as the
// library does, and gives up the others, leaving the items as they were.
func TestDecodeEnrollmentsFast(t *testing.T) {
	testFastPages(t, enrollmentPages, "enrollments", decodeEnrollmentsFast)
}

// Ensure the fake provider's enrollment pages, shaped as real ones are,
// take the fast path.
func TestDecodeEnrollmentsFast_FakesPages(t *testing.T) {
	testFakesPages(t, "enrollments", decodeEnrollmentsFast)
}

// FuzzEnrollmentsFast holds the fast enrollment decoder to the library:
// a page it decodes, the library decodes to the same enrollments.
func FuzzEnrollmentsFast(f *testing.F) {
	for _, tt := range enrollmentPages {
		f.Add([]byte(tt.body))
	}
	f.Fuzz(func(t *testing.T, body []byte) { fuzzFastPage(t, body, "enrollments", decodeEnrollmentsFast) })
}

// fastPage is a page body for a fast decoder: fast says whether it must
// decode the page itself rather than give it to the library.
type fastPage struct {
	name string
	body string
	fast bool
}

// fastDecoder is decodeEnrollmentsFast or decodeUsersFast.
type fastDecoder[T any] func(body []byte, key string, items *[]T) bool

// testFastPages decodes each page with decode, which must take or give it
// up as the page says; what it takes must equal the library's decode,
// exactly (a nil list is not an empty one), and a page given up must leave
// no items and the spare capacity zero.
func testFastPages[T any](t *testing.T, pages []fastPage, key string, decode fastDecoder[T]) {
	t.Helper()
	for _, tt := range pages {
		t.Run(tt.name, func(t *testing.T) {
			fast := make([]T, 0, 4)
			got := decode([]byte(tt.body), key, &fast)
			if got != tt.fast {
				t.Fatalf("decoded fast: %v, want %v", got, tt.fast)
			}
			if !got {
				if len(fast) != 0 {
					t.Errorf("a page given up left %d items", len(fast))
				}
				var zero T
				for i, rec := range fast[:cap(fast)] {
					if !cmp.Equal(rec, zero) {
						t.Errorf("a page given up left %+v in spare capacity %d, where the library decodes in place", rec, i)
					}
				}
				return
			}
			slow := make([]T, 0, 4)
			if err := decodeEnvelope([]byte(tt.body), key, &slow); err != nil {
				t.Fatalf("the library refuses a page the fast decoder took: %v", err)
			}
			if diff := cmp.Diff(slow, fast); diff != "" {
				t.Errorf("fast decode differs from the library's (-library +fast):\n%s", diff)
			}
		})
	}
}

// testFakesPages checks that the small district's first 1,000 records
// of coll, as the fake serves them in 1.1 and in 1.2, take the fast path
// and decode as the library decodes them.
func testFakesPages[T any](t *testing.T, coll string, decode fastDecoder[T]) {
	t.Helper()
	p, _ := synth.ProfileByName("small")
	gen, _ := synth.Generate(p)
	const n = 1000
	for _, v := range []fakeoneroster.Version{fakeoneroster.V1p1, fakeoneroster.V1p2} {
		body := fakePage(t, gen, v, coll, n)
		var fast, slow []T
		if !decode(body, coll, &fast) {
			t.Fatalf("%s: the fast decoder gave up the fake's page %.200s", v, body)
		}
		if err := decodeEnvelope(body, coll, &slow); err != nil {
			t.Fatal(err)
		}
		if len(fast) != n {
			t.Errorf("%s: decoded %d records, want %d", v, len(fast), n)
		}
		if diff := cmp.Diff(slow, fast); diff != "" {
			t.Errorf("%s: fast decode differs from the library's (-library +fast):\n%s", v, diff)
		}
	}
}

// fuzzFastPage fails when decode takes a body the library refuses or
// decodes otherwise.
func fuzzFastPage[T any](t *testing.T, body []byte, key string, decode fastDecoder[T]) {
	var fast []T
	if !decode(body, key, &fast) {
		return
	}
	var slow []T
	if err := decodeEnvelope(body, key, &slow); err != nil {
		t.Fatalf("the library refuses a page the fast decoder took: %v", err)
	}
	if diff := cmp.Diff(slow, fast); diff != "" {
		t.Fatalf("fast decode differs from the library's (-library +fast):\n%s", diff)
	}
}

// fakePage GETs the first n records of coll from the fake serving r.
func fakePage(t testing.TB, r *roster.Roster, v fakeoneroster.Version, coll string, n int) []byte {
	t.Helper()
	srv := httptest.NewServer(fakeoneroster.NewServer(fakeoneroster.FromRoster(r), fakeoneroster.Options{BearerToken: "t"}))
	defer srv.Close()
	req, _ := http.NewRequest(http.MethodGet, fmt.Sprintf("%s%s/%s?limit=%d", srv.URL, v.BasePath(), coll, n), nil)
	req.Header.Set("Authorization", "Bearer t")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %v", coll, resp.StatusCode, err)
	}
	return body
}
