package idindex

import "hash/maphash"

// Index maps IDs to the positions of the records that hold them. It does
// not keep the IDs: idAt, given at New, reads the ID of the record at a
// position, so the records must not move while the Index is in use.
//
// Lookups may run on several goroutines at once, but not beside Add.
type Index struct {
	// slots are open-addressed with linear probing. A used slot holds the
	// high 32 bits of its ID's hash above its position plus one, so that
	// an empty slot is 0; the hash bits also pick the slot, which lets
	// the table grow without reading the IDs again.
	slots []uint64
	mask  uint64
	n     int
	seed  maphash.Seed
	idAt  func(pos int32) string
}

// minSlots keeps a small index from growing at every other Add.
const minSlots = 16

// New returns an empty Index with room for capacity IDs before it grows.
// idAt must return the ID of the record at any position added.
func New(capacity int, idAt func(pos int32) string) *Index {
	x := &Index{seed: maphash.MakeSeed(), idAt: idAt}
	x.slots = make([]uint64, slotsFor(capacity))
	x.mask = uint64(len(x.slots) - 1)
	return x
}

// slotsFor is the power of two that holds n IDs at most three quarters
// full: beyond that, linear probing's runs grow quickly.
func slotsFor(n int) int {
	s := minSlots
	for s/4*3 < n {
		s *= 2
	}
	return s
}

// Len returns the number of IDs in x.
func (x *Index) Len() int { return x.n }

// Get returns the position of the record with ID id.
func (x *Index) Get(id string) (pos int32, ok bool) {
	pos, _, ok = probe(x, maphash.String(x.seed, id)>>32, id)
	return pos, ok
}

// GetBytes is Get for an ID held as bytes, such as one a decoder has not
// yet made a string of.
func (x *Index) GetBytes(id []byte) (pos int32, ok bool) {
	pos, _, ok = probe(x, maphash.Bytes(x.seed, id)>>32, id)
	return pos, ok
}

// Add records that the record at pos has ID id, unless x already holds id:
// then it returns the position held, and added false. pos must not be
// negative.
func (x *Index) Add(id string, pos int32) (held int32, added bool) {
	if pos < 0 {
		panic("idindex: negative position")
	}
	if (x.n+1)*4 > len(x.slots)*3 {
		x.grow()
	}
	tag := maphash.String(x.seed, id) >> 32
	held, free, found := probe(x, tag, id)
	if found {
		return held, false
	}
	x.slots[free] = tag<<32 | uint64(uint32(pos)+1)
	x.n++
	return pos, true
}

// probe walks the run of slots that tag, id's hash bits, starts: it
// returns the position held for id, or the free slot that ends the run,
// where id belongs. Bytes and strings share it without a conversion that
// allocates.
func probe[ID string | []byte](x *Index, tag uint64, id ID) (pos int32, free uint64, found bool) {
	for i := tag & x.mask; ; i = (i + 1) & x.mask {
		s := x.slots[i]
		if s == 0 {
			return 0, i, false
		}
		if s>>32 == tag {
			if p := int32(uint32(s) - 1); x.idAt(p) == string(id) {
				return p, 0, true
			}
		}
	}
}

// put stores slot s in the first free slot of its run.
func (x *Index) put(s uint64) {
	i := (s >> 32) & x.mask
	for x.slots[i] != 0 {
		i = (i + 1) & x.mask
	}
	x.slots[i] = s
}

func (x *Index) grow() {
	old := x.slots
	x.slots = make([]uint64, 2*len(old))
	x.mask = uint64(len(x.slots) - 1)
	for _, s := range old {
		if s != 0 {
			x.put(s)
		}
	}
}
