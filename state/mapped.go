package state

import bolt "go.etcd.io/bbolt"

// mappedReads counts the bytes a transaction has read through bbolt's
// mapping of the file, and lets those pages leave the resident set
// (releaseMapped) each time every more have been read. Under a memory
// limit the heap is full when a run reads most, so what stays mapped is
// what the run peaks above the limit by.
type mappedReads struct {
	tx    *bolt.Tx
	every int
	n     int
}

// read counts n bytes read.
func (m *mappedReads) read(n int) {
	m.n += n
	if m.n >= m.every {
		m.n = 0
		releaseMapped(m.tx)
	}
}
