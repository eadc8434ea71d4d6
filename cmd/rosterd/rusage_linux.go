package main

import (
	"os"
	"syscall"
)

// peakRSS is a finished child's peak resident set size in bytes; Linux
// reports ru_maxrss in kilobytes.
func peakRSS(ps *os.ProcessState) int64 {
	if ps == nil {
		return 0
	}
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		return ru.Maxrss * 1024
	}
	return 0
}
