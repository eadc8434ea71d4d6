package synth

// rng is splitmix64: small, fast and fixed forever, so a seed names the
// same district on every Go release (math/rand/v2 keeps the right to change
// how IntN and friends consume their source).
type rng struct{ state uint64 }

// Streams keep concerns apart: turning contacts or defects on must not
// change the schools, sections and students a seed gives.
const (
	streamIDs uint64 = iota + 1
	streamDistrict
	streamSchools
	streamSchedule
	streamStudents
	streamTeachers
	streamStaff
	streamContactPlan
	streamContacts
	streamDefects
	streamDuplicates
)

func newRNG(seed int64, stream uint64) rng {
	r := rng{state: uint64(seed)*0x9e3779b97f4a7c15 ^ stream*0xbf58476d1ce4e5b9}
	r.next()
	return r
}

func (r *rng) next() uint64 {
	r.state += 0x9e3779b97f4a7c15
	z := r.state
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// intn returns a number in [0, n) for 0 < n < 2³².
func (r *rng) intn(n int) int {
	return int((r.next() >> 32) * uint64(n) >> 32)
}

// float returns a number in [0, 1).
func (r *rng) float() float64 { return float64(r.next()>>11) / (1 << 53) }

// chance reports true with probability p.
func (r *rng) chance(p float64) bool { return r.float() < p }

// between returns a number in [lo, hi).
func (r *rng) between(lo, hi float64) float64 { return lo + (hi-lo)*r.float() }

func pick[T any](r *rng, list []T) T { return list[r.intn(len(list))] }
