package fakeclever

import (
	"github.com/rosterd/rosterd/roster"
)

// FromRoster encodes r in Clever's v3.0 wire format, written from Clever's
// API reference rather than from any client, so the fake and the real
// client check each other. Fields Clever always sends are sent as "" when
// empty; optional ones are omitted, as real responses do. Model fields
// Clever's schema lacks (a term's or course's sis_id, a district's
// state_id and ext, term and course last_modified) are sent under their
// model names when set, so that nothing in r is lost on the way through.
//
// r is only read, and the returned Dataset holds no reference to it.
// Records are served in ID order. Records sharing an ID are all kept, in
// roster order, so preflight tests can serve duplicates; paging cannot
// tell them apart, though, and starting_after skips the second of two
// equal IDs that straddle a page boundary.
func FromRoster(r *roster.Roster) *Dataset {
	d := &Dataset{}
	d.colls[collDistricts] = encodeAll(r.Districts, func(x *roster.District) string { return x.ID }, encodeDistrict)
	d.colls[collSchools] = encodeAll(r.Schools, func(x *roster.School) string { return x.ID }, encodeSchool)
	d.colls[collTerms] = encodeAll(r.Terms, func(x *roster.Term) string { return x.ID }, encodeTerm)
	d.colls[collCourses] = encodeAll(r.Courses, func(x *roster.Course) string { return x.ID }, encodeCourse)
	d.colls[collSections] = encodeAll(r.Sections, func(x *roster.Section) string { return x.ID }, encodeSection)

	users := r.Users
	order := sortedOrder(len(users), func(i int) string { return users[i].ID })
	d.colls[collUsers] = buildStore(order, func(i int) string { return users[i].ID }, func(dst []byte, i int) []byte {
		return encodeUser(dst, &users[i])
	})
	for pos, i := range order {
		for _, role := range roster.AllRoles {
			if users[i].Roles.Has(role) {
				d.indexRole(role, pos)
			}
		}
	}
	return d
}

func encodeAll[T any](recs []T, id func(*T) string, encode func(dst []byte, rec *T) []byte) store {
	idOf := func(i int) string { return id(&recs[i]) }
	return buildStore(sortedOrder(len(recs), idOf), idOf, func(dst []byte, i int) []byte {
		return encode(dst, &recs[i])
	})
}

func encodeDistrict(dst []byte, d *roster.District) []byte {
	w := objWriter{buf: dst}
	w.begin()
	w.str("id", d.ID)
	w.str("name", d.Name)
	w.str("sis_type", d.SISType)
	w.opt("nces_id", d.NCESID)
	w.opt("state_id", d.StateID)
	w.ext(d.Ext)
	w.lastModified(d.LastModified)
	w.end()
	return w.buf
}

func encodeSchool(dst []byte, s *roster.School) []byte {
	w := objWriter{buf: dst}
	w.begin()
	w.str("id", s.ID)
	w.str("district", s.District)
	w.str("name", s.Name)
	w.str("sis_id", s.SISID)
	w.str("school_number", s.SchoolNumber)
	w.opt("state_id", s.StateID)
	w.opt("nces_id", s.NCESID)
	w.opt("low_grade", s.LowGrade)
	w.opt("high_grade", s.HighGrade)
	w.opt("phone", s.Phone)
	if !s.Address.IsZero() {
		w.object("location")
		w.str("address", s.Address.Street)
		w.str("city", s.Address.City)
		w.str("state", s.Address.State)
		w.str("zip", s.Address.Zip)
		w.end()
	}
	w.ext(s.Ext)
	w.timestamps(s.LastModified)
	w.end()
	return w.buf
}

func encodeTerm(dst []byte, t *roster.Term) []byte {
	w := objWriter{buf: dst}
	w.begin()
	w.str("id", t.ID)
	w.str("district", t.District)
	w.opt("name", t.Name)
	w.opt("sis_id", t.SISID)
	w.isoDate("start_date", t.StartDate)
	w.isoDate("end_date", t.EndDate)
	w.lastModified(t.LastModified)
	w.end()
	return w.buf
}

func encodeCourse(dst []byte, c *roster.Course) []byte {
	w := objWriter{buf: dst}
	w.begin()
	w.str("id", c.ID)
	w.str("district", c.District)
	w.opt("name", c.Name)
	w.opt("number", c.Number)
	w.opt("sis_id", c.SISID)
	w.opt("subject", c.Subject)
	w.lastModified(c.LastModified)
	w.end()
	return w.buf
}

func encodeSection(dst []byte, s *roster.Section) []byte {
	w := objWriter{buf: dst}
	w.begin()
	w.str("id", s.ID)
	w.str("district", s.District)
	w.str("school", s.School)
	w.opt("course", s.Course)
	w.opt("term_id", s.Term)
	w.str("name", s.Name)
	w.str("sis_id", s.SISID)
	w.str("section_number", s.SectionNumber)
	w.str("subject", s.Subject)
	w.str("grade", s.Grade)
	w.str("period", s.Period)
	// The spec marks teacher nullable and real sections arrive with null;
	// clients have crashed on it, so the fake sends it that way.
	if t := s.PrimaryTeacher(); t != "" {
		w.str("teacher", t)
	} else {
		w.null("teacher")
	}
	w.strs("teachers", s.Teachers)
	w.strs("students", s.Students)
	w.ext(s.Ext)
	w.timestamps(s.LastModified)
	w.end()
	return w.buf
}

func encodeUser(dst []byte, u *roster.User) []byte {
	w := objWriter{buf: dst}
	w.begin()
	w.str("id", u.ID)
	w.str("district", u.District)
	w.object("name")
	w.opt("first", u.Name.First)
	w.opt("middle", u.Name.Middle)
	w.opt("last", u.Name.Last)
	w.end()
	w.opt("email", u.Email)
	w.object("roles")
	if s := u.Roles.Student; s != nil {
		encodeStudent(&w, s, u.Email)
	}
	if t := u.Roles.Teacher; t != nil {
		w.object("teacher")
		credentials(&w, t.Username)
		w.ext(t.Ext)
		w.str("school", t.School)
		w.strs("schools", t.Schools)
		w.str("sis_id", t.SISID)
		w.str("state_id", t.StateID)
		w.str("teacher_number", t.TeacherNumber)
		w.str("title", t.Title)
		w.end()
	}
	if s := u.Roles.Staff; s != nil {
		w.object("staff")
		credentials(&w, s.Username)
		w.str("department", s.Department)
		w.ext(s.Ext)
		w.strs("schools", s.Schools)
		w.str("staff_id", s.StaffID)
		w.str("title", s.Title)
		w.end()
	}
	if a := u.Roles.DistrictAdmin; a != nil {
		w.object("district_admin")
		w.str("title", a.Title)
		w.end()
	}
	if c := u.Roles.Contact; c != nil {
		w.object("contact")
		w.str("phone", c.Phone)
		w.str("phone_type", c.PhoneType)
		w.str("sis_id", c.SISID)
		w.key("student_relationships")
		w.buf = append(w.buf, '[')
		for i, rel := range c.Relationships {
			if i > 0 {
				w.buf = append(w.buf, ',')
			}
			w.begin()
			w.str("relationship", rel.Relationship)
			w.str("student", rel.Student)
			w.str("type", rel.Type)
			w.end()
		}
		w.buf = append(w.buf, ']')
		w.end()
	}
	w.end()
	w.timestamps(u.LastModified)
	w.end()
	return w.buf
}

func encodeStudent(w *objWriter, s *roster.Student, email string) {
	w.object("student")
	credentials(w, s.Username)
	w.usDate("dob", s.DOB)
	w.opt("ell_status", s.Demo().ELLStatus)
	// Real responses carry an always-empty enrollments list and repeat the
	// user's email inside the role (undocumented); clients must cope with
	// both, so the fake sends them.
	w.strs("enrollments", nil)
	w.opt("email", email)
	w.ext(s.Ext)
	w.str("gender", s.Demo().Gender)
	w.str("grade", s.Grade)
	w.str("graduation_year", s.Demo().GraduationYear)
	w.str("hispanic_ethnicity", s.Demo().HispanicEthnicity)
	w.opt("home_language", s.Demo().HomeLanguage)
	if p := s.Programs; p != nil {
		w.opt("iep_status", p.IEPStatus)
		w.opt("section_504_status", p.Section504Status)
		w.opt("frl_status", p.FRLStatus)
		w.opt("gifted_status", p.GiftedStatus)
	}
	w.str("race", s.Demo().Race)
	w.str("school", s.School)
	w.strs("schools", s.Schools)
	w.str("sis_id", s.SISID)
	w.str("state_id", s.StateID)
	w.str("student_number", s.StudentNumber)
	w.end()
}

func credentials(w *objWriter, username string) {
	if username == "" {
		return
	}
	w.object("credentials")
	w.str("district_username", username)
	w.end()
}
