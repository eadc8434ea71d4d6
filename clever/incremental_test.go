package clever_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/rosterd/rosterd/roster"
)

// Edits of a served district, each making Clever record one kind of event.

func firstWith(r *roster.Roster, has func(*roster.User) bool) *roster.User {
	for i := range r.Users {
		if has(&r.Users[i]) {
			return &r.Users[i]
		}
	}
	panic("no such user in the district")
}

func isStudent(u *roster.User) bool { return u.Roles.Student != nil }
func isTeacher(u *roster.User) bool { return u.Roles.Teacher != nil }
func isContact(u *roster.User) bool { return u.Roles.Contact != nil }
func isStaffOnly(u *roster.User) bool {
	return u.Roles.Staff != nil && u.Roles.Teacher == nil
}

// withoutUser removes user id from r, its sections and its contacts'
// relationships, as a district withdrawing a student does.
func withoutUser(r *roster.Roster, id string) {
	r.Users = slices.DeleteFunc(r.Users, func(u roster.User) bool { return u.ID == id })
	for i := range r.Sections {
		s := &r.Sections[i]
		s.Students = slices.DeleteFunc(slices.Clone(s.Students), func(x string) bool { return x == id })
		s.Teachers = slices.DeleteFunc(slices.Clone(s.Teachers), func(x string) bool { return x == id })
	}
	for i := range r.Users {
		if c := r.Users[i].Roles.Contact; c != nil {
			cc := *c
			cc.Relationships = slices.DeleteFunc(slices.Clone(c.Relationships), func(x roster.Relationship) bool { return x.Student == id })
			r.Users[i].Roles.Contact = &cc
		}
	}
}

// addStaff gives the first teacher a staff role too.
func addStaff(r *roster.Roster) {
	u := firstWith(r, isTeacher)
	u.Roles.Staff = &roster.Staff{StaffID: "ST-" + u.ID[:6], Title: "Coach", Schools: u.Roles.Teacher.Schools}
}

// Ensure the events a district's changes record, for every collection
// and action, bring the roster the last run fetched to what a full crawl
// now gives, with no crawl: schools, terms, courses and users replaced
// whole or removed, sections with their students arrays replaced whole,
// and users with all their roles, as a crawl maps them.
func TestSource_FetchSinceApplies(t *testing.T) {
	newID := func(n int) string { return fmt.Sprintf("ffff%020d", n) }
	tests := []struct {
		name string
		// roles, when set, replaces the roles the rig fetches.
		roles []roster.Role
		// before is served and synced first.
		before func(r *roster.Roster)
		edit   func(r *roster.Roster)
		want   []string // event types the edit records, at least
	}{
		{name: "DistrictUpdated", edit: func(r *roster.Roster) { r.Districts[0].Name += " Unified" }, want: []string{"districts.updated"}},
		{name: "SchoolCreated", edit: func(r *roster.Roster) {
			r.Schools = append(r.Schools, roster.School{ID: newID(1), District: r.Districts[0].ID, Name: "Harbor Middle", SISID: "900"})
		}, want: []string{"schools.created"}},
		{name: "SchoolUpdated", edit: func(r *roster.Roster) { r.Schools[0].Name += " Annex"; r.Schools[0].LowGrade = "1" }, want: []string{"schools.updated"}},
		{name: "SchoolDeleted", edit: func(r *roster.Roster) { r.Schools = r.Schools[:len(r.Schools)-1] }, want: []string{"schools.deleted"}},
		{name: "TermCreated", edit: func(r *roster.Roster) {
			r.Terms = append(r.Terms, roster.Term{ID: newID(2), District: r.Districts[0].ID, Name: "Summer"})
		}, want: []string{"terms.created"}},
		{name: "TermUpdated", edit: func(r *roster.Roster) { r.Terms[0].Name += " (revised)" }, want: []string{"terms.updated"}},
		{name: "TermDeleted", edit: func(r *roster.Roster) { r.Terms = r.Terms[1:] }, want: []string{"terms.deleted"}},
		{name: "CourseCreated", edit: func(r *roster.Roster) {
			r.Courses = append(r.Courses, roster.Course{ID: newID(3), District: r.Districts[0].ID, Name: "Robotics", Number: "R1"})
		}, want: []string{"courses.created"}},
		{name: "CourseUpdated", edit: func(r *roster.Roster) { r.Courses[3].Name += " II" }, want: []string{"courses.updated"}},
		{name: "CourseDeleted", edit: func(r *roster.Roster) { r.Courses = slices.Delete(r.Courses, 2, 3) }, want: []string{"courses.deleted"}},
		{name: "SectionCreated", edit: func(r *roster.Roster) {
			s := r.Sections[0]
			s.ID, s.Name, s.SISID = newID(4), "Robotics 1", "SEC-R1"
			s.Students = slices.Clone(s.Students[:2])
			r.Sections = append(r.Sections, s)
		}, want: []string{"sections.created"}},
		{name: "SectionStudentsReplaced", edit: func(r *roster.Roster) {
			s := &r.Sections[0]
			outsider := r.Sections[len(r.Sections)-1].Students[0]
			s.Students = append(slices.Clone(s.Students[2:]), outsider)
			s.Name += " (split)"
		}, want: []string{"sections.updated"}},
		{name: "SectionDeleted", edit: func(r *roster.Roster) { r.Sections = slices.Delete(r.Sections, 5, 6) }, want: []string{"sections.deleted"}},
		{name: "StudentCreated", edit: func(r *roster.Roster) {
			u := *firstWith(r, isStudent)
			st := *u.Roles.Student
			u.ID, u.Name.First, st.SISID = newID(5), "Nova", "S-NEW-1"
			u.Roles.Student = &st
			r.Users = append(r.Users, u)
			r.Sections[1].Students = append(slices.Clone(r.Sections[1].Students), u.ID)
		}, want: []string{"users.created", "sections.updated"}},
		{name: "StudentUpdated", edit: func(r *roster.Roster) {
			u := firstWith(r, isStudent)
			st := *u.Roles.Student
			st.Grade = "12"
			u.Name.Last += "-Renamed"
			u.Roles.Student = &st
		}, want: []string{"users.updated"}},
		{name: "StudentDeleted", edit: func(r *roster.Roster) { withoutUser(r, firstWith(r, isStudent).ID) },
			want: []string{"users.deleted", "users.updated", "sections.updated"}},
		{name: "TeacherGainsStaffRole", edit: addStaff, want: []string{"users.updated"}},
		{name: "TeacherLosesStaffRole", before: addStaff, edit: func(r *roster.Roster) {
			firstWith(r, isTeacher).Roles.Staff = nil
		}, want: []string{"users.updated"}},
		{name: "ContactDeleted", edit: func(r *roster.Roster) { withoutUser(r, firstWith(r, isContact).ID) }, want: []string{"users.deleted"}},
		// A staff member is in no crawl that fetches only students and
		// teachers, before or after the change; a teacher's staff role is.
		{name: "UnfetchedRole", roles: []roster.Role{}, edit: func(r *roster.Roster) {
			firstWith(r, isStaffOnly).Name.Last += "-Renamed"
			addStaff(r)
		}, want: []string{"users.updated"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newRig(t, rigOptions{roles: tt.roles})
			if tt.before != nil {
				tt.before(g.district)
				g.serve()
				if _, err := g.sync(); err != nil {
					t.Fatal(err)
				}
				g.fallbacks()
			}
			from := g.cursorEvent()
			tt.edit(g.district)
			g.serve()
			for _, typ := range tt.want {
				if !slices.Contains(g.eventTypes(from), typ) {
					t.Fatalf("the edit recorded events %v, not %s", g.eventTypes(from), typ)
				}
			}

			got, err := g.sync()
			if err != nil {
				t.Fatal(err)
			}
			if fb := g.fallbacks(); len(fb) > 0 || g.crawled() {
				t.Fatalf("crawled in full (fallbacks %v), want only events", fb)
			}
			if g.requests("/v3.0/events") == 0 {
				t.Error("no request for events")
			}
			if g.unchanged {
				t.Error("the source called the roster it changed unchanged")
			}
			if got, want := g.cursorEvent(), g.newestEvent(); got != want {
				t.Errorf("cursor at event %s, want the newest, %s", got, want)
			}
			if diff := rosterDiff(g.crawl(), got); diff != "" {
				t.Errorf("roster after the events differs from a crawl (-crawl +events):\n%s", diff)
			}
		})
	}
}

// Ensure a run that finds no event says it returns the kept roster
// unchanged, so that the engine does not store it again, and crawls
// nothing.
func TestSource_FetchSinceNoEvents(t *testing.T) {
	g := newRig(t, rigOptions{})
	if g.unchanged {
		t.Fatal("the first sync, a crawl, called its roster unchanged")
	}
	kept, err := g.loadRaw()
	if err != nil {
		t.Fatal(err)
	}
	got, err := g.sync()
	if err != nil {
		t.Fatal(err)
	}
	if fb := g.fallbacks(); len(fb) > 0 || g.crawled() {
		t.Fatalf("crawled in full (fallbacks %v), want only events", fb)
	}
	if !g.unchanged {
		t.Error("no event, yet the source did not call the roster unchanged")
	}
	if diff := rosterDiff(kept, got); diff != "" {
		t.Errorf("the roster differs from the kept one (-kept +got):\n%s", diff)
	}
}

// Ensure a deleted user leaves every section the events did not replace
// after the deletion, and that events of types rosterd does not roster
// (resources, names Clever used once) are skipped, not failed on.
func TestSource_FetchSinceHandMadeEvents(t *testing.T) {
	g := newRig(t, rigOptions{})
	base := g.crawl()
	student := firstWith(base, isStudent).ID
	var in []string
	for _, s := range base.Sections {
		if slices.Contains(s.Students, student) {
			in = append(in, s.ID)
		}
	}
	if len(in) < 2 {
		t.Fatalf("student %s is in %d sections, want two or more", student, len(in))
	}
	kept := slices.IndexFunc(base.Sections, func(s roster.Section) bool { return s.ID == in[0] })
	section, err := json.Marshal(map[string]any{"id": in[0], "district": base.Districts[0].ID, "school": base.Sections[kept].School,
		"name": "Replaced after the deletion", "students": []string{student}})
	if err != nil {
		t.Fatal(err)
	}
	g.fake.AddEvent("resources.created", []byte(`{"id":"r1"}`))
	g.fake.AddEvent("users.deleted", []byte(`{"id":"`+student+`"}`))
	g.fake.AddEvent("schooladmins.updated", []byte(`{"id":"a1"}`))
	g.fake.AddEvent("sections.updated", section)

	got, err := g.sync()
	if err != nil {
		t.Fatal(err)
	}
	if fb := g.fallbacks(); len(fb) > 0 || g.crawled() {
		t.Fatalf("crawled in full (fallbacks %v), want only events", fb)
	}
	if slices.ContainsFunc(got.Users, func(u roster.User) bool { return u.ID == student }) {
		t.Errorf("deleted user %s is still in the roster", student)
	}
	for _, s := range got.Sections {
		has := slices.Contains(s.Students, student)
		switch {
		case s.ID == in[0] && (!has || s.Name != "Replaced after the deletion"):
			t.Errorf("section %s, replaced after the deletion, is %+v: want its students as the event says", s.ID, s)
		case s.ID != in[0] && has:
			t.Errorf("section %s still lists deleted user %s", s.ID, student)
		}
	}
	if g.cursorEvent() != g.newestEvent() {
		t.Errorf("cursor at %s, want past the skipped events, at %s", g.cursorEvent(), g.newestEvent())
	}
}

// Ensure events are idempotent: a run that did not commit leaves the
// cursor where it was, and the next run applies the same events again to
// the roster the uncommitted run kept; a page that repeats events of the
// one before changes nothing either.
func TestSource_FetchSinceIdempotent(t *testing.T) {
	rename := func(r *roster.Roster, n int) {
		for i := range r.Users {
			if n > 0 && r.Users[i].Roles.Student != nil {
				r.Users[i].Name.Last += "-Renamed"
				n--
			}
		}
		withoutUser(r, r.Users[len(r.Users)-1].ID)
		r.Sections[0].Students = r.Sections[0].Students[1:]
	}

	t.Run("NotCommitted", func(t *testing.T) {
		g := newRig(t, rigOptions{})
		from := g.cursor
		rename(g.district, 5)
		g.serve()
		first, _, err := g.fetch() // kept, not committed
		if err != nil {
			t.Fatal(err)
		}
		if string(g.cursor) != string(from) {
			t.Fatal("an uncommitted run moved the cursor")
		}
		again, err := g.sync()
		if err != nil {
			t.Fatal(err)
		}
		if fb := g.fallbacks(); len(fb) > 0 || g.crawled() {
			t.Fatalf("crawled in full (fallbacks %v), want only events", fb)
		}
		if diff := rosterDiff(first, again); diff != "" {
			t.Errorf("events applied twice differ from once (-once +twice):\n%s", diff)
		}
		if diff := rosterDiff(g.crawl(), again); diff != "" {
			t.Errorf("roster differs from a crawl (-crawl +events):\n%s", diff)
		}
	})

	t.Run("PageRepeated", func(t *testing.T) {
		g := newRig(t, rigOptions{pageSize: 3, wrap: overlappingPages})
		rename(g.district, 8)
		g.serve()
		got, err := g.sync()
		if err != nil {
			t.Fatal(err)
		}
		if fb := g.fallbacks(); len(fb) > 0 || g.crawled() {
			t.Fatalf("crawled in full (fallbacks %v), want only events", fb)
		}
		if n := g.requests("/v3.0/events?"); n < 4 {
			t.Errorf("%d pages of events, want the repeats of several", n)
		}
		if diff := rosterDiff(g.crawl(), got); diff != "" {
			t.Errorf("roster differs from a crawl (-crawl +events):\n%s", diff)
		}
	})
}

// overlappingPages makes each events page's next link start after the
// page's first event rather than its last, so that each page repeats all
// but one event of the page before.
func overlappingPages(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v3.0/events" {
			next.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		var page struct {
			Data []struct {
				Data struct {
					ID string `json:"id"`
				} `json:"data"`
			} `json:"data"`
			Links []map[string]string `json:"links"`
		}
		var raw map[string]jsontext.Value
		if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &page) != nil || json.Unmarshal(rec.Body.Bytes(), &raw) != nil {
			w.WriteHeader(rec.Code)
			w.Write(rec.Body.Bytes())
			return
		}
		for _, l := range page.Links {
			if l["rel"] == "next" && len(page.Data) > 1 {
				q := r.URL.Query()
				q.Set("starting_after", page.Data[0].Data.ID)
				l["uri"] = r.URL.Path + "?" + q.Encode()
			}
		}
		links, _ := json.Marshal(page.Links)
		raw["links"] = links
		body, _ := json.Marshal(raw)
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	})
}
