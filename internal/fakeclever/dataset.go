package fakeclever

import (
	"bytes"
	"cmp"
	"runtime"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/rosterd/rosterd/roster"
)

// Dataset is what the fake serves: each collection as pre-encoded Clever
// JSON objects sorted by ID, and the users indexed by each role they hold.
// A Dataset is immutable once built and safe for concurrent use.
//
// Records live in a few large byte chunks rather than one allocation each,
// so an XL district costs about its JSON size and gives the garbage
// collector almost nothing to scan.
type Dataset struct {
	colls [len(collectionNames)]store
	// byRole lists, per role, the positions of the users holding it,
	// ascending (so also in ID order).
	byRole map[roster.Role][]int32
	// synced is when the server began serving this data: the district's
	// last_sync, which Clever moves each time it syncs the district's SIS.
	synced time.Time
}

// collectionNames are the list endpoints, in roster.Kinds order.
var collectionNames = [...]string{"districts", "schools", "terms", "courses", "sections", "users"}

const (
	collDistricts = iota
	collSchools
	collTerms
	collCourses
	collSections
	collUsers
)

func collectionIndex(name string) (int, bool) {
	for i, n := range collectionNames {
		if n == name {
			return i, true
		}
	}
	return 0, false
}

// Len returns the number of records in collection ("districts", "schools",
// "terms", "courses", "sections" or "users"), or 0 for an unknown name.
func (d *Dataset) Len(collection string) int {
	c, ok := collectionIndex(collection)
	if !ok {
		return 0
	}
	return d.colls[c].len()
}

// districtID returns the ID of the first district, the owner a token
// listing names by default.
func (d *Dataset) districtID() string {
	if d.colls[collDistricts].len() == 0 {
		return ""
	}
	return string(d.colls[collDistricts].id(0))
}

// indexRole records that the user at position pos holds role.
func (d *Dataset) indexRole(role roster.Role, pos int) {
	if d.byRole == nil {
		d.byRole = make(map[roster.Role][]int32, len(roster.AllRoles))
	}
	d.byRole[role] = append(d.byRole[role], int32(pos))
}

// view returns the records a list request pages through: a whole
// collection, or the users holding one role.
func (d *Dataset) view(coll int, role roster.Role) view {
	v := view{st: &d.colls[coll]}
	if role != "" {
		v.sel = d.byRole[role]
		v.filtered = true
	}
	return v
}

// Records are packed into byte blocks that double in size from
// minChunkSize to maxChunkSize: an XL district needs only a few hundred,
// and a collection of one district wastes little.
const (
	minChunkSize = 64 << 10
	maxChunkSize = 4 << 20
)

// recRef locates one record in a store: its ID followed by its JSON.
type recRef struct {
	chunk  uint32
	off    uint32
	idLen  uint32
	recLen uint32
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

// find returns the position of the record with ID id.
func (s *store) find(id string) (int, bool) {
	i := sort.Search(s.len(), func(i int) bool { return string(s.id(i)) >= id })
	if i < s.len() && string(s.id(i)) == id {
		return i, true
	}
	return 0, false
}

func (s *store) add(id string, rec []byte) {
	n := len(id) + len(rec)
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
	c = append(c, rec...)
	s.chunks[last] = c
	s.refs = append(s.refs, recRef{chunk: uint32(last), off: uint32(off), idLen: uint32(len(id)), recLen: uint32(len(rec))})
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

func (v view) id(k int) []byte { return v.st.id(v.at(k)) }

// after returns the first position whose ID sorts after id.
func (v view) after(id string) int {
	return sort.Search(v.len(), func(k int) bool { return string(v.id(k)) > id })
}

// notBefore returns the first position whose ID is id or sorts after it.
func (v view) notBefore(id string) int {
	return sort.Search(v.len(), func(k int) bool { return string(v.id(k)) >= id })
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
func buildStore(order []int32, id func(i int) string, encode func(dst []byte, i int) []byte) store {
	workers := runtime.GOMAXPROCS(0)
	if len(order) < 4096 || workers < 2 {
		return buildRange(order, id, encode)
	}
	parts := make([]store, workers)
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := len(order)*w/workers, len(order)*(w+1)/workers
		wg.Go(func() { parts[w] = buildRange(order[lo:hi], id, encode) })
	}
	wg.Wait()
	var s store
	s.refs = make([]recRef, 0, len(order))
	for i := range parts {
		s.appendStore(&parts[i])
	}
	return s
}

func buildRange(order []int32, id func(i int) string, encode func(dst []byte, i int) []byte) store {
	var s store
	s.refs = make([]recRef, 0, len(order))
	var scratch []byte
	for _, i := range order {
		scratch = encode(scratch[:0], int(i))
		s.add(id(int(i)), scratch)
	}
	return s
}

// syncedAt returns a copy of d as served from t on: the district's
// last_sync says when the data last changed.
func (d *Dataset) syncedAt(t time.Time) *Dataset {
	c := *d
	c.synced = t
	return &c
}

// writeRecord writes record i of coll, the district with its last_sync.
func (d *Dataset) writeRecord(buf *bytes.Buffer, coll int, st *store, i int) {
	rec := st.record(i)
	if coll != collDistricts || len(rec) < 2 || rec[0] != '{' {
		buf.Write(rec)
		return
	}
	buf.WriteString(`{"last_sync":"`)
	buf.WriteString(d.synced.UTC().Format("2006-01-02T15:04:05.000Z"))
	buf.WriteString(`",`)
	buf.Write(rec[1:])
}
