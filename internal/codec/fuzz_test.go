package codec

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/rosterd/rosterd/roster"
)

// FuzzMarshalMatchesLibrary builds a user and a section from the input,
// with choices drawn from seed deciding for each field whether it is
// nil, empty or set and to which string, and fails when the fast path
// writes other bytes than the library or succeeds where it fails.
func FuzzMarshalMatchesLibrary(f *testing.F) {
	f.Add(uint64(0), "", "", "", []byte(nil), int64(0), int64(0), int32(0), uint32(0))
	f.Add(uint64(1), "5a25ffb0c1bc2a00360003ed", "Kindergarten", "photo_consent", []byte(`"Y"`), int64(1614723893), int64(347e6), int32(0), uint32(2007|2<<16|11<<24))
	f.Add(uint64(42), "say \"hi\"\n", "Zoë \u2028 <&>", "é", []byte(` {"b": 1, "a": [true, null]} `), int64(-62135596800), int64(1), int32(-18000), uint32(0xffff))
	f.Add(uint64(7), "bad \xff", "\x00\x1f\x7f", "\xc3", []byte(`{]`), int64(253402300800), int64(999999999), int32(86400), uint32(1<<16|1<<24))
	f.Add(uint64(8), `"q"`, `\`, "k", []byte(`"\u00e9"`), int64(1e9), int64(0), int32(-24*3600), uint32(0xffff|1<<16|1<<24))
	f.Add(uint64(9), "a", "b", "c", []byte(`true`), int64(1e9), int64(1), int32(100*3600), uint32(10000|1<<16|1<<24))
	f.Add(uint64(1<<63+12345), "0123456789abcdef0123456\\", "x", "", []byte(`nul`), int64(1e9), int64(5e8), int32(19800), uint32(9999|12<<16|31<<24))
	f.Fuzz(func(t *testing.T, seed uint64, a, b, key string, raw []byte, sec, nsec int64, offset int32, dob uint32) {
		g := &recordGen{x: seed, strs: []string{"", a, b, a + b, "s1"}, key: key, raw: raw}
		g.at = time.Unix(sec, nsec).In(time.FixedZone("", int(offset)))
		g.dob = roster.Date{Year: int16(dob), Month: uint8(dob >> 16), Day: uint8(dob >> 24)}
		// Besides the records seed chooses, two that hold every input as
		// it is, so that each seed of the corpus tests all of it.
		recs := []any{
			&roster.Section{ID: a, Name: b, Students: []string{a, b, key}, Ext: roster.ExtOf(map[string]json.RawMessage{key: raw}), LastModified: g.at},
			&roster.User{ID: b, Name: roster.Name{First: a}, Roles: roster.Roles{Student: &roster.Student{DOB: g.dob, Ext: roster.ExtOf(map[string]json.RawMessage{key: raw, a: raw})}}},
			g.user(), g.section(),
		}
		if g.pick(4) == 0 {
			recs = append(recs, *g.user(), *g.section())
		}
		for _, rec := range recs {
			if _, problem := compareWithLibrary(rec); problem != "" {
				t.Fatalf("%s: %s", recordID(rec), problem)
			}
		}
	})
}

// recordGen builds records from a fuzz input.
type recordGen struct {
	x    uint64 // splitmix64 state
	strs []string
	key  string
	raw  []byte
	at   time.Time
	dob  roster.Date
}

// pick returns a choice in [0, n).
func (g *recordGen) pick(n int) int {
	g.x += 0x9e3779b97f4a7c15
	z := g.x
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return int((z ^ z>>31) % uint64(n))
}

func (g *recordGen) str() string { return g.strs[g.pick(len(g.strs))] }

func (g *recordGen) list() []string {
	switch g.pick(5) {
	case 0:
		return nil
	case 1:
		return []string{}
	case 2:
		return []string{g.str()}
	case 3:
		return []string{g.str(), g.str(), g.str()}
	}
	return []string{""}
}

func (g *recordGen) ext() roster.Ext {
	switch g.pick(5) {
	case 0, 1:
		return roster.Ext{}
	case 2:
		return roster.ExtOf(map[string]json.RawMessage{g.key: g.raw})
	case 3:
		return roster.ExtOf(map[string]json.RawMessage{g.key: g.raw, g.str(): json.RawMessage(`"x"`), g.str() + "k": g.raw})
	}
	return roster.ExtOf(map[string]json.RawMessage{g.str(): json.RawMessage(`true`), "k": json.RawMessage(`"v"`)})
}

func (g *recordGen) time() time.Time {
	switch g.pick(3) {
	case 0:
		return time.Time{}
	case 1:
		return g.at.UTC()
	}
	return g.at
}

func (g *recordGen) date() roster.Date {
	if g.pick(3) == 0 {
		return roster.Date{}
	}
	return g.dob
}

// some reports whether an optional part is present.
func (g *recordGen) some() bool { return g.pick(3) != 0 }

func (g *recordGen) user() *roster.User {
	u := &roster.User{ID: g.str(), District: g.str(), Name: roster.Name{First: g.str(), Middle: g.str(), Last: g.str()}, Email: g.str(), LastModified: g.time()}
	if g.some() {
		s := &roster.Student{
			Demographics: &roster.Demographics{Gender: g.str(), GraduationYear: g.str(), Race: g.str(), HispanicEthnicity: g.str(), ELLStatus: g.str(), HomeLanguage: g.str()},
			SISID:        g.str(), StudentNumber: g.str(), StateID: g.str(), Username: g.str(), Grade: g.str(), School: g.str(),
			Schools: g.list(), DOB: g.date(), Ext: g.ext(),
		}
		if g.some() {
			s.Programs = &roster.Programs{IEPStatus: g.str(), Section504Status: g.str(), FRLStatus: g.str(), GiftedStatus: g.str()}
		}
		u.Roles.Student = s
	}
	if g.some() {
		u.Roles.Teacher = &roster.Teacher{
			SISID: g.str(), TeacherNumber: g.str(), StateID: g.str(), Username: g.str(), Title: g.str(), School: g.str(),
			Schools: g.list(), Ext: g.ext(),
		}
	}
	if g.some() {
		u.Roles.Staff = &roster.Staff{StaffID: g.str(), Username: g.str(), Title: g.str(), Department: g.str(), Schools: g.list(), Ext: g.ext()}
	}
	if g.some() {
		u.Roles.DistrictAdmin = &roster.DistrictAdmin{Title: g.str()}
	}
	if g.some() {
		c := &roster.Contact{SISID: g.str(), Phone: g.str(), PhoneType: g.str()}
		switch g.pick(3) {
		case 1:
			c.Relationships = []roster.Relationship{}
		case 2:
			c.Relationships = []roster.Relationship{{Student: g.str(), Relationship: g.str(), Type: g.str()}, {Student: g.str()}}
		}
		u.Roles.Contact = c
	}
	return u
}

func (g *recordGen) section() *roster.Section {
	return &roster.Section{
		ID: g.str(), District: g.str(), School: g.str(), Course: g.str(), Term: g.str(), Name: g.str(), SISID: g.str(),
		SectionNumber: g.str(), Subject: g.str(), Grade: g.str(), Period: g.str(), Teachers: g.list(), Students: g.list(),
		Ext: g.ext(), LastModified: g.time(),
	}
}
