package codec

import (
	"encoding"
	jsonv1 "encoding/json"
	"fmt"
	"reflect"
	"slices"
	"testing"

	"github.com/go-json-experiment/json"
	"github.com/google/go-cmp/cmp"
	"github.com/rosterd/rosterd/roster"
)

// Ensure the fast path knows every field of the records it writes: a
// field added to the roster model, or one whose name, tag or type
// changed, must be taught to fast_user.go or fast_section.go and listed
// in fastLayout, or the fast path would silently write records the
// library writes otherwise.
func TestFastLayout(t *testing.T) {
	got := map[string][]string{}
	methods := map[string][]string{}
	var walk func(reflect.Type)
	walk = func(typ reflect.Type) {
		for typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Slice {
			typ = typ.Elem()
		}
		name := typ.String()
		if typ.PkgPath() != reflect.TypeFor[roster.User]().PkgPath() {
			return // string, time.Time (which the library writes by its own rules)
		}
		if _, seen := methods[name]; seen {
			return
		}
		methods[name] = marshalMethods(typ)
		if typ.Kind() != reflect.Struct || slices.Contains(methods[name], "MarshalText") {
			return // Ext, or a Date the library writes as text
		}
		for i := range typ.NumField() {
			f := typ.Field(i)
			got[name] = append(got[name], fmt.Sprintf("%s %s `%s`", f.Name, f.Type, f.Tag))
			walk(f.Type)
		}
	}
	walk(reflect.TypeFor[roster.User]())
	walk(reflect.TypeFor[roster.Section]())

	if diff := cmp.Diff(fastLayout, got); diff != "" {
		t.Errorf("the roster types are not what the fast path writes (-fastLayout +roster):\n%s", diff)
	}
	for name, m := range methods {
		if len(m) == 0 {
			delete(methods, name)
		}
	}
	if diff := cmp.Diff(fastMethods, methods); diff != "" {
		t.Errorf("the roster types' marshaling methods are not what the fast path expects (-fastMethods +roster):\n%s", diff)
	}
}

// marshalMethods lists the methods of typ, or of a pointer to it, by
// which the library would encode a value of typ, and IsZero, which
// decides omitzero.
func marshalMethods(typ reflect.Type) []string {
	ifaces := []struct {
		name  string
		iface reflect.Type
	}{
		{"IsZero", reflect.TypeFor[interface{ IsZero() bool }]()},
		{"MarshalJSON", reflect.TypeFor[jsonv1.Marshaler]()},
		{"MarshalJSONTo", reflect.TypeFor[json.MarshalerTo]()},
		{"MarshalText", reflect.TypeFor[encoding.TextMarshaler]()},
		{"AppendText", reflect.TypeFor[encoding.TextAppender]()},
	}
	var out []string
	for _, i := range ifaces {
		if typ.Implements(i.iface) || reflect.PointerTo(typ).Implements(i.iface) {
			out = append(out, i.name)
		}
	}
	return out
}

// Ensure appendDate writes what Date.MarshalText returns, for every date
// it writes itself.
func TestAppendDate(t *testing.T) {
	for _, year := range []int16{0, 1, 9, 10, 99, 100, 999, 1000, 2007, 9999} {
		for month := range uint8(100) {
			for _, day := range []uint8{0, 1, 9, 10, 31, 99} {
				d := roster.Date{Year: year, Month: month, Day: day}
				if d.IsZero() {
					continue
				}
				text, _ := d.MarshalText()
				want := `"` + string(text) + `"`
				got, ok := appendDate(nil, d)
				if !ok || string(got) != want {
					t.Fatalf("appendDate(%+v) = %s, %v; want %s", d, got, ok, want)
				}
			}
		}
	}
}
