package connector

import "time"

// MemoryWith makes the engine call collect where it would run a garbage
// collection, and release where it would hand the heap's free pages back
// to the system.
func (e *Engine) MemoryWith(collect, release func()) *Engine {
	e.collect, e.releaseMemory = collect, release
	return e
}

// ClockWith makes the engine read the time from now.
func (e *Engine) ClockWith(now func() time.Time) *Engine {
	e.now = now
	return e
}
