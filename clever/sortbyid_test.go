package clever

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rosterd/rosterd/roster"
)

type idAt struct{ ID, At string }

func idOf(r *idAt) string { return r.ID }

// Ensure sortByID orders by ID and keeps the order of equal IDs.
func TestSortByID(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   []idAt
		want []idAt
	}{
		{name: "empty"},
		{name: "one", in: []idAt{{"a", "0"}}, want: []idAt{{"a", "0"}}},
		{name: "sorted", in: []idAt{{"a", "0"}, {"b", "1"}, {"c", "2"}}, want: []idAt{{"a", "0"}, {"b", "1"}, {"c", "2"}}},
		{name: "reversed", in: []idAt{{"c", "0"}, {"b", "1"}, {"a", "2"}}, want: []idAt{{"a", "2"}, {"b", "1"}, {"c", "0"}}},
		{
			name: "two sorted runs with equal IDs",
			in:   []idAt{{"a", "0"}, {"c", "1"}, {"e", "2"}, {"b", "3"}, {"c", "4"}, {"a", "5"}},
			want: []idAt{{"a", "0"}, {"a", "5"}, {"b", "3"}, {"c", "1"}, {"c", "4"}, {"e", "2"}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := append([]idAt(nil), tc.in...)
			sortByID(got, idOf)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("sortByID (-want +got):\n%s", diff)
			}
		})
	}
}

// Ensure an events apply that added a user puts the users back in ID
// order in place, without allocating per comparison: the sort it used
// before made two copies of users escape to the heap for each one,
// 441 MB of garbage for an XL district's users.
func TestCollectionFinish_SortsInPlace(t *testing.T) {
	users := make([]roster.User, 2000)
	for i := range users {
		users[i].ID = fmt.Sprintf("u%05d", 2*i)
	}
	c := newCollection(&users, func(u *roster.User) string { return u.ID })
	c.put("u01001", roster.User{ID: "u01001"})
	c.put("u00001", roster.User{ID: "u00001"})
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	c.finish()
	runtime.ReadMemStats(&after)
	if n := after.Mallocs - before.Mallocs; n > 10 {
		t.Errorf("finish allocated %d times, want a few", n)
	}
	if len(users) != 2002 || users[1].ID != "u00001" || users[502].ID != "u01001" {
		t.Fatalf("users after finish: %d, [1] %s, [502] %s", len(users), users[1].ID, users[502].ID)
	}
	for i := 1; i < len(users); i++ {
		if users[i-1].ID >= users[i].ID {
			t.Fatalf("users out of order at %d: %s, %s", i, users[i-1].ID, users[i].ID)
		}
	}
}
