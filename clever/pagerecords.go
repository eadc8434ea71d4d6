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
// records fit. When it does not know, or the reservation runs short, page
// grows: it allocates a block with room for every record so far and as
// many again, and carves the next pages from it, after room left at its
// front for the records already held. join then moves only those into
// the room, at most about half of the records, and hands back the block:
// a first sync's join of its XL users copied all 190 MB of them into a
// new slice near the crawl's end, where the peak is, beside the pages.
type pageRecords[T any] struct {
	pages  [][]T
	starts []int // starts[k] is the position of pages[k][0] among all records
	n      int   // records held
	// spare is the slice pages are carved from: the reservation, or the
	// last block page grew. The pages from position base on lie in it in
	// order, at their positions; spare[:base] is room for the records
	// before them, which lie elsewhere.
	spare []T
	base  int
}

// reserve sets aside room for n records, before any page is added.
func (p *pageRecords[T]) reserve(n int) {
	if n > 0 && p.n == 0 && len(p.pages) == 0 {
		p.spare = make([]T, 0, n)
	}
}

// page returns an empty slice with room for size records, for the next
// page: the room just after the records added so far, in the reservation
// or the last block when it fits there, and in a new block otherwise.
func (p *pageRecords[T]) page(size int) []T {
	if p.spare == nil || p.n+size > cap(p.spare) || !p.carvedUpTo() {
		// Room for the records so far, at the front, and as many again
		// as there will be with this page.
		p.spare = make([]T, 0, 2*(p.n+size))
		p.base = p.n
	}
	return p.spare[p.n : p.n : p.n+size]
}

// carvedUpTo reports whether the last page added lies in spare at its
// position, as page carved it: a caller that appended past a page's room
// got a slice of its own, after which spare's room is not where the next
// page's records belong.
func (p *pageRecords[T]) carvedUpTo() bool {
	k := len(p.pages) - 1
	if k < 0 || p.starts[k] < p.base {
		return true
	}
	return &p.pages[k][0] == &p.spare[:p.n][p.starts[k]]
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
	// A slice mostly unused (a district that shrank to a third of the
	// records reserved for it) would hold its whole room for as long as
	// the roster lives; copy instead.
	if p.carved() && 3*p.n >= cap(p.spare) {
		all := p.spare[:p.n:p.n]
		for k, page := range p.pages {
			if p.starts[k] >= p.base {
				break
			}
			copy(all[p.starts[k]:], page)
			p.pages[k] = nil
		}
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

// carved reports whether every page from base on lies in spare, each at
// its position, so that once the records before base are moved into the
// room left for them, spare's first p.n records are all of them.
func (p *pageRecords[T]) carved() bool {
	if p.spare == nil {
		return false
	}
	all := p.spare[:p.n]
	for k, page := range p.pages {
		if p.starts[k] < p.base {
			continue
		}
		if &page[0] != &all[p.starts[k]] {
			return false
		}
	}
	return true
}
