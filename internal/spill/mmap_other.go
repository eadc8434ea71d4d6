//go:build !linux

package spill

import (
	"os"
	"unsafe"
)

const canMap = false

func (a *Arena) mapSegment(size int) (*segment, error) {
	return &segment{data: make([]byte, size)}, nil
}

func (s *segment) evict(lo, hi int) {}

func (s *segment) punch(file *os.File, lo, hi int) {}

func (s *segment) unmap() error { return nil }

func uintptrOf(p *byte) uintptr { return uintptr(unsafe.Pointer(p)) }
