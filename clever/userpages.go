package clever

import (
	"sort"

	"github.com/rosterd/rosterd/roster"
)

// userPages holds a crawl's users as they are mapped, one slice per page,
// until every role's listing is in; join then moves them into the
// roster's Users once. Joining after each listing instead copied the
// growing slice once per role: at XL, four copies of 190 MB, two of them
// alive together while the copy ran.
type userPages struct {
	pages  [][]roster.User
	starts []int // starts[k] is the position of pages[k][0] among all users
	n      int   // users held
}

// add keeps page, a slice the caller no longer appends to.
func (p *userPages) add(page []roster.User) {
	if len(page) == 0 {
		return
	}
	p.pages = append(p.pages, page)
	p.starts = append(p.starts, p.n)
	p.n += len(page)
}

// at returns the user at position i, which must be below p.n.
func (p *userPages) at(i int) *roster.User {
	k := sort.Search(len(p.starts), func(k int) bool { return p.starts[k] > i }) - 1
	return &p.pages[k][i-p.starts[k]]
}

// join returns every user in order, in a slice of exactly their number,
// and empties p. Each page is let go as soon as it is copied.
func (p *userPages) join() []roster.User {
	users := make([]roster.User, 0, p.n)
	for k := range p.pages {
		users = append(users, p.pages[k]...)
		p.pages[k] = nil
	}
	*p = userPages{}
	return users
}
