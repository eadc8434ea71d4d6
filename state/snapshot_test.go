package state_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rosterd/rosterd/roster"
	"github.com/rosterd/rosterd/state"
)

func TestSnapshot(t *testing.T) {
	s := mustOpen(t, tempPath(t))
	var change roster.Change
	for _, id := range []string{"u1", "u2", "u3"} {
		change.AddPut(roster.KindUsers, roster.Record{ID: id, Data: []byte("data-" + id)})
	}
	change.AddPut(roster.KindSchools, roster.Record{ID: "s1", Data: []byte("school")})
	run := mustCommit(t, s, 0, &change, []byte("cursor-1"))

	// Ensure Get finds committed records by kind and ID, and only those.
	t.Run("Get", func(t *testing.T) {
		err := s.View(testConn, func(sn *state.Snapshot) error {
			for _, tt := range []struct {
				kind roster.Kind
				id   string
				want string
			}{
				{roster.KindUsers, "u2", "data-u2"},
				{roster.KindUsers, "u1", "data-u1"},
				{roster.KindUsers, "u3", "data-u3"},
				{roster.KindUsers, "u0", ""},
				{roster.KindUsers, "u4", ""},
				{roster.KindUsers, "u", ""},
				{roster.KindUsers, "", ""},
				{roster.KindSchools, "s1", "school"},
				{roster.KindSchools, "u1", ""},
				{roster.KindTerms, "t1", ""},
				{"students", "u1", ""},
			} {
				if got := sn.Get(tt.kind, tt.id); string(got) != tt.want || (tt.want == "" && got != nil) {
					t.Errorf("Get(%s, %q) = %q, want %q", tt.kind, tt.id, got, tt.want)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})

	// Ensure Get allocates nothing, even for IDs too long for the
	// compiler's stack buffer (OneRoster sourcedIds are often 36-byte
	// GUIDs): preflight calls it once per record of a million-record
	// roster.
	t.Run("GetAllocs", func(t *testing.T) {
		err := s.View(testConn, func(sn *state.Snapshot) error {
			sn.Get(roster.KindUsers, "u1") // the first lookup of a kind sets up its cursor
			long := "u2-0f8fad5b-d9cb-469f-a165-70867728950e"
			allocs := testing.AllocsPerRun(100, func() {
				sn.Get(roster.KindUsers, "u2")
				sn.Get(roster.KindUsers, long)
			})
			if allocs != 0 {
				t.Errorf("Get allocates %v times per call pair, want 0", allocs)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})

	// Ensure ForEach walks in ID order, Count counts, and the head and
	// cursor are the last commit's.
	t.Run("ForEach", func(t *testing.T) {
		err := s.View(testConn, func(sn *state.Snapshot) error {
			var ids []string
			err := sn.ForEach(roster.KindUsers, func(id, data []byte) error {
				ids = append(ids, string(id))
				return nil
			})
			if err != nil {
				return err
			}
			if diff := cmp.Diff([]string{"u1", "u2", "u3"}, ids); diff != "" {
				t.Errorf("ForEach IDs mismatch (-want +got):\n%s", diff)
			}
			counts := map[roster.Kind]int{}
			for _, kind := range roster.Kinds {
				counts[kind] = sn.Count(kind)
			}
			want := map[roster.Kind]int{roster.KindDistricts: 0, roster.KindSchools: 1, roster.KindTerms: 0,
				roster.KindCourses: 0, roster.KindSections: 0, roster.KindUsers: 3}
			if diff := cmp.Diff(want, counts); diff != "" {
				t.Errorf("Count mismatch (-want +got):\n%s", diff)
			}
			if got := sn.Head().RunID; got != run.ID {
				t.Errorf("Head().RunID = %d, want %d", got, run.ID)
			}
			if got := string(sn.Cursor()); got != "cursor-1" {
				t.Errorf("Cursor() = %q, want %q", got, "cursor-1")
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})

	// Ensure an error from fn stops ForEach and comes back out of View,
	// and an unknown kind is an error naming it.
	t.Run("ForEachErr", func(t *testing.T) {
		stop := errors.New("stop")
		calls := 0
		err := s.View(testConn, func(sn *state.Snapshot) error {
			if err := sn.ForEach("students", func(id, data []byte) error { return nil }); err == nil || !strings.Contains(err.Error(), `"students"`) {
				t.Errorf("ForEach of an unknown kind = %v, want an error naming it", err)
			}
			return sn.ForEach(roster.KindUsers, func(id, data []byte) error {
				calls++
				return stop
			})
		})
		if !errors.Is(err, stop) || calls != 1 {
			t.Errorf("View = %v after %d calls, want the fn's error after 1", err, calls)
		}
	})

	// Ensure a connection never committed reads as empty.
	t.Run("Empty", func(t *testing.T) {
		err := s.View("never-committed", func(sn *state.Snapshot) error {
			if got := sn.Head(); got != (state.Head{}) {
				t.Errorf("Head() = %+v, want zero", got)
			}
			if sn.Get(roster.KindUsers, "u1") != nil || sn.Count(roster.KindUsers) != 0 || sn.Cursor() != nil {
				t.Error("empty snapshot holds data")
			}
			r, err := sn.Roster()
			if err != nil {
				return err
			}
			if diff := cmp.Diff(&roster.Roster{}, r); diff != "" {
				t.Errorf("Roster mismatch (-want +got):\n%s", diff)
			}
			return sn.ForEach(roster.KindUsers, func(id, data []byte) error {
				t.Errorf("ForEach called with %s", id)
				return nil
			})
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.View("", func(*state.Snapshot) error { return nil }); err == nil {
			t.Error("View of an empty connection name succeeded")
		}
	})

	// Ensure a Snapshot kept past its View fails loudly instead of reading
	// memory bbolt may have unmapped.
	t.Run("UseAfterView", func(t *testing.T) {
		var kept *state.Snapshot
		if err := s.View(testConn, func(sn *state.Snapshot) error { kept = sn; return nil }); err != nil {
			t.Fatal(err)
		}
		defer func() {
			if r := recover(); r == nil || !strings.Contains(r.(string), "used after its View returned") {
				t.Errorf("recovered %v, want a panic about use after View", r)
			}
		}()
		kept.Get(roster.KindUsers, "u1")
	})

	// Ensure a record that is not in the store's format is reported with
	// its kind and ID.
	t.Run("RosterDecodeErr", func(t *testing.T) {
		err := s.View(testConn, func(sn *state.Snapshot) error {
			_, err := sn.Roster()
			return err
		})
		if err == nil || !strings.Contains(err.Error(), "schools/s1") {
			t.Errorf("Roster = %v, want an error naming schools/s1", err)
		}
	})
}

// Ensure Page walks a kind in ID order from after its cursor, limit at a
// time, and stops at the end.
func TestSnapshot_Page(t *testing.T) {
	s := mustOpen(t, tempPath(t))
	r := &roster.Roster{}
	for _, id := range []string{"a", "b", "c", "d", "e"} {
		r.Schools = append(r.Schools, roster.School{ID: id, Name: "School " + id})
	}
	mustCommit(t, s, 0, encodeRoster(t, r), nil)
	var pages [][]string
	after := ""
	err := s.View(testConn, func(sn *state.Snapshot) error {
		for {
			var page []string
			if err := sn.Page(roster.KindSchools, after, 2, func(id, _ []byte) error {
				page = append(page, string(id))
				return nil
			}); err != nil {
				return err
			}
			if len(page) == 0 {
				return nil
			}
			pages = append(pages, page)
			after = page[len(page)-1]
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([][]string{{"a", "b"}, {"c", "d"}, {"e"}}, pages); diff != "" {
		t.Errorf("pages (-want +got):\n%s", diff)
	}
}
