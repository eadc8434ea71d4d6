package clever

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestSkimTail(t *testing.T) {
	const item = `{"data":{"id":"a1","name":{"first":"Ann"},"roles":{"student":{"school":"s1"}}},"uri":"/v3.0/users/a1"}`
	next := []link{{Rel: "self", URI: "/v3.0/users?limit=2"}, {Rel: "next", URI: "/v3.0/users?limit=2&starting_after=a1"}}
	const links = `[{"rel":"self","uri":"/v3.0/users?limit=2"},{"rel":"next","uri":"/v3.0/users?limit=2&starting_after=a1"}]`
	tests := []struct {
		name      string
		body      string
		tail      bool // skimTail reads it itself
		links     []link
		empty     bool
		walkFails bool
	}{
		{name: "clever page", body: `{"data":[` + item + `,` + item + `],"links":` + links + `}`, tail: true, links: next},
		{name: "last page", body: `{"data":[` + item + `],"links":[{"rel":"self","uri":"/x"}]}` + "\n", tail: true, links: []link{{Rel: "self", URI: "/x"}}},
		{name: "spaced links and end", body: `{"data":[ ` + item + `],"links": ` + links + " }\r\n", tail: true, links: next},
		{name: "a record named data", body: `{"data":[{"data":{"id":"data"},"uri":"/u"}],"links":` + links + `}`, tail: true, links: next},
		{name: "links twice", body: `{"data":[` + item + `],"links":[],"links":` + links + `}`, tail: true, links: next},
		{name: "links inside a record", body: `{"data":[{"data":{"id":"a","ext":{"links":[]}},"uri":"/u"}],"links":` + links + `}`, tail: true, links: next},
		{name: "escapes in a record", body: `{"data":[{"data":{"id":"a\",\"links\":[]}"},"uri":"/u"}],"links":` + links + `}`, tail: true, links: next},
		{name: "null links", body: `{"data":[` + item + `],"links":null}`, tail: true},
		// Not empty to the skim, though the decode finds no record: the
		// crawl asks for the next page, and the listing ends here.
		{name: "data twice", body: `{"data":[` + item + `],"data":[],"links":` + links + `}`, tail: true, links: next},
		// Every page below is walked instead.
		{name: "empty page", body: `{"data":[],"links":[{"rel":"self","uri":"/x"}]}`, empty: true, links: []link{{Rel: "self", URI: "/x"}}},
		{name: "empty first, records after", body: `{"data":[ ],"data":[` + item + `],"links":` + links + `}`, links: next},
		{name: "links deeper, last", body: `{"data":[{"data":{"id":"a","ext":{"x":1,"links":[]}},"uri":"/u"}]}`},
		{name: "links deeper, then the page's", body: `{"data":[` + item + `],"links":` + links + `,"paging":{"x":1,"links":[]}}`, links: next},
		{name: "links first", body: `{"links":` + links + `,"data":[` + item + `]}`, links: next},
		{name: "a member after links", body: `{"data":[` + item + `],"links":` + links + `,"paging":{}}`, links: next},
		{name: "formatted", body: `{ "data": [` + item + `], "links": ` + links + ` }`, links: next},
		{name: "null page", body: `null`, empty: true},
		{name: "links not an array", body: `{"data":[` + item + `],"links":{}}`, walkFails: true},
		{name: "links cut short", body: `{"data":[` + item + `],"links":[{"rel":"next"}`, walkFails: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, tail := skimTail([]byte(tt.body))
			if tail != tt.tail {
				t.Fatalf("skimTail ok = %v, want %v", tail, tt.tail)
			}
			links, empty, err := skimPage([]byte(tt.body))
			if (err != nil) != tt.walkFails {
				t.Fatalf("skimPage error = %v, want failure %v", err, tt.walkFails)
			}
			if err != nil {
				return
			}
			if diff := cmp.Diff(tt.links, links, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("skimPage links (-want +got):\n%s", diff)
			}
			if empty != tt.empty {
				t.Errorf("skimPage empty = %v, want %v", empty, tt.empty)
			}
		})
	}
}

// benchPage is a users page of 10,000 shaped as Clever sends it.
func benchPage() []byte {
	var b strings.Builder
	b.WriteString(`{"data":[`)
	for i := range 10_000 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"data":{"id":"%024x","district":"d1","email":"s%d@example.net","name":{"first":"First%d","last":"Last%d"},"roles":{"student":{"sis_id":"%d","grade":"3","school":"s1","schools":["s1"]}}},"uri":"/v3.0/users/%024x"}`, i, i, i, i, i, i)
	}
	b.WriteString(`],"links":[{"rel":"self","uri":"/v3.0/users?limit=10000"},{"rel":"next","uri":"/v3.0/users?limit=10000&starting_after=x"}]}`)
	return []byte(b.String())
}

func BenchmarkSkimPage(b *testing.B) {
	page := benchPage()
	for _, bb := range []struct {
		name string
		skim func([]byte) ([]link, bool, error)
	}{{"walk", skimWalk}, {"fast", skimPage}} {
		b.Run(bb.name, func(b *testing.B) {
			b.SetBytes(int64(len(page)))
			for b.Loop() {
				if links, _, err := bb.skim(page); err != nil || len(links) != 2 {
					b.Fatal(links, err)
				}
			}
		})
	}
}
