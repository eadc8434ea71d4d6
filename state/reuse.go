package state

import (
	"bytes"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// keyReuse is the key, in a connection bucket, of the note the engine
// leaves after a run it may reuse the result of (see SaveReuse).
var keyReuse = []byte("reuse")

// SaveReuse replaces conn's reuse note: opaque bytes saying which run's
// result a later run with the same inputs may reuse, and under what
// conditions. The store does not read them; a note that no longer holds
// is the caller's to ignore, so the note need not be written with the
// commit it describes. It fails with ErrNotFound when conn has never
// committed or kept a roster.
func (s *Store) SaveReuse(conn string, note []byte) error {
	if conn == "" {
		return errors.New("save reuse note: connection name is empty")
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		cb := tx.Bucket(bucketConnections).Bucket([]byte(conn))
		if cb == nil {
			return ErrNotFound
		}
		return cb.Put(keyReuse, bytes.Clone(note))
	})
	if err != nil {
		return fmt.Errorf("save reuse note of %s: %w", conn, err)
	}
	return nil
}

// Reuse returns conn's reuse note, or nil when it has none.
func (s *Store) Reuse(conn string) ([]byte, error) {
	var note []byte
	err := s.db.View(func(tx *bolt.Tx) error {
		if cb := tx.Bucket(bucketConnections).Bucket([]byte(conn)); cb != nil {
			note = bytes.Clone(cb.Get(keyReuse))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read reuse note of %s: %w", conn, err)
	}
	return note, nil
}
