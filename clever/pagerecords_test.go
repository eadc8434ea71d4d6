package clever

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rosterd/rosterd/roster"
)

// Ensure a user is found at its position whichever page holds it, and
// join returns every user once, in order, in a slice of exactly their
// number.
func TestPageRecords(t *testing.T) {
	var p pageRecords[roster.User]
	var want []string
	for _, size := range []int{3, 0, 1, 4} {
		page := make([]roster.User, size)
		for i := range page {
			page[i].ID = fmt.Sprint("u", len(want))
			want = append(want, page[i].ID)
		}
		p.add(page)
	}
	for i, id := range want {
		if got := p.at(i).ID; got != id {
			t.Errorf("at(%d) = %s, want %s", i, got, id)
		}
	}
	p.at(5).Email = "kept@example.org"

	users := p.join()
	var got []string
	for _, u := range users {
		got = append(got, u.ID)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("joined users mismatch (-want +got):\n%s", diff)
	}
	if cap(users) != len(users) {
		t.Errorf("joined slice has capacity %d for %d users", cap(users), len(users))
	}
	if users[5].Email != "kept@example.org" {
		t.Errorf("a change through at(5) was lost: %+v", users[5])
	}
	if p.n != 0 || p.pages != nil {
		t.Errorf("join left %d users in %d pages", p.n, len(p.pages))
	}
	if got := p.join(); got != nil {
		t.Errorf("join of nothing = %v, want nil", got)
	}
}
