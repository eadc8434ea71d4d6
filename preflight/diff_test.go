package preflight_test

import (
	stdjson "encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/rosterd/rosterd/internal/codec"
	"github.com/rosterd/rosterd/preflight"
	"github.com/rosterd/rosterd/roster"
)

// counts builds a Result.Counts with every entity present, from the
// non-zero entries given.
func counts(nonZero map[roster.Entity]preflight.Counts) map[roster.Entity]*preflight.Counts {
	out := make(map[roster.Entity]*preflight.Counts)
	for _, e := range roster.Entities {
		c := nonZero[e]
		out[e] = &c
	}
	return out
}

// encoded returns the store encoding of rec.
func encoded(tb testing.TB, rec any) []byte {
	tb.Helper()
	data, err := codec.Marshal(rec)
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

func check(t *testing.T, r *roster.Roster, committed preflight.Committed) *preflight.Result {
	t.Helper()
	res, err := preflight.Check(r, committed, preflight.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// Ensure a first run adds every record, in ID order, with its encoding.
func TestCheck_DiffEmptyCommitted(t *testing.T) {
	r := cleanRoster()
	res := check(t, r, newMemCommitted())
	one := preflight.Counts{Kept: 1, Added: 1}
	wantCounts := counts(map[roster.Entity]preflight.Counts{
		"district": one, "school": one, "term": one, "course": one, "section": one,
		"student": one, "teacher": one, "staff": one, "district_admin": one, "contact": one,
	})
	if diff := cmp.Diff(wantCounts, res.Counts); diff != "" {
		t.Errorf("Counts mismatch (-want +got):\n%s", diff)
	}
	var users []roster.Record
	for _, id := range []string{"ct1", "da1", "stf1", "stu1", "tch1"} {
		users = append(users, roster.Record{ID: id, Data: encoded(t, user(t, r, id))})
	}
	want := roster.Change{Put: map[roster.Kind][]roster.Record{
		roster.KindDistricts: {{ID: "d1", Data: encoded(t, &r.Districts[0])}},
		roster.KindSchools:   {{ID: "s1", Data: encoded(t, &r.Schools[0])}},
		roster.KindTerms:     {{ID: "t1", Data: encoded(t, &r.Terms[0])}},
		roster.KindCourses:   {{ID: "c1", Data: encoded(t, &r.Courses[0])}},
		roster.KindSections:  {{ID: "x1", Data: encoded(t, &r.Sections[0])}},
		roster.KindUsers:     users,
	}}
	if diff := cmp.Diff(want, res.Change); diff != "" {
		t.Errorf("Change mismatch (-want +got):\n%s", diff)
	}
	// Every record is an add, so each list is sized once, exactly.
	for kind, puts := range res.Change.Put {
		if cap(puts) != len(puts) {
			t.Errorf("%s: %d puts in a list of capacity %d; want it sized exactly", kind, len(puts), cap(puts))
		}
	}

	// A nil Committed is the same empty store.
	if diff := cmp.Diff(res.Change, check(t, r, nil).Change); diff != "" {
		t.Errorf("nil Committed Change mismatch (-want +got):\n%s", diff)
	}
}

// Ensure a roster equal to the committed one changes nothing and writes
// nothing.
func TestCheck_DiffNoChange(t *testing.T) {
	r := cleanRoster()
	res := check(t, r, commit(t, r))
	kept := preflight.Counts{Kept: 1}
	wantCounts := counts(map[roster.Entity]preflight.Counts{
		"district": kept, "school": kept, "term": kept, "course": kept, "section": kept,
		"student": kept, "teacher": kept, "staff": kept, "district_admin": kept, "contact": kept,
	})
	if diff := cmp.Diff(wantCounts, res.Counts); diff != "" {
		t.Errorf("Counts mismatch (-want +got):\n%s", diff)
	}
	if !res.Change.Empty() {
		t.Errorf("Change of an unchanged roster holds %d writes: %+v", res.Change.Len(), res.Change)
	}
}

// Ensure edits, removals and role changes show in the Change and in the
// counts of the right entities.
func TestCheck_Diff(t *testing.T) {
	tests := []struct {
		name string
		// before edits the committed roster; after edits the new one.
		before, after func(t *testing.T, r *roster.Roster)
		want          map[roster.Entity]preflight.Counts
		wantPut       map[roster.Kind][]string
		wantDelete    map[roster.Kind][]string
	}{
		{
			name:    "edited section is updated",
			after:   func(t *testing.T, r *roster.Roster) { r.Sections[0].Period = "3" },
			want:    map[roster.Entity]preflight.Counts{"section": {Kept: 1, Updated: 1}},
			wantPut: map[roster.Kind][]string{roster.KindSections: {"x1"}},
		},
		{
			name: "removed school is deleted",
			before: func(t *testing.T, r *roster.Roster) {
				r.Schools = append(r.Schools, roster.School{ID: "s0", Name: "Closed"})
			},
			want:       map[roster.Entity]preflight.Counts{"school": {Kept: 1, Deleted: 1}},
			wantDelete: map[roster.Kind][]string{roster.KindSchools: {"s0"}},
		},
		{
			name: "teacher who is also staff counts under both",
			after: func(t *testing.T, r *roster.Roster) {
				r.Users = append(r.Users, roster.User{ID: "ts1", Name: roster.Name{First: "Jo", Last: "Ray"}, Roles: roster.Roles{
					Teacher: &roster.Teacher{School: "s1"}, Staff: &roster.Staff{Schools: []string{"s1"}},
				}})
			},
			want: map[roster.Entity]preflight.Counts{
				"teacher": {Kept: 2, Added: 1},
				"staff":   {Kept: 2, Added: 1},
			},
			wantPut: map[roster.Kind][]string{roster.KindUsers: {"ts1"}},
		},
		{
			name: "deleted user counts under its committed roles",
			before: func(t *testing.T, r *roster.Roster) {
				r.Users = append(r.Users, roster.User{ID: "gone", Roles: roster.Roles{
					Teacher: &roster.Teacher{}, DistrictAdmin: &roster.DistrictAdmin{},
				}})
			},
			want: map[roster.Entity]preflight.Counts{
				"teacher":        {Kept: 1, Deleted: 1},
				"district_admin": {Kept: 1, Deleted: 1},
			},
			wantDelete: map[roster.Kind][]string{roster.KindUsers: {"gone"}},
		},
		{
			name:  "user who changed roles is updated under its new roles",
			after: func(t *testing.T, r *roster.Roster) { user(t, r, "stf1").Roles.DistrictAdmin = &roster.DistrictAdmin{} },
			want: map[roster.Entity]preflight.Counts{
				"staff":          {Kept: 1, Updated: 1},
				"district_admin": {Kept: 2, Updated: 1},
			},
			wantPut: map[roster.Kind][]string{roster.KindUsers: {"stf1"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			old, r := cleanRoster(), cleanRoster()
			if tt.before != nil {
				tt.before(t, old)
			}
			if tt.after != nil {
				tt.after(t, r)
			}
			res := check(t, r, commit(t, old))

			// Every entity the test leaves out is kept unchanged.
			want := counts(tt.want)
			for _, e := range roster.Entities {
				if _, named := tt.want[e]; !named {
					want[e].Kept = 1
				}
			}
			if diff := cmp.Diff(want, res.Counts); diff != "" {
				t.Errorf("Counts mismatch (-want +got):\n%s", diff)
			}
			gotPut := map[roster.Kind][]string{}
			for kind, recs := range res.Change.Put {
				for _, rec := range recs {
					gotPut[kind] = append(gotPut[kind], rec.ID)
					var u roster.User
					if kind == roster.KindUsers {
						if err := codec.Unmarshal(rec.Data, &u); err != nil || u.ID != rec.ID {
							t.Errorf("put %s %q holds %q (%v)", kind, rec.ID, rec.Data, err)
						}
					}
				}
			}
			if diff := cmp.Diff(tt.wantPut, gotPut, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Change.Put IDs mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantDelete, res.Change.Delete, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Change.Delete mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// Ensure an updated record carries its new encoding.
func TestCheck_DiffUpdatedBytes(t *testing.T) {
	old, r := cleanRoster(), cleanRoster()
	r.Sections[0].Students = append(r.Sections[0].Students, "tch1")
	res := check(t, r, commit(t, old))
	want := []roster.Record{{ID: "x1", Data: encoded(t, &r.Sections[0])}}
	if diff := cmp.Diff(want, res.Change.Put[roster.KindSections]); diff != "" {
		t.Errorf("updated section mismatch (-want +got):\n%s", diff)
	}
}

// Ensure a roster large enough to be encoded in parallel, delivered out
// of ID order, gives the Change a sequential encoding in ID order would,
// that only the first record of a duplicated ID is written, and that a
// record that does not encode is reported and left out.
func TestCheck_DiffParallelOrder(t *testing.T) {
	r := &roster.Roster{}
	for i := range 5000 {
		r.Users = append(r.Users, roster.User{
			ID:    fmt.Sprintf("u%05d", i),
			Name:  roster.Name{Last: fmt.Sprintf("L%d", i)},
			Roles: roster.Roles{Contact: &roster.Contact{Phone: fmt.Sprint(i)}},
		})
	}
	r.Users[3001].Name.Last = "L\xff"
	rng := rand.New(rand.NewPCG(1, 2))
	rng.Shuffle(len(r.Users), func(i, j int) { r.Users[i], r.Users[j] = r.Users[j], r.Users[i] })
	dup := r.Users[0]
	dup.Roles.Contact = &roster.Contact{Phone: "second"}
	r.Users = append(r.Users, dup)

	committed := newMemCommitted()
	for i := range 2500 { // half committed, every other one of them stale
		u := roster.User{ID: fmt.Sprintf("u%05d", i), Name: roster.Name{Last: fmt.Sprintf("L%d", i)},
			Roles: roster.Roles{Contact: &roster.Contact{Phone: fmt.Sprint(i)}}}
		if i%2 == 1 {
			u.Email = "old"
		}
		committed.put(t, roster.KindUsers, u.ID, &u)
	}
	res, err := preflight.Check(r, committed, preflight.Options{})
	if err != nil {
		t.Fatal(err)
	}

	sorted := slices.Clone(r.Users[:5000])
	slices.SortFunc(sorted, func(a, b roster.User) int { return strings.Compare(a.ID, b.ID) })
	var want []roster.Record
	for i := range sorted {
		if i < 2500 && i%2 == 0 || i == 3001 {
			continue // unchanged, or not encodable
		}
		want = append(want, roster.Record{ID: sorted[i].ID, Data: encoded(t, &sorted[i])})
	}
	if diff := cmp.Diff(want, res.Change.Put[roster.KindUsers]); diff != "" {
		t.Errorf("Put mismatch (-want +got):\n%s", diff)
	}
	wantCounts := preflight.Counts{Kept: 5000, Added: 2499, Updated: 1250}
	if diff := cmp.Diff(&wantCounts, res.Counts[roster.EntityContact]); diff != "" {
		t.Errorf("contact Counts mismatch (-want +got):\n%s", diff)
	}
	wantIssues := []wantIssue{
		{"error", "contact.duplicate_id", "contact", dup.ID, "", "id", "2 users"},
		{"error", "contact.invalid_field", "contact", "u03001", "", "name.last", "UTF-8"},
	}
	assertIssues(t, wantIssues, res.Issues)
}

// Ensure a failing store read fails the check, naming the kind.
func TestCheck_DiffReadError(t *testing.T) {
	r := cleanRoster()
	_, err := preflight.Check(r, failingCommitted{commit(t, r), roster.KindSections, errDisk}, preflight.Options{})
	if !errors.Is(err, errDisk) || !strings.Contains(err.Error(), "sections") {
		t.Errorf("Check = %v, want an error wrapping %v naming sections", err, errDisk)
	}
}

// Ensure a committed user that no longer decodes fails the check, naming
// the record, instead of being deleted uncounted.
func TestCheck_DiffCorruptCommittedUser(t *testing.T) {
	committed := commit(t, cleanRoster())
	committed.putRaw(roster.KindUsers, "zz-corrupt", []byte(`{"id":`))
	_, err := preflight.Check(cleanRoster(), committed, preflight.Options{})
	if err == nil || !strings.Contains(err.Error(), `"zz-corrupt"`) {
		t.Errorf("Check = %v, want an error naming the corrupt record", err)
	}
}

// Ensure a record that cannot be encoded stays out of the Change, so the
// store keeps what it had, and is reported.
func TestCheck_DiffUnencodableRecord(t *testing.T) {
	old, r := cleanRoster(), cleanRoster()
	r.Schools[0].Ext = roster.ExtOf(map[string]stdjson.RawMessage{"x": []byte(`nope`)})
	r.Schools = append(r.Schools, roster.School{ID: "s2", Name: "South High"})
	res := check(t, r, commit(t, old))
	if got := res.Change.Put[roster.KindSchools]; len(got) != 1 || got[0].ID != "s2" {
		t.Errorf("schools put = %+v, want only s2", got)
	}
	if diff := cmp.Diff(&preflight.Counts{Kept: 2, Added: 1}, res.Counts[roster.EntitySchool]); diff != "" {
		t.Errorf("school Counts mismatch (-want +got):\n%s", diff)
	}
	if res.Errors() != 1 || res.Issues[0].Code != "school.invalid_field" || res.Issues[0].Field != "ext.x" {
		t.Errorf("issues = %+v, want one school.invalid_field on ext.x", res.Issues)
	}
}

// Ensure EntityCounts lists every entity in report order, with the
// fetched counts the caller supplies.
func TestResult_EntityCounts(t *testing.T) {
	r := cleanRoster()
	res := check(t, r, nil)
	fetched := r.Count()
	fetched[roster.EntityStudent] = 7
	got := res.EntityCounts(fetched)
	if len(got) != len(roster.Entities) {
		t.Fatalf("%d rows, want %d", len(got), len(roster.Entities))
	}
	for i, e := range roster.Entities {
		if got[i].Entity != e {
			t.Errorf("row %d is %s, want %s", i, got[i].Entity, e)
		}
	}
	want := preflight.EntityCounts{Entity: roster.EntityStudent, Fetched: 7, Kept: 1, Added: 1}
	if diff := cmp.Diff(want, got[5]); diff != "" {
		t.Errorf("student row mismatch (-want +got):\n%s", diff)
	}
}

// Ensure adds, updates, deletes and records that cannot be encoded
// interleave correctly when the committed and fetched IDs alternate, with
// committed records before the first fetched one and after the last.
func TestCheck_DiffInterleaved(t *testing.T) {
	school := func(id, name string) roster.School { return roster.School{ID: id, District: "d1", Name: name} }
	old, r := cleanRoster(), cleanRoster()
	old.Schools = []roster.School{school("s-a", "A"), school("s-c", "C"), school("s-e", "E"), school("s-g", "G"), school("s-i", "I"), school("s-z", "Z")}
	r.Schools = []roster.School{school("s-b", "B"), school("s-c", "C"), school("s-d", "D"), school("s-e", "E"), school("s-g", "G2"), school("s-h", "H")}
	r.Schools[3].Ext = roster.ExtOf(map[string]stdjson.RawMessage{"x": []byte(`nope`)}) // s-e: kept as committed
	for i := range r.Sections {
		r.Sections[i].School = "s-c"
	}
	for i := range r.Users {
		if s := r.Users[i].Roles.Student; s != nil {
			s.School, s.Schools = "s-c", []string{"s-c"}
		}
		if tc := r.Users[i].Roles.Teacher; tc != nil {
			tc.School, tc.Schools = "s-c", []string{"s-c"}
		}
		if st := r.Users[i].Roles.Staff; st != nil {
			st.Schools = []string{"s-c"}
		}
	}
	res := check(t, r, commit(t, old))

	var puts []string
	for _, rec := range res.Change.Put[roster.KindSchools] {
		puts = append(puts, rec.ID)
	}
	if diff := cmp.Diff([]string{"s-b", "s-d", "s-g", "s-h"}, puts); diff != "" {
		t.Errorf("schools put mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"s-a", "s-i", "s-z"}, res.Change.Delete[roster.KindSchools]); diff != "" {
		t.Errorf("schools deleted mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(&preflight.Counts{Kept: 6, Added: 3, Updated: 1, Deleted: 3}, res.Counts[roster.EntitySchool]); diff != "" {
		t.Errorf("school Counts mismatch (-want +got):\n%s", diff)
	}
	if got := res.Changes.Deleted; len(got) != 3 || got[0].ID != "s-a" || got[2].ID != "s-z" {
		t.Errorf("deleted details = %+v, want s-a, s-i, s-z", got)
	}
}

// Ensure a store read that fails part-way through a kind fails the check,
// after the records it did read.
func TestCheck_DiffReadErrorMidWalk(t *testing.T) {
	r := cleanRoster()
	committed := commit(t, r)
	committed.putRaw(roster.KindUsers, "zz-later", []byte(`{"id":"zz-later"}`))
	_, err := preflight.Check(r, failingAfter{committed, roster.KindUsers, 2}, preflight.Options{})
	if !errors.Is(err, errDisk) || !strings.Contains(err.Error(), "users") {
		t.Errorf("Check = %v, want an error wrapping %v naming users", err, errDisk)
	}
}

// failingAfter is a store whose walk of one kind fails after n records.
type failingAfter struct {
	*memCommitted
	kind roster.Kind
	n    int
}

func (f failingAfter) ForEach(kind roster.Kind, fn func(id, data []byte) error) error {
	if kind != f.kind {
		return f.memCommitted.ForEach(kind, fn)
	}
	seen := 0
	err := f.memCommitted.ForEach(kind, func(id, data []byte) error {
		if seen == f.n {
			return errDisk
		}
		seen++
		return fn(id, data)
	})
	return err
}
