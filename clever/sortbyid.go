package clever

import (
	"cmp"
	"slices"
	"strings"
)

// sortByID orders recs by the ID id gives, equal IDs in the order they
// had. It sorts an index and then moves each record once, in place: the
// users are the largest part of a roster, and a copy would double them.
// A comparison function over the records themselves would copy two of
// them per call, and taking their IDs through id makes those copies
// escape to the heap: at XL, 441 MB of garbage for one sort of the users.
func sortByID[T any](recs []T, id func(*T) string) {
	byID := func(a, b int32) int {
		if c := strings.Compare(id(&recs[a]), id(&recs[b])); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	}
	sorted := true
	for i := 1; i < len(recs); i++ {
		if byID(int32(i-1), int32(i)) > 0 {
			sorted = false
			break
		}
	}
	if sorted {
		return
	}
	order := make([]int32, len(recs))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, byID)
	// Position j takes the record at order[j]; follow each cycle of the
	// permutation once, marking visited positions with -1.
	for i := range order {
		if order[i] < 0 {
			continue
		}
		saved := recs[i]
		j := i
		for {
			k := int(order[j])
			order[j] = -1
			if k == i {
				recs[j] = saved
				break
			}
			recs[j] = recs[k]
			j = k
		}
	}
}
