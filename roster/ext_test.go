package roster_test

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/rosterd/rosterd/roster"
)

// Ensure an Ext keeps its fields in key order, each key once (the later
// of two wins), and that Without returns a copy, leaving the Ext it was
// made from, and every copy of it, as it was.
func TestExt_Fields(t *testing.T) {
	x := roster.NewExt(
		roster.ExtField{Key: "b", Value: json.RawMessage(`1`)},
		roster.ExtField{Key: "a", Value: json.RawMessage(`2`)},
		roster.ExtField{Key: "b", Value: json.RawMessage(`3`)},
		roster.ExtField{Key: "é", Value: json.RawMessage(`4`)},
		roster.ExtField{Key: "B", Value: json.RawMessage(`5`)},
	)
	if got, want := x.Keys(), []string{"B", "a", "b", "é"}; !slices.Equal(got, want) {
		t.Errorf("Keys() = %q, want %q", got, want)
	}
	if v, _ := x.Raw("b"); string(v) != "3" {
		t.Errorf(`Raw("b") = %s, want the later value, 3`, v)
	}
	shared := x
	y := x.Without("a")
	if got, want := y.Keys(), []string{"B", "b", "é"}; !slices.Equal(got, want) {
		t.Errorf("Without(a).Keys() = %q, want %q", got, want)
	}
	if x.Len() != 4 || shared.Len() != 4 || !x.Equal(shared) {
		t.Errorf("Without changed the Ext it was made from: %q", x.Keys())
	}
	if !x.Without("nope").Equal(x) || !roster.NewExt().IsZero() || !x.Without("B").Without("a").Without("b").Without("é").IsZero() {
		t.Error("Without of an absent key, or of every key, is not what it should be")
	}
	if x.Equal(y) || (roster.Ext{}).Equal(x) {
		t.Error("Equal holds for different Exts")
	}
	if m := x.Map(); len(m) != 4 || string(m["b"]) != "3" || !roster.ExtOf(m).Equal(x) || (roster.Ext{}).Map() != nil {
		t.Errorf("Map() = %v", m)
	}
	for raw, want := range map[string]string{`"Y"`: "Y", `3`: "3", `{"a":1}`: `{"a":1}`, `null`: "", ``: ""} {
		if got, ok := roster.ExtText(json.RawMessage(raw)); got != want || ok != (want != "") {
			t.Errorf("ExtText(%s) = %q, %v", raw, got, ok)
		}
	}
}

// Ensure an Ext encodes as a JSON object in key order, and decodes from
// one, through encoding/json too.
func TestExt_JSON(t *testing.T) {
	x := roster.ExtStrings(map[string]string{"z": "last", "a": "first"})
	b, err := json.Marshal(struct {
		Ext roster.Ext `json:"ext,omitzero"`
	}{x})
	if err != nil || string(b) != `{"ext":{"a":"first","z":"last"}}` {
		t.Errorf("Marshal = %s, %v", b, err)
	}
	var back struct{ Ext roster.Ext }
	if err := json.Unmarshal([]byte(`{"Ext":{"z":"last","a":"first"}}`), &back); err != nil || !back.Ext.Equal(x) {
		t.Errorf("Unmarshal = %q, %v", back.Ext.Keys(), err)
	}
	if err := json.Unmarshal([]byte(`{"Ext":[1]}`), &back); err == nil {
		t.Error("an array decoded as an Ext")
	}
	if b, _ := json.Marshal(struct {
		Ext roster.Ext `json:"ext,omitzero"`
	}{}); string(b) != `{}` {
		t.Errorf("the zero Ext is not omitted: %s", b)
	}
}
