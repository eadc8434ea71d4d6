package spill

import (
	"fmt"
	"os"
	"unsafe"

	"golang.org/x/sys/unix"
)

const canMap = true

// mapSegment grows the file by size bytes and maps the new stretch.
func (a *Arena) mapSegment(size int) (*segment, error) {
	if a.file == nil {
		return &segment{data: make([]byte, size)}, nil
	}
	page := int64(unix.Getpagesize())
	length := (int64(size) + page - 1) / page * page
	// Reserve the blocks rather than only extending the file: a write
	// into a hole of a full disk would fault the process, where a failed
	// reservation only sends the segment to the heap.
	if err := unix.Fallocate(int(a.file.Fd()), 0, a.size, length); err != nil {
		return nil, fmt.Errorf("grow spill file: %w", err)
	}
	data, err := unix.Mmap(int(a.file.Fd()), a.size, int(length), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		return nil, fmt.Errorf("map spill file: %w", err)
	}
	s := &segment{data: data, mapped: true, at: a.size}
	a.size += length
	return s, nil
}

// evict drops the whole pages of s.data[lo:hi] from the resident set. The
// mapping is of a file, so their contents stay in the page cache or on
// disk and come back on the next read.
func (s *segment) evict(lo, hi int) {
	if !s.mapped {
		return
	}
	page := unix.Getpagesize()
	lo = (lo + page - 1) / page * page
	hi = hi / page * page
	if hi <= lo {
		return
	}
	// Advice only: failing to take it costs memory, never correctness.
	_ = unix.Madvise(s.data[lo:hi], unix.MADV_DONTNEED)
}

// punch frees s.data[lo:hi], whole pages, from file: a hole that reads as
// zeros, its page cache and blocks given back.
func (s *segment) punch(file *os.File, lo, hi int) {
	if !s.mapped {
		return
	}
	// Advice only, as evict: a file system that cannot punch holes keeps
	// the pages until the arena closes.
	_ = unix.Fallocate(int(file.Fd()), unix.FALLOC_FL_PUNCH_HOLE|unix.FALLOC_FL_KEEP_SIZE, s.at+int64(lo), int64(hi-lo))
}

func (s *segment) unmap() error {
	if !s.mapped {
		return nil
	}
	s.mapped = false
	return unix.Munmap(s.data)
}

func uintptrOf(p *byte) uintptr { return uintptr(unsafe.Pointer(p)) }
