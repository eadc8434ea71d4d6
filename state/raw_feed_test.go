package state

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Until the feed ends, its passes work on one CPU at a time, leaving the
// rest to the fetch; after, on as many as they like.
func TestRawFeed_Busy(t *testing.T) {
	f := newRawFeed(nil)
	most := func() int32 {
		var now, most atomic.Int32
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				_ = f.busy(func() error {
					n := now.Add(1)
					for {
						m := most.Load()
						if n <= m || most.CompareAndSwap(m, n) {
							break
						}
					}
					time.Sleep(20 * time.Millisecond)
					now.Add(-1)
					return nil
				})
			})
		}
		wg.Wait()
		return most.Load()
	}
	if n := most(); n != 1 {
		t.Errorf("before the feed ended, %d pieces of work ran at once; want 1", n)
	}
	f.end()
	if n := most(); n < 2 {
		t.Errorf("after the feed ended, at most %d piece of work ran at once; want them all", n)
	}
}
