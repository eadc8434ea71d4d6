package fakeoneroster

import (
	"cmp"
	"runtime"
	"slices"
	"sort"
	"sync"
)

// Dataset is what the fake serves: each OneRoster collection as
// pre-encoded JSON objects sorted by sourcedId, plus the indexes the
// filtered and nested endpoints page through. Users and demographics are
// encoded once per version (the two versions model roles differently);
// every other collection is encoded once and served by both trees. A
// Dataset is immutable once built and safe for concurrent use.
type Dataset struct {
	// colls holds each collection per version (0 for 1.1, 1 for 1.2);
	// collections the versions share point at one store.
	colls [numColls][2]*store
	// schools lists the positions of the orgs of type school.
	schools []int32
	// roles lists, per version and OneRoster role, the positions of the
	// users holding it (1.1: the user's one role; 1.2: any of roles[]).
	roles [2]map[string][]int32
	// classesBySchool lists the classes of each school, by position.
	classesBySchool map[string][]int32
	// classStudents and classTeachers list, per class position, the users
	// enrolled in it; userClasses lists, per user position, their classes.
	classStudents, classTeachers [][]int32
	userClasses                  [][]int32

	cache filterCache
}

// The collections, in the order a crawl usually reads them.
const (
	collOrgs = iota
	collSessions
	collCourses
	collClasses
	collUsers
	collEnrollments
	collDemographics
	numColls
)

// collectionNames are the top-level collection paths of each collection.
var collectionNames = [numColls]string{"orgs", "academicSessions", "courses", "classes", "users", "enrollments", "demographics"}

// Len returns the number of records of collection ("orgs", "schools",
// "academicSessions", "terms", "courses", "classes", "users", "students",
// "teachers", "enrollments" or "demographics") as version v serves it, or
// 0 for an unknown name.
func (d *Dataset) Len(v Version, collection string) int {
	ep, ok := endpoints[collection]
	if !ok || (v != V1p1 && v != V1p2) {
		return 0
	}
	return d.baseView(v, ep).len()
}

// Records are packed into byte blocks that double in size from
// minChunkSize to maxChunkSize: a large district needs only a few hundred,
// and a collection of one district wastes little.
const (
	minChunkSize = 64 << 10
	maxChunkSize = 4 << 20
)

// recRef locates one record in a store, its ID followed by its JSON, and
// keeps the two fields every filter can name without decoding it.
type recRef struct {
	chunk  uint32
	off    uint32
	idLen  uint32
	recLen uint32
	// modified is dateLastModified in Unix milliseconds.
	modified int64
	deleted  bool
}

// store is one collection: records packed into chunks, in ID order.
type store struct {
	chunks [][]byte
	refs   []recRef
}

func (s *store) len() int { return len(s.refs) }

func (s *store) id(i int) []byte {
	r := s.refs[i]
	return s.chunks[r.chunk][r.off : r.off+r.idLen]
}

func (s *store) record(i int) []byte {
	r := s.refs[i]
	start := r.off + r.idLen
	return s.chunks[r.chunk][start : start+r.recLen]
}

// find returns the position of the first record with ID id.
func (s *store) find(id string) (int, bool) {
	i := sort.Search(s.len(), func(i int) bool { return string(s.id(i)) >= id })
	if i < s.len() && string(s.id(i)) == id {
		return i, true
	}
	return 0, false
}

// encoded is one record as an encoder returns it.
type encoded struct {
	json     []byte
	modified int64
	deleted  bool
}

func (s *store) add(id string, rec encoded) {
	n := len(id) + len(rec.json)
	last := len(s.chunks) - 1
	if last < 0 || cap(s.chunks[last])-len(s.chunks[last]) < n {
		size := minChunkSize
		if last >= 0 {
			size = min(maxChunkSize, 2*cap(s.chunks[last]))
		}
		s.chunks = append(s.chunks, make([]byte, 0, max(size, n)))
		last++
	}
	c := s.chunks[last]
	off := len(c)
	c = append(c, id...)
	c = append(c, rec.json...)
	s.chunks[last] = c
	s.refs = append(s.refs, recRef{
		chunk: uint32(last), off: uint32(off), idLen: uint32(len(id)), recLen: uint32(len(rec.json)),
		modified: rec.modified, deleted: rec.deleted,
	})
}

// appendStore moves the records of t after those of s.
func (s *store) appendStore(t *store) {
	shift := uint32(len(s.chunks))
	s.chunks = append(s.chunks, t.chunks...)
	for _, r := range t.refs {
		r.chunk += shift
		s.refs = append(s.refs, r)
	}
}

// view is a sequence of records of one store: all of them, or the
// positions sel lists.
type view struct {
	st       *store
	sel      []int32
	filtered bool
}

func (v view) len() int {
	if v.filtered {
		return len(v.sel)
	}
	return v.st.len()
}

// at returns the store position of the k-th record of the view.
func (v view) at(k int) int {
	if v.filtered {
		return int(v.sel[k])
	}
	return k
}

// sortedOrder returns the indexes 0..n-1 ordered by id, keeping records
// with equal IDs in their input order.
func sortedOrder(n int, id func(i int) string) []int32 {
	order := make([]int32, n)
	for i := range order {
		order[i] = int32(i)
	}
	byID := func(a, b int32) int { return cmp.Compare(id(int(a)), id(int(b))) }
	if !slices.IsSortedFunc(order, byID) {
		slices.SortStableFunc(order, byID)
	}
	return order
}

// buildStore encodes the records order lists into a store, in that order.
// encode appends record i to dst. Large collections are encoded by one
// worker per CPU, each into its own chunks, which are then joined.
func buildStore(order []int32, id func(i int) string, encode func(dst []byte, i int) encoded) *store {
	workers := runtime.GOMAXPROCS(0)
	if len(order) < 4096 || workers < 2 {
		return buildRange(order, id, encode)
	}
	parts := make([]*store, workers)
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := len(order)*w/workers, len(order)*(w+1)/workers
		wg.Go(func() { parts[w] = buildRange(order[lo:hi], id, encode) })
	}
	wg.Wait()
	s := &store{refs: make([]recRef, 0, len(order))}
	for _, p := range parts {
		s.appendStore(p)
	}
	return s
}

func buildRange(order []int32, id func(i int) string, encode func(dst []byte, i int) encoded) *store {
	s := &store{refs: make([]recRef, 0, len(order))}
	var scratch []byte
	for _, i := range order {
		rec := encode(scratch[:0], int(i))
		scratch = rec.json
		s.add(id(int(i)), rec)
	}
	return s
}

// filterCache keeps the selections of recently used filters that need
// records decoded, so paging through a filtered collection decodes it
// once rather than once a page.
type filterCache struct {
	mu sync.Mutex
	m  map[string][]int32
}

const maxCachedFilters = 32

func (c *filterCache) get(key string) ([]int32, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	sel, ok := c.m[key]
	return sel, ok
}

func (c *filterCache) put(key string, sel []int32) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxCachedFilters {
		c.m = make(map[string][]int32)
	}
	c.m[key] = sel
}
