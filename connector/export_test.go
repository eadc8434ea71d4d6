package connector

// MemoryWith makes the engine call collect where it would run a garbage
// collection, and release where it would hand the heap's free pages back
// to the system.
func (e *Engine) MemoryWith(collect, release func()) *Engine {
	e.collect, e.releaseMemory = collect, release
	return e
}
