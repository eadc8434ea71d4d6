package preflight

import (
	"slices"
	"strings"

	"github.com/rosterd/rosterd/internal/idindex"
)

// idIndex is the one ID set of a kind, built once and shared by the
// reference checks, the duplicate check and the diff.
type idIndex struct {
	// first maps each ID to the position of its first occurrence; later
	// occurrences lose, as they would in a commit.
	first *idindex.Index
	// order lists the positions of first occurrences in ID order, the order
	// the diff reads the store in.
	order []int32
	// repeats counts the occurrences of IDs seen more than once, in order
	// of first appearance.
	repeats []repeat
	// missingID lists the positions of records with an empty ID, which are
	// in neither first nor order: a store cannot key them.
	missingID []int32
}

type repeat struct {
	pos   int32 // first occurrence
	count int
}

// has reports whether id is in the set.
func (x *idIndex) has(id string) bool {
	_, ok := x.first.Get(id)
	return ok
}

// buildIndex indexes the IDs of recs.
func buildIndex[T any](recs []T, idOf func(*T) string) idIndex {
	x := idIndex{
		first: idindex.New(len(recs), func(p int32) string { return idOf(&recs[p]) }),
		order: make([]int32, 0, len(recs)),
	}
	var repeatAt map[string]int // id → position in x.repeats
	sorted := true
	prev := ""
	for i := range recs {
		id := idOf(&recs[i])
		if id == "" {
			x.missingID = append(x.missingID, int32(i))
			continue
		}
		if first, added := x.first.Add(id, int32(i)); !added {
			if repeatAt == nil {
				repeatAt = make(map[string]int)
			}
			if at, ok := repeatAt[id]; ok {
				x.repeats[at].count++
			} else {
				repeatAt[id] = len(x.repeats)
				x.repeats = append(x.repeats, repeat{pos: first, count: 2})
			}
			continue
		}
		x.order = append(x.order, int32(i))
		if id < prev {
			sorted = false
		}
		prev = id
	}
	// Sources that page by ID (Clever) deliver sorted slices; sort only
	// when one did not.
	if !sorted {
		slices.SortFunc(x.order, func(a, b int32) int {
			return strings.Compare(idOf(&recs[a]), idOf(&recs[b]))
		})
	}
	return x
}
