package state

import (
	bolt "go.etcd.io/bbolt"
	"golang.org/x/sys/unix"
)

// releaseMapped drops tx's view of the file from the process's resident
// memory. bbolt maps the file read-only and shared, so the pages stay in
// the page cache and a later read faults them back in unchanged; only the
// process's RSS shrinks. A diff that reads every committed record of an
// XL district otherwise keeps the whole 1.3 GB file resident beside the
// fetched roster. A failure only leaves the pages resident.
func releaseMapped(tx *bolt.Tx) {
	data, size := tx.DB().Info().Data, tx.Size()
	if data == 0 || size <= 0 {
		return
	}
	// The address is bbolt's own mapping, passed as the uintptr
	// DB.Info gives it: never converted to a Go pointer.
	_, _, _ = unix.Syscall(unix.SYS_MADVISE, data, uintptr(size), unix.MADV_DONTNEED)
}
