//go:build !linux

package state

import bolt "go.etcd.io/bbolt"

// releaseMapped is a no-op where madvise's semantics for shared file
// mappings are not those of Linux.
func releaseMapped(*bolt.Tx) {}
