package state

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"maps"

	"github.com/cespare/xxhash/v2"
	bolt "go.etcd.io/bbolt"
)

// Every full sync saves its raw roster, and on most days it is the one
// already kept: the district changed nothing overnight. Compressing and
// writing it again is most of what SaveRaw costs (zstd alone takes about
// three times as long as encoding the records), so raw_info holds a
// fingerprint of the uncompressed stream, and SaveRaw first encodes the
// roster without compressing it, hashing the stream in order as it goes.
// When the fingerprint is the kept one, only raw_info is rewritten, for
// its fetched time; otherwise the roster is encoded again, compressed and
// written as before. Holding the uncompressed stream between the two
// passes would take the 880 MB of an XL district; compressing on
// speculation during the first pass would cost the unchanged case the
// zstd time it is meant to save.
//
// The hash is XXH64, as zstd's own frame checksum: it only has to tell
// one day's fetch of a district from the next, and at several GB/s it
// adds almost nothing to the first pass, where SHA-256 (1.7 GB/s here,
// on one goroutine) would cost as much as encoding. A fingerprint names
// its hash, so one made by another never matches.
//
// So that a changed roster does not pay for a whole first pass, raw_info
// also holds checkpoints, the hash of every rawCheckpointBytes-long
// prefix of the stream; the first pass stops at the first checkpoint that
// differs from the kept one, as soon as the stream is longer than the
// kept one, or at the first collection with more or fewer records than
// the kept one's.
//
// A matching fingerprint says nothing of the chunks themselves, which
// might have been damaged since they were written: kept as they are, a
// flipped byte would make every LoadRaw fail until the roster changes.
// So raw_info also holds a hash of the chunks (XXH64 again, of the 78 MB
// of an XL district in about 50 ms), and the chunks are kept only if they
// still hash to it; otherwise the roster is written whole, mending them.
// A raw roster kept without that hash is written whole once, without a
// first pass.

const (
	// rawCheckpointBytes is how far apart checkpoints are in the stream:
	// a first pass runs at most this far (a few ms of encoding) past the
	// first changed record, and an XL district has about 210 checkpoints,
	// 1.7 KB of raw_info.
	rawCheckpointBytes = 4 << 20

	// rawFingerprintHash is the prefix of a fingerprint, naming its hash.
	rawFingerprintHash = "xxh64:"
)

// errRawDiffers stops a first pass once its stream cannot be the kept one.
var errRawDiffers = errors.New("raw roster differs from the kept one")

// errRawMoved rolls back touchRaw's transaction when the kept raw roster is
// no longer the one the first pass compared against.
var errRawMoved = errors.New("kept raw roster changed")

// rawPassHook, when set (by tests), is called after each pass over a
// stream that SaveRaw makes, with whether it compressed and how many
// stream bytes it produced, the whole stream or up to where it stopped.
var rawPassHook func(compressed bool, streamBytes int64)

// streamHash hashes a stream written to it in order, taking a checkpoint
// every rawCheckpointBytes.
type streamHash struct {
	d           *xxhash.Digest
	n           int64  // bytes hashed
	checkpoints []byte // 8 bytes, big-endian, per checkpoint taken

	// kept, when set, is the raw roster the stream is compared against:
	// write fails with errRawDiffers at the first checkpoint that differs
	// from one of kept's, or once the stream is longer than kept's.
	kept *rawInfoRecord
}

func newStreamHash(kept *rawInfoRecord) *streamHash {
	return &streamHash{d: xxhash.New(), kept: kept}
}

func (h *streamHash) write(p []byte) error {
	for len(p) > 0 {
		k := min(int64(len(p)), rawCheckpointBytes-h.n%rawCheckpointBytes)
		h.d.Write(p[:k])
		h.n += k
		p = p[k:]
		if h.n%rawCheckpointBytes != 0 {
			continue
		}
		// Sum64 reads the digest's state without ending it.
		i := len(h.checkpoints)
		h.checkpoints = binary.BigEndian.AppendUint64(h.checkpoints, h.d.Sum64())
		if want := h.keptCheckpoints(); i+8 <= len(want) && !bytes.Equal(want[i:i+8], h.checkpoints[i:]) {
			return errRawDiffers
		}
	}
	if h.kept != nil && h.n > h.kept.StreamBytes {
		return errRawDiffers
	}
	return nil
}

// keptCheckpoints returns the checkpoints of the kept stream, or none if
// there is no kept stream or its checkpoints are not as far apart as
// this code takes them: then only the length and the fingerprint tell.
func (h *streamHash) keptCheckpoints() []byte {
	if h.kept == nil || h.kept.CheckpointEvery != rawCheckpointBytes {
		return nil
	}
	return h.kept.Checkpoints
}

// describe sets rec's fingerprint, checkpoints and stream size to those
// of the stream hashed.
func (h *streamHash) describe(rec *rawInfoRecord) {
	rec.StreamBytes = h.n
	rec.Fingerprint = rawHashName(h.d.Sum64())
	rec.CheckpointEvery = rawCheckpointBytes
	rec.Checkpoints = h.checkpoints
}

// rawHashName is how raw_info names an XXH64 hash: a fingerprint, or the
// hash of the chunks.
func rawHashName(sum uint64) string {
	return fmt.Sprintf("%s%016x", rawFingerprintHash, sum)
}

// hashRaw makes the first pass: it encodes the stream of feed without
// compressing it, comparing it against kept as it goes, and describes it
// (all but Fetched, Chunks, Bytes and ChunksHash). It fails with
// errRawDiffers as soon as the stream cannot be kept's, a collection of
// another size than kept's included.
func hashRaw(feed *rawFeed, kept *rawInfoRecord) (*rawInfoRecord, error) {
	h := newStreamHash(kept)
	err := writeStream(feed, func(c rawRecords) error {
		if !sizesAgree([]rawRecords{c}, kept) {
			return errRawDiffers
		}
		return nil
	}, h.write)
	if rawPassHook != nil {
		rawPassHook(false, h.n)
	}
	if err != nil {
		return nil, err
	}
	rec := &rawInfoRecord{Format: rawFormat, Counts: feed.counts()}
	h.describe(rec)
	return rec, nil
}

// sameStream reports whether rec, from a first pass, describes the
// stream kept describes.
func (kept *rawInfoRecord) sameStream(rec *rawInfoRecord) bool {
	return kept.Fingerprint != "" && rec.Fingerprint == kept.Fingerprint &&
		rec.StreamBytes == kept.StreamBytes && rec.Format == kept.Format &&
		maps.Equal(rec.Counts, kept.Counts)
}

// keptRaw returns conn's raw_info, as stored and decoded, when it has a
// fingerprint SaveRaw can compare against and a chunk hash to check the
// chunks against; nil when it lacks either, or is of another format or
// unreadable, since then the roster is written whole anyway.
func (s *Store) keptRaw(conn string) (*rawInfoRecord, []byte, error) {
	var data []byte
	err := s.db.View(func(tx *bolt.Tx) error {
		if cb := tx.Bucket(bucketConnections).Bucket([]byte(conn)); cb != nil {
			data = bytes.Clone(cb.Get(keyRawInfo))
		}
		return nil
	})
	if err != nil || data == nil {
		return nil, nil, err
	}
	var rec rawInfoRecord
	if json.Unmarshal(data, &rec) != nil || rec.Format != rawFormat || !knownRawCompression(rec.Compression) ||
		rec.Fingerprint == "" || rec.ChunksHash == "" {
		return nil, nil, nil
	}
	return &rec, data, nil
}

// touchRaw replaces conn's raw_info with rec, which describes the same
// stream as kept, leaving the chunks as they are. It does nothing and
// returns false when raw_info is no longer keptData (another SaveRaw
// replaced it since), or the chunks are not as kept describes them, hash
// included (rawChunksIntact), so that the caller writes the roster whole
// and a damaged one is mended.
func (s *Store) touchRaw(conn string, kept *rawInfoRecord, keptData []byte, rec *rawInfoRecord) (bool, error) {
	info, err := json.Marshal(rec)
	if err != nil {
		return false, err
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		cb := tx.Bucket(bucketConnections).Bucket([]byte(conn))
		if cb == nil || !bytes.Equal(cb.Get(keyRawInfo), keptData) {
			return errRawMoved
		}
		if !rawChunksIntact(cb, kept) {
			return errRawMoved
		}
		if err := cb.Put(keyRawInfo, info); err != nil {
			return fmt.Errorf("put raw info: %w", err)
		}
		return nil
	})
	if errors.Is(err, errRawMoved) {
		return false, nil
	}
	return err == nil, err
}

// rawChunksIntact reports whether the chunks under the connection bucket
// cb are as kept describes them (checkRawChunks) and hash to its chunk
// hash. Chunks with no hash to check are not.
func rawChunksIntact(cb *bolt.Bucket, kept *rawInfoRecord) bool {
	if kept.ChunksHash == "" {
		return false
	}
	d := xxhash.New()
	if checkRawChunks(cb, kept, func(v []byte) { d.Write(v) }) != nil {
		return false
	}
	return rawHashName(d.Sum64()) == kept.ChunksHash
}
