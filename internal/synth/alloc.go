package synth

import (
	"strconv"
	"strings"
)

// Chunk sizes start small so a tiny district costs microseconds, and grow
// to a size where an XL district's millions of strings and IDs cost a few
// hundred allocations instead of millions.
const (
	arenaMinChunk = 4 << 10
	arenaMaxChunk = 1 << 20
	slabMinChunk  = 64
	slabMaxChunk  = 1 << 16
)

// arena hands out strings carved from large shared buffers. A
// strings.Builder never rewrites bytes it has already handed out through
// String, so each returned string stays valid as the buffer fills.
type arena struct {
	sb    strings.Builder
	chunk int
}

// str returns a string holding a copy of b.
func (a *arena) str(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if a.sb.Cap()-a.sb.Len() < len(b) {
		a.chunk = min(max(2*a.chunk, arenaMinChunk), arenaMaxChunk)
		a.sb = strings.Builder{}
		a.sb.Grow(max(a.chunk, len(b)))
	}
	start := a.sb.Len()
	a.sb.Write(b)
	return a.sb.String()[start:]
}

// slab hands out slices carved from large backing arrays. Every slice has
// its capacity cut to its length, so an append by a caller copies instead
// of overwriting the next record's region.
type slab[T any] struct {
	buf   []T
	chunk int
}

// take returns a slice of n zero values, or nil when n is 0.
func (s *slab[T]) take(n int) []T {
	if n == 0 {
		return nil
	}
	if cap(s.buf)-len(s.buf) < n {
		s.chunk = min(max(2*s.chunk, slabMinChunk), slabMaxChunk)
		s.buf = make([]T, 0, max(s.chunk, n))
	}
	start := len(s.buf)
	s.buf = s.buf[:start+n]
	return s.buf[start : start+n : start+n]
}

// one returns a pointer to a zero value.
func (s *slab[T]) one() *T { return &s.take(1)[0] }

// text builds strings in a scratch buffer and interns them in an arena.
type text struct {
	arena
	buf []byte
}

// begin empties the scratch buffer.
func (t *text) begin() *text {
	t.buf = t.buf[:0]
	return t
}

func (t *text) s(v string) *text {
	t.buf = append(t.buf, v...)
	return t
}

func (t *text) n(v int) *text {
	t.buf = strconv.AppendInt(t.buf, int64(v), 10)
	return t
}

// pad appends v in decimal, zero-padded to width digits.
func (t *text) pad(v, width int) *text {
	var digits [20]byte
	d := strconv.AppendInt(digits[:0], int64(v), 10)
	for i := len(d); i < width; i++ {
		t.buf = append(t.buf, '0')
	}
	t.buf = append(t.buf, d...)
	return t
}

// lower appends v in lower case; the built-in name lists are ASCII.
func (t *text) lower(v string) *text {
	for i := 0; i < len(v); i++ {
		c := v[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		t.buf = append(t.buf, c)
	}
	return t
}

// done returns what was built since begin as a string in the arena.
func (t *text) done() string { return t.str(t.buf) }
