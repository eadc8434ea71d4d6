package fakewire

import (
	"strings"
	"sync"
)

// FaultQueue holds a fake's injected faults in the order they were
// injected, for the requests they match to take. F is the fake's own
// fault type; Schedule reads its schedule.
type FaultQueue[F any] struct {
	mu sync.Mutex
	q  []F
	// Schedule returns f's path prefix ("" matches every API path) and
	// its counters: how many matching requests to let through first, and
	// how many to affect.
	Schedule func(f *F) (path string, after, times *int)
}

// Push queues f.
func (fq *FaultQueue[F]) Push(f F) {
	fq.mu.Lock()
	defer fq.mu.Unlock()
	fq.q = append(fq.q, f)
}

// Take returns the fault to apply to a request for path, consuming one
// use of it; api is whether path is one Path "" matches. A fault still
// letting requests through counts this one and applies to none.
func (fq *FaultQueue[F]) Take(path string, api bool) (F, bool) {
	fq.mu.Lock()
	defer fq.mu.Unlock()
	var none F
	for i := range fq.q {
		prefix, after, times := fq.Schedule(&fq.q[i])
		if prefix == "" && !api || prefix != "" && !strings.HasPrefix(path, prefix) {
			continue
		}
		if *after > 0 {
			*after--
			return none, false
		}
		taken := fq.q[i]
		*times--
		if *times == 0 {
			fq.q = append(fq.q[:i], fq.q[i+1:]...)
		}
		return taken, true
	}
	return none, false
}
