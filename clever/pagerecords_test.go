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
	checkJoined(t, want, users)
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

// Ensure pages carved from a reservation are joined without a copy when
// they fit, whatever each page holds of its room; that without one, or
// past it, pages are carved from a grown block, and join moves only the
// records before that block; and that a mostly unused slice, or a page
// that outgrew its room, is copied as before.
func TestPageRecords_Reserved(t *testing.T) {
	for _, tc := range []struct {
		name        string
		reserve     int
		sizes       []int // room asked for each page
		fill        []int // records appended to each
		wantSame    bool  // the join is the first page's memory
		wantInPlace bool  // the last page's records were not moved
	}{
		{name: "fits exactly", reserve: 7, sizes: []int{3, 4}, fill: []int{3, 4}, wantSame: true, wantInPlace: true},
		{name: "pages left part of their room", reserve: 10, sizes: []int{4, 4, 2}, fill: []int{2, 4, 1}, wantSame: true, wantInPlace: true},
		{name: "empty page", reserve: 5, sizes: []int{2, 2, 3}, fill: []int{2, 0, 3}, wantSame: true, wantInPlace: true},
		{name: "reservation mostly unused", reserve: 20, sizes: []int{3, 3}, fill: []int{3, 3}},
		{name: "reservation short", reserve: 5, sizes: []int{3, 3}, fill: []int{3, 3}, wantInPlace: true},
		{name: "page outgrew its room", reserve: 10, sizes: []int{3, 3}, fill: []int{3, 5}},
		{name: "a page after one that outgrew its room", reserve: 10, sizes: []int{3, 3, 3}, fill: []int{3, 5, 3}, wantInPlace: true},
		{name: "no reservation", sizes: []int{3, 3}, fill: []int{3, 3}, wantSame: true, wantInPlace: true},
		{name: "no reservation, grown twice", sizes: []int{4, 4, 4, 4, 4}, fill: []int{4, 4, 4, 4, 2}, wantInPlace: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var p pageRecords[roster.User]
			p.reserve(tc.reserve)
			var want []string
			var first, last *roster.User
			for k, size := range tc.sizes {
				page := p.page(size)
				if len(page) != 0 || cap(page) < size {
					t.Fatalf("page(%d) has length %d and room %d", size, len(page), cap(page))
				}
				for range tc.fill[k] {
					id := fmt.Sprint("u", len(want))
					page = append(page, roster.User{ID: id})
					want = append(want, id)
				}
				if first == nil && len(page) > 0 {
					first = &page[0]
				}
				if len(page) > 0 {
					last = &page[len(page)-1]
				}
				p.add(page)
			}
			users := p.join()
			checkJoined(t, want, users)
			if same := &users[0] == first; same != tc.wantSame {
				t.Errorf("join handed back the first page's memory: %v, want %v", same, tc.wantSame)
			}
			if inPlace := &users[len(users)-1] == last; inPlace != tc.wantInPlace {
				t.Errorf("the last page's records stayed where they were: %v, want %v", inPlace, tc.wantInPlace)
			}
		})
	}
}

// checkJoined checks that users hold the IDs want, in order, in a slice of
// exactly their number.
func checkJoined(t *testing.T, want []string, users []roster.User) {
	t.Helper()
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
}

// Ensure a grown block takes every record before it once its move is
// done, so that the blocks it outgrew are let go, and that a record
// changed through at before the move, or while it runs, keeps the change.
func TestPageRecords_GrowingMovesEarlierPages(t *testing.T) {
	var p pageRecords[roster.User]
	var want []string
	for k := range 6 {
		page := p.page(4)
		for range 4 {
			id := fmt.Sprint("u", len(want))
			page = append(page, roster.User{ID: id})
			want = append(want, id)
		}
		p.add(page)
		switch k {
		case 0:
			p.at(1).Email = "kept@example.org"
		case 2:
			// This page was carved from a grown block, whose move of the
			// earlier records may still run.
			p.at(5).Email = "kept too"
			continue
		}
		p.settle()
		block := p.spare[:cap(p.spare)]
		for j, pg := range p.pages {
			if &pg[0] != &block[p.starts[j]] {
				t.Fatalf("after page %d, page %d is not in the last block: an earlier block is still held", k, j)
			}
		}
	}
	users := p.join()
	checkJoined(t, want, users)
	if users[1].Email != "kept@example.org" || users[5].Email != "kept too" {
		t.Errorf("a change through at was lost in a move: %+v, %+v", users[1], users[5])
	}
}
