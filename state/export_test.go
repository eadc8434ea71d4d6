package state

import (
	"math"

	bolt "go.etcd.io/bbolt"
)

// CommitLimits mirrors commitLimits for tests: a change of more than
// BigWrites writes or BigBytes bytes is committed in batches of at most
// BatchWrites writes and BatchBytes bytes.
type CommitLimits struct {
	BigWrites   int
	BigBytes    int64
	BatchWrites int
	BatchBytes  int64
}

// DefaultCommitLimits are the limits Open sets.
var DefaultCommitLimits = CommitLimits{
	BigWrites: defaultCommitLimits.bigWrites, BigBytes: defaultCommitLimits.bigBytes,
	BatchWrites: defaultCommitLimits.batchWrites, BatchBytes: defaultCommitLimits.batchBytes,
}

// SingleTransaction are limits under which every commit takes the
// single-transaction path.
var SingleTransaction = CommitLimits{BigWrites: math.MaxInt, BigBytes: math.MaxInt64, BatchWrites: 1, BatchBytes: 1}

// Batched returns limits under which every change that writes anything is
// committed in batches of at most writes writes.
func Batched(writes int) CommitLimits {
	return CommitLimits{BigWrites: 0, BigBytes: 0, BatchWrites: writes, BatchBytes: math.MaxInt64}
}

// SetCommitLimits sets the limits s's commits go by. Call it between
// commits.
func SetCommitLimits(s *Store, l CommitLimits) {
	s.limits = commitLimits{bigWrites: l.BigWrites, bigBytes: l.BigBytes, batchWrites: l.BatchWrites, batchBytes: l.BatchBytes}
}

// SetAfterBatch makes s call fn after each batch of a batched commit has
// committed, with the batch's number from 1 and whether it was the last;
// an error fails the commit as a failed batch would, and a panic stands
// for a process that dies there. fn may commit, but not in batches: the
// batched commit calling it holds the store's batch lock. nil removes it.
func SetAfterBatch(s *Store, fn func(batch int, last bool) error) { s.afterBatch = fn }

// Tree returns everything s holds: each bucket as a map[string]any of its
// keys, each value as a string.
func Tree(s *Store) (map[string]any, error) {
	out := make(map[string]any)
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			out[string(name)] = bucketTree(b)
			return nil
		})
	})
	return out, err
}

func bucketTree(b *bolt.Bucket) map[string]any {
	out := make(map[string]any)
	b.ForEach(func(k, v []byte) error {
		if v == nil {
			out[string(k)] = bucketTree(b.Bucket(k))
		} else {
			out[string(k)] = string(v)
		}
		return nil
	})
	return out
}

// SetReleaseEvery sets how many bytes a Snapshot returns between releases
// of the mapped file, and returns a func that restores the default.
func SetReleaseEvery(n int) (restore func()) {
	old := releaseEvery
	releaseEvery = n
	return func() { releaseEvery = old }
}

// RawCheckpointBytes is how far apart the checkpoints of a raw stream are.
const RawCheckpointBytes = rawCheckpointBytes

// SetRawPassHook makes SaveRaw call fn after each pass it makes over a
// stream, with whether the pass compressed and how many stream bytes it
// produced, and returns a func that removes it.
func SetRawPassHook(fn func(compressed bool, streamBytes int64)) (restore func()) {
	old := rawPassHook
	rawPassHook = fn
	return func() { rawPassHook = old }
}

// PageSize returns the page size of s's file.
func PageSize(s *Store) int { return s.db.Info().PageSize }

// RawChunksReadPeak reads conn's kept raw chunks as a save of the same
// roster checks them, calling resident after each MiB of them (chunks are
// a few KiB, and resident reads /proc), and returns the most it returned.
func (s *Store) RawChunksReadPeak(conn string, resident func() int) (peak int, err error) {
	err = s.db.View(func(tx *bolt.Tx) error {
		rec, err := readRawInfo(tx, conn)
		if err != nil {
			return err
		}
		cb := tx.Bucket(bucketConnections).Bucket([]byte(conn))
		read := 0
		return checkRawChunks(cb, &rec, func(v []byte) {
			if read += len(v); read >= 1<<20 {
				read = 0
				peak = max(peak, resident())
			}
		})
	})
	return peak, err
}

// SetRawChunking makes s cut raw rosters into chunks of chunkSize bytes,
// and write a save's chunks to the pending bucket whenever it holds
// writeEvery bytes of them (raw_pending.go). Call it between saves.
func SetRawChunking(s *Store, chunkSize, writeEvery int) {
	s.raw = rawChunking{chunkSize: chunkSize, writeEvery: writeEvery}
}

// SetAfterRawWrite makes s call fn after each write of a raw roster's
// chunks to its pending bucket has committed, with the chunks written so
// far; an error fails the save as a failed write would. nil removes it.
func SetAfterRawWrite(s *Store, fn func(written int) error) { s.afterRawWrite = fn }

// CopyFile writes a copy of s's file, as of now, to path.
func CopyFile(s *Store, path string) error {
	return s.db.View(func(tx *bolt.Tx) error { return tx.CopyFile(path, 0o600) })
}
