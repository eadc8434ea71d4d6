package codec_test

import (
	"bytes"
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
			Ext:      roster.Ext{"b": []byte(`{"x": [1, 2]}`), "a": []byte(`"1"`)},
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
	st.Ext = roster.Ext{"b": []byte(`{"x":[1,2]}`), "a": []byte(`"1"`)}
	want.Roles.Student = &st
	if diff := cmp.Diff(&want, &got); diff != "" {
		t.Errorf("round trip mismatch (-want +got):\n%s", diff)
	}
}

// Ensure equal records encode to equal bytes, whatever order their maps
// were built in: preflight's diff depends on it.
func TestMarshal_Deterministic(t *testing.T) {
	mk := func(keys ...string) *roster.Section {
		s := &roster.Section{ID: "x", Ext: roster.Ext{}}
		for _, k := range keys {
			s.Ext[k] = []byte(`"` + k + `"`)
		}
		return s
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
