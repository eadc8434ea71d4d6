package fakewire_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rosterd/rosterd/internal/fakewire"
)

type fault struct {
	Name         string
	Path         string
	After, Times int
}

// Ensure a queued fault applies to the requests it matches, after those it
// lets through, as many times as it says, in the order faults were queued.
func TestFaultQueue(t *testing.T) {
	q := fakewire.FaultQueue[fault]{Schedule: func(f *fault) (string, *int, *int) { return f.Path, &f.After, &f.Times }}
	q.Push(fault{Name: "users twice after one", Path: "/v3.0/users", After: 1, Times: 2})
	q.Push(fault{Name: "any api once", Times: 1})
	requests := []struct {
		path string
		api  bool
	}{
		{"/oauth/tokens", false},      // no fault matches a non-API path
		{"/v3.0/users?limit=1", true}, // let through by the users fault; the next one matches
		{"/v3.0/users", true},
		{"/v3.0/users", true},
		{"/v3.0/sections", true},
		{"/v3.0/users", true},
	}
	var got []string
	for _, r := range requests {
		f, ok := q.Take(r.path, r.api)
		if !ok {
			got = append(got, "-")
			continue
		}
		got = append(got, f.Name)
	}
	want := []string{"-", "-", "users twice after one", "users twice after one", "any api once", "-"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("faults taken (-want +got):\n%s", diff)
	}
}
