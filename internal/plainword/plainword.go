package plainword

import (
	"encoding/binary"
	"math/bits"
)

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// NotPlain returns w, eight bytes of a string read little-endian, with
// the high bit set in its lowest byte that is a quote, a backslash, a
// control character or not ASCII, and zero if there is none. Higher bytes
// may be flagged wrongly (a borrow carries), never the lowest, so
// bits.TrailingZeros64(m)/8 is the index of the first such byte.
func NotPlain(w uint64) uint64 {
	return (zero(w^(ones*'"')) | zero(w^(ones*'\\')) | (w - ones*' ') | w) & highs
}

// zero flags the bytes of v that are zero, the lowest exactly.
func zero(v uint64) uint64 { return (v - ones) &^ v & highs }

// SkipPlain returns the index of the first byte of b from i on that
// NotPlain flags, reading eight bytes at a time, or the start of the last
// eight or fewer bytes when none of the words before flags any: the
// caller reads on byte by byte from there.
func SkipPlain(b []byte, i int) int {
	for ; i+8 <= len(b); i += 8 {
		if m := NotPlain(binary.LittleEndian.Uint64(b[i:])); m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	return i
}

// SkipSpace returns the index of the first byte of b from i on that is
// not whitespace as JSON defines it, or len(b).
func SkipSpace(b []byte, i int) int {
	for i < len(b) {
		switch b[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}
