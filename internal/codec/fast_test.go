package codec

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/rosterd/rosterd/roster"
)

// Ensure the fast path writes what the library writes, byte for byte, for
// records chosen to reach every rule it copies: omitted and empty values,
// escaping, ext order and reformatting, times and dates. A record the
// library fails on must fail with the library's error; fast says whether
// the fast path must write the record itself, so a case cannot pass by
// falling back.
func TestFast_MatchesLibrary(t *testing.T) {
	tests := []struct {
		name string
		rec  any
		fast bool
	}{
		{"user every field", fullUser(), true},
		{"user value", *fullUser(), true},
		{"user empty", &roster.User{}, true},
		{"user every role empty", &roster.User{ID: "u", Roles: roster.Roles{
			Student: &roster.Student{}, Teacher: &roster.Teacher{}, Staff: &roster.Staff{},
			DistrictAdmin: &roster.DistrictAdmin{}, Contact: &roster.Contact{},
		}}, true},
		{"user empty but not nil", &roster.User{ID: "u", Roles: roster.Roles{
			Student: &roster.Student{Schools: []string{}, Programs: &roster.Programs{}, Ext: roster.Ext{}},
			Teacher: &roster.Teacher{Schools: []string{}, Ext: roster.Ext{}},
			Staff:   &roster.Staff{Schools: []string{}, Ext: roster.Ext{}},
			Contact: &roster.Contact{Relationships: []roster.Relationship{}},
		}}, true},
		{"user empty elements", &roster.User{ID: "", Roles: roster.Roles{
			Student: &roster.Student{Schools: []string{"", ""}},
			Contact: &roster.Contact{Relationships: []roster.Relationship{{}, {Type: "x"}}},
		}}, true},
		{"user only middle name", &roster.User{ID: "u", Name: roster.Name{Middle: "M"}}, true},
		{"user zero time in a zone", &roster.User{ID: "u", LastModified: time.Time{}.In(time.FixedZone("X", 3600))}, true},
		{"nil user", (*roster.User)(nil), false},

		{"section every field", fullSection(), true},
		{"section value", *fullSection(), true},
		{"section empty", &roster.Section{}, true},
		{"section empty lists", &roster.Section{ID: "x", Teachers: []string{}, Students: []string{}, Ext: roster.Ext{}}, true},
		{"section 5000 students", bigSection(5000), true},
		{"nil section", (*roster.Section)(nil), false},
	}
	for _, s := range oddStrings {
		tests = append(tests, struct {
			name string
			rec  any
			fast bool
		}{"string " + fmt.Sprintf("%q", s.s), userWithString(s.s), s.valid})
		tests = append(tests, struct {
			name string
			rec  any
			fast bool
		}{"ID list " + fmt.Sprintf("%q", s.s), &roster.Section{ID: "x", Students: []string{"a", s.s, "b"}}, s.valid})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fast, problem := compareWithLibrary(tt.rec)
			if problem != "" {
				t.Fatalf("%s: %s", recordID(tt.rec), problem)
			}
			if fast != tt.fast {
				t.Errorf("%s: fast path taken = %v, want %v", recordID(tt.rec), fast, tt.fast)
			}
		})
	}
}

// oddStrings need escaping, are not UTF-8 (valid false), or sit on the
// edges of what the fast path copies verbatim.
var oddStrings = []struct {
	s     string
	valid bool
}{
	{`say "hi"`, true}, {`back\slash`, true}, {"tab\tnew\nline\r", true},
	{"\x00\x01\x07\x08\x0b\x0c\x1b\x1f", true}, {"del\x7f", true}, {"<script>&amp;</script>", true},
	{"line\u2028para\u2029", true}, {"Zoë Ñúñez 日本語 🎓", true}, {"\ufeffbom", true}, {"\ufffd", true},
	{"bad \xff byte", false}, {"cut \xc3", false}, {"surrogate \xed\xa0\x80", false}, {"\xf4\x90\x80\x80", false},
	{"", true}, {"12345678", true}, {"1234567\"", true}, {"\"1234567", true}, {"123456789012345\\", true},
	{"0123456789abcdef0123456\x1f", true}, {"0123456789abcdef\x80", false},
}

// userWithString puts s in a field of each kind: a plain string, a list,
// a struct in a list, a name, and an ext key.
func userWithString(s string) *roster.User {
	return &roster.User{
		ID: "u-" + s, Name: roster.Name{First: s}, Email: s,
		Roles: roster.Roles{
			Student: &roster.Student{SISID: s, Schools: []string{s, "s1"}, Ext: roster.ExtOf(map[string]json.RawMessage{s: json.RawMessage(`"v"`), "a": json.RawMessage(`1`)})},
			Contact: &roster.Contact{Relationships: []roster.Relationship{{Student: s, Type: s}}},
		},
	}
}

// Ensure the strings the fast path copies without the library's quoting
// are those the library leaves as they are: every byte value at every
// position of strings on both sides of the eight-byte steps.
func TestFast_StringBytes(t *testing.T) {
	for n := 1; n <= 33; n++ {
		for pos := 0; pos < n; pos++ {
			for c := 0; c < 256; c++ {
				b := []byte(strings.Repeat("a", n))
				b[pos] = byte(c)
				rec := &roster.Section{ID: string(b), Students: []string{string(b)}}
				if _, problem := compareWithLibrary(rec); problem != "" {
					t.Fatalf("byte %#x at %d of %d: %s", c, pos, n, problem)
				}
			}
		}
	}
}

// Ensure plainWord agrees with plainByte on every word that has one odd
// byte among plain ones or among other odd ones, where a carry or borrow
// between bytes could hide or invent one.
func TestPlainWord(t *testing.T) {
	fillers := []byte{'a', 0x20, 0x7f, '"', '\\', 0x00, 0x1f, 0x80, 0xff, 0xa0, 0x21, 0x5d}
	for _, fill := range fillers {
		for pos := 0; pos < 8; pos++ {
			for c := 0; c < 256; c++ {
				var w uint64
				want := true
				for i := 0; i < 8; i++ {
					b := fill
					if i == pos {
						b = byte(c)
					}
					want = want && plainByte(b)
					w |= uint64(b) << (8 * i)
				}
				if got := plainWord(w); got != want {
					t.Fatalf("plainWord(%#016x) = %v, want %v", w, got, want)
				}
			}
		}
	}
}

// Ensure the ext written by the fast path, or spliced from the library,
// is the library's: key order, keys to escape, values the encoder
// reformats, and values it rejects.
func TestFast_Ext(t *testing.T) {
	var manyFields []roster.ExtField
	for i := range 12 {
		manyFields = append(manyFields, roster.ExtField{Key: fmt.Sprintf("k%02d", 11-i), Value: json.RawMessage(`"v"`)})
	}
	many := roster.NewExt(manyFields...)
	deep := func(depth int) json.RawMessage {
		return json.RawMessage(strings.Repeat("[", depth) + strings.Repeat("]", depth))
	}
	tests := []struct {
		name string
		ext  roster.Ext
		fast bool // the fast path writes or splices it, rather than leave the record to the library
	}{
		{"sorted by bytes", roster.ExtOf(map[string]json.RawMessage{"b": raw(`"1"`), "B": raw(`"2"`), "a": raw(`"3"`), "é": raw(`"4"`), "日本": raw(`"5"`), "_": raw(`"6"`), "": raw(`"7"`), "~": raw(`"8"`)}), true},
		{"keys to escape", roster.ExtOf(map[string]json.RawMessage{`"q"`: raw(`true`), "a\nb": raw(`false`), "<&>": raw(`null`), "\u2028": raw(`"x"`)}), true},
		{"reformatted values", roster.ExtOf(map[string]json.RawMessage{"ws": raw(" 3 "), "obj": raw(`{"b": 1, "a": [true, null]}`), "num": raw(`1.50e+10`), "neg": raw(`-0`)}), true},
		{"strings to reformat", roster.ExtOf(map[string]json.RawMessage{"html": raw(`"<&>"`), "esc": raw(`"\u00e9\/\t"`), "utf8": raw(`"é"`), "ws": raw(`"a" `), "del": raw("\"\x7f\"")}), true},
		{"one key", roster.ExtOf(map[string]json.RawMessage{"photo_consent": raw(`"Y"`)}), true},
		{"many keys", many, true},
		{"nil value", roster.ExtOf(map[string]json.RawMessage{"a": nil, "b": raw(`"x"`)}), true},
		// Encoded alone, a value is less deep than in a record: too long
		// a value is left to the library with the record.
		{"deep but within the limit", roster.ExtOf(map[string]json.RawMessage{"a": deep(9990)}), false},
		{"too deep for the record", roster.ExtOf(map[string]json.RawMessage{"a": deep(9999)}), false},
		{"long but shallow", roster.ExtOf(map[string]json.RawMessage{"a": raw(`"` + strings.Repeat("é", 5000) + `"`)}), false},
		{"just short enough", roster.ExtOf(map[string]json.RawMessage{"a": raw(`"` + strings.Repeat("é", maxSplicedValue/2-1) + `"`)}), true},
		{"empty value", roster.ExtOf(map[string]json.RawMessage{"a": raw(``)}), false},
		{"invalid value", roster.ExtOf(map[string]json.RawMessage{"a": raw(`{]`), "b": raw(`"x"`)}), false},
		{"two values", roster.ExtOf(map[string]json.RawMessage{"a": raw(`1 2`)}), false},
		{"literal cut short", roster.ExtOf(map[string]json.RawMessage{"a": raw(`nul`)}), false},
		{"invalid number", roster.ExtOf(map[string]json.RawMessage{"a": raw(`01`)}), false},
		{"invalid UTF-8 value", roster.ExtOf(map[string]json.RawMessage{"a": raw("\"\xff\"")}), false},
		{"invalid UTF-8 key", roster.ExtOf(map[string]json.RawMessage{"\xff": raw(`"x"`), "b": raw(`"x"`)}), false},
		{"lone surrogate escape", roster.ExtOf(map[string]json.RawMessage{"a": raw(`"\ud800"`)}), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs := []any{
				&roster.Section{ID: "x", Ext: tt.ext},
				&roster.User{ID: "u", Roles: roster.Roles{Student: &roster.Student{Ext: tt.ext}, Teacher: &roster.Teacher{Ext: tt.ext}}},
				&roster.User{ID: "u", Roles: roster.Roles{Staff: &roster.Staff{Ext: tt.ext}}},
			}
			for _, rec := range recs {
				fast, problem := compareWithLibrary(rec)
				if problem != "" {
					t.Fatalf("%s: %s", recordID(rec), problem)
				}
				if fast != tt.fast {
					t.Errorf("%s: fast path taken = %v, want %v", recordID(rec), fast, tt.fast)
				}
			}
		})
	}
}

// Ensure times and dates are written as the library writes them, and
// those it rejects are left to it.
func TestFast_TimesAndDates(t *testing.T) {
	zones := []*time.Location{
		time.UTC, time.FixedZone("", 0), time.FixedZone("IST", 5*3600+30*60), time.FixedZone("W", -(23*3600 + 59*60)),
		time.FixedZone("LMT", -(4*3600 + 56*60 + 2)), time.FixedZone("", 24*3600), time.FixedZone("", -100*3600),
	}
	instants := []time.Time{
		time.Date(2021, 3, 2, 22, 24, 53, 347e6, time.UTC), time.Date(2021, 3, 2, 22, 24, 53, 1, time.UTC),
		time.Date(2021, 3, 2, 22, 24, 53, 123456789, time.UTC), time.Date(2021, 3, 2, 0, 0, 0, 0, time.UTC),
		time.Unix(0, 0), time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(-1, 12, 31, 0, 0, 0, 0, time.UTC), time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(1, 1, 1, 0, 0, 0, 1, time.UTC), time.Now(),
	}
	for _, zone := range zones {
		for _, at := range instants {
			for _, rec := range []any{&roster.User{ID: "u", LastModified: at.In(zone)}, &roster.Section{ID: "x", LastModified: at.In(zone)}} {
				if _, problem := compareWithLibrary(rec); problem != "" {
					t.Errorf("%v in %v: %s", at, zone, problem)
				}
			}
		}
	}
	dates := []roster.Date{
		{Year: 2007, Month: 2, Day: 11}, {Year: 0, Month: 1, Day: 1}, {Year: 9999, Month: 12, Day: 31}, {Year: 1, Month: 0, Day: 0},
		{Year: 0, Month: 0, Day: 1}, {Year: 2020, Month: 99, Day: 99}, {Year: 2020, Month: 100, Day: 1}, {Year: 2020, Month: 255, Day: 255},
		{Year: -1, Month: 1, Day: 1}, {Year: -999, Month: 1, Day: 1}, {Year: 10000, Month: 1, Day: 1}, {Year: 32767, Month: 1, Day: 1}, {Year: -32768},
	}
	for _, d := range dates {
		rec := &roster.User{ID: "u", Roles: roster.Roles{Student: &roster.Student{DOB: d}}}
		if _, problem := compareWithLibrary(rec); problem != "" {
			t.Errorf("date %+v: %s", d, problem)
		}
	}
}

func raw(s string) json.RawMessage { return json.RawMessage(s) }

// fullUser holds every role with every field set.
func fullUser() *roster.User {
	ext := func() roster.Ext {
		return roster.ExtOf(map[string]json.RawMessage{"consent": raw(`"Y"`), "house": raw(`"red"`), "Zeta": raw(`{"x": [1, 2]}`)})
	}
	return &roster.User{
		ID: "u1", District: "d1", Name: roster.Name{First: "Fé", Middle: "M", Last: "O'Brien \"Bo\""}, Email: "e@example.net",
		Roles: roster.Roles{
			Student: &roster.Student{
				Demographics: &roster.Demographics{Gender: "F", GraduationYear: "2030", Race: "r", HispanicEthnicity: "N", ELLStatus: "N", HomeLanguage: "en"},
				SISID:        "1", StudentNumber: "2", StateID: "3", Username: "u", Grade: "4", School: "s1", Schools: []string{"s1", "s2"},
				DOB:      roster.Date{Year: 2010, Month: 1, Day: 2},
				Programs: &roster.Programs{IEPStatus: "Y", Section504Status: "Y", FRLStatus: "Y", GiftedStatus: "Y"},
				Ext:      ext(),
			},
			Teacher:       &roster.Teacher{SISID: "t", TeacherNumber: "n", StateID: "s", Username: "u", Title: "T", School: "s1", Schools: []string{"s1"}, Ext: ext()},
			Staff:         &roster.Staff{StaffID: "x", Username: "u", Title: "T", Department: "D", Schools: []string{"s1"}, Ext: ext()},
			DistrictAdmin: &roster.DistrictAdmin{Title: "Admin"},
			Contact: &roster.Contact{SISID: "c", Phone: "p", PhoneType: "Cell", Relationships: []roster.Relationship{
				{Student: "s9", Relationship: "Parent", Type: "Guardian"}, {Student: "s8"},
			}},
		},
		LastModified: time.Date(2021, 3, 2, 22, 24, 53, 347e6, time.FixedZone("EST", -5*3600)),
	}
}

// fullSection has every field set.
func fullSection() *roster.Section {
	return &roster.Section{
		ID: "x1", District: "d1", School: "s1", Course: "c1", Term: "t1", Name: "Algebra <II> & \"more\"", SISID: "9",
		SectionNumber: "3", Subject: "math", Grade: "9", Period: "2B", Teachers: []string{"u2", "u1"}, Students: []string{"u3", "u4"},
		Ext:          roster.ExtStrings(map[string]string{"room": "B12", "block": "A", "note": "é"}),
		LastModified: time.Date(2025, 8, 21, 9, 0, 0, 1, time.UTC),
	}
}

func bigSection(n int) *roster.Section {
	s := &roster.Section{ID: "big", Teachers: []string{"t"}, LastModified: time.Unix(1e9, 0).UTC()}
	for i := range n {
		s.Students = append(s.Students, fmt.Sprintf("5a25ffb0c1bc2a00360%05d", i))
	}
	return s
}

// Ensure a writer's error reads as the library reports it, and still
// wraps the writer's.
func TestFast_WriteError(t *testing.T) {
	errFull := errors.New("disk full")
	w := failingWriter{errFull}
	for _, rec := range []any{fullUser(), fullSection()} {
		libErr := jsonv2.MarshalWrite(w, rec, jsonv2.Deterministic(true))
		err := MarshalWrite(w, rec)
		if want := fmt.Sprintf("encode %T: %v", rec, libErr); err == nil || err.Error() != want {
			t.Errorf("%s: MarshalWrite = %v, want %s", recordID(rec), err, want)
		}
		if !errors.Is(err, errFull) {
			t.Errorf("%s: MarshalWrite = %v, does not wrap the writer's error", recordID(rec), err)
		}
	}
}

type failingWriter struct{ err error }

func (w failingWriter) Write([]byte) (int, error) { return 0, w.err }
