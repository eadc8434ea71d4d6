package sharing_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rosterd/rosterd/roster"
	"github.com/rosterd/rosterd/sharing"
)

// Ensure data minimisation keeps exactly the listed fields (and ext keys)
// of the listed entities, and leaves other entities whole.
func TestApply_Fields(t *testing.T) {
	r := smallDistrict()
	rules := compile(t, sharing.Config{Fields: map[roster.Entity][]string{
		roster.EntityStudent: {"sis_id", "grade", "school", "ext.consent"},
	}})
	dropped := rules.Minimise(r)
	got := user(r, "stu1")
	want := &roster.User{ID: "stu1", Roles: roster.Roles{Student: &roster.Student{
		SISID: "1001", Grade: "Kindergarten", School: "e1", Ext: smallDistrict().Users[0].Roles.Student.Ext,
	}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("minimised student (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(smallDistrict().Users[5], *user(r, "tch1")); diff != "" {
		t.Errorf("a teacher changed though teacher fields are not listed (-want +got):\n%s", diff)
	}
	// Per student: name.first, name.last, email, schools, gender.
	if dropped != 5*5 {
		t.Errorf("Minimise dropped %d values, want 25", dropped)
	}
	if again := rules.Minimise(r); again != 0 {
		t.Errorf("a second Minimise dropped %d values", again)
	}
	if diff := cmp.Diff(smallDistrict().Sections, r.Sections); diff != "" {
		t.Errorf("minimisation changed sections (-want +got):\n%s", diff)
	}
}

// Ensure a shared field (the email) of a teacher who is also staff stays
// when either entity keeps it.
func TestApply_FieldsSharedByRoles(t *testing.T) {
	r := smallDistrict()
	r.Users[7].Roles.Staff = &roster.Staff{Title: "Coach", Department: "PE"}
	r.Users[7].Email = "tch3@example.net"
	rules := compile(t, sharing.Config{Fields: map[roster.Entity][]string{
		roster.EntityTeacher: {"sis_id"},
		roster.EntityStaff:   {"email", "title"},
	}})
	rules.Minimise(r)
	u := user(r, "tch3")
	if u.Email != "tch3@example.net" || u.Name != (roster.Name{}) || u.Roles.Staff.Department != "" || u.Roles.Staff.Title != "Coach" || u.Roles.Teacher.SISID != "T3" || u.Roles.Teacher.Title != "" {
		t.Errorf("minimised teacher and staff: %+v teacher %+v staff %+v", u, u.Roles.Teacher, u.Roles.Staff)
	}
}
