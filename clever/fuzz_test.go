package clever

import (
	"testing"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/rosterd/rosterd/roster"
)

// FuzzDecodePages decodes arbitrary bytes as a Clever list page of each
// collection and maps every item into the roster, as a crawl does: it must
// fail with an error or give records, never panic. Its seed corpus, in
// testdata/fuzz/FuzzDecodePages, holds pages shaped like Clever's with the
// awkward values the decoder must survive (three date forms, empty
// strings, nulls, unknown members, wrong types, duplicate names). And
// whatever decodes as a page, skimPage, which finds the next link while
// the page decodes, must read the same links, and call it empty only when
// it has no items.
func FuzzDecodePages(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		r := &roster.Roster{}
		m := newMapper(r)
		var users page[User]
		if json.Unmarshal(data, &users, decodeOptions) == nil {
			for i := range users.Data.list {
				for _, role := range roster.AllRoles {
					r.Users = append(r.Users, users.Data.list[i].toRoster(m, role))
				}
			}
		}
		var sections page[Section]
		if json.Unmarshal(data, &sections, decodeOptions) == nil {
			r.Sections = m.appendSections(r.Sections, sections.Data.list, false)
			// Resolving the members first, as a crawl does on its decoding
			// goroutines, must map to the same sections.
			m.resolveMembers(sections.Data.list)
			if diff := cmp.Diff(r.Sections, m.appendSections(nil, sections.Data.list, true), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("sections mapped after resolveMembers differ (-plain +resolved):\n%s", diff)
			}
		}
		var terms page[Term]
		if json.Unmarshal(data, &terms, decodeOptions) == nil {
			for i := range terms.Data.list {
				r.Terms = append(r.Terms, terms.Data.list[i].toRoster(m))
			}
		}
		var schools page[School]
		if json.Unmarshal(data, &schools, decodeOptions) == nil {
			for i := range schools.Data.list {
				r.Schools = append(r.Schools, schools.Data.list[i].toRoster(m))
			}
		}
		var districts page[District]
		if json.Unmarshal(data, &districts, decodeOptions) == nil {
			for i := range districts.Data.list {
				r.Districts = append(r.Districts, districts.Data.list[i].toRoster(m))
			}
		}

		var whole struct {
			Data  []jsontext.Value `json:"data"`
			Links []link           `json:"links"`
		}
		// skimPage reads a Clever-shaped page from its ends (skimTail) and
		// walks any other; either way its links must be the decoded ones,
		// and a page it calls empty, which ends the crawl, must have no
		// items. It may call a page without items not empty (a later
		// "data" member replacing the first): the listing then ends at
		// that page, having asked for one it does not use. On a page that
		// does not decode it may read anything: the decode fails the
		// listing.
		if json.Unmarshal(data, &whole, decodeOptions) == nil {
			links, empty, err := skimPage(data)
			if err != nil {
				t.Fatalf("the page decodes, but skimPage fails: %v", err)
			}
			if diff := cmp.Diff(whole.Links, links, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("skimPage links differ from the decoded ones (-decoded +skimmed):\n%s", diff)
			}
			if empty && len(whole.Data) != 0 {
				t.Errorf("skimPage says empty for %d items", len(whole.Data))
			}
		}
	})
}

// FuzzFastDecode checks the fast decoder against the library on any
// body: whatever it accepts, the library must decode without error and
// to the same page, for users and for sections alike.
func FuzzFastDecode(f *testing.F) {
	for _, body := range []string{
		`{"data":[{"data":{"id":"u1","district":"d1","name":{"first":"Ann","last":"Cole"},"roles":{"student":{"sis_id":"1","schools":["s1"],"enrollments":[],"location":{"zip":"1"},"credentials":{"district_username":"a"},"ext":{"k":1}}}},"uri":"/v3.0/users/u1"}],"links":[{"rel":"next","uri":"/v3.0/users?starting_after=u1"}]}`,
		`{"data":[{"data":{"id":"u2","roles":{"teacher":{"schools":["s1","s2"]},"staff":{"roles":["a"]},"district_admin":{"title":"T"},"contact":{"student_relationships":[{"student":"u1"}]}}}}],"links":[]}`,
		`{"data":[{"data":{"id":"x1","teacher":"t","teachers":["t"],"students":["u1","u2"],"ext":null}}],"links":[]}`,
		`{"data":[{"data":{"name":{"first":"A"},"name":{"last":"\u00e9\ud800"},"id":"a","id":null}},{"uri":"x"},{"data":null}],"data":[],"links":null}`,
		"{\"data\":[{\"data\":{\"id\":\"\xff\",\"n\\u0061me\":{\"first\":\"Jos\xe9\"}}}]}",
	} {
		f.Add([]byte(body))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		diffFast[User](t, prevUsers, data)
		diffFast[Section](t, prevSections, data)
	})
}
