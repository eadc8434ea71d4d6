package roster_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rosterd/rosterd/roster"
)

func TestLookupField(t *testing.T) {
	student := &roster.User{
		ID:   "u1",
		Name: roster.Name{First: "Ada", Last: "Lovelace"},
		Roles: roster.Roles{Student: &roster.Student{
			SISID: "100", Grade: "3", School: "s1", Schools: []string{"s1", "s2"},
			DOB: roster.MustDate("2015-12-10"),
			Ext: roster.ExtStrings(map[string]string{"consent": "Y"}),
		}},
	}
	teacher := &roster.User{ID: "u2", Name: roster.Name{Last: "Hopper"}, Roles: roster.Roles{Teacher: &roster.Teacher{SISID: "T9"}}}
	section := &roster.Section{ID: "sec1", Name: "Math", Teachers: []string{"u2", "u3"}, Students: []string{"u1"}}

	tests := []struct {
		entity roster.Entity
		path   string
		rec    any
		want   []string
	}{
		{roster.EntityStudent, "sis_id", student, []string{"100"}},
		{roster.EntityStudent, "name.first", student, []string{"Ada"}},
		{roster.EntityStudent, "name.middle", student, nil},
		{roster.EntityStudent, "schools", student, []string{"s1", "s2"}},
		{roster.EntityStudent, "dob", student, []string{"2015-12-10"}},
		{roster.EntityStudent, "ext.consent", student, []string{"Y"}},
		{roster.EntityStudent, "ext.missing", student, nil},
		{roster.EntityStudent, "iep_status", student, nil},
		// A teacher has no student fields, not even the shared name.
		{roster.EntityStudent, "name.last", teacher, nil},
		{roster.EntityTeacher, "name.last", teacher, []string{"Hopper"}},
		{roster.EntityTeacher, "sis_id", teacher, []string{"T9"}},
		{roster.EntitySection, "teacher", section, []string{"u2"}},
		{roster.EntitySection, "teachers", section, []string{"u2", "u3"}},
		{roster.EntitySection, "grade", section, nil},
		// A record of the wrong type has no values.
		{roster.EntitySection, "name", student, nil},
	}
	for _, tt := range tests {
		f, err := roster.LookupField(tt.entity, tt.path)
		if err != nil {
			t.Errorf("LookupField(%s, %s): %v", tt.entity, tt.path, err)
			continue
		}
		got := f.AppendValues(nil, tt.rec)
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s.%s mismatch (-want +got):\n%s", tt.entity, tt.path, diff)
		}
		if f.Present(tt.rec) != (len(tt.want) > 0) {
			t.Errorf("%s.%s Present = %v", tt.entity, tt.path, !(len(tt.want) > 0))
		}
	}
}

func TestLookupField_Unknown(t *testing.T) {
	for _, tt := range []struct {
		entity roster.Entity
		path   string
	}{
		{roster.EntityStudent, "shoe_size"},
		{roster.EntityTerm, "ext.x"},
		{roster.EntityStudent, "ext."},
		{"robot", "name"},
	} {
		if _, err := roster.LookupField(tt.entity, tt.path); err == nil {
			t.Errorf("LookupField(%s, %s) succeeded", tt.entity, tt.path)
		}
	}
}

func TestEveryEntityHasFields(t *testing.T) {
	for _, e := range roster.Entities {
		if len(roster.FieldNames(e)) == 0 {
			t.Errorf("entity %s has no fields", e)
		}
	}
}
