package connector

import "sync/atomic"

// A first sync's change is the whole roster encoded, and the arena that
// holds it fills as much fresh page cache (0.9 GB at XL). On a virtual
// machine whose freed memory goes back to the host, fresh memory costs a
// fault on the host at its first touch, which made preflight 2.0-2.3 s
// instead of 0.7-0.9 s when no recently freed memory was at hand. So a
// first sync opens its arena before the fetch and has it ready that much
// page cache while the crawl waits on the provider's pace, with a core
// to spare: about as many bytes as the records will take, estimated from
// the pages as they arrive.

// prefaultShare is the share of the fetched bytes a first sync's arena
// readies: an XL Clever crawl reads 1,140 MB of pages whose records take
// 880 MB encoded. Less than that leaves the last records fresh memory to
// fill; more fills page cache nothing uses.
const prefaultNum, prefaultDen = 3, 4

// prefaultArena returns an arena for the change of a first sync, with the
// FetchTrace hook that readies it as the pages arrive; nil when the
// connection has committed a roster (a resync's change is small), when
// the engine keeps changes on the heap, or when no arena can be had. The
// caller closes the arena.
func (r *run) prefaultArena() (Arena, func(bytes int)) {
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
	var fetched atomic.Int64
	return arena, func(bytes int) {
		arena.Prefault(fetched.Add(int64(bytes)) * prefaultNum / prefaultDen)
	}
}
