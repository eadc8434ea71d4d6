package main

import (
	"runtime/debug"
)

// defaultGCPercent is the collector's target (GOGC) when the environment
// sets none. Go's default, 100, lets the heap grow to twice what is live
// before the next collection, and a sync's heap is nearly all live: the
// fetched roster, which at XL is about 0.9 GB by the end of the crawl.
// At 50 the heap stays within one and a half times it. The extra
// collections fall mostly in the fetch, whose pace towards the provider
// leaves a core idle. In rosterd bench, the same binary alternated with
// GOGC=100, XL full syncs peaked at 1,498-1,514 MB against 1,568-1,608
// MB and took 15.0-16.2 s against 15.1-15.4 s, within this machine's
// noise, for one to two CPU-seconds more; 1% change syncs peaked at
// 1,456-1,474 MB against 1,485-1,521 MB. At 25 the peak was lower still
// (1,318-1,347 MB, started by hand), but the fetch and the rules took a
// second longer.
const defaultGCPercent = 50

// tuneGC sets the collector's target to percent unless GOGC, read with
// getenv, says otherwise: an operator's setting always wins.
func tuneGC(getenv func(string) string, percent int) {
	if getenv("GOGC") != "" {
		return
	}
	debug.SetGCPercent(percent)
}

// minMemoryLimit is the smallest memory_limit a config may set: the
// process itself, before any roster, takes about 30 MB, and a limit near
// that would leave the collector running all the time.
const minMemoryLimit = 64 << 20

// limitMemory sets the runtime's soft memory limit to limit (0: none)
// unless GOMEMLIMIT, read with getenv, says otherwise, and returns the
// limit in force and whether the environment set it. Near the limit the
// collector runs more often, trading CPU for memory; it never fails an
// allocation, so a roster too big for the limit is slower, not lost.
func limitMemory(getenv func(string) string, limit ByteSize) (inForce ByteSize, fromEnv bool) {
	if getenv("GOMEMLIMIT") != "" {
		return ByteSize(debug.SetMemoryLimit(-1)), true
	}
	if limit > 0 {
		debug.SetMemoryLimit(int64(limit))
	}
	return limit, false
}
