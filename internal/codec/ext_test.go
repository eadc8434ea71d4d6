package codec

import (
	stdjson "encoding/json"
	"strings"
	"testing"

	"github.com/go-json-experiment/json"
	"github.com/rosterd/rosterd/roster"
)

// Ensure an Ext encodes exactly as the map[string]json.RawMessage it used
// to be did, whether the fast path writes it or splices in the library's
// encoding: committed records must still compare equal.
func TestExt_EncodesAsTheMapDid(t *testing.T) {
	for _, m := range []map[string]stdjson.RawMessage{
		{"a": stdjson.RawMessage(`"1"`)},
		{"b": stdjson.RawMessage(`"1"`), "B": stdjson.RawMessage(`true`), "a": stdjson.RawMessage(`null`), "é": stdjson.RawMessage(`"x"`), "": stdjson.RawMessage(`"e"`)},
		{"ws": stdjson.RawMessage(" 3 "), "obj": stdjson.RawMessage(`{"b": 1, "a": [true, null]}`), "html": stdjson.RawMessage(`"<&>"`)},
		{"esc": stdjson.RawMessage(`"\u00e9\/\t"`), `"q"`: stdjson.RawMessage(`1.50e+10`), "a\nb": stdjson.RawMessage(`-0`)},
		{"nil": nil, "long": stdjson.RawMessage(`"` + strings.Repeat("x", 300) + `"`)},
	} {
		want, err := json.Marshal(m, json.Deterministic(true))
		if err != nil {
			t.Fatal(err)
		}
		x := roster.ExtOf(m)
		got, ok := appendExt(nil, x)
		if !ok || string(got) != string(want) {
			t.Errorf("appendExt(%v) = %s, %v; the map encoded as %s", m, got, ok, want)
		}
		lib, err := json.Marshal(x, json.Deterministic(true), extOptions)
		if err != nil || string(lib) != string(want) {
			t.Errorf("the library with extOptions wrote %s (%v); the map encoded as %s", lib, err, want)
		}
	}
}

// Ensure an Ext decodes as the map did: members of an object, null as
// none, and a repeated key an error.
func TestExt_DecodesAsTheMapDid(t *testing.T) {
	var s roster.Section
	if err := Unmarshal([]byte(`{"id":"x","ext":{"b":2,"a":"1"}}`), &s); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Ext.Raw("a"); string(got) != `"1"` || s.Ext.Len() != 2 {
		t.Errorf("decoded ext %v", s.Ext.Keys())
	}
	if err := Unmarshal([]byte(`{"id":"x","ext":null}`), &s); err != nil || !s.Ext.IsZero() {
		t.Errorf("null ext decoded as %v, %v", s.Ext.Keys(), err)
	}
	if err := Unmarshal([]byte(`{"id":"x","ext":{"a":1,"a":2}}`), &s); err == nil {
		t.Error("a repeated ext key decoded without an error")
	}
}
