package clever

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unsafe"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/rosterd/rosterd/internal/fakeclever"
	"github.com/rosterd/rosterd/internal/synth"
	"github.com/rosterd/rosterd/roster"
)

// pageOpts compare pages with their unexported list, nil and empty
// slices apart: the library tells them apart too.
var pageOpts = cmp.Options{
	cmp.AllowUnexported(page[User]{}, items[User]{}, page[Section]{}, items[Section]{}),
	cmpopts.IgnoreTypes(roleSlabs{}),
	cmpopts.IgnoreFields(page[User]{}, "known", "fast"),
	cmpopts.IgnoreFields(page[Section]{}, "known", "fast"),
}

// prevUsers and prevSections are what a reused page holds before the
// page under test: the library merges into it, so the fast decoder must.
const (
	prevUsers    = `{"data":[{"data":{"id":"old","name":{"first":"Old"},"roles":{"student":{"schools":["s0"]}}}}],"links":[{"rel":"next","uri":"/old"}]}`
	prevSections = `{"data":[{"data":{"id":"old","students":["u0"]}}],"links":[{"rel":"next","uri":"/old"}]}`
)

// diffFast decodes body both ways into pages that first held prev and
// reports whether the fast decoder accepted it, failing t if it accepted
// a body the library refuses or decoded it otherwise.
func diffFast[T any](t *testing.T, prev string, body []byte) (accepted bool) {
	t.Helper()
	var lib, fast page[T]
	for _, p := range []*page[T]{&lib, &fast} {
		if err := json.Unmarshal([]byte(prev), p, decodeOptions); err != nil {
			t.Fatalf("previous page: %v", err)
		}
	}
	libErr := json.Unmarshal(body, &lib, decodeOptions)
	if !decodeFast(body, &fast) {
		// Client.decode then has the library decode the page the fast
		// decoder may have written to: it must come out the same.
		err := json.Unmarshal(body, &fast, decodeOptions)
		if (err == nil) != (libErr == nil) {
			t.Errorf("after a declined page the library says %v, not %v", err, libErr)
		} else if diff := cmp.Diff(lib, fast, pageOpts); err == nil && diff != "" {
			t.Errorf("a declined page decodes otherwise (-library +after fast):\n%s", diff)
		}
		return false
	}
	if libErr != nil {
		t.Errorf("fast decoder accepted a page the library refuses (%v):\n%.300s", libErr, body)
		return true
	}
	if diff := cmp.Diff(lib, fast, pageOpts); diff != "" {
		t.Errorf("fast decoder differs from the library (-library +fast):\n%s\nbody: %.300s", diff, body)
	}
	return true
}

func TestFastDecode_Users(t *testing.T) {
	const full = `{"id":"u1","district":"d1","email":"a@x","created":"2021-03-02T22:24:53.347Z","last_modified":"2021-03-02T22:24:53.347Z",` +
		`"name":{"first":"Ann","middle":"B","last":"Cole"},"roles":{` +
		`"student":{"sis_id":"1","student_number":"2","state_id":"3","legacy_id":"4","credentials":{"district_username":"ann"},"email":"e","dob":"1/2/2010",` +
		`"gender":"F","grade":"3","graduation_year":"2030","race":"Asian","hispanic_ethnicity":"N","ell_status":"N","home_language":"English","home_language_code":"en",` +
		`"iep_status":"Y","section_504_status":"N","frl_status":"F","gifted_status":"N","school":"s1","schools":["s1","s2"],` +
		`"enrollments":[{"school":"s1","start_date":"a","end_date":"b"}],"location":{"address":"1 Main","city":"X","state":"NY","zip":"1","lat":"2","lon":"3"},"ext":{"k":[1,"v"]}},` +
		`"teacher":{"sis_id":"t","teacher_number":"n","state_id":"s","legacy_id":"l","title":"Dr","credentials":{"district_username":"u"},"school":"s1","schools":["s1"],"ext":"x"},` +
		`"staff":{"staff_id":"f","legacy_id":"l","title":"T","department":"D","roles":["a","b"],"credentials":{"district_username":"u"},"schools":[],"ext":7},` +
		`"district_admin":{"title":"Boss","legacy_id":"l"},` +
		`"contact":{"sis_id":"c","legacy_id":"l","phone":"555","phone_type":"Cell","student_relationships":[{"student":"u2","relationship":"Parent","type":"Family"},null]}}}`
	item := func(data string) string { return `{"data":` + data + `,"uri":"/v3.0/users/x"}` }
	page := func(items ...string) string {
		return `{"data":[` + strings.Join(items, ",") + `],"links":[{"rel":"self","uri":"/v3.0/users"}]}`
	}
	tests := []struct {
		name string
		body string
		fast bool // the fast decoder must accept it
	}{
		{"every field", page(item(full)), true},
		{"every field empty", page(item(`{"id":"","district":"","email":"","name":{"first":"","middle":"","last":""},"roles":{"student":{"schools":[],"enrollments":[],"location":{},"credentials":{},"ext":{}}}}`)), true},
		{"every field null", page(item(`{"id":null,"district":null,"email":null,"name":null,"roles":{"student":{"sis_id":null,"schools":null,"enrollments":null,"location":null,"credentials":null,"ext":null},"teacher":null,"staff":{"roles":[null,"a"]},"contact":{"student_relationships":null}},"created":null,"last_modified":null}`)), true},
		{"roles null", page(item(`{"id":"u","roles":null}`)), true},
		{"empty object", page(item(`{}`)), true},
		{"two users", page(item(full), item(`{"id":"u2","roles":{"teacher":{"schools":["s1"]}}}`)), true},
		{"whitespace", " \n{ \"data\" : [ { \"data\" : { \"id\" : \"u1\" , \"roles\" : { \"student\" : { \"schools\" : [ \"a\" , \"b\" ] } } } } ] , \"links\" : [ ] }\r\n\t", true},
		{"escapes", page(item(`{"id":"a\"b\\c\/d\b\f\n\r\t\u00e9\u0041\ud83d\ude00","name":{"first":"O\u0027Brien","last":"\u00fcber"},"district":"d\u0031"}`)), true},
		{"lone surrogate", page(item(`{"id":"\ud800","name":{"first":"\udc00x","last":"\ud800\u0041"}}`)), true},
		{"unicode", page(item(`{"id":"é","name":{"first":"José","last":"日本語"},"district":"😀"}`)), true},
		{"invalid UTF-8", page(item("{\"id\":\"a\xffb\",\"name\":{\"first\":\"Jos\xe9\",\"last\":\"\xe6\x97\"},\"district\":\"\xed\xa0\x80\",\"email\":\"\xc0\xaf\"}")), true},
		{"invalid UTF-8 in an unknown member", page(item("{\"id\":\"a\",\"x\xff\":\"\xff\"}")), true},
		{"escaped names", page(item(`{"\u0069d":"u1","n\u0061me":{"f\u0069rst":"A"}}`)), true},
		{"escaped data name", `{"d\u0061ta":[{"d\u0061ta":{"id":"u1"}}],"l\u0069nks":[]}`, true},
		{"names differ in case", page(item(`{"ID":"u1","Id":"u2","Name":{"first":"A"},"name":{"FIRST":"B"}}`)), true},
		{"unknown members", page(item(`{"id":"u1","new":{"a":[1,2.5e-3,-0,true,false,null,{"b":{}}],"c":"d"},"roles":{"student":{"x":[[]],"sis_id":"1"},"parent":{}}}`)), true},
		{"numbers in unknown members", page(item(`{"id":"u1","a":0,"b":-12,"c":1.5,"d":1e10,"e":1E+2,"f":-0.0e-0}`)), true},
		{"duplicate strings", page(item(`{"id":"u1","id":"u2","email":"a","email":null}`)), true},
		{"duplicate objects merge", page(item(`{"name":{"first":"A","last":"B"},"name":{"last":"C"},"roles":{"student":{"sis_id":"1","grade":"3"},"student":{"grade":"4"}}}`)), true},
		{"duplicate object after null", page(item(`{"name":{"first":"A"},"name":null,"name":{"last":"C"},"roles":{"student":{"sis_id":"1"},"student":null}}`)), true},
		{"duplicate roles", page(item(`{"roles":{"student":{"sis_id":"1"}},"roles":{"teacher":{"sis_id":"2"}}}`)), true},
		{"duplicate slices", page(item(`{"roles":{"student":{"schools":["a","b"],"schools":["c"],"enrollments":[{"school":"a","end_date":"x"}],"enrollments":[{"school":"b"}]}}}`)), true},
		{"duplicate ext", page(item(`{"roles":{"student":{"ext":{"a":1},"ext":[true]}}}`)), true},
		{"ext of every kind", page(item(`{"roles":{"student":{"ext":"s"},"teacher":{"ext":-1.5},"staff":{"ext":true}}}`), item(`{"roles":{"student":{"ext":[]},"teacher":{"ext":false},"staff":{"ext":{ "a" : [ 1 ] }}}}`)), true},
		{"duplicate data in an item", page(`{"data":{"id":"u1","email":"a"},"data":{"email":"b"}}`), true},
		{"data then null data", page(`{"data":{"id":"u1"},"data":null}`), true},
		{"null data then data", page(`{"data":null,"data":{"id":"u1"}}`), true},
		{"item without data", page(`{"uri":"/x"}`, item(`{"id":"u2"}`)), true},
		{"item with null data", page(item(`null`), item(`{"id":"u2"}`)), true},
		{"empty item", page(`{}`), true},
		{"empty page", `{"data":[],"links":[]}`, true},
		{"data null", `{"data":null,"links":[]}`, true},
		{"no data", `{"links":[{"rel":"self","uri":"/x"}]}`, true},
		{"no links", `{"data":[{"data":{"id":"u1"}}]}`, true},
		{"links null", `{"data":[],"links":null}`, true},
		{"links first, twice", `{"links":[{"rel":"a"}],"data":[{"data":{"id":"u1"}}],"links":[{"uri":"b"},null]}`, true},
		{"data twice", `{"data":[{"data":{"id":"u1"}}],"data":[{"data":{"id":"u2"}}]}`, true},
		{"unknown top-level members", `{"paging":{"count":3},"data":[],"x":[1]}`, true},
		{"empty object page", `{}`, true},

		{"number where a string is", page(item(`{"id":1}`)), false},
		{"bool where a string is", page(item(`{"id":true}`)), false},
		{"object where a string is", page(item(`{"name":{"first":{}}}`)), false},
		{"string where an object is", page(item(`{"name":"Ann"}`)), false},
		{"string where an array is", page(item(`{"roles":{"student":{"schools":"s1"}}}`)), false},
		{"number in a string array", page(item(`{"roles":{"student":{"schools":[1]}}}`)), false},
		{"string where a role is", page(item(`{"roles":{"student":"yes"}}`)), false},
		{"data a string", page(item(`"u1"`)), false},
		{"data an array", page(item(`[]`)), false},
		{"item not an object", page(`"x"`), false},
		{"item null", page(`null`), false},
		{"items not an array", `{"data":{},"links":[]}`, false},
		{"links not an array", `{"data":[],"links":{}}`, false},
		{"null page", `null`, false},
		{"array page", `[]`, false},
		{"empty body", ``, false},
		{"trailing garbage", `{"data":[]} x`, false},
		{"two values", `{"data":[]}{}`, false},
		{"truncated", page(item(full))[:500], false},
		{"trailing comma", page(item(`{"id":"u1",}`)), false},
		{"trailing comma in an array", page(item(`{"roles":{"student":{"schools":["a",]}}}`)), false},
		{"missing comma", page(item(`{"id":"u1" "email":"a"}`)), false},
		{"bad escape", page(item(`{"id":"\x"}`)), false},
		{"short unicode escape", page(item(`{"id":"\u12"}`)), false},
		{"control character", page(item("{\"id\":\"a\tb\"}")), false},
		{"bad number", page(item(`{"x":01}`)), false},
		{"bad number dot", page(item(`{"x":1.}`)), false},
		{"bad literal", page(item(`{"x":nul}`)), false},
		{"single quotes", page(item(`{'id':'u1'}`)), false},
		{"deep nesting", page(item(`{"x":` + strings.Repeat("[", 300) + strings.Repeat("]", 300) + `}`)), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			accepted := diffFast[User](t, prevUsers, []byte(tt.body))
			if accepted != tt.fast {
				t.Errorf("fast decoder accepted %v, want %v", accepted, tt.fast)
			}
		})
	}
}

// Ensure a page decoded again hands its roles out again, zeroed: nothing
// of the previous page's roles survives, and no role is allocated anew.
func TestFastDecode_ReusedRoles(t *testing.T) {
	const first = `{"data":[{"data":{"id":"u1","roles":{"student":{"sis_id":"1","grade":"3","schools":["s1"]}}}},` +
		`{"data":{"id":"u2","roles":{"teacher":{"sis_id":"t"},"staff":{"title":"x"}}}}]}`
	const second = `{"data":[{"data":{"id":"u3","roles":{"student":{"sis_id":"3"}}}},{"data":{"id":"u4","roles":{"staff":{}}}}]}`
	var p page[User]
	if !decodeFast([]byte(first), &p) {
		t.Fatal("first page declined")
	}
	student, staff := p.Data.list[0].Roles.Student, p.Data.list[1].Roles.Staff
	schools := student.Schools
	if !decodeFast([]byte(second), &p) {
		t.Fatal("second page declined")
	}
	got := p.Data.list
	if got[0].Roles.Student != student || got[1].Roles.Staff != staff {
		t.Errorf("roles were allocated again, not reused")
	}
	want := []User{
		{ID: "u3", Roles: Roles{Student: &StudentRole{SISID: "3"}}},
		{ID: "u4", Roles: Roles{Staff: &StaffRole{}}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("second page mismatch (-want +got):\n%s", diff)
	}
	// The first page's string arrays are handed out again too: the
	// mapping copies what it keeps (TestMapper_CopiesStringArrays).
	if diff := cmp.Diff([]string{""}, schools); diff != "" {
		t.Errorf("first page's schools after the second page (-want +got):\n%s", diff)
	}
	const third = `{"data":[{"data":{"id":"u5","roles":{"student":{"schools":["s5","s6"]}}}}]}`
	if !decodeFast([]byte(third), &p) {
		t.Fatal("third page declined")
	}
	if got := p.Data.list[0].Roles.Student.Schools; unsafe.SliceData(got) != unsafe.SliceData(schools) {
		t.Errorf("the third page's schools %q were allocated anew, not read into the first page's", got)
	}
}

// Ensure a mapped page keeps nothing of the decoder's string arrays,
// which the page's next decode overwrites: a user's schools and a
// section's members are the mapping's own.
func TestMapper_CopiesStringArrays(t *testing.T) {
	const users = `{"data":[{"data":{"id":"u1","roles":{"student":{"school":"s1","schools":["s1"]}}}},` +
		`{"data":{"id":"u2","roles":{"teacher":{"school":"s1","schools":["s1","s2"]}}}}]}`
	const sections = `{"data":[{"data":{"id":"x1","teacher":"u2","teachers":["u2","t9"],"students":["u1","u7"]}}]}`
	const overwrite = `{"data":[{"data":{"id":"o","teachers":["o1","o2","o3"],"students":["o4","o5","o6"],` +
		`"roles":{"student":{"schools":["o7","o8","o9"]}}}}]}`
	m := newMapper(&roster.Roster{})
	var up page[User]
	if !decodeFast([]byte(users), &up) {
		t.Fatal("users page declined")
	}
	var mapped []roster.User
	for i := range up.Data.list {
		mapped = append(mapped, up.Data.list[i].toRoster(m, ""))
	}
	var sp page[Section]
	if !decodeFast([]byte(sections), &sp) {
		t.Fatal("sections page declined")
	}
	got := m.appendSections(nil, sp.Data.list, false)
	if !decodeFast([]byte(overwrite), &up) || !decodeFast([]byte(overwrite), &sp) {
		t.Fatal("overwriting page declined")
	}
	if diff := cmp.Diff([]string{"s1"}, mapped[0].Roles.Student.Schools); diff != "" {
		t.Errorf("student's schools (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"s1", "s2"}, mapped[1].Roles.Teacher.Schools); diff != "" {
		t.Errorf("teacher's schools (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"u2", "t9"}, got[0].Teachers); diff != "" {
		t.Errorf("section's teachers (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"u1", "u7"}, got[0].Students); diff != "" {
		t.Errorf("section's students (-want +got):\n%s", diff)
	}
}

func TestFastDecode_Sections(t *testing.T) {
	const full = `{"id":"x1","district":"d1","school":"s1","course":"c1","term_id":"t1","name":"Math","sis_id":"9","section_number":"2","period":"4","grade":"3",` +
		`"subject":"math","teacher":"t","teachers":["t","t2"],"students":["u1","u2","u1"],"ext":{"a":null},"created":"c","last_modified":"m"}`
	page := func(data ...string) string {
		for i := range data {
			data[i] = `{"data":` + data[i] + `,"uri":"/v3.0/sections/x"}`
		}
		return `{"data":[` + strings.Join(data, ",") + `],"links":[{"rel":"next","uri":"/v3.0/sections?starting_after=x1"}]}`
	}
	many := make([]string, 3000) // past a chunk of strs
	for i := range many {
		many[i] = strconv.Quote("u" + strconv.Itoa(i))
	}
	tests := []struct {
		name string
		body string
		fast bool
	}{
		{"every field", page(full), true},
		{"every field null", page(`{"id":null,"teacher":null,"teachers":null,"students":null,"ext":null,"name":null}`), true},
		{"empty lists", page(`{"id":"x","teachers":[],"students":[]}`), true},
		{"null students", page(`{"students":[null,"u1",null]}`), true},
		{"many students", page(`{"id":"x","students":[`+strings.Join(many, ",")+`]}`, full, `{"students":[`+strings.Join(many[:300], ",")+`]}`), true},
		{"duplicate lists", page(`{"students":["a","b"],"students":["c"],"teachers":["t"],"teachers":[]}`), true},
		{"a user's fields ignored", page(`{"id":"x","roles":{"student":{}},"email":"e"}`), true},
		{"number where a string is", page(`{"period":4}`), false},
		{"number among students", page(`{"students":["u1",2]}`), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			accepted := diffFast[Section](t, prevSections, []byte(tt.body))
			if accepted != tt.fast {
				t.Errorf("fast decoder accepted %v, want %v", accepted, tt.fast)
			}
		})
	}
}

// TestFastDecode_Fields fills every field of the wire types, by
// reflection, so that a field added to a type but not to its fast
// decoder (where it would be skipped as unknown) fails the comparison.
func TestFastDecode_Fields(t *testing.T) {
	n := 0
	var fill func(v reflect.Value)
	fill = func(v reflect.Value) {
		switch {
		case v.Type() == reflect.TypeFor[jsontext.Value]():
			n++
			v.SetBytes([]byte(`{"n":` + strconv.Itoa(n) + `}`))
		case v.Kind() == reflect.String:
			n++
			v.SetString("v" + strconv.Itoa(n))
		case v.Kind() == reflect.Struct:
			for i := range v.NumField() {
				fill(v.Field(i))
			}
		case v.Kind() == reflect.Pointer:
			v.Set(reflect.New(v.Type().Elem()))
			fill(v.Elem())
		case v.Kind() == reflect.Slice:
			v.Set(reflect.MakeSlice(v.Type(), 2, 2))
			fill(v.Index(0))
			fill(v.Index(1))
		default:
			t.Fatalf("no filler for %v", v.Type())
		}
	}
	var u User
	var s Section
	fill(reflect.ValueOf(&u).Elem())
	fill(reflect.ValueOf(&s).Elem())
	for _, v := range []any{u, s} {
		data, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		body := []byte(`{"data":[{"data":` + string(data) + `}],"links":[]}`)
		var accepted bool
		if _, ok := v.(User); ok {
			accepted = diffFast[User](t, prevUsers, body)
		} else {
			accepted = diffFast[Section](t, prevSections, body)
		}
		if !accepted {
			t.Errorf("fast decoder declined %s", body)
		}
	}
}

// TestFastDecode_Fixtures decodes the demo district's recorded pages.
func TestFastDecode_Fixtures(t *testing.T) {
	dir := FixtureDir(t, "clever", "demo-district-v3.0")
	for _, name := range []string{"users.json", "sections.json"} {
		body, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		var accepted bool
		if name == "users.json" {
			accepted = diffFast[User](t, prevUsers, body)
		} else {
			accepted = diffFast[Section](t, prevSections, body)
		}
		if !accepted {
			t.Errorf("fast decoder declined %s", name)
		}
	}
}

// TestFastDecode_FakeServer decodes every users and sections page of a
// small generated district as fakeclever serves it, in pages of 1,000.
func TestFastDecode_FakeServer(t *testing.T) {
	profile, _ := synth.ProfileByName("small")
	generated, _ := synth.Generate(profile)
	srv := httptest.NewServer(fakeclever.NewServer(fakeclever.FromRoster(generated), fakeclever.Options{Token: "t", RateLimit: -1}))
	defer srv.Close()
	origin, _ := url.Parse(srv.URL)

	pages := 0
	for _, first := range []string{"/v3.0/users?limit=1000", "/v3.0/sections?limit=1000"} {
		for u, _ := url.Parse(srv.URL + first); u != nil; {
			req, _ := http.NewRequest(http.MethodGet, u.String(), nil)
			req.Header.Set("Authorization", "Bearer t")
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var buf strings.Builder
			_, err = io.Copy(&buf, resp.Body)
			resp.Body.Close()
			if err != nil || resp.StatusCode != http.StatusOK {
				t.Fatalf("GET %s: %d %v", u, resp.StatusCode, err)
			}
			body := []byte(buf.String())
			var accepted bool
			if strings.Contains(first, "users") {
				accepted = diffFast[User](t, prevUsers, body)
			} else {
				accepted = diffFast[Section](t, prevSections, body)
			}
			if !accepted {
				t.Fatalf("fast decoder declined %s", u)
			}
			pages++
			links, _, err := skimPage(body)
			if err != nil {
				t.Fatal(err)
			}
			if u, err = nextURL(origin, u, links); err != nil {
				t.Fatal(err)
			}
		}
	}
	if pages < 4 {
		t.Errorf("decoded only %d pages", pages)
	}
}

// Ensure the fast decoder gives a section's member IDs the strings known
// returns, allocates IDs known does not hold, reads escaped IDs as the
// library does, and says the page was its own.
func TestFastDecode_KnownMembers(t *testing.T) {
	held := map[string]string{"u1": strings.Clone("u1"), "u2": strings.Clone("u2")}
	var asked []string
	p := page[Section]{known: func(id []byte) (string, bool) {
		asked = append(asked, string(id))
		s, ok := held[string(id)]
		return s, ok
	}}
	body := []byte(`{"data":[{"data":{"id":"x1","teacher":"u2","teachers":["u2","u9"],"students":["u1","ghost","u\u0032"]}}]}`)
	if !decodeFast(body, &p) || !p.fast {
		t.Fatal("page declined")
	}
	sec := p.Data.list[0]
	if diff := cmp.Diff([]string{"u1", "ghost", "u2"}, sec.Students); diff != "" {
		t.Errorf("students mismatch (-want +got):\n%s", diff)
	}
	same := func(a, b string) bool { return unsafe.StringData(a) == unsafe.StringData(b) }
	if !same(sec.Students[0], held["u1"]) || !same(sec.Teacher, held["u2"]) || !same(sec.Teachers[0], held["u2"]) {
		t.Errorf("known IDs were allocated again: %q %q %q", sec.Students[0], sec.Teacher, sec.Teachers[0])
	}
	if same(sec.Students[2], held["u2"]) {
		t.Errorf("an escaped ID was given the known string without being unquoted first")
	}
	if diff := cmp.Diff([]string{"u2", "u2", "u9", "u1", "ghost"}, asked); diff != "" {
		t.Errorf("known asked for (-want +got):\n%s", diff)
	}

	deep := `{"data":[{"data":{"id":"x1","students":["u1"],"x":` + strings.Repeat("[", 300) + strings.Repeat("]", 300) + `}}]}`
	if decodeFast([]byte(deep), &p) || p.fast {
		t.Error("a page nested past the fast decoder's depth was accepted, or still marked fast")
	}
}
