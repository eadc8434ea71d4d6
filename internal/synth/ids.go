package synth

// kind is a family of IDs. Each kind has its own 4-byte timestamp, so IDs
// are unique across kinds and the kinds of users sort in the order the
// Users slice holds them: students, teachers, staff, district admins,
// contacts.
type kind uint8

const (
	kindDistrict kind = iota
	kindSchool
	kindTerm
	kindCourse
	kindSection
	kindStudent
	kindTeacher
	kindStaff
	kindAdmin
	kindContact
	// kindGhost is never given to a record: dangling references use it.
	kindGhost
	numKinds
)

// minter makes Mongo ObjectID-shaped IDs like Clever's: a 4-byte
// timestamp, 5 "machine" bytes and a 3-byte counter. Records of one kind
// get consecutive counters, so their IDs ascend in creation order, which
// is the order Clever pages in.
type minter struct {
	hi [numKinds]uint32
	lo [numKinds]uint64
}

func newMinter(seed int64) minter {
	r := newRNG(seed, streamIDs)
	var m minter
	// Timestamps between 2017 and 2022, a few weeks apart per kind, as a
	// district's initial sync would leave them.
	base := uint32(0x5a000000 + r.intn(0x0a000000))
	for k := range numKinds {
		m.hi[k] = base + uint32(k)*0x00200000 + uint32(r.intn(0x1000))
		// 39 machine bits leave room for any counter without overflow.
		machine := r.next() >> 25
		m.lo[k] = machine<<24 | uint64(r.intn(1<<20))
	}
	return m
}

const hexDigits = "0123456789abcdef"

// appendID appends the ID of the n-th record of kind k.
func (m *minter) appendID(dst []byte, k kind, n int) []byte {
	hi, lo := m.hi[k], m.lo[k]+uint64(n)
	for shift := 28; shift >= 0; shift -= 4 {
		dst = append(dst, hexDigits[hi>>shift&0xf])
	}
	for shift := 60; shift >= 0; shift -= 4 {
		dst = append(dst, hexDigits[lo>>shift&0xf])
	}
	return dst
}
