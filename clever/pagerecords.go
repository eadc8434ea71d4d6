package clever

import "sort"

// pageRecords holds a crawl's records of one collection as they are
// mapped, one slice per page, until the collection is whole; join then
// moves them into one slice of exactly their number. Appending page by
// page instead grows the slice by copying it, and at XL each copy of the
// users (190 MB) or sections (60 MB) lived beside the one before it for
// a while. The users of every role's listing go into one pageRecords, so
// they are joined once, not once per role.
type pageRecords[T any] struct {
	pages  [][]T
	starts []int // starts[k] is the position of pages[k][0] among all records
	n      int   // records held
}

// add keeps page, a slice the caller no longer appends to.
func (p *pageRecords[T]) add(page []T) {
	if len(page) == 0 {
		return
	}
	p.pages = append(p.pages, page)
	p.starts = append(p.starts, p.n)
	p.n += len(page)
}

// at returns the record at position i, which must be below p.n.
func (p *pageRecords[T]) at(i int) *T {
	k := sort.Search(len(p.starts), func(k int) bool { return p.starts[k] > i }) - 1
	return &p.pages[k][i-p.starts[k]]
}

// join returns every record in order, in a slice of exactly their
// number (nil when there are none), and empties p.
func (p *pageRecords[T]) join() []T {
	if p.n == 0 {
		*p = pageRecords[T]{}
		return nil
	}
	all := make([]T, 0, p.n)
	for k := range p.pages {
		all = append(all, p.pages[k]...)
		p.pages[k] = nil
	}
	*p = pageRecords[T]{}
	return all
}
