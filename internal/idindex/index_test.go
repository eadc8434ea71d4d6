package idindex

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

func TestIndex(t *testing.T) {
	ids := []string{"b", "a", "", "b", "c", "a"}
	x := New(0, func(p int32) string { return ids[p] })
	var added []bool
	for i, id := range ids {
		held, ok := x.Add(id, int32(i))
		added = append(added, ok)
		if want := int32(firstIndex(ids, id)); held != want {
			t.Errorf("Add(%q, %d) held %d, want the first position %d", id, i, held, want)
		}
	}
	if want := []bool{true, true, true, false, true, false}; fmt.Sprint(added) != fmt.Sprint(want) {
		t.Errorf("added = %v, want %v", added, want)
	}
	if x.Len() != 4 {
		t.Errorf("Len = %d, want 4", x.Len())
	}
	for _, tc := range []struct {
		id   string
		pos  int32
		want bool
	}{
		{"a", 1, true}, {"b", 0, true}, {"c", 4, true}, {"", 2, true},
		{"d", 0, false}, {"aa", 0, false},
	} {
		pos, ok := x.Get(tc.id)
		if ok != tc.want || (ok && pos != tc.pos) {
			t.Errorf("Get(%q) = %d, %v; want %d, %v", tc.id, pos, ok, tc.pos, tc.want)
		}
		bpos, bok := x.GetBytes([]byte(tc.id))
		if bpos != pos || bok != ok {
			t.Errorf("GetBytes(%q) = %d, %v; Get gave %d, %v", tc.id, bpos, bok, pos, ok)
		}
	}
}

func firstIndex(ids []string, id string) int {
	for i, v := range ids {
		if v == id {
			return i
		}
	}
	return -1
}

// TestIndex_MatchesMap adds enough IDs, a tenth of them repeated, to grow
// the table from its smallest many times over and to give some IDs the
// same 32-bit hash piece (about ten pairs among 300,000), and checks every
// answer against a map's.
func TestIndex_MatchesMap(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	const n = 300_000
	ids := make([]string, n)
	for i := range ids {
		if i > 0 && r.IntN(10) == 0 {
			ids[i] = ids[r.IntN(i)]
			continue
		}
		ids[i] = fmt.Sprintf("%024x", r.Uint64())
	}
	want := make(map[string]int32, n)
	x := New(0, func(p int32) string { return ids[p] })
	for i, id := range ids {
		_, dup := want[id]
		if !dup {
			want[id] = int32(i)
		}
		if held, added := x.Add(id, int32(i)); added == dup || held != want[id] {
			t.Fatalf("Add(%q, %d) = %d, %v; want %d, %v", id, i, held, added, want[id], !dup)
		}
	}
	if x.Len() != len(want) {
		t.Fatalf("Len = %d, want %d", x.Len(), len(want))
	}
	for id, pos := range want {
		if got, ok := x.Get(id); !ok || got != pos {
			t.Fatalf("Get(%q) = %d, %v; want %d", id, got, ok, pos)
		}
		absent := id + "x"
		if got, ok := x.Get(absent); ok {
			t.Fatalf("Get(%q) = %d, true; it was never added", absent, got)
		}
	}
}

func TestIndex_SizedOnce(t *testing.T) {
	for _, n := range []int{0, 1, 12, 13, 1000, 1 << 20} {
		x := New(n, func(int32) string { return "" })
		slots := len(x.slots)
		if slots&(slots-1) != 0 || slots/4*3 < n {
			t.Errorf("New(%d) has %d slots, want a power of two at most 3/4 full", n, slots)
		}
		if n > minSlots && slots/2/4*3 >= n {
			t.Errorf("New(%d) has %d slots, twice as many as it needs", n, slots)
		}
	}
}

func TestIndex_NegativePosition(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Add with a negative position did not panic")
		}
	}()
	New(0, func(int32) string { return "" }).Add("a", -1)
}

// Ensure looking up an ID held as bytes does not make a string of it: the
// Clever decoder looks up 5.2M section members at XL this way.
func TestIndex_GetBytesAllocatesNothing(t *testing.T) {
	ids := []string{"5a25ff950a5f621109000004", "5a25ff950a5f621109000005"}
	x := New(len(ids), func(p int32) string { return ids[p] })
	for i, id := range ids {
		x.Add(id, int32(i))
	}
	known, unknown := []byte(ids[1]), []byte("5a25ff950a5f621109000006")
	if got := testing.AllocsPerRun(100, func() {
		if _, ok := x.GetBytes(known); !ok {
			t.Fatal("lost a known ID")
		}
		x.GetBytes(unknown)
	}); got != 0 {
		t.Errorf("GetBytes allocates %.1f times a lookup", got)
	}
}
