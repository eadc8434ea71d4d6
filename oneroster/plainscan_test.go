package oneroster

import (
	"encoding/binary"
	"math/rand/v2"
	"testing"
)

// Ensure notPlain, eight bytes at a time, says what a byte at a time says:
// every byte value at every place among plain ones, then random words.
func TestNotPlain(t *testing.T) {
	bytewise := func(w []byte) bool {
		for _, c := range w {
			if c == '"' || c == '\\' || c < 0x20 || c >= 0x80 {
				return true
			}
		}
		return false
	}
	check := func(w []byte) {
		t.Helper()
		if got, want := notPlain(binary.LittleEndian.Uint64(w)), bytewise(w); got != want {
			t.Fatalf("notPlain(%q) = %v, want %v", w, got, want)
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
