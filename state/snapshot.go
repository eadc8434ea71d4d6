package state

import (
	"bytes"
	"fmt"
	"slices"

	"github.com/rosterd/rosterd/internal/codec"
	"github.com/rosterd/rosterd/roster"
	bolt "go.etcd.io/bbolt"
)

// Snapshot is a read-only, consistent view of one connection's committed
// state, open for the duration of a View call.
//
// Every byte slice it returns points into bbolt's memory map: it is valid
// only until fn returns and must never be modified. Copy what must outlive
// the call. A Snapshot is not safe for concurrent use, and using one after
// its View returned panics.
type Snapshot struct {
	conn   string
	head   Head
	cursor []byte
	// kinds and gets are indexed like roster.Kinds; a nil bucket is a kind
	// never written. gets holds one cursor per kind, reused by Get so a
	// lookup allocates nothing.
	kinds  []*bolt.Bucket
	gets   []*bolt.Cursor
	closed bool

	// reads counts the bytes of records returned, to release the view's
	// mapped pages every releaseEvery.
	reads mappedReads
}

// releaseEvery is how many bytes of records a Snapshot returns between
// releases of the file's mapped pages (releaseMapped): a diff reads each
// committed record once, and keeping what it has read resident only grows
// the process's RSS by the size of the file. At 16 MiB rather than 64 an
// XL 1% change resync under a 950MiB memory limit peaked at 1,086 MB
// instead of 1,113 MB, its preflight 1.55 s against 1.46 s (one run each).
var releaseEvery = 16 << 20

// View runs fn with a Snapshot of connection conn's committed state. A
// connection never committed has an empty Snapshot. The Snapshot, and
// every byte slice it returns, is valid only inside fn; see Snapshot.
//
// fn must not call the Store's writing methods: a commit may need to grow
// the memory map, which waits for this read transaction to end.
func (s *Store) View(conn string, fn func(*Snapshot) error) error {
	if conn == "" {
		return fmt.Errorf("view: connection name is empty")
	}
	return s.db.View(func(tx *bolt.Tx) error {
		sn, err := newSnapshot(tx, conn)
		if err != nil {
			return fmt.Errorf("view %s: %w", conn, err)
		}
		defer sn.close()
		return fn(sn)
	})
}

func newSnapshot(tx *bolt.Tx, conn string) (*Snapshot, error) {
	sn := &Snapshot{
		reads: mappedReads{tx: tx, every: releaseEvery},
		conn:  conn,
		kinds: make([]*bolt.Bucket, len(roster.Kinds)),
		gets:  make([]*bolt.Cursor, len(roster.Kinds)),
	}
	cb := tx.Bucket(bucketConnections).Bucket([]byte(conn))
	if cb == nil {
		return sn, nil
	}
	var err error
	if sn.head, err = readHead(cb); err != nil {
		return nil, err
	}
	sn.cursor = cb.Get(keyCursor)
	if rb := cb.Bucket(bucketRoster); rb != nil {
		for i, kind := range roster.Kinds {
			sn.kinds[i] = rb.Bucket([]byte(kind))
		}
	}
	return sn, nil
}

// close makes later use of sn panic instead of reading unmapped memory.
func (sn *Snapshot) close() {
	sn.closed = true
	sn.cursor = nil
	clear(sn.kinds)
	clear(sn.gets)
	sn.reads = mappedReads{}
}

func (sn *Snapshot) mustBeOpen() {
	if sn.closed {
		panic("state: Snapshot of " + sn.conn + " used after its View returned")
	}
}

// bucket returns the bucket of kind and its index in roster.Kinds, or
// (nil, -1) for a kind the store does not know.
func (sn *Snapshot) bucket(kind roster.Kind) (*bolt.Bucket, int) {
	sn.mustBeOpen()
	i := slices.Index(roster.Kinds, kind)
	if i < 0 {
		return nil, -1
	}
	return sn.kinds[i], i
}

// Head returns the run whose commit last changed the roster; the zero
// Head when nothing was ever committed.
func (sn *Snapshot) Head() Head {
	sn.mustBeOpen()
	return sn.head
}

// Cursor returns the source cursor stored by the last commit that set
// one, or nil.
func (sn *Snapshot) Cursor() []byte {
	sn.mustBeOpen()
	return sn.cursor
}

// Get returns the encoded record of kind with the given id, or nil when
// there is none. It neither copies nor decodes, so comparing a freshly
// encoded record with its committed bytes costs one tree lookup.
func (sn *Snapshot) Get(kind roster.Kind, id string) []byte {
	b, i := sn.bucket(kind)
	if b == nil || id == "" {
		return nil
	}
	c := sn.gets[i]
	if c == nil {
		c = b.Cursor()
		sn.gets[i] = c
	}
	key := keyBytes(id)
	k, v := c.Seek(key)
	if !bytes.Equal(k, key) {
		return nil
	}
	sn.reads.read(len(k) + len(v))
	return v
}

// ForEach calls fn for every record of kind in ID order, stopping at the
// first error fn returns. id and data are valid only during the call.
func (sn *Snapshot) ForEach(kind roster.Kind, fn func(id, data []byte) error) error {
	b, i := sn.bucket(kind)
	if i < 0 {
		return unknownKind("for each", kind)
	}
	if b == nil {
		return nil
	}
	return b.ForEach(func(k, v []byte) error {
		sn.reads.read(len(k) + len(v))
		return fn(k, v)
	})
}

// Page calls fn for at most limit records of kind whose IDs sort after
// after ("" for the first page), in ID order, stopping at the first error
// fn returns. A reader pages through a large kind without walking what it
// has already read. id and data are valid only during the call.
func (sn *Snapshot) Page(kind roster.Kind, after string, limit int, fn func(id, data []byte) error) error {
	b, i := sn.bucket(kind)
	if i < 0 {
		return unknownKind("page", kind)
	}
	if b == nil || limit <= 0 {
		return nil
	}
	c := b.Cursor()
	k, v := c.First()
	if after != "" {
		start := keyBytes(after)
		k, v = c.Seek(start)
		if k != nil && bytes.Equal(k, start) {
			k, v = c.Next()
		}
	}
	for n := 0; k != nil && n < limit; k, v = c.Next() {
		if err := fn(k, v); err != nil {
			return err
		}
		n++
	}
	return nil
}

// Count returns the number of records of kind. It reads every page of the
// kind's tree, so call it once per run, not per record.
func (sn *Snapshot) Count(kind roster.Kind) int {
	b, _ := sn.bucket(kind)
	if b == nil {
		return 0
	}
	return b.Stats().KeyN
}

// Roster decodes the whole committed roster, every collection in ID
// order. It allocates the roster in full: meant for tests, exports and the
// read API, not for diffing.
func (sn *Snapshot) Roster() (*roster.Roster, error) {
	sn.mustBeOpen()
	r, err := decodeRoster(snapshotRecords{sn})
	if err != nil {
		return nil, fmt.Errorf("decode roster of %s: %w", sn.conn, err)
	}
	return r, nil
}

// recordSource walks a roster's records, kind by kind: the committed
// roster of a Snapshot, or RosterAt's roster of a past run.
type recordSource interface {
	// count returns about how many records kind holds: a capacity hint.
	count(kind roster.Kind) int
	// forEach calls fn for every record of kind in ID order.
	forEach(kind roster.Kind, fn func(id, data []byte) error) error
}

type snapshotRecords struct{ sn *Snapshot }

func (s snapshotRecords) count(kind roster.Kind) int { return s.sn.Count(kind) }

func (s snapshotRecords) forEach(kind roster.Kind, fn func(id, data []byte) error) error {
	return s.sn.ForEach(kind, fn)
}

// decodeRoster decodes every record src holds into a Roster.
func decodeRoster(src recordSource) (*roster.Roster, error) {
	r := &roster.Roster{}
	var err error
	if r.Districts, err = decodeKind[roster.District](src, roster.KindDistricts); err != nil {
		return nil, err
	}
	if r.Schools, err = decodeKind[roster.School](src, roster.KindSchools); err != nil {
		return nil, err
	}
	if r.Terms, err = decodeKind[roster.Term](src, roster.KindTerms); err != nil {
		return nil, err
	}
	if r.Courses, err = decodeKind[roster.Course](src, roster.KindCourses); err != nil {
		return nil, err
	}
	if r.Sections, err = decodeKind[roster.Section](src, roster.KindSections); err != nil {
		return nil, err
	}
	if r.Users, err = decodeKind[roster.User](src, roster.KindUsers); err != nil {
		return nil, err
	}
	return r, nil
}

// decodeKind decodes every record of kind into a T. Decoding copies what
// it keeps, so the result outlives the transaction.
func decodeKind[T any](src recordSource, kind roster.Kind) ([]T, error) {
	n := src.count(kind)
	if n == 0 {
		return nil, nil
	}
	out := make([]T, 0, n)
	err := src.forEach(kind, func(id, data []byte) error {
		var rec T
		if err := codec.Unmarshal(data, &rec); err != nil {
			return fmt.Errorf("%s/%s: %w", kind, id, err)
		}
		out = append(out, rec)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// Connections returns the names of the connections whose roster a commit
// has changed, sorted.
func (s *Store) Connections() ([]string, error) {
	var names []string
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketConnections).ForEachBucket(func(name []byte) error {
			if tx.Bucket(bucketConnections).Bucket(name).Get(keyHead) != nil {
				names = append(names, string(name))
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("list connections: %w", err)
	}
	return names, nil
}
