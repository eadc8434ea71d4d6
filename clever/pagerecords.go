package clever

import "sort"

// pageRecords holds a crawl's records of one collection as they are
// mapped, one slice per page, until the collection is whole; join then
// moves them into one slice of exactly their number. Appending page by
// page instead grows the slice by copying it, and at XL each copy of the
// users (190 MB) or sections (60 MB) lived beside the one before it for
// a while. The users of every role's listing go into one pageRecords, so
// they are joined once, not once per role.
//
// When the caller knows about how many records to expect (the last
// fetch's count), reserve allocates them once, pages are carved from that
// one slice, and join hands it back without copying, as long as the
// records fit.
type pageRecords[T any] struct {
	pages  [][]T
	starts []int // starts[k] is the position of pages[k][0] among all records
	n      int   // records held
	// spare is the reserved slice, while every page so far was carved
	// from it in order; nil without a reservation, or once one did not fit.
	spare []T
}

// reserve sets aside room for n records, before any page is added.
func (p *pageRecords[T]) reserve(n int) {
	if n > 0 && p.n == 0 && len(p.pages) == 0 {
		p.spare = make([]T, 0, n)
	}
}

// page returns an empty slice with room for size records, for the next
// page: the reserved room just after the records added so far when it
// fits, a new slice otherwise.
func (p *pageRecords[T]) page(size int) []T {
	if p.spare != nil {
		if p.n+size <= cap(p.spare) {
			return p.spare[p.n : p.n : p.n+size]
		}
		p.spare = nil // the reservation was short: join copies after all
	}
	return make([]T, 0, size)
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
	// A reservation mostly unused (a district that shrank by half) would
	// hold its whole room for as long as the roster lives; copy instead.
	if p.carved() && p.n >= cap(p.spare)/2 {
		all := p.spare[:p.n:p.n]
		*p = pageRecords[T]{}
		return all
	}
	all := make([]T, 0, p.n)
	for k := range p.pages {
		all = append(all, p.pages[k]...)
		p.pages[k] = nil
	}
	*p = pageRecords[T]{}
	return all
}

// carved reports whether every page lies in the reserved slice, each just
// after the one before, so that its first p.n records are all of them.
func (p *pageRecords[T]) carved() bool {
	if p.spare == nil {
		return false
	}
	all := p.spare[:p.n]
	for k, page := range p.pages {
		if &page[0] != &all[p.starts[k]] {
			return false
		}
	}
	return true
}
