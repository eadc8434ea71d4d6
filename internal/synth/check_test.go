package synth_test

import (
	"github.com/rosterd/rosterd/internal/synth"
	"github.com/rosterd/rosterd/roster"
)

// The checks below are an independent reading of a roster, written
// against the roster model only, so the generator's tests do not trust
// its own bookkeeping.

// required lists the fields preflight requires by default.
var required = map[roster.Entity][]string{
	roster.EntityStudent: {"sis_id", "name.first", "name.last", "school"},
	roster.EntityTeacher: {"name.first", "name.last"},
	roster.EntitySection: {"name", "school"},
	roster.EntitySchool:  {"name"},
}

// findIssues returns every problem of the kinds synth injects, as the
// Defect that would describe it. clean, the same district without
// defects, tells a double-homed student's own homeroom from the second;
// it may be nil when r has no such problem.
func findIssues(r, clean *roster.Roster) []synth.Defect {
	var out []synth.Defect
	ids := make(map[string]bool)
	seen := make(map[string]bool)
	dup := func(e roster.Entity, id string) {
		if seen[id] {
			out = append(out, synth.Defect{Kind: synth.DefectDuplicateID, Entity: e, ID: id})
		}
		seen[id] = true
		ids[id] = true
	}
	for i := range r.Districts {
		dup(roster.EntityDistrict, r.Districts[i].ID)
	}
	for i := range r.Schools {
		dup(roster.EntitySchool, r.Schools[i].ID)
	}
	for i := range r.Terms {
		dup(roster.EntityTerm, r.Terms[i].ID)
	}
	for i := range r.Courses {
		dup(roster.EntityCourse, r.Courses[i].ID)
	}
	for i := range r.Sections {
		dup(roster.EntitySection, r.Sections[i].ID)
	}
	for i := range r.Users {
		dup(r.Users[i].Entities()[0], r.Users[i].ID)
	}

	dangling := func(e roster.Entity, id, field string, refs ...string) {
		for _, ref := range refs {
			if ref != "" && !ids[ref] {
				out = append(out, synth.Defect{Kind: synth.DefectDangling, Entity: e, ID: id, Field: field, Target: ref})
			}
		}
	}
	missing := func(e roster.Entity, id string, rec any) {
		for _, path := range required[e] {
			f, err := roster.LookupField(e, path)
			if err != nil {
				panic(err)
			}
			if !f.Present(rec) {
				out = append(out, synth.Defect{Kind: synth.DefectMissingField, Entity: e, ID: id, Field: path})
			}
		}
	}
	district := r.Districts[0].ID
	for i := range r.Schools {
		s := &r.Schools[i]
		missing(roster.EntitySchool, s.ID, s)
		dangling(roster.EntitySchool, s.ID, "district", s.District)
	}
	for i := range r.Terms {
		dangling(roster.EntityTerm, r.Terms[i].ID, "district", r.Terms[i].District)
	}
	for i := range r.Courses {
		dangling(roster.EntityCourse, r.Courses[i].ID, "district", r.Courses[i].District)
	}
	homerooms := make(map[string]map[string]bool) // student -> homeroom section IDs
	for i := range r.Sections {
		s := &r.Sections[i]
		missing(roster.EntitySection, s.ID, s)
		dangling(roster.EntitySection, s.ID, "district", s.District)
		dangling(roster.EntitySection, s.ID, "school", s.School)
		dangling(roster.EntitySection, s.ID, "course", s.Course)
		dangling(roster.EntitySection, s.ID, "term", s.Term)
		dangling(roster.EntitySection, s.ID, "teachers", s.Teachers...)
		dangling(roster.EntitySection, s.ID, "students", s.Students...)
		if s.Subject == roster.SubjectHomeroom && isElementaryGrade(s.Grade) {
			for _, st := range s.Students {
				if homerooms[st] == nil {
					homerooms[st] = make(map[string]bool)
				}
				homerooms[st][s.ID] = true
			}
		}
	}
	for i := range r.Users {
		u := &r.Users[i]
		if u.District != district {
			out = append(out, synth.Defect{Kind: synth.DefectDangling, ID: u.ID, Field: "district", Target: u.District})
		}
		if st := u.Roles.Student; st != nil {
			missing(roster.EntityStudent, u.ID, u)
			dangling(roster.EntityStudent, u.ID, "school", st.School)
			dangling(roster.EntityStudent, u.ID, "schools", st.Schools...)
		}
		if t := u.Roles.Teacher; t != nil {
			missing(roster.EntityTeacher, u.ID, u)
			dangling(roster.EntityTeacher, u.ID, "school", t.School)
			dangling(roster.EntityTeacher, u.ID, "schools", t.Schools...)
		}
		if s := u.Roles.Staff; s != nil {
			dangling(roster.EntityStaff, u.ID, "schools", s.Schools...)
		}
		if c := u.Roles.Contact; c != nil {
			for _, rel := range c.Relationships {
				dangling(roster.EntityContact, u.ID, "students", rel.Student)
			}
		}
	}
	var own map[string]string
	for student, hrs := range homerooms {
		if len(hrs) < 2 {
			continue
		}
		if own == nil {
			own = homeroomOf(clean)
		}
		d := synth.Defect{Kind: synth.DefectDoubleHomeroom, Entity: roster.EntityStudent, ID: student}
		for id := range hrs {
			if id != own[student] {
				d.Target = id
			}
		}
		out = append(out, d)
	}
	return out
}

// homeroomOf maps each PreK-5 student of r to their homeroom.
func homeroomOf(r *roster.Roster) map[string]string {
	out := make(map[string]string)
	for i := range r.Sections {
		s := &r.Sections[i]
		if s.Subject == roster.SubjectHomeroom && isElementaryGrade(s.Grade) {
			for _, st := range s.Students {
				out[st] = s.ID
			}
		}
	}
	return out
}

func isElementaryGrade(g string) bool {
	switch g {
	case "PreKindergarten", "Kindergarten", "1", "2", "3", "4", "5":
		return true
	}
	return false
}

// enrollments returns the number of student IDs in r's sections.
func enrollments(r *roster.Roster) int {
	n := 0
	for i := range r.Sections {
		n += len(r.Sections[i].Students)
	}
	return n
}
