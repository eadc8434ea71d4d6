package clever

import (
	"slices"
	"sort"
)

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
// many again, moves the records so far to its front, and carves the next
// pages from it. The blocks before are let go as soon as the move is
// done, not at join: a first sync's XL sections were in four blocks until
// the crawl's end, where its peak is, 60 MB beyond the last one. join
// then hands back the last block without copying.
//
// The move runs on a goroutine of its own while the caller maps the next
// pages into the block's room after the records being moved: moving an
// XL first sync's 620,000 users into fresh memory took 0.1 to 0.8 s,
// during which the crawl, three pages ahead at most, stopped. Until the
// move is done the pages keep their records where they were, unchanged;
// whatever may change one (at) or needs them in the block (the next
// growth, join) waits for it first.
type pageRecords[T any] struct {
	pages  [][]T
	starts []int // starts[k] is the position of pages[k][0] among all records
	n      int   // records held
	// spare is the slice pages are carved from: the reservation, or the
	// last block page grew. Every page lies in it, at its position, unless
	// a caller appended past a page's room (carvedUpTo), or it is being
	// moved there (moving).
	spare []T
	// moving, when not nil, is closed once a goroutine has copied
	// pages[:moved] into spare; settle then points them there.
	moving chan struct{}
	moved  int
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
	p.settleIfMoved()
	if p.spare == nil || p.n+size > cap(p.spare) || !p.carvedUpTo() {
		// Room for the records so far, at the front, and as many again
		// as there will be with this page.
		p.moveTo(make([]T, p.n, 2*(p.n+size)))
	}
	return p.spare[p.n : p.n : p.n+size]
}

// moveTo starts copying every page to its position in block, which has
// room for them, and makes block the one pages are carved from.
func (p *pageRecords[T]) moveTo(block []T) {
	p.settle()
	p.spare = block[:0]
	if len(p.pages) == 0 {
		return
	}
	pages, starts := slices.Clone(p.pages), p.starts[:len(p.pages)]
	done := make(chan struct{})
	p.moving, p.moved = done, len(pages)
	go func() {
		defer close(done)
		for k, page := range pages {
			copy(block[starts[k]:], page)
		}
	}()
}

// settle waits for a move to finish and points the pages it moved at
// their records in spare, letting the blocks they were in go.
func (p *pageRecords[T]) settle() {
	if p.moving == nil {
		return
	}
	<-p.moving
	block := p.spare[:cap(p.spare)]
	for k := range p.moved {
		at, n := p.starts[k], len(p.pages[k])
		p.pages[k] = block[at : at+n : at+n]
	}
	p.moving, p.moved = nil, 0
}

// settleIfMoved settles a move that is done, without waiting for one
// that is not.
func (p *pageRecords[T]) settleIfMoved() {
	if p.moving == nil {
		return
	}
	select {
	case <-p.moving:
		p.settle()
	default:
	}
}

// carvedUpTo reports whether the last page added lies in spare at its
// position, as page carved it (or is being moved there): a caller that
// appended past a page's room got a slice of its own, after which spare's
// room is not where the next page's records belong.
func (p *pageRecords[T]) carvedUpTo() bool {
	k := len(p.pages) - 1
	if k < p.moved {
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
	p.settle() // a change to a record being moved would be lost
	k := sort.Search(len(p.starts), func(k int) bool { return p.starts[k] > i }) - 1
	return &p.pages[k][i-p.starts[k]]
}

// join returns every record in order, in a slice of exactly their
// number (nil when there are none), and empties p.
func (p *pageRecords[T]) join() []T {
	p.settle()
	if p.n == 0 {
		*p = pageRecords[T]{}
		return nil
	}
	// A slice mostly unused (a district that shrank to a third of the
	// records reserved for it) would hold its whole room for as long as
	// the roster lives; copy instead.
	if p.carved() && 3*p.n >= cap(p.spare) {
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

// carved reports whether every page lies in spare, each at its
// position, so that spare's first p.n records are all of them.
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
