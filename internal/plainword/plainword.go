package plainword

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
