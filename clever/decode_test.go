package clever

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/rosterd/rosterd/roster"
)

// This file is in package clever: it checks the wire types and the mapping
// step directly against every recorded body, including single-object and
// relationship responses the client has no method for.

// bodyKind says how to decode a response to path (below the version): a
// list or a single object, and of which wire type.
func bodyKind(path string) (typ string, list bool) {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	related := map[string]string{
		"mycontacts": "users", "mystudents": "users", "myteachers": "users",
		"district": "districts",
	}
	switch len(segs) {
	case 1:
		return segs[0], segs[0] != "me"
	case 2:
		return segs[0], false
	default:
		rel := segs[2]
		if r, ok := related[rel]; ok {
			return r, rel != "district"
		}
		return rel, true
	}
}

// decodeAndMap decodes body as typ and maps every record, returning the
// number of records and the mapper's field errors.
func decodeAndMap(t *testing.T, typ string, list bool, body []byte) (n int, errs []roster.FieldError) {
	t.Helper()
	m := newMapper(&roster.Roster{})
	each := func(p any) {
		if list {
			if err := json.Unmarshal(body, p, decodeOptions); err != nil {
				t.Fatalf("decode %s list: %v", typ, err)
			}
			return
		}
		var single struct {
			Data  jsontext.Value `json:"data"`
			Links []link         `json:"links"`
		}
		if err := json.Unmarshal(body, &single, decodeOptions); err != nil {
			t.Fatalf("decode %s: %v", typ, err)
		}
		wrapped := append(append([]byte(`{"data":[{"data":`), single.Data...), "}]}"...)
		if err := json.Unmarshal(wrapped, p, decodeOptions); err != nil {
			t.Fatalf("decode %s: %v", typ, err)
		}
	}
	switch typ {
	case "districts":
		var p page[District]
		each(&p)
		for i := range p.Data.list {
			p.Data.list[i].toRoster(m)
		}
		n = len(p.Data.list)
	case "schools":
		var p page[School]
		each(&p)
		for i := range p.Data.list {
			p.Data.list[i].toRoster(m)
		}
		n = len(p.Data.list)
	case "terms":
		var p page[Term]
		each(&p)
		for i := range p.Data.list {
			p.Data.list[i].toRoster(m)
		}
		n = len(p.Data.list)
	case "courses":
		var p page[Course]
		each(&p)
		for i := range p.Data.list {
			p.Data.list[i].toRoster(m)
		}
		n = len(p.Data.list)
	case "sections":
		var p page[Section]
		each(&p)
		m.appendSections(nil, p.Data.list, false)
		n = len(p.Data.list)
	case "users":
		var p page[User]
		each(&p)
		for i := range p.Data.list {
			p.Data.list[i].toRoster(m, roster.RoleStudent)
		}
		n = len(p.Data.list)
	case "events":
		var p page[Event]
		each(&p)
		for _, e := range p.Data.list {
			if e.ID == "" || e.Type == "" || len(e.Data.Object) == 0 {
				t.Errorf("event %q (%s) decoded without id, type or object", e.ID, e.Type)
			}
			if strings.HasSuffix(e.Type, ".updated") && e.Data.PreviousAttributes == nil {
				t.Errorf("event %s (%s) has no previous_attributes", e.ID, e.Type)
			}
		}
		n = len(p.Data.list)
	case "me":
		var single struct {
			Data Me `json:"data"`
		}
		if err := json.Unmarshal(body, &single, decodeOptions); err != nil {
			t.Fatalf("decode me: %v", err)
		}
		if single.Data.ID == "" || single.Data.Type == "" {
			t.Errorf("me decoded empty: %+v", single.Data)
		}
		return 1, nil
	default:
		t.Fatalf("no wire type for %q", typ)
	}
	return n, m.errs
}

// rawCount counts the items of a list body (1 for a single object), to
// check that decoding dropped none.
func rawCount(t *testing.T, body []byte, list bool) int {
	if !list {
		return 1
	}
	var p struct {
		Data []jsontext.Value `json:"data"`
	}
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatal(err)
	}
	return len(p.Data)
}

// Ensure every JSON body recorded from the real API and every demo
// district body decodes with the wire type its URL calls for, loses no
// record, and maps without a single field error.
func TestWireTypes_DecodeFixtures(t *testing.T) {
	recorded := FixtureDir(t, "clever", "recorded-v3.0")
	files, err := filepath.Glob(filepath.Join(recorded, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no recordings in %s: %v", recorded, err)
	}
	type body struct {
		name, path string
		data       []byte
	}
	var bodies []body
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var rec struct {
			Interactions []struct {
				Request struct {
					URL string `json:"url"`
				} `json:"request"`
				Response struct {
					BodyIsJSON bool           `json:"body_is_json"`
					Body       jsontext.Value `json:"body"`
				} `json:"response"`
			} `json:"interactions"`
		}
		if err := json.Unmarshal(b, &rec); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, it := range rec.Interactions {
			if !it.Response.BodyIsJSON {
				continue // the HTML 404: see TestClient_HTMLErrorRecorded
			}
			u, err := url.Parse(it.Request.URL)
			if err != nil {
				t.Fatal(err)
			}
			bodies = append(bodies, body{filepath.Base(f), strings.TrimPrefix(u.Path, "/v3.0"), it.Response.Body})
		}
	}
	for _, name := range []string{"districts", "users", "sections"} {
		b, err := os.ReadFile(filepath.Join(FixtureDir(t, "clever", "demo-district-v3.0"), name+".json"))
		if err != nil {
			t.Fatal(err)
		}
		bodies = append(bodies, body{"demo " + name, "/" + name, b})
	}
	if len(bodies) < 30 {
		t.Fatalf("only %d bodies found; the fixtures look incomplete", len(bodies))
	}

	for _, b := range bodies {
		t.Run(b.name+b.path, func(t *testing.T) {
			typ, list := bodyKind(b.path)
			n, errs := decodeAndMap(t, typ, list, b.data)
			if want := rawCount(t, b.data, list); n != want {
				t.Errorf("decoded %d %s, want %d", n, typ, want)
			}
			for _, fe := range errs {
				t.Errorf("field error: %+v", fe)
			}
		})
	}
}

// Ensure the awkward shapes real data has are mapped, not refused: mixed
// date forms, contacts with only a last name, a student with no dob, the
// extra roles.student.email key, district_contact as an object, and ext.
func TestWireTypes_Mapping(t *testing.T) {
	body := `{"data":[
	  {"data":{"id":"u1","district":"d1","name":{"last":"Aaron Berge"},"roles":{"contact":{"phone_type":"Other","student_relationships":[{"student":"s1","relationship":"Parent","type":""}]}}}},
	  {"data":{"id":"s1","district":"d1","name":{"first":"Ann"},"last_modified":"2021-03-02T22:24:53.347Z","roles":{"student":{"email":"x@example.net","dob":"2/11/2007","grade":"Kindergarten","credentials":{"district_username":"annu"},"iep_status":"Y","ext":{"consent":true},"schools":["sc1",""]}}}},
	  {"data":{"id":"s2","district":"d1","roles":{"student":{"sis_id":"7","dob":"","ext":""}}}},
	  {"data":{"id":"s3","district":"d1","last_modified":"yesterday","roles":{"student":{"sis_id":"8","dob":"31/31/2007","ext":[1]}}}}
	]}`
	var p page[User]
	if err := json.Unmarshal([]byte(body), &p, decodeOptions); err != nil {
		t.Fatal(err)
	}
	r := &roster.Roster{}
	m := newMapper(r)
	for i := range p.Data.list {
		r.Users = append(r.Users, p.Data.list[i].toRoster(m, roster.RoleStudent))
	}

	contact := r.Users[0]
	if contact.Name != (roster.Name{Last: "Aaron Berge"}) || contact.Roles.Contact == nil ||
		contact.Roles.Contact.Relationships[0] != (roster.Relationship{Student: "s1", Relationship: "Parent"}) {
		t.Errorf("contact mapped as %+v %+v", contact, contact.Roles.Contact)
	}
	st := r.Users[1].Roles.Student
	if st.DOB != roster.MustDate("2007-02-11") || st.Username != "annu" || st.Programs == nil || st.Programs.IEPStatus != "Y" {
		t.Errorf("student mapped as %+v", st)
	}
	if v, ok := st.Ext.Get("consent"); !ok || v != "true" {
		t.Errorf("ext.consent = %q, %v; want true", v, ok)
	}
	if len(st.Schools) != 1 || st.Schools[0] != "sc1" {
		t.Errorf("schools = %q, want [sc1]", st.Schools)
	}
	if r.Users[1].LastModified.IsZero() {
		t.Error("last_modified not parsed")
	}
	if s2 := r.Users[2].Roles.Student; !s2.DOB.IsZero() || !s2.Ext.IsZero() {
		t.Errorf("empty dob and ext mapped as %+v", s2)
	}

	want := []roster.FieldError{
		{Entity: roster.EntityStudent, ID: "s3", SISID: "8", Field: "last_modified", Message: "not an RFC 3339 timestamp"},
		{Entity: roster.EntityStudent, ID: "s3", SISID: "8", Field: "dob", Message: roster.ErrDate.Error()},
		{Entity: roster.EntityStudent, ID: "s3", SISID: "8", Field: "ext", Message: "not a JSON object"},
	}
	if len(m.errs) != len(want) {
		t.Fatalf("field errors = %+v, want %+v", m.errs, want)
	}
	for i := range want {
		if m.errs[i] != want[i] {
			t.Errorf("field error %d = %+v, want %+v", i, m.errs[i], want[i])
		}
	}
}

// Ensure the lenient decoding options reach the items inside a page: an
// invalid UTF-8 byte in a name and a repeated member do not refuse the
// page, and unknown members are ignored.
func TestDecode_Lenient(t *testing.T) {
	body := []byte("{\"data\":[{\"uri\":\"/v3.0/users/u1\",\"data\":{\"id\":\"u1\",\"name\":{\"first\":\"Jos\xe9\"},\"email\":\"a\",\"email\":\"b\",\"new_field\":{\"x\":[1,2]}}}],\"links\":[],\"extra\":1}")
	var p page[User]
	if err := json.Unmarshal(body, &p, decodeOptions); err != nil {
		t.Fatalf("decode: %v", err)
	}
	if len(p.Data.list) != 1 {
		t.Fatalf("decoded %d users, want 1", len(p.Data.list))
	}
	u := p.Data.list[0]
	if u.ID != "u1" || u.Name.First != "Jos\uFFFD" || u.Email != "b" {
		t.Errorf("decoded %+v", u)
	}
}

// BenchmarkDecodeUsersPage decodes the demo district's users page (2,098
// users, 1.2 MB) into the wire types, the per-page cost of a crawl.
func BenchmarkDecodeUsersPage(b *testing.B) {
	body, err := os.ReadFile(filepath.Join(FixtureDir(b, "clever", "demo-district-v3.0"), "users.json"))
	if err != nil {
		b.Fatal(err)
	}
	var p page[User]
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if err := json.Unmarshal(body, &p, decodeOptions); err != nil {
			b.Fatal(err)
		}
	}
	if len(p.Data.list) != 2098 {
		b.Fatalf("decoded %d users, want 2098", len(p.Data.list))
	}
}
