package oneroster

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/rosterd/rosterd/internal/fakeoneroster"
	"github.com/rosterd/rosterd/internal/synth"
	"github.com/rosterd/rosterd/roster"
)

// enrollmentPages are page bodies for the fast enrollment decoder: fast
// says whether it must decode the page itself rather than give it to the
// library.
var enrollmentPages = []struct {
	name string
	body string
	fast bool
}{
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
	for _, tt := range enrollmentPages {
		t.Run(tt.name, func(t *testing.T) {
			fast := make([]Enrollment, 0, 4)
			got := decodeEnrollmentsFast([]byte(tt.body), "enrollments", &fast)
			if got != tt.fast {
				t.Fatalf("decoded fast: %v, want %v", got, tt.fast)
			}
			if !got {
				if len(fast) != 0 {
					t.Errorf("a page given up left %d items", len(fast))
				}
				for i, e := range fast[:cap(fast)] {
					if !cmp.Equal(e, Enrollment{}) {
						t.Errorf("a page given up left %+v in spare capacity %d, where the library decodes in place", e, i)
					}
				}
				return
			}
			var slow []Enrollment
			if err := decodeEnvelope([]byte(tt.body), "enrollments", &slow); err != nil {
				t.Fatalf("the library refuses a page the fast decoder took: %v", err)
			}
			if diff := cmp.Diff(slow, fast, cmpEnrollments); diff != "" {
				t.Errorf("fast decode differs from the library's (-library +fast):\n%s", diff)
			}
		})
	}
}

// Ensure the fake provider's enrollment pages, shaped as real ones are,
// take the fast path.
func TestDecodeEnrollmentsFast_FakesPages(t *testing.T) {
	p, _ := synth.ProfileByName("small")
	gen, _ := synth.Generate(p)
	for _, v := range []fakeoneroster.Version{fakeoneroster.V1p1, fakeoneroster.V1p2} {
		body := fakePage(t, gen, v, "enrollments", 1000)
		var fast, slow []Enrollment
		if !decodeEnrollmentsFast(body, "enrollments", &fast) {
			t.Fatalf("%s: the fast decoder gave up the fake's page", v)
		}
		if err := decodeEnvelope(body, "enrollments", &slow); err != nil {
			t.Fatal(err)
		}
		if len(fast) != 1000 {
			t.Errorf("%s: decoded %d enrollments, want 1000", v, len(fast))
		}
		if diff := cmp.Diff(slow, fast, cmpEnrollments); diff != "" {
			t.Errorf("%s: fast decode differs from the library's (-library +fast):\n%s", v, diff)
		}
	}
}

// cmpEnrollments compares what two decoders made of enrollments.
var cmpEnrollments = cmpopts.EquateEmpty()

// FuzzEnrollmentsFast holds the fast enrollment decoder to the library:
// a page it decodes, the library decodes to the same enrollments.
func FuzzEnrollmentsFast(f *testing.F) {
	for _, tt := range enrollmentPages {
		f.Add([]byte(tt.body))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var fast []Enrollment
		if !decodeEnrollmentsFast(body, "enrollments", &fast) {
			return
		}
		var slow []Enrollment
		if err := decodeEnvelope(body, "enrollments", &slow); err != nil {
			t.Fatalf("the library refuses a page the fast decoder took: %v", err)
		}
		if diff := cmp.Diff(slow, fast, cmpEnrollments); diff != "" {
			t.Fatalf("fast decode differs from the library's (-library +fast):\n%s", diff)
		}
	})
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
