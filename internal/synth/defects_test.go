package synth_test

import (
	"cmp"
	"slices"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"
	"github.com/rosterd/rosterd/internal/synth"
	"github.com/rosterd/rosterd/roster"
)

// Ensure each defect kind, at a rate that selects less than one record of
// a tiny district, is injected at least once, listed, and found in the
// roster exactly as listed.
func TestGenerate_EachDefect(t *testing.T) {
	tests := []struct {
		kind  string
		rates synth.Defects
	}{
		{synth.DefectMissingField, synth.Defects{MissingRequired: 0.01}},
		{synth.DefectDoubleHomeroom, synth.Defects{DoubleHomeroom: 0.01}},
		{synth.DefectDangling, synth.Defects{Dangling: 0.01}},
		{synth.DefectDuplicateID, synth.Defects{DuplicateID: 0.01}},
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			p := profile(t, "tiny").WithDefects(tt.rates)
			r, defects := synth.Generate(p)
			if len(defects) == 0 {
				t.Fatal("no defect injected")
			}
			for _, d := range defects {
				if d.Kind != tt.kind {
					t.Errorf("asked for %s, got %+v", tt.kind, d)
				}
			}
			checkDefects(t, p, r, defects)
		})
	}
}

// Ensure many defects of every kind at once are each found exactly as
// listed, vary over the fields they may affect, and come at the rates
// asked for.
func TestGenerate_ManyDefects(t *testing.T) {
	rates := synth.Defects{MissingRequired: 0.03, DoubleHomeroom: 0.02, Dangling: 0.03, DuplicateID: 0.01}
	p := profile(t, "small").WithDefects(rates)
	r, defects := synth.Generate(p)
	checkDefects(t, p, r, defects)

	clean, _ := synth.Generate(p.WithDefects(synth.Defects{}))
	n := clean.Count()
	homeroomStudents := len(homeroomOf(clean))
	type key struct {
		kind   string
		entity roster.Entity
	}
	got := make(map[key]int)
	fields := make(map[key]map[string]bool)
	for _, d := range defects {
		k := key{d.Kind, d.Entity}
		got[k]++
		if fields[k] == nil {
			fields[k] = make(map[string]bool)
		}
		fields[k][d.Field] = true
	}
	want := map[key]int{
		{synth.DefectMissingField, roster.EntityStudent}:   n[roster.EntityStudent] * 3 / 100,
		{synth.DefectMissingField, roster.EntityTeacher}:   n[roster.EntityTeacher] * 3 / 100,
		{synth.DefectMissingField, roster.EntitySection}:   n[roster.EntitySection] * 3 / 100,
		{synth.DefectDoubleHomeroom, roster.EntityStudent}: homeroomStudents * 2 / 100,
		{synth.DefectDangling, roster.EntityStudent}:       n[roster.EntityStudent] * 3 / 100,
		{synth.DefectDangling, roster.EntitySection}:       n[roster.EntitySection] * 3 / 100,
		{synth.DefectDuplicateID, roster.EntityStudent}:    n[roster.EntityStudent] / 100,
		{synth.DefectDuplicateID, roster.EntitySection}:    n[roster.EntitySection] / 100,
	}
	for k, w := range want {
		if g := got[k]; g < w-1 || g > w+1 {
			t.Errorf("%d %s defects on %s, want %d", g, k.kind, k.entity, w)
		}
	}
	wantFields := map[key]map[string]bool{
		{synth.DefectMissingField, roster.EntityStudent}: {"sis_id": true, "name.first": true, "name.last": true, "school": true},
		{synth.DefectMissingField, roster.EntityTeacher}: {"name.first": true, "name.last": true},
		{synth.DefectMissingField, roster.EntitySection}: {"name": true, "school": true},
		{synth.DefectDangling, roster.EntityStudent}:     {"school": true},
		{synth.DefectDangling, roster.EntitySection}:     {"school": true, "course": true, "term": true, "teachers": true, "students": true},
	}
	for k, w := range wantFields {
		if diff := gocmp.Diff(w, fields[k]); diff != "" {
			t.Errorf("fields of %s defects on %s mismatch (-want +got):\n%s", k.kind, k.entity, diff)
		}
	}
}

// Ensure defect rates of 1 or more do not loop or panic: every eligible
// record carries one defect at most, and the roster stays consistent with
// the list.
func TestGenerate_SaturatedDefects(t *testing.T) {
	p := profile(t, "tiny").WithDefects(synth.Defects{MissingRequired: 1, DoubleHomeroom: 1, Dangling: 1, DuplicateID: 1})
	r, defects := synth.Generate(p)
	if len(defects) == 0 {
		t.Fatal("no defect injected")
	}
	checkDefects(t, p, r, defects)
}

// checkDefects checks that r has exactly the listed defects, that the
// records they name are the only ones that differ from the same district
// generated without defects, and that slices stay sorted by ID.
func checkDefects(t *testing.T, p synth.Profile, r *roster.Roster, defects []synth.Defect) {
	t.Helper()
	clean, _ := synth.Generate(p.WithDefects(synth.Defects{}))
	found := findIssues(r, clean)
	byKey := func(a, b synth.Defect) int {
		return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Entity, b.Entity),
			cmp.Compare(a.ID, b.ID), cmp.Compare(a.Field, b.Field))
	}
	slices.SortFunc(found, byKey)
	if !slices.IsSortedFunc(defects, byKey) {
		t.Error("defects are not sorted")
	}
	if diff := gocmp.Diff(defects, found); diff != "" {
		t.Errorf("defects listed (-) and found in the roster (+) differ:\n%s", diff)
	}

	// Only the records a defect names differ from the clean district.
	named := make(map[string]bool)
	for _, d := range defects {
		named[d.ID] = true
		if d.Kind == synth.DefectDoubleHomeroom {
			named[d.Target] = true
		}
	}
	diffOnly(t, "schools", clean.Schools, r.Schools, named, func(s roster.School) string { return s.ID })
	diffOnly(t, "sections", clean.Sections, r.Sections, named, func(s roster.Section) string { return s.ID })
	diffOnly(t, "users", clean.Users, r.Users, named, func(u roster.User) string { return u.ID })
	if !slices.IsSortedFunc(r.Users, func(a, b roster.User) int { return cmp.Compare(a.ID, b.ID) }) ||
		!slices.IsSortedFunc(r.Sections, func(a, b roster.Section) int { return cmp.Compare(a.ID, b.ID) }) {
		t.Error("defects left users or sections out of ID order")
	}
	for _, s := range r.Sections {
		seen := make(map[string]bool)
		for _, id := range slices.Concat(s.Teachers, s.Students) {
			if seen[id] {
				t.Errorf("section %s lists %s twice", s.ID, id)
			}
			seen[id] = true
		}
	}
	for _, d := range defects {
		if d.Kind == synth.DefectDuplicateID && d.Field != "" {
			t.Errorf("duplicate %+v names a field", d)
		}
	}
}

// diffOnly checks that the records of got, with a duplicate's second
// record left out, equal those of want except those named.
func diffOnly[T any](t *testing.T, what string, want, got []T, named map[string]bool, id func(T) string) {
	t.Helper()
	var firsts []T
	for i, rec := range got {
		if i > 0 && id(got[i-1]) == id(rec) {
			if !named[id(rec)] {
				t.Errorf("%s: unlisted duplicate %s", what, id(rec))
			}
			if gocmp.Equal(got[i-1], rec) {
				t.Errorf("%s: duplicate %s has the same content as the original", what, id(rec))
			}
			continue
		}
		firsts = append(firsts, rec)
	}
	if len(firsts) != len(want) {
		t.Fatalf("%s: %d records besides duplicates, want %d", what, len(firsts), len(want))
	}
	for i := range want {
		if id(firsts[i]) != id(want[i]) {
			t.Fatalf("%s[%d] is %s, want %s", what, i, id(firsts[i]), id(want[i]))
		}
		if !named[id(want[i])] && !gocmp.Equal(want[i], firsts[i]) {
			t.Errorf("%s %s changed without a listed defect:\n%s", what, id(want[i]), gocmp.Diff(want[i], firsts[i]))
		}
	}
}
