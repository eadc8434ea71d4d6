package clevercsv_test

import (
	"sort"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rosterd/rosterd/clevercsv"
	"github.com/rosterd/rosterd/internal/csvexport"
	"github.com/rosterd/rosterd/internal/synth"
	"github.com/rosterd/rosterd/roster"
)

// writeCleverCSV writes r as a Clever SFTP package in dir with
// csvexport.WriteClever, the way a SIS export would: SIS IDs for every
// reference, one row per user and school, grades as K and PK, genders as
// words, races as codes, free-text subjects, M/D/YY birth dates and
// M/D/YYYY term dates, CRLF line endings in some files. Contacts and
// district admins have no file and are left out.
func writeCleverCSV(t testing.TB, dir string, r *roster.Roster) {
	t.Helper()
	if err := csvexport.WriteClever(dir, r); err != nil {
		t.Fatal(err)
	}
}

// normaliseAsCSV returns what r becomes through Clever's CSV format, and
// the field errors reading it back must report. What cannot round-trip:
//   - IDs: Clever's 24-hex IDs become the SIS-based IDs of the ID scheme,
//     and terms and courses get IDs built from their content;
//   - the district, every District field and every LastModified, which
//     the files do not carry;
//   - term and course SIS IDs and course subjects (no column holds them),
//     and terms and courses no section refers to (Clever builds both
//     from sections);
//   - contacts and district admins (no file), and so users left with no
//     role;
//   - frl_status: the generator writes Y and N, not Clever's Free,
//     Reduced, Paid, Other. N reads as Paid; Y is no lunch status, so it
//     is a field error and the field empty.
func normaliseAsCSV(r *roster.Roster) (*roster.Roster, []roster.FieldError) {
	ids := map[string]string{}
	out := &roster.Roster{}
	for _, s := range r.Schools {
		ids[s.ID] = clevercsv.SchoolID(s.SISID)
		s.ID, s.District, s.LastModified = ids[s.ID], "", time.Time{}
		out.Schools = append(out.Schools, s)
	}
	termIDs, courseIDs := map[string]string{}, map[string]string{}
	for _, tm := range r.Terms {
		termIDs[tm.ID] = clevercsv.TermID(tm.Name, tm.StartDate, tm.EndDate)
	}
	for _, c := range r.Courses {
		courseIDs[c.ID] = clevercsv.CourseID(c.Number, c.Name)
	}
	for i := range r.Users {
		u := &r.Users[i]
		switch {
		case u.Roles.Teacher != nil:
			ids[u.ID] = clevercsv.UserID(roster.RoleTeacher, u.Roles.Teacher.SISID)
		case u.Roles.Staff != nil:
			ids[u.ID] = clevercsv.UserID(roster.RoleStaff, u.Roles.Staff.StaffID)
		case u.Roles.Student != nil:
			ids[u.ID] = clevercsv.UserID(roster.RoleStudent, u.Roles.Student.SISID)
		}
	}
	mapIDs := func(in []string) []string {
		var o []string
		for _, id := range in {
			o = append(o, ids[id])
		}
		return o
	}
	usedTerms, usedCourses := map[string]bool{}, map[string]bool{}
	for _, s := range r.Sections {
		usedTerms[s.Term], usedCourses[s.Course] = true, true
		s.ID, s.District, s.LastModified = clevercsv.SectionID(s.SISID), "", time.Time{}
		s.School, s.Term, s.Course = ids[s.School], termIDs[s.Term], courseIDs[s.Course]
		s.Teachers, s.Students = mapIDs(s.Teachers), mapIDs(s.Students)
		out.Sections = append(out.Sections, s)
	}
	for _, tm := range r.Terms {
		if usedTerms[tm.ID] {
			out.Terms = append(out.Terms, roster.Term{ID: termIDs[tm.ID], Name: tm.Name, StartDate: tm.StartDate, EndDate: tm.EndDate})
		}
	}
	for _, c := range r.Courses {
		if usedCourses[c.ID] {
			out.Courses = append(out.Courses, roster.Course{ID: courseIDs[c.ID], Name: c.Name, Number: c.Number})
		}
	}
	var errs []roster.FieldError
	for i := range r.Users {
		u := r.Users[i]
		u.Roles.Contact, u.Roles.DistrictAdmin = nil, nil
		if u.Roles.List() == nil {
			continue
		}
		u.ID, u.District, u.LastModified = ids[u.ID], "", time.Time{}
		if s := u.Roles.Student; s != nil {
			c := *s
			c.School, c.Schools = ids[c.School], mapIDs(c.Schools)
			if c.Programs != nil {
				p := *c.Programs
				switch p.FRLStatus {
				case "N":
					p.FRLStatus = "Paid"
				case "Y":
					p.FRLStatus = ""
					errs = append(errs, roster.FieldError{Entity: roster.EntityStudent, ID: u.ID, SISID: c.SISID,
						Field: "frl_status", Message: "not a lunch status Clever knows (Free, Reduced, Paid, Other, or F, R, N)"})
				}
				c.Programs = &p
			}
			u.Roles.Student = &c
		}
		if tc := u.Roles.Teacher; tc != nil {
			c := *tc
			c.School, c.Schools = ids[c.School], mapIDs(c.Schools)
			u.Roles.Teacher = &c
		}
		if st := u.Roles.Staff; st != nil {
			c := *st
			c.Schools = mapIDs(c.Schools)
			u.Roles.Staff = &c
		}
		out.Users = append(out.Users, u)
	}
	out.SortByID()
	return out, errs
}

// Ensure a synthetic district written as Clever CSV reads back as the
// same district, but for what the format cannot carry (normaliseAsCSV).
func TestRead_RoundTrip(t *testing.T) {
	p, _ := synth.ProfileByName("small")
	src, _ := synth.Generate(p)
	dir := t.TempDir()
	writeCleverCSV(t, dir, src)

	got, err := clevercsv.Read(dir)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	gotErrs := got.FieldErrors
	got.FieldErrors = nil
	got.SortByID()
	want, wantErrs := normaliseAsCSV(src)

	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("roster mismatch (-want +got):\n%s", diff)
	}
	sortErrs := func(e []roster.FieldError) {
		sort.Slice(e, func(i, j int) bool { return e[i].ID < e[j].ID })
	}
	sortErrs(gotErrs)
	sortErrs(wantErrs)
	if diff := cmp.Diff(wantErrs, gotErrs); diff != "" {
		t.Errorf("field errors mismatch (-want +got):\n%s", diff)
	}
	n := got.Count()
	if n[roster.EntityStudent] != p.Students || n[roster.EntityStaff] != p.Staff || n[roster.EntitySchool] != p.Schools {
		t.Errorf("counts %v", n)
	}
}
