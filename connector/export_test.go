package connector

// ReleaseMemoryWith makes the engine call release where it would hand the
// heap's free pages back to the system.
func (e *Engine) ReleaseMemoryWith(release func()) *Engine {
	e.releaseMemory = release
	return e
}
