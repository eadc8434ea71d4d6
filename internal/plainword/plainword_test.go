package plainword

import (
	"encoding/binary"
	"math/bits"
	"math/rand/v2"
	"testing"
)

// firstNotPlain is NotPlain's rule a byte at a time: the index of the
// first byte that is not plain, or 8.
func firstNotPlain(w []byte) int {
	for i, c := range w {
		if c == '"' || c == '\\' || c < 0x20 || c >= 0x80 {
			return i
		}
	}
	return 8
}

// Ensure NotPlain finds the first byte that is not plain exactly: every
// byte value at every place among plain ones, then random words.
func TestNotPlain(t *testing.T) {
	check := func(w []byte) {
		t.Helper()
		got := 8
		if m := NotPlain(binary.LittleEndian.Uint64(w)); m != 0 {
			got = bits.TrailingZeros64(m) / 8
		}
		if want := firstNotPlain(w); got != want {
			t.Fatalf("NotPlain(%q) flags byte %d first, want %d", w, got, want)
		}
	}
	for at := range 8 {
		for c := range 256 {
			w := []byte("abcdefgh")
			w[at] = byte(c)
			check(w)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	w := make([]byte, 8)
	for range 1_000_000 {
		for i := range w {
			// Mostly printable ASCII, as pages are, so that words of only
			// plain bytes are common.
			if rng.IntN(4) == 0 {
				w[i] = byte(rng.IntN(256))
			} else {
				w[i] = byte(0x20 + rng.IntN(0x60))
			}
		}
		check(w)
	}
}

// Ensure SkipSpace skips exactly JSON's four whitespace bytes.
func TestSkipSpace(t *testing.T) {
	tests := []struct {
		in   string
		from int
		want int
	}{
		{"", 0, 0},
		{"x", 0, 0},
		{" \t\r\nx", 0, 4},
		{"a  b", 1, 3},
		{"   ", 1, 3},
		{"\v\fx", 0, 0}, // not JSON whitespace
		{" \u00a0", 0, 1},
	}
	for _, tt := range tests {
		if got := SkipSpace([]byte(tt.in), tt.from); got != tt.want {
			t.Errorf("SkipSpace(%q, %d) = %d, want %d", tt.in, tt.from, got, tt.want)
		}
	}
}

// Ensure SkipPlain stops at the first byte that is not plain when a word
// holds it, and otherwise at the start of the last eight or fewer bytes,
// never past a byte that is not plain, for every length and start.
func TestSkipPlain(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for n := range 40 {
		for range 200 {
			b := make([]byte, n)
			for i := range b {
				b[i] = byte(0x20 + rng.IntN(0x60))
			}
			if n > 0 && rng.IntN(2) == 0 {
				b[rng.IntN(n)] = []byte{'"', '\\', 0x01, 0xff}[rng.IntN(4)]
			}
			for from := 0; from <= n; from++ {
				got := SkipPlain(b, from)
				first := from
				for first < n && firstNotPlain(b[first:first+1]) != 0 {
					first++
				}
				words := (n - from) / 8 * 8
				want := from + words
				if first < from+words {
					want = first
				}
				if got != want {
					t.Fatalf("SkipPlain(%q, %d) = %d, want %d", b, from, got, want)
				}
			}
		}
	}
}
