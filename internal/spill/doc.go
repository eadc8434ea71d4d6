// Package spill keeps bytes that are written once and read back later,
// such as the encoded records of a large change between the diff that
// produces them and the commit that writes them, off the Go heap.
//
// An Arena writes what it is given to an unlinked temporary file mapped
// into memory, and hands back slices of that mapping. The slices read
// their bytes once Seal has written the last of them, and stay valid
// until Close. Filled segments and released ranges leave the process's
// resident set (the kernel keeps or writes back the pages as it sees fit),
// so a million records cost the page cache, not the heap the collector
// scans and the process is measured by. On systems other than Linux, and
// when the file cannot grow, the arena keeps its segments on the heap,
// which is correct but saves nothing.
package spill
