package clevercsv

import (
	"sort"
	"strconv"
	"strings"

	"github.com/rosterd/rosterd/roster"
)

// sections.csv columns, as Clever documents them; the teacher columns
// (Teacher_id, then Teacher_2_id, Teacher_3_id, ...) are found by pattern.
var sectionColumns = []string{
	"School_id", "Section_id", "Name", "Section_number", "Grade", "Course_name", "Course_number",
	"Period", "Subject", "Term_name", "Term_start", "Term_end",
}

const (
	seSchool = iota
	seID
	seName
	seNumber
	seGrade
	seCourseName
	seCourseNumber
	sePeriod
	seSubject
	seTermName
	seTermStart
	seTermEnd
)

var sectionRequired = []string{"School_id", "Section_id", "Teacher_id"}

// dropSection names the sections.csv columns the roster has no field for.
func dropSection(norm string) bool { return norm == "course_description" }

// sectionTeacherColumns returns the positions of t's teacher columns, primary
// first: Teacher_id, then Teacher_<n>_id by n (Teacher_1_id, which Clever
// does not document, before Teacher_2_id).
func sectionTeacherColumns(t *table) (pos []int, names []string) {
	type col struct{ n, pos int }
	var cols []col
	for i, h := range t.header {
		norm := normColumn(h)
		if norm == "teacher_id" {
			cols = append(cols, col{0, i})
			continue
		}
		mid, ok := strings.CutPrefix(norm, "teacher_")
		if !ok {
			continue
		}
		mid, ok = strings.CutSuffix(mid, "_id")
		if n, err := strconv.Atoi(mid); ok && err == nil && n >= 1 { // Teacher_1_id, if sent, is the primary too
			cols = append(cols, col{n, i})
		}
	}
	sort.SliceStable(cols, func(a, b int) bool { return cols[a].n < cols[b].n })
	for _, c := range cols {
		pos = append(pos, c.pos)
		names = append(names, normColumn(t.header[c.pos]))
	}
	return pos, names
}

func (rd *reader) sectionRows(t *table) func(*table) {
	teacherPos, teacherNames := sectionTeacherColumns(t)
	c := resolve(t, append(append([]string(nil), sectionColumns...), teacherNames...), dropSection)
	return func(*table) {
		sis, ok := c.require(seID)
		if !ok {
			return
		}
		id := SectionID(sis)
		rec := record{entity: roster.EntitySection, id: id, sisID: sis}

		var teachers []string
		var primary string
		for _, p := range teacherPos {
			tid := t.value(p)
			if tid == "" {
				continue
			}
			if primary == "" {
				primary = tid
			}
			uid := rd.userID(UserID(roster.RoleTeacher, tid))
			if !contains(teachers, uid) {
				teachers = append(teachers, uid)
			}
		}

		courseName, courseNumber, period := c.v(seCourseName), c.v(seCourseNumber), rd.in.String(c.v(sePeriod))
		s := roster.Section{
			ID:            id,
			School:        rd.in.String(SchoolID(c.v(seSchool))),
			Course:        rd.course(courseNumber, courseName),
			Term:          rd.term(rec, c.v(seTermName), c.v(seTermStart), c.v(seTermEnd)),
			Name:          c.v(seName),
			SISID:         sis,
			SectionNumber: c.v(seNumber),
			Subject:       rd.in.String(normSubject(c.v(seSubject))),
			Grade:         rd.mapped(rec, "grade", c.v(seGrade), normGrade, msgGrade),
			Period:        period,
			Teachers:      teachers,
			Ext:           c.extOf(),
		}
		if courseName != "" {
			s.Name = cleverName(courseName, rd.teacherLast[primary], period)
		}
		if _, dup := rd.sections[id]; !dup {
			rd.sections[id] = len(rd.r.Sections)
		}
		rd.r.Sections = append(rd.r.Sections, s)
	}
}

// cleverName is the name Clever gives a section that has a course name:
// "course name - primary teacher's last name - period" (dev.clever.com,
// Sections: "If course name is not present, the section name from the
// source system is used"). A part the section lacks is left out.
func cleverName(course, teacherLast, period string) string {
	name := course
	for _, part := range []string{teacherLast, period} {
		if part != "" {
			name += " - " + part
		}
	}
	return name
}

// course returns the ID of the course a section row describes, adding
// the course the first time: Clever builds courses from sections, one per
// course name and number, and only when there is a name.
func (rd *reader) course(number, name string) string {
	if name == "" {
		return ""
	}
	id := rd.in.String(CourseID(number, name))
	if !rd.courses[id] {
		rd.courses[id] = true
		rd.r.Courses = append(rd.r.Courses, roster.Course{ID: id, Name: name, Number: number})
	}
	return id
}

// term returns the ID of the term a section row describes, adding the
// term the first time: Clever builds terms from sections, one per name and
// dates, when any of the three is there. A date in no known form is a
// field error of the section, and the term is built without it.
func (rd *reader) term(rec record, name, start, end string) string {
	if name == "" && start == "" && end == "" {
		return ""
	}
	s, e := rd.date(rec, "term_start", start), rd.date(rec, "term_end", end)
	id := rd.in.String(TermID(name, s, e))
	if !rd.terms[id] {
		rd.terms[id] = true
		rd.r.Terms = append(rd.r.Terms, roster.Term{ID: id, Name: rd.in.String(name), StartDate: s, EndDate: e})
	}
	return id
}

// enrollments.csv columns.
var enrollmentColumns = []string{"School_id", "Section_id", "Student_id"}

const (
	enSchool = iota
	enSection
	enStudent
)

var enrollmentRequired = enrollmentColumns

// bigSection is the number of students above which a section's enrolled
// students are kept in a set rather than searched.
const bigSection = 64

func (rd *reader) enrollmentRows(t *table) func(*table) {
	c := resolve(t, enrollmentColumns, func(string) bool { return true })
	return func(*table) {
		secSIS, ok := c.require(enSection)
		stuSIS, ok2 := c.require(enStudent)
		if !ok || !ok2 {
			return
		}
		secID := SectionID(secSIS)
		at, ok := rd.sections[secID]
		if !ok {
			if !rd.unknownSections[secID] {
				rd.unknownSections[secID] = true
				rd.fieldError(record{entity: roster.EntitySection, id: secID, sisID: secSIS}, "students",
					"enrollments.csv enrolls students in this section, which sections.csv does not hold")
			}
			return
		}
		s := &rd.r.Sections[at]
		student := rd.userID(UserID(roster.RoleStudent, stuSIS))
		if set := rd.enrolled[at]; set != nil {
			if set[student] {
				return
			}
			set[student] = true
		} else if contains(s.Students, student) {
			return
		} else if len(s.Students) == bigSection {
			set := make(map[string]bool, 2*bigSection)
			for _, id := range s.Students {
				set[id] = true
			}
			set[student] = true
			rd.enrolled[at] = set
		}
		s.Students = append(s.Students, student)
	}
}

func contains(ids []string, id string) bool {
	for _, have := range ids {
		if have == id {
			return true
		}
	}
	return false
}
