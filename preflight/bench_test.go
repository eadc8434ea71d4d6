package preflight_test

import (
	"fmt"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/rosterd/rosterd/preflight"
	"github.com/rosterd/rosterd/roster"
)

// genRoster builds a district that looks like a Clever one: 24-hex IDs in
// ID order, 85% students, 5% teachers (a fifth of them also staff) and
// 10% contacts, 25 students and one or two teachers per section, full
// names, SIS IDs, birth dates and a couple of ext fields.
func genRoster(users, sections int) *roster.Roster {
	id := func(kind, i int) string { return fmt.Sprintf("5a25ff%02x%016x", kind, i) }
	const district = "5a0c91b95c7cc000010d417c"
	r := &roster.Roster{Districts: []roster.District{{ID: district, Name: "Generated District"}}}
	schools := max(1, users/2500)
	for i := range schools {
		r.Schools = append(r.Schools, roster.School{
			ID: id(1, i), District: district, Name: fmt.Sprintf("School %d", i), SISID: fmt.Sprint(100 + i),
			LowGrade: "9", HighGrade: "12", Address: roster.Address{City: "Springfield", Zip: "10459"},
		})
	}
	for i := range 3 {
		r.Terms = append(r.Terms, roster.Term{ID: id(2, i), District: district, Name: fmt.Sprintf("Term %d", i),
			StartDate: roster.MustDate("2025-08-15"), EndDate: roster.MustDate("2026-06-10")})
	}
	courses := max(1, sections/20)
	for i := range courses {
		r.Courses = append(r.Courses, roster.Course{ID: id(3, i), District: district, Name: fmt.Sprintf("Course %d", i), Number: fmt.Sprint(i)})
	}
	students, teachers := users*85/100, max(1, users*5/100)
	contacts := users - students - teachers
	modified := time.Date(2025, 8, 1, 12, 0, 0, 0, time.UTC)
	for i := range students {
		school := id(1, i%schools)
		r.Users = append(r.Users, roster.User{
			ID: id(4, i), District: district, Email: fmt.Sprintf("s%d@example.net", i), LastModified: modified,
			Name: roster.Name{First: fmt.Sprintf("First%d", i), Middle: "Q", Last: fmt.Sprintf("Last%d", i)},
			Roles: roster.Roles{Student: &roster.Student{
				Demographics: &roster.Demographics{Gender: "F"},
				SISID:        fmt.Sprint(100000000 + i), StudentNumber: fmt.Sprint(100000000 + i), Grade: "10",
				School: school, Schools: []string{school}, DOB: roster.MustDate("2010-02-11"),
				Ext: roster.ExtStrings(map[string]string{"consent": "Y", "house": fmt.Sprint(i % 4)}),
			}},
		})
	}
	for i := range teachers {
		school := id(1, i%schools)
		u := roster.User{
			ID: id(5, i), District: district, Email: fmt.Sprintf("t%d@example.net", i), LastModified: modified,
			Name: roster.Name{First: fmt.Sprintf("First%d", i), Last: fmt.Sprintf("Last%d", i)},
			Roles: roster.Roles{Teacher: &roster.Teacher{
				SISID: fmt.Sprint(500000 + i), School: school, Schools: []string{school}, Title: "Teacher",
			}},
		}
		if i%5 == 0 {
			u.Roles.Staff = &roster.Staff{StaffID: fmt.Sprint(500000 + i), Schools: []string{school}}
		}
		r.Users = append(r.Users, u)
	}
	for i := range contacts {
		r.Users = append(r.Users, roster.User{
			ID: id(6, i), District: district, Name: roster.Name{Last: fmt.Sprintf("Contact %d", i)},
			Roles: roster.Roles{Contact: &roster.Contact{Phone: "555-0100", Relationships: []roster.Relationship{
				{Student: id(4, i%students), Relationship: "Parent", Type: "guardian"},
			}}},
		})
	}
	for i := range sections {
		s := roster.Section{
			ID: id(7, i), District: district, School: id(1, i%schools), Course: id(3, i%courses), Term: id(2, i%3),
			Name: fmt.Sprintf("Section %d", i), SISID: fmt.Sprint(i), Period: fmt.Sprint(i % 8), Grade: "10",
			Teachers: []string{id(5, i%teachers)}, LastModified: modified,
		}
		if i%3 == 0 {
			s.Teachers = append(s.Teachers, id(5, (i+1)%teachers))
		}
		for j := range 25 {
			s.Students = append(s.Students, id(4, (i*25+j)%students))
		}
		r.Sections = append(r.Sections, s)
	}
	return r
}

func records(r *roster.Roster) int {
	return len(r.Districts) + len(r.Schools) + len(r.Terms) + len(r.Courses) + len(r.Sections) + len(r.Users)
}

// BenchmarkCheck measures a whole Check (validation and diff) on a first
// run (empty store), on a run that changes nothing, and on one that
// changes 1% of users. Set ROSTERD_BENCH_XL=1 to add the XL district
// (1.2M users, 240k sections; several GB of memory).
func BenchmarkCheck(b *testing.B) {
	sizes := []struct {
		name            string
		users, sections int
	}{{"50k-users", 50_000, 10_000}}
	if os.Getenv("ROSTERD_BENCH_XL") == "1" {
		sizes = append(sizes, struct {
			name            string
			users, sections int
		}{"1.2M-users", 1_200_000, 240_000})
	}
	for _, size := range sizes {
		r := genRoster(size.users, size.sections)
		if res, err := preflight.Check(r, nil, preflight.Options{}); err != nil || len(res.Issues) > 0 {
			b.Fatalf("generated roster: %v, issues %v", err, res.Issues)
		}
		same := commit(b, r)
		changed := commit(b, r)
		for i := 0; i < len(r.Users); i += 100 {
			u := r.Users[i]
			u.Email = "old@example.net"
			changed.put(b, roster.KindUsers, u.ID, &u)
		}
		// A student moved between sections changes both lists, as a 1%
		// change of students does; each update's fields are reported.
		moved := commit(b, r)
		for i := 0; i < len(r.Sections); i += 25 {
			s := r.Sections[i]
			s.Students = append(slices.Clone(s.Students[1:]), "moved-in")
			moved.put(b, roster.KindSections, s.ID, &s)
		}
		for _, store := range []struct {
			name      string
			committed preflight.Committed
		}{{"empty", newMemCommitted()}, {"unchanged", same}, {"1pct-changed", changed}, {"4pct-sections-moved", moved}} {
			b.Run(size.name+"/"+store.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := preflight.Check(r, store.committed, preflight.Options{}); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(records(r)*b.N)/b.Elapsed().Seconds(), "records/s")
			})
		}
	}
}
