package oneroster_test

import (
	stdjson "encoding/json"
	"testing"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/rosterd/rosterd/oneroster"
)

// jsonDecoders are the two JSON libraries a REST client may decode the model
// with; every lenient type must read the same through both.
var jsonDecoders = []struct {
	name   string
	decode func([]byte, any) error
}{
	{"encoding/json", stdjson.Unmarshal},
	{"go-json-experiment", func(b []byte, v any) error {
		return json.Unmarshal(b, v, jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))
	}},
}

func TestParseBool(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want oneroster.Bool
	}{
		{"", oneroster.BoolAbsent},
		{"  ", oneroster.BoolAbsent},
		{"true", oneroster.BoolTrue},
		{"TRUE", oneroster.BoolTrue},
		{"True", oneroster.BoolTrue},
		{"1", oneroster.BoolTrue},
		{"false", oneroster.BoolFalse},
		{"FALSE", oneroster.BoolFalse},
		{"0", oneroster.BoolFalse},
		{" false ", oneroster.BoolFalse},
		{"yes", oneroster.BoolInvalid},
		{"2", oneroster.BoolInvalid},
	} {
		if got := oneroster.ParseBool(tc.in); got != tc.want {
			t.Errorf("ParseBool(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestBool_UnmarshalJSON(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want oneroster.Bool
	}{
		{`true`, oneroster.BoolTrue},
		{`false`, oneroster.BoolFalse},
		{`"true"`, oneroster.BoolTrue}, // the 1.2 OpenAPI's form
		{`"TRUE"`, oneroster.BoolTrue},
		{`"false"`, oneroster.BoolFalse},
		{`1`, oneroster.BoolTrue}, // libre-oneroster
		{`0`, oneroster.BoolFalse},
		{`null`, oneroster.BoolAbsent},
		{`"maybe"`, oneroster.BoolInvalid}, // kept for the mapping to report, never a failed page
		{`" true "`, oneroster.BoolTrue},
		{`"tr\u0075e"`, oneroster.BoolTrue}, // an escape, read by the decoder
		{`""`, oneroster.BoolAbsent},
		{`[]`, oneroster.BoolInvalid},
	} {
		for _, dec := range jsonDecoders {
			var v struct {
				B oneroster.Bool `json:"b"`
			}
			if err := dec.decode([]byte(`{"b":`+tc.in+`}`), &v); err != nil {
				t.Errorf("%s: decode %s: %v", dec.name, tc.in, err)
				continue
			}
			if v.B != tc.want {
				t.Errorf("%s: %s = %v, want %v", dec.name, tc.in, v.B, tc.want)
			}
		}
	}
	// Ensure an absent member stays absent, which differs from false.
	var v struct {
		B oneroster.Bool `json:"b"`
	}
	if err := stdjson.Unmarshal([]byte(`{}`), &v); err != nil || v.B != oneroster.BoolAbsent {
		t.Errorf("absent member = %v, %v; want BoolAbsent", v.B, err)
	}
}

func TestStringList_UnmarshalJSON(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want oneroster.StringList
	}{
		{`["09","10"]`, oneroster.StringList{"09", "10"}},
		{`"09"`, oneroster.StringList{"09"}},                     // a bare string, seen in an or-ri-derived mock
		{`"09,10, 11"`, oneroster.StringList{"09", "10", "11"}},  // read like a CSV list cell
		{`[9, "10", null, ""]`, oneroster.StringList{"9", "10"}}, // numbers as their text; nulls and blanks dropped
		{`7`, oneroster.StringList{"7"}},                         // a bare number
		{`null`, nil},                                            //
		{`[]`, nil},                                              //
		{`"Science, Physics"`, oneroster.StringList{"Science", "Physics"}},
		{` [ "09" ,"10",	"11" ] `, oneroster.StringList{"09", "10", "11"}}, // spacing
		{`["", "KG", ""]`, oneroster.StringList{"KG"}},
		{`[""]`, nil},
		{`["Arts \"and\" Music", "Math"]`, oneroster.StringList{`Arts "and" Music`, "Math"}}, // escapes
		{`["\u00c9t\u00e9", "été"]`, oneroster.StringList{"Été", "été"}},
		{`["09", 10]`, oneroster.StringList{"09", "10"}},
		{`[" 09 "]`, oneroster.StringList{" 09 "}}, // array items are kept as sent
	} {
		for _, dec := range jsonDecoders {
			var v struct {
				L oneroster.StringList `json:"l"`
			}
			if err := dec.decode([]byte(`{"l":`+tc.in+`}`), &v); err != nil {
				t.Errorf("%s: decode %s: %v", dec.name, tc.in, err)
				continue
			}
			if diff := cmp.Diff(tc.want, v.L); diff != "" {
				t.Errorf("%s: %s mismatch (-want +got):\n%s", dec.name, tc.in, diff)
			}
		}
	}
	// Ensure an object is an error: it is no list in any form.
	var l oneroster.StringList
	if err := stdjson.Unmarshal([]byte(`{"a":1}`), &l); err == nil {
		t.Error("an object decoded as a list")
	}
}

func TestYear_UnmarshalJSON(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`"2023"`, "2023"},
		{`2019`, "2019"}, // the 1.1 reference implementation
		{`null`, ""},
		{`"2025-2026"`, "2025-2026"}, // GospelNerd writes the span; kept as sent
	} {
		for _, dec := range jsonDecoders {
			var s oneroster.AcademicSession
			if err := dec.decode([]byte(`{"sourcedId":"a","schoolYear":`+tc.in+`}`), &s); err != nil {
				t.Errorf("%s: decode %s: %v", dec.name, tc.in, err)
				continue
			}
			if string(s.SchoolYear) != tc.want {
				t.Errorf("%s: schoolYear %s = %q, want %q", dec.name, tc.in, s.SchoolYear, tc.want)
			}
		}
	}
}

func TestMetadata_UnmarshalJSON(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		want oneroster.Metadata
	}{
		{"object", `{"jp":{"kana":"タロウ"},"n":1}`, oneroster.Metadata{"jp": stdjson.RawMessage(`{"kana":"タロウ"}`), "n": stdjson.RawMessage(`1`)}},
		{"null", `null`, nil},
		{"empty", `{}`, nil},
		// Ensure a non-object is kept (under the invalid key) for the
		// mapping to report, rather than failing the whole page.
		{"string", `"x"`, oneroster.Metadata{"": stdjson.RawMessage(`"x"`)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, dec := range jsonDecoders {
				var o oneroster.Org
				if err := dec.decode([]byte(`{"sourcedId":"o","metadata":`+tc.in+`}`), &o); err != nil {
					t.Fatalf("%s: %v", dec.name, err)
				}
				if diff := cmp.Diff(tc.want, o.Metadata); diff != "" {
					t.Errorf("%s: mismatch (-want +got):\n%s", dec.name, diff)
				}
			}
		})
	}
}

// TestUser_UnmarshalJSON decodes both shapes of a user, as 1.1 and 1.2
// providers send them, with each JSON library.
func TestUser_UnmarshalJSON(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		want oneroster.User
	}{
		{
			name: "1.1 role and orgs, integer enabledUser, wrong ref types",
			in: `{"sourcedId":"002","status":"active","dateLastModified":"2012-04-23T18:25:43.511Z","enabledUser":0,
				"givenName":"Jane","familyName":"Doe","role":"parent","identifier":"test02","password":"notReal",
				"orgs":[{"href":"orgs/015","sourcedId":"015","type":"user"}],
				"agents":[{"href":"users/001","sourcedId":"001","type":"user"}],
				"userIds":[{"type":"google","identifier":"jane@gmail.com"}],"grades":"10"}`,
			want: oneroster.User{
				Base:        oneroster.Base{SourcedID: "002", Status: "active", DateLastModified: "2012-04-23T18:25:43.511Z"},
				EnabledUser: oneroster.BoolFalse, GivenName: "Jane", FamilyName: "Doe", Role: "parent", Identifier: "test02",
				Orgs: []oneroster.GUIDRef{{SourcedID: "015"}}, Agents: []oneroster.GUIDRef{{SourcedID: "001"}},
				UserIDs: []oneroster.UserID{{Type: "google", Identifier: "jane@gmail.com"}}, Grades: oneroster.StringList{"10"},
			},
		},
		{
			name: "1.2 roles and primaryOrg, string enabledUser, metadata",
			in: `{"sourcedId":"u1","status":"active","dateLastModified":"2023-01-23T01:48:55.101Z","enabledUser":"true",
				"givenName":"Taro","familyName":"Test","preferredFirstName":"T","metadata":{"jp":{"kanaGivenName":"タロウ"}},
				"roles":[{"roleType":"primary","role":"student","org":{"href":"https://example.com/data-type","sourcedId":"s1","type":"org"},"beginDate":"2023-04-01"}],
				"primaryOrg":{"href":"https://example.com/data-type","sourcedId":"s1","type":"org"},"grades":["P1"]}`,
			want: oneroster.User{
				Base: oneroster.Base{SourcedID: "u1", Status: "active", DateLastModified: "2023-01-23T01:48:55.101Z",
					Metadata: oneroster.Metadata{"jp": stdjson.RawMessage(`{"kanaGivenName":"タロウ"}`)}},
				EnabledUser: oneroster.BoolTrue, GivenName: "Taro", FamilyName: "Test", PreferredFirstName: "T",
				Roles:      []oneroster.Role{{RoleType: "primary", Role: "student", Org: oneroster.GUIDRef{SourcedID: "s1"}, BeginDate: "2023-04-01"}},
				PrimaryOrg: oneroster.GUIDRef{SourcedID: "s1"}, Grades: oneroster.StringList{"P1"},
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, dec := range jsonDecoders {
				var got oneroster.User
				if err := dec.decode([]byte(tc.in), &got); err != nil {
					t.Fatalf("%s: %v", dec.name, err)
				}
				if diff := cmp.Diff(tc.want, got, cmpopts.EquateEmpty(), rawJSONEqual); diff != "" {
					t.Errorf("%s: mismatch (-want +got):\n%s", dec.name, diff)
				}
			}
		})
	}
}

// rawJSONEqual compares raw JSON values by meaning, not by spacing.
var rawJSONEqual = cmp.Comparer(func(a, b stdjson.RawMessage) bool {
	var x, y any
	if stdjson.Unmarshal(a, &x) != nil || stdjson.Unmarshal(b, &y) != nil {
		return string(a) == string(b)
	}
	return cmp.Equal(x, y)
})

// TestBool_MarshalJSON ensures the model encodes as providers send it.
func TestBool_MarshalJSON(t *testing.T) {
	e := oneroster.Enrollment{Base: oneroster.Base{SourcedID: "e"}, Primary: oneroster.BoolTrue}
	b, err := stdjson.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), `{"sourcedId":"e","user":{"sourcedId":""},"class":{"sourcedId":""},"role":"","primary":true}`; got != want {
		t.Errorf("Marshal = %s, want %s", got, want)
	}
}
