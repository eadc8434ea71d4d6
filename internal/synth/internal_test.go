package synth

import (
	"fmt"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSplit(t *testing.T) {
	tests := []struct {
		total   int
		weights []float64
		want    []int
	}{
		{10, []float64{1, 1}, []int{5, 5}},
		{10, []float64{1, 1, 1}, []int{4, 3, 3}},
		{60, []float64{6, 0, 4}, []int{36, 0, 24}},
		{7, []float64{0.5, 1, 1}, []int{1, 3, 3}},
		{0, []float64{1, 2}, []int{0, 0}},
		{5, []float64{0, 0}, []int{0, 0}},
		{3, []float64{1, 1, 1, 1, 1}, []int{1, 1, 1, 0, 0}},
	}
	for _, tt := range tests {
		got := split(tt.total, tt.weights)
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("split(%d, %v) mismatch (-want +got):\n%s", tt.total, tt.weights, diff)
		}
	}
}

func TestInsertAfter(t *testing.T) {
	tests := []struct {
		s, after, extra, want []int
	}{
		{[]int{0, 1, 2, 3}, []int{0, 2}, []int{10, 12}, []int{0, 10, 1, 2, 12, 3}},
		{[]int{0, 1, 2}, []int{2}, []int{12}, []int{0, 1, 2, 12}},
		{[]int{0, 1, 2}, []int{0, 1, 2}, []int{10, 11, 12}, []int{0, 10, 1, 11, 2, 12}},
		{[]int{0, 1}, nil, nil, []int{0, 1}},
	}
	for _, tt := range tests {
		got := insertAfter(slices.Clone(tt.s), tt.after, tt.extra)
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("insertAfter(%v, %v, %v) mismatch (-want +got):\n%s", tt.s, tt.after, tt.extra, diff)
		}
	}
}

// Ensure IDs ascend within a kind, the kinds of users sort in the order
// the Users slice holds them, and the counter carries into the machine
// bytes instead of wrapping.
func TestMinter(t *testing.T) {
	m := newMinter(7)
	id := func(k kind, n int) string { return string(m.appendID(nil, k, n)) }
	order := []string{
		id(kindStudent, 0), id(kindStudent, 1), id(kindStudent, 5_000_000), id(kindStudent, 1<<24),
		id(kindTeacher, 0), id(kindStaff, 0), id(kindAdmin, 0), id(kindContact, 0), id(kindContact, 3_000_000),
		id(kindGhost, 0),
	}
	if !slices.IsSorted(order) {
		t.Errorf("IDs out of order: %v", order)
	}
	if len(order[0]) != 24 {
		t.Errorf("ID %q is not 24 characters", order[0])
	}
}

// Ensure carved slices cannot be grown into a neighbour's region.
func TestSlab_Append(t *testing.T) {
	var s slab[string]
	a := s.take(2)
	b := s.take(2)
	a[0], a[1], b[0], b[1] = "a0", "a1", "b0", "b1"
	a = append(a, "a2")
	if diff := cmp.Diff([]string{"b0", "b1"}, b); diff != "" {
		t.Errorf("append to a slab slice overwrote the next (-want +got):\n%s", diff)
	}
	if s.take(0) != nil {
		t.Error("take(0) is not nil")
	}
	_ = a
}

// Ensure arena strings survive the buffer filling and moving to new
// chunks.
func TestArena(t *testing.T) {
	var ar text
	var got []string
	for i := range 20_000 {
		got = append(got, ar.begin().s("id-").pad(i, 6).done())
	}
	for i, s := range got {
		if want := fmt.Sprintf("id-%06d", i); s != want {
			t.Fatalf("string %d is %q, want %q", i, s, want)
		}
	}
}
