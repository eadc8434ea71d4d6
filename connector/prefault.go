package connector

import (
	"sync"

	"github.com/rosterd/rosterd/roster"
)

// A first sync's change is the whole roster encoded, and the arena that
// holds it fills as much fresh page cache (0.9 GB at XL). On a virtual
// machine whose freed memory goes back to the host, fresh memory costs a
// fault on the host at its first touch, which made preflight 2.0-2.3 s
// instead of 0.7-0.9 s when no recently freed memory was at hand. So a
// first sync opens its arena before the fetch and has it ready that much
// page cache while the crawl waits on the provider's pace, with a core
// to spare: about as many bytes as the records will take, estimated from
// the pages as they arrive.
//
// The core is spare while the users are listed, not after: the sections
// that follow are the largest pages to decode, and a run that keeps its
// raw roster encodes and compresses the users beside them. So while the
// users are listed the arena readies room for every byte fetched, ahead
// of the share the whole roster needs (a Clever crawl's users are three
// quarters of its bytes: 872 of 1,140 MB at XL), and after it readies
// only what that share still asks for beyond. At XL, alternated four times each, the full sync
// took 12.58-12.86 s against 12.93-13.75 s with the share kept all along
// (its fetch 7.87-7.99 s against 8.16-8.67 s), preflight as fast.

// prefaultShare is the share of the fetched bytes a first sync's arena
// readies: an XL Clever crawl reads 1,140 MB of pages whose records take
// 880 MB encoded. Less than that leaves the last records fresh memory to
// fill; more fills page cache nothing uses. Only pages of records the
// roster keeps count (connector.PagesNotKept): an XL OneRoster crawl's
// enrollments, 3.5 of its 4.6 GB, counted, had it write 2.66 GB of zeros
// for a 0.75 GB change. Its kept pages (1.08 GB, its users larger on the
// wire than Clever's) still ready about 0.3 GB more than it uses.
const prefaultNum, prefaultDen = 3, 4

// prefaultPlan raises a first sync's arena's prefault target as the
// fetch reads pages (page) and once the users are final (users); both may
// be called from several goroutines at once. The target it asks for may
// fall once the users are final: the arena keeps the highest.
type prefaultPlan struct {
	arena Arena

	mu         sync.Mutex
	fetched    int64 // bytes of pages read so far
	usersFinal bool
}

// page counts a page of bytes the fetch read and raises the target.
func (p *prefaultPlan) page(bytes int) {
	p.mu.Lock()
	p.fetched += int64(bytes)
	target := p.fetched
	if p.usersFinal {
		target = target * prefaultNum / prefaultDen
	}
	p.mu.Unlock()
	p.arena.Prefault(target)
}

// users notes that the fetch has listed its users.
func (p *prefaultPlan) users(*roster.Roster) {
	p.mu.Lock()
	p.usersFinal = true
	p.mu.Unlock()
}

// prefaultArena returns an arena for the change of a first sync, with the
// plan that readies it as the pages arrive; nil when the connection has
// committed a roster (a resync's change is small), when the engine keeps
// changes on the heap, or when no arena can be had. The caller closes the
// arena.
func (r *run) prefaultArena() (Arena, *prefaultPlan) {
	if r.engine.newArena == nil {
		return nil, nil
	}
	var head uint64
	err := r.engine.store.ReadCommitted(r.conn.Name, func(c Committed) error {
		head = c.HeadRunID()
		return nil
	})
	if err != nil || head != 0 {
		return nil, nil
	}
	arena := r.arena()
	if arena == nil {
		return nil, nil
	}
	return arena, &prefaultPlan{arena: arena}
}

// traced returns t (a new trace when nil) with p's hooks added; the
// users' note comes before any UsersFinal t already has, so that the
// arena stops getting ahead of the share before what that hook starts
// competes with it.
func (p *prefaultPlan) traced(t *FetchTrace) *FetchTrace {
	if t == nil {
		t = &FetchTrace{}
	}
	t.Fetched = p.page
	if then := t.UsersFinal; then != nil {
		t.UsersFinal = func(ro *roster.Roster) {
			p.users(ro)
			then(ro)
		}
	} else {
		t.UsersFinal = p.users
	}
	return t
}
