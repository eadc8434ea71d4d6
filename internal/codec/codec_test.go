package codec_test

import (
	"bytes"
	stdjson "encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rosterd/rosterd/internal/codec"
	"github.com/rosterd/rosterd/roster"
)

func TestRoundTrip(t *testing.T) {
	u := &roster.User{
		ID:       "5a25ffb0c1bc2a00360003ed",
		District: "5a0c91b95c7cc000010d417c",
		Name:     roster.Name{First: "Steve", Last: "Ziemann"},
		Roles: roster.Roles{Student: &roster.Student{
			SISID: "100095233", Grade: "Kindergarten", School: "s1", Schools: []string{"s1"},
			DOB:      roster.MustDate("2/11/2007"),
			Programs: &roster.Programs{IEPStatus: "Y"},
			Ext:      roster.ExtOf(map[string]stdjson.RawMessage{"b": []byte(`{"x": [1, 2]}`), "a": []byte(`"1"`)}),
		}},
		LastModified: time.Date(2021, 3, 2, 22, 24, 53, 347e6, time.UTC),
	}
	data, err := codec.Marshal(u)
	if err != nil {
		t.Fatal(err)
	}
	var got roster.User
	if err := codec.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	// Ext values come back compacted, which is what a source sends.
	want := *u
	st := *u.Roles.Student
	st.Ext = roster.ExtOf(map[string]stdjson.RawMessage{"b": []byte(`{"x":[1,2]}`), "a": []byte(`"1"`)})
	want.Roles.Student = &st
	if diff := cmp.Diff(&want, &got); diff != "" {
		t.Errorf("round trip mismatch (-want +got):\n%s", diff)
	}
}

// Ensure equal records encode to equal bytes, whatever order their maps
// were built in: preflight's diff depends on it.
func TestMarshal_Deterministic(t *testing.T) {
	mk := func(keys ...string) *roster.Section {
		var fields []roster.ExtField
		for _, k := range keys {
			fields = append(fields, roster.ExtField{Key: k, Value: []byte(`"` + k + `"`)})
		}
		return &roster.Section{ID: "x", Ext: roster.NewExt(fields...)}
	}
	a, _ := codec.Marshal(mk("z", "a", "m", "q", "c"))
	for i := 0; i < 20; i++ {
		b, _ := codec.Marshal(mk("c", "q", "m", "a", "z"))
		if !bytes.Equal(a, b) {
			t.Fatalf("encodings differ:\n%s\n%s", a, b)
		}
	}
}

// Ensure absent values take no space: an XL roster holds 1.2M users.
func TestMarshal_OmitsAbsent(t *testing.T) {
	data, err := codec.Marshal(&roster.User{ID: "u", Roles: roster.Roles{DistrictAdmin: &roster.DistrictAdmin{}}})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"id":"u","roles":{"district_admin":{}}}`; string(data) != want {
		t.Errorf("Marshal = %s, want %s", data, want)
	}
}

// Ensure MarshalWrite writes exactly Marshal's bytes for every kind of
// record, whether into a reused bytes.Buffer (encoded in place, which the
// raw roster relies on) or another writer, and for a record larger than
// the JSON encoder's own buffer.
func TestMarshalWrite(t *testing.T) {
	students := make([]string, 5_000)
	for i := range students {
		students[i] = fmt.Sprintf("5a25ffb0c1bc2a00360%05d", i)
	}
	recs := []any{
		&roster.District{ID: "d1", Name: "Ünïcode \"District\"", Ext: roster.ExtOf(map[string]stdjson.RawMessage{
			"z": []byte(`{"b": 1, "a": [true, null]}`), "a": []byte(`"<&>"`), "m": []byte(` 3 `),
		}), LastModified: time.Date(2025, 8, 21, 9, 0, 0, 1, time.UTC)},
		&roster.School{ID: "s1", District: "d1", Address: roster.Address{City: "Springfield"}},
		&roster.Term{ID: "t1", StartDate: roster.MustDate("8/20/2025"), EndDate: roster.MustDate("6/5/2026")},
		&roster.Course{ID: "c1", Subject: "math"},
		&roster.Section{ID: "x1", Teachers: []string{"u2", "u1"}, Students: students,
			Ext: roster.ExtStrings(map[string]string{"room": "B12", "block": "A"})},
		&roster.User{ID: "u1", Name: roster.Name{First: "Gus"}, Roles: roster.Roles{
			Teacher:       &roster.Teacher{SISID: "T1", Schools: []string{"s2", "s1"}},
			DistrictAdmin: &roster.DistrictAdmin{},
		}},
		&roster.FieldError{Entity: roster.EntityStudent, ID: "u2", Field: "dob", Message: "date in no known format"},
		&roster.User{},
	}
	// One buffer for all, after bytes of its own, as the raw roster's
	// encoder uses it.
	var reused bytes.Buffer
	reused.WriteString("frames before ")
	for _, rec := range recs {
		want, err := codec.Marshal(rec)
		if err != nil {
			t.Fatalf("Marshal(%T): %v", rec, err)
		}
		start := reused.Len()
		if err := codec.MarshalWrite(&reused, rec); err != nil {
			t.Fatalf("MarshalWrite(%T) into a bytes.Buffer: %v", rec, err)
		}
		if got := reused.Bytes()[start:]; !bytes.Equal(want, got) {
			t.Errorf("MarshalWrite(%T) into a bytes.Buffer =\n%s\nMarshal =\n%s", rec, got, want)
		}
		var sb strings.Builder
		if err := codec.MarshalWrite(&sb, rec); err != nil {
			t.Fatalf("MarshalWrite(%T) into a strings.Builder: %v", rec, err)
		}
		if got := sb.String(); got != string(want) {
			t.Errorf("MarshalWrite(%T) into a strings.Builder =\n%s\nMarshal =\n%s", rec, got, want)
		}
	}
}

// Ensure MarshalWrite fails where Marshal does, naming the record's type.
func TestMarshalWrite_ErrInvalid(t *testing.T) {
	rec := &roster.School{ID: "s1", Ext: roster.ExtOf(map[string]stdjson.RawMessage{"bad": []byte(`{]`)})}
	if _, err := codec.Marshal(rec); err == nil {
		t.Fatal("Marshal of an invalid Ext value succeeded")
	}
	var buf bytes.Buffer
	err := codec.MarshalWrite(&buf, rec)
	if err == nil || !strings.Contains(err.Error(), "encode *roster.School") {
		t.Errorf("MarshalWrite = %v, want an error naming *roster.School", err)
	}
}
