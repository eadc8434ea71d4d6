package fakeclever

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	"github.com/rosterd/rosterd/roster"
)

// LoadDemoDistrict reads Clever's demo district from dir: districts.json,
// users.json and sections.json, each one list response as Clever's own
// mocks record them. Records are served as they are written (compacted),
// never round-tripped through a model, so the fake can serve data nobody
// here wrote. The demo has no school, term or course lists, so minimal
// ones ({id, district, name}) are made up for every ID a section names,
// and a school for every ID a user's school or schools names: the real
// district has schools in which no section is rostered, and their staff
// and teachers point at them.
func LoadDemoDistrict(dir string) (*Dataset, error) {
	districts, err := readListFile(filepath.Join(dir, "districts.json"))
	if err != nil {
		return nil, fmt.Errorf("load demo district: %w", err)
	}
	users, err := readListFile(filepath.Join(dir, "users.json"))
	if err != nil {
		return nil, fmt.Errorf("load demo district: %w", err)
	}
	sections, err := readListFile(filepath.Join(dir, "sections.json"))
	if err != nil {
		return nil, fmt.Errorf("load demo district: %w", err)
	}

	d := &Dataset{}
	d.colls[collDistricts] = rawStore(districts)
	d.colls[collUsers] = rawStore(users)
	d.colls[collSections] = rawStore(sections)

	// Index users by role in the order the store holds them.
	order := sortedOrder(len(users), func(i int) string { return users[i].ID })
	for pos, i := range order {
		for _, role := range roster.AllRoles {
			if _, ok := users[i].Roles[string(role)]; ok {
				d.indexRole(role, pos)
			}
		}
	}

	var schools, terms, courses []rawRecord
	seen := map[string]bool{}
	for _, s := range sections {
		schools = synthesise(schools, seen, "School", s.School, s.District)
		terms = synthesise(terms, seen, "Term", s.TermID, s.District)
		courses = synthesise(courses, seen, "Course", s.Course, s.District)
	}
	for _, u := range users {
		for _, role := range u.Roles {
			var r struct {
				School  string   `json:"school"`
				Schools []string `json:"schools"`
			}
			if err := json.Unmarshal(role, &r); err != nil {
				return nil, fmt.Errorf("load demo district: user %s: roles: %w", u.ID, err)
			}
			for _, id := range append(r.Schools, r.School) {
				schools = synthesise(schools, seen, "School", id, u.District)
			}
		}
	}
	d.colls[collSchools] = rawStore(schools)
	d.colls[collTerms] = rawStore(terms)
	d.colls[collCourses] = rawStore(courses)
	return d, nil
}

// rawRecord is one record of a list file: its JSON as written, plus the
// few fields the fake needs to index it.
type rawRecord struct {
	ID       string                    `json:"id"`
	District string                    `json:"district"`
	Roles    map[string]jsontext.Value `json:"roles"`
	School   string                    `json:"school"`
	TermID   string                    `json:"term_id"`
	Course   string                    `json:"course"`

	data jsontext.Value
}

func readListFile(path string) ([]rawRecord, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", filepath.Base(path), err)
	}
	var page struct {
		Data []struct {
			Data jsontext.Value `json:"data"`
		} `json:"data"`
	}
	if err := json.Unmarshal(b, &page); err != nil {
		return nil, fmt.Errorf("decode %s: %w", filepath.Base(path), err)
	}
	recs := make([]rawRecord, len(page.Data))
	for i, item := range page.Data {
		rec := &recs[i]
		if len(item.Data) == 0 {
			return nil, fmt.Errorf("decode %s: item %d: no data object", filepath.Base(path), i)
		}
		if err := json.Unmarshal(item.Data, rec); err != nil {
			return nil, fmt.Errorf("decode %s: item %d: %w", filepath.Base(path), i, err)
		}
		if rec.ID == "" {
			return nil, fmt.Errorf("decode %s: item %d: field id is missing or empty", filepath.Base(path), i)
		}
		rec.data = item.Data
		if err := rec.data.Compact(); err != nil {
			return nil, fmt.Errorf("decode %s: record %s: %w", filepath.Base(path), rec.ID, err)
		}
	}
	return recs, nil
}

func rawStore(recs []rawRecord) store {
	id := func(i int) string { return recs[i].ID }
	return buildStore(sortedOrder(len(recs), id), id, func(dst []byte, i int) []byte {
		return append(dst, recs[i].data...)
	})
}

// synthesise adds a minimal record named "<kind> <ID suffix>" for id unless
// id is empty or already made.
func synthesise(recs []rawRecord, seen map[string]bool, kind, id, district string) []rawRecord {
	key := kind + "/" + id
	if id == "" || seen[key] {
		return recs
	}
	seen[key] = true
	w := objWriter{}
	w.begin()
	w.str("id", id)
	w.str("district", district)
	w.str("name", kind+" "+id[max(0, len(id)-6):])
	w.end()
	return append(recs, rawRecord{ID: id, District: district, data: w.buf})
}
