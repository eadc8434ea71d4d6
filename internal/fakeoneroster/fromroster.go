package fakeoneroster

import (
	"slices"
	"time"

	"github.com/rosterd/rosterd/internal/fakewire"
	"github.com/rosterd/rosterd/roster"
)

// EncodeOptions adjusts how Encode writes a roster.
type EncodeOptions struct {
	// Deleted lists sourcedIds to serve as tombstones: with status
	// "tobedeleted" and the given time as dateLastModified. The record
	// must still be in the roster (OneRoster keeps deleted records whole);
	// every record with the ID, of any collection, is marked. Enrollment
	// IDs are EnrollmentID's.
	Deleted map[string]time.Time
}

// FromRoster encodes r as OneRoster JSON, written from the OneRoster 1.1
// and 1.2 specifications rather than from any client, so the fake and the
// real client check each other. The mapping is the table in the package
// documentation. r is only read, and the returned Dataset holds no
// reference to it.
func FromRoster(r *roster.Roster) *Dataset { return Encode(r, EncodeOptions{}) }

// Encode is FromRoster with options.
func Encode(r *roster.Roster, opts EncodeOptions) *Dataset {
	e := &encoder{r: r, deleted: opts.Deleted}
	d := &Dataset{}
	e.orgs(d)
	e.terms(d)
	e.courses(d)
	classOrder := e.classes(d)
	userOrder := e.users(d)
	e.enrollments(d)
	e.indexClasses(d, classOrder, userOrder)
	return d
}

// EnrollmentID returns the sourcedId of the enrollment of user in
// section with role ("student" or "teacher"): "<section>-<role>-<user>".
func EnrollmentID(section, role, user string) string {
	return section + "-" + role + "-" + user
}

type encoder struct {
	r       *roster.Roster
	deleted map[string]time.Time
	// agents lists, per student ID, the contacts naming the student.
	agents map[string][]string
}

// base writes the members every object starts with and returns the
// record's filterable state.
func (e *encoder) base(w *objWriter, id string, modified time.Time) encoded {
	at, deleted := e.deleted[id]
	if deleted {
		modified = at
	}
	w.base(id, deleted, modified)
	return encoded{modified: modifiedMillis(modified), deleted: deleted}
}

// orgs encodes the districts and the schools into one collection.
func (e *encoder) orgs(d *Dataset) {
	r := e.r
	nd := len(r.Districts)
	idOf := func(i int) string {
		if i < nd {
			return r.Districts[i].ID
		}
		return r.Schools[i-nd].ID
	}
	children := map[string][]string{}
	for _, i := range sortedOrder(len(r.Schools), func(i int) string { return r.Schools[i].ID }) {
		s := &r.Schools[i]
		if s.District != "" {
			children[s.District] = append(children[s.District], s.ID)
		}
	}
	order := sortedOrder(nd+len(r.Schools), idOf)
	st := buildStore(order, idOf, func(dst []byte, i int) encoded {
		w := objWriter{buf: dst}
		w.begin()
		var rec encoded
		if i < nd {
			x := &r.Districts[i]
			rec = e.base(&w, x.ID, x.LastModified)
			w.metadata(x.Ext)
			w.str("name", x.Name)
			w.str("type", "district")
			w.str("identifier", x.NCESID)
			w.refs("children", "orgs", "org", children[x.ID]...)
		} else {
			x := &r.Schools[i-nd]
			rec = e.base(&w, x.ID, x.LastModified)
			w.metadata(x.Ext)
			w.str("name", x.Name)
			w.str("type", "school")
			w.str("identifier", x.SISID)
			w.ref("parent", "orgs", "org", x.District)
		}
		w.end()
		rec.json = w.buf
		return rec
	})
	for pos, i := range order {
		if int(i) >= nd {
			d.schools = append(d.schools, int32(pos))
		}
	}
	d.colls[collOrgs] = [2]*store{st, st}
}

// terms encodes the terms as academicSessions of type term.
func (e *encoder) terms(d *Dataset) {
	ts := e.r.Terms
	st := encodeAll(ts, func(x *roster.Term) string { return x.ID }, func(w *objWriter, x *roster.Term) encoded {
		rec := e.base(w, x.ID, x.LastModified)
		w.str("title", x.Name)
		w.date("startDate", x.StartDate)
		w.date("endDate", x.EndDate)
		w.str("type", "term")
		w.opt("schoolYear", schoolYear(x))
		return rec
	})
	d.colls[collSessions] = [2]*store{st, st}
}

// schoolYear is the year a term's school year ends, as OneRoster writes
// it: the year of its end date, else of its start date.
func schoolYear(t *roster.Term) string {
	switch {
	case !t.EndDate.IsZero():
		return string(fakewire.AppendPadded(nil, int(t.EndDate.Year), 4))
	case !t.StartDate.IsZero():
		return string(fakewire.AppendPadded(nil, int(t.StartDate.Year), 4))
	}
	return ""
}

func (e *encoder) courses(d *Dataset) {
	st := encodeAll(e.r.Courses, func(x *roster.Course) string { return x.ID }, func(w *objWriter, x *roster.Course) encoded {
		rec := e.base(w, x.ID, x.LastModified)
		w.str("title", x.Name)
		w.str("courseCode", x.Number)
		w.strs("subjects", x.Subject)
		w.ref("org", "orgs", "org", x.District)
		return rec
	})
	d.colls[collCourses] = [2]*store{st, st}
}

// classes encodes the sections and returns the section index at each
// class position.
func (e *encoder) classes(d *Dataset) []int32 {
	ss := e.r.Sections
	idOf := func(i int) string { return ss[i].ID }
	order := sortedOrder(len(ss), idOf)
	st := buildStore(order, idOf, func(dst []byte, i int) encoded {
		x := &ss[i]
		w := objWriter{buf: dst}
		w.begin()
		rec := e.base(&w, x.ID, x.LastModified)
		w.metadata(x.Ext)
		w.str("title", x.Name)
		w.opt("classCode", x.SectionNumber)
		w.str("classType", classType(x))
		w.strs("grades", CEDSGrade(x.Grade))
		w.strs("subjects", x.Subject)
		w.ref("course", "courses", "course", x.Course)
		w.ref("school", "orgs", "org", x.School)
		w.refs("terms", "academicSessions", "academicSession", x.Term)
		w.strs("periods", x.Period)
		w.end()
		rec.json = w.buf
		return rec
	})
	d.colls[collClasses] = [2]*store{st, st}
	d.classesBySchool = map[string][]int32{}
	for pos, i := range order {
		if s := ss[i].School; s != "" {
			d.classesBySchool[s] = append(d.classesBySchool[s], int32(pos))
		}
	}
	return order
}

func classType(s *roster.Section) string {
	if s.Subject == roster.SubjectHomeroom {
		return "homeroom"
	}
	return "scheduled"
}

// cedsGrades maps Clever's grade names, which the model uses, to the CEDS
// Entry Grade Level codes OneRoster uses.
var cedsGrades = map[string]string{
	"InfantToddler": "IT", "Preschool": "PR", "PreKindergarten": "PK", "TransitionalKindergarten": "TK",
	"Kindergarten": "KG", "1": "01", "2": "02", "3": "03", "4": "04", "5": "05", "6": "06", "7": "07",
	"8": "08", "9": "09", "10": "10", "11": "11", "12": "12", "13": "13", "PostGraduate": "PS",
	"Ungraded": "UG", "Other": "Other",
}

// CEDSGrade returns the CEDS code OneRoster writes for the model's grade
// g (Clever's grade names); a grade with no code is returned as it is.
func CEDSGrade(g string) string {
	if c, ok := cedsGrades[g]; ok {
		return c
	}
	return g
}

// enrollment is one enrollment before encoding.
type enrollment struct {
	id      string
	section int32
	user    string
	role    string
	primary bool
}

// enrollments encodes one enrollment per section and student and per
// section and teacher; the first teacher is the primary one.
func (e *encoder) enrollments(d *Dataset) {
	ss := e.r.Sections
	n := 0
	for i := range ss {
		n += len(ss[i].Students) + len(ss[i].Teachers)
	}
	ens := make([]enrollment, 0, n)
	for i := range ss {
		s := &ss[i]
		for k, t := range s.Teachers {
			ens = append(ens, enrollment{EnrollmentID(s.ID, "teacher", t), int32(i), t, "teacher", k == 0})
		}
		for _, st := range s.Students {
			ens = append(ens, enrollment{EnrollmentID(s.ID, "student", st), int32(i), st, "student", false})
		}
	}
	idOf := func(i int) string { return ens[i].id }
	st := buildStore(sortedOrder(len(ens), idOf), idOf, func(dst []byte, i int) encoded {
		x := &ens[i]
		s := &ss[x.section]
		w := objWriter{buf: dst}
		w.begin()
		rec := e.base(&w, x.id, s.LastModified)
		w.ref("user", "users", "user", x.user)
		w.ref("class", "classes", "class", s.ID)
		w.ref("school", "orgs", "org", s.School)
		w.str("role", x.role)
		w.boolStr("primary", x.primary)
		w.end()
		rec.json = w.buf
		return rec
	})
	d.colls[collEnrollments] = [2]*store{st, st}
}

// indexClasses builds the class ↔ user indexes of the nested endpoints.
func (e *encoder) indexClasses(d *Dataset, classOrder, userOrder []int32) {
	us := e.r.Users
	userPos := make(map[string]int32, len(us))
	for pos, i := range userOrder {
		if _, dup := userPos[us[i].ID]; !dup {
			userPos[us[i].ID] = int32(pos)
		}
	}
	positions := func(ids []string) []int32 {
		var out []int32
		for _, id := range ids {
			if p, ok := userPos[id]; ok {
				out = append(out, p)
			}
		}
		slices.Sort(out)
		return slices.Compact(out)
	}
	d.classStudents = make([][]int32, len(classOrder))
	d.classTeachers = make([][]int32, len(classOrder))
	d.userClasses = make([][]int32, len(userOrder))
	for pos, i := range classOrder {
		s := &e.r.Sections[i]
		d.classStudents[pos] = positions(s.Students)
		d.classTeachers[pos] = positions(s.Teachers)
		for _, p := range slices.Concat(d.classStudents[pos], d.classTeachers[pos]) {
			if cs := d.userClasses[p]; len(cs) == 0 || cs[len(cs)-1] != int32(pos) {
				d.userClasses[p] = append(cs, int32(pos))
			}
		}
	}
}

func encodeAll[T any](recs []T, id func(*T) string, encode func(w *objWriter, rec *T) encoded) *store {
	idOf := func(i int) string { return id(&recs[i]) }
	return buildStore(sortedOrder(len(recs), idOf), idOf, func(dst []byte, i int) encoded {
		w := objWriter{buf: dst}
		w.begin()
		rec := encode(&w, &recs[i])
		w.end()
		rec.json = w.buf
		return rec
	})
}
