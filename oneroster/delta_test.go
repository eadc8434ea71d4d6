package oneroster_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/rosterd/rosterd/connector"
	"github.com/rosterd/rosterd/internal/fakeoneroster"
	"github.com/rosterd/rosterd/oneroster"
	"github.com/rosterd/rosterd/roster"
)

// Ensure a delta pull asks only for what changed since the last pull,
// merges it (updates, additions and tombstones) onto the last pull's
// roster, and gives the roster a full pull gives; and that a full pull
// comes again when it is due.
func TestSource_DeltaPull(t *testing.T) {
	r := restDistrict(t)
	fake, url := serve(t, r, fakeoneroster.Options{})
	now := time.Date(2026, 12, 1, 6, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	src := oneroster.NewSource(client(t, v12(url)), oneroster.MapOptions{}).
		WithDelta(oneroster.DeltaOptions{Enabled: true, FullEvery: 24 * time.Hour, Now: clock})

	first, cursor, err := src.FetchSince(context.Background(), connector.Previous{Raw: func() (*roster.Roster, error) { return nil, nil }})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(lastQuery(fake), "filter") {
		t.Fatal("the first pull was a delta")
	}

	// An hour later: a student renamed, a teacher's record deleted and a
	// section's enrollment of that teacher with it.
	now = now.Add(time.Hour)
	changed := restDistrict(t)
	stu := firstWithRole(changed, roster.RoleStudent)
	stu.Name.Last = "Renamed"
	stu.LastModified = now.Add(-30 * time.Minute)
	gone := firstWithRole(changed, roster.RoleContact)
	deleted := map[string]time.Time{gone.ID: now.Add(-20 * time.Minute)}
	fake.SetDataset(fakeoneroster.Encode(changed, fakeoneroster.EncodeOptions{Deleted: deleted}))
	fake.ResetRequests()

	prev := connector.Previous{Cursor: cursor, Raw: func() (*roster.Roster, error) { return first, nil }}
	delta, cursor2, err := src.FetchSince(context.Background(), prev)
	if err != nil {
		t.Fatal(err)
	}
	if q := lastQuery(fake); !strings.Contains(q, "filter=dateLastModified") {
		t.Fatalf("the second pull was not a delta: %s", q)
	}

	// A full pull of the changed district, for comparison.
	full, err := oneroster.NewSource(client(t, v12(url)), oneroster.MapOptions{}).Fetch(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	opts := []cmp.Option{cmpopts.EquateEmpty(), cmpopts.IgnoreFields(roster.Roster{}, "FieldErrors")}
	if diff := cmp.Diff(full, delta, opts...); diff != "" {
		t.Errorf("the delta pull differs from a full pull (-full +delta):\n%s", diff)
	}
	if u := findUser(delta, stu.ID); u == nil || u.Name.Last != "Renamed" {
		t.Errorf("the renamed student: %+v", u)
	}
	if findUser(delta, gone.ID) != nil {
		t.Error("the deleted contact is still there")
	}

	// An hour later nothing has changed: the pull returns the kept roster
	// and says so, so that the engine does not store it again.
	now = now.Add(time.Hour)
	unchanged := false
	same := connector.Previous{Cursor: cursor2, Raw: func() (*roster.Roster, error) { return delta, nil }, Unchanged: func() { unchanged = true }}
	again, cursor3, err := src.FetchSince(context.Background(), same)
	if err != nil {
		t.Fatal(err)
	}
	if q := lastQuery(fake); !strings.Contains(q, "filter=dateLastModified") {
		t.Fatalf("the third pull was not a delta: %s", q)
	}
	if !unchanged || again != delta {
		t.Errorf("a delta with no change: unchanged %v, the kept roster returned %v", unchanged, again == delta)
	}

	// A day after the first pull, a full pull is due.
	now = now.Add(24 * time.Hour)
	fake.ResetRequests()
	if _, _, err := src.FetchSince(context.Background(), connector.Previous{Cursor: cursor3, Raw: prev.Raw}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(lastQuery(fake), "filter") {
		t.Error("no full pull after FullEvery")
	}
}

func lastQuery(fake provider) string {
	reqs := fake.Requests()
	if len(reqs) == 0 {
		return ""
	}
	return reqs[len(reqs)-1].Path
}

func firstWithRole(r *roster.Roster, role roster.Role) *roster.User {
	for i := range r.Users {
		if r.Users[i].PrimaryRole() == role {
			return &r.Users[i]
		}
	}
	return nil
}

func findUser(r *roster.Roster, id string) *roster.User {
	for i := range r.Users {
		if r.Users[i].ID == id {
			return &r.Users[i]
		}
	}
	return nil
}
