package state

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/rosterd/rosterd/internal/codec"
	"github.com/rosterd/rosterd/roster"
	bolt "go.etcd.io/bbolt"
)

// A raw roster is the last roster a connection's source fetched, after
// data minimisation and before sharing rules, kept so the rules can be run
// again offline. It is stored as one stream, compressed and cut
// into chunks (rawChunkSize) under connections/<name>/raw/, keyed by
// 8-byte big-endian chunk numbers from 0, next to a raw_info JSON value
// describing it. The stream is compressed in parts of rawPartBytes, each
// an S2 stream of its own, which an S2 reader reads one after another as
// the one stream (raw_encode.go). raw_info names the compression; one that
// names none is zstd, as rosterd wrote it before: a series of independent
// frames, or earlier one frame.
//
// The stream, before compression, is
//
//	header  "RRAW" rawFormat                    (5 bytes)
//	frame*  tag uvarint(len) record             (record: len bytes, internal/codec format)
//	end     rawTagEnd uvarint(frames)           (the number of frames before it)
//
// where tag names the record's collection (rawTagDistricts...
// rawTagFieldErrors). Frames are in the order SaveRaw wrote them: every
// collection in turn, each in the roster's order. A stream that stops
// before its end marker, or goes on after it, is damaged.
//
// A reader that does not know the format byte refuses the stream; a new
// format gets a new byte.

const (
	// rawFormat is the stream format SaveRaw writes, also recorded in
	// raw_info.
	rawFormat = 1

	// rawCompressionS2 is the compression SaveRaw writes, recorded in
	// raw_info; rawCompressionZstd, recorded as none, is the one it wrote
	// before. Both are read.
	rawCompressionS2   = "s2"
	rawCompressionZstd = ""

	// rawMaxRecord bounds the length a frame may claim, so a damaged
	// stream fails instead of allocating gigabytes. The largest real
	// record (a section of a few thousand students) is well under 1 MB.
	rawMaxRecord = 64 << 20

	// rawMaxWindow bounds the zstd window a stream may ask for. SaveRaw's
	// encoder used rawPartBytes, and 8 MiB when it wrote one frame.
	rawMaxWindow = 64 << 20

	// rawBufferSize is the buffer between the decompressor and the
	// decoder's framing, so that it sees large reads instead of several per
	// record. (The encoder writes whole batches of frames.)
	rawBufferSize = 256 << 10
)

// rawMagic opens every stream, so that bytes that are not a raw roster at
// all are told apart from a raw roster of an unknown format.
var rawMagic = [4]byte{'R', 'R', 'A', 'W'}

// The frame tags.
const (
	rawTagEnd byte = iota
	rawTagDistricts
	rawTagSchools
	rawTagTerms
	rawTagCourses
	rawTagSections
	rawTagUsers
	rawTagFieldErrors
)

// rawCollections names the collection of each tag, as raw_info counts it.
var rawCollections = [...]string{
	rawTagDistricts:   string(roster.KindDistricts),
	rawTagSchools:     string(roster.KindSchools),
	rawTagTerms:       string(roster.KindTerms),
	rawTagCourses:     string(roster.KindCourses),
	rawTagSections:    string(roster.KindSections),
	rawTagUsers:       string(roster.KindUsers),
	rawTagFieldErrors: "field_errors",
}

// rawFields reaches the collection of each tag in a roster.
var rawFields = [...]rawField{
	rawTagDistricts:   fieldOf[roster.District](func(r *roster.Roster) *[]roster.District { return &r.Districts }),
	rawTagSchools:     fieldOf[roster.School](func(r *roster.Roster) *[]roster.School { return &r.Schools }),
	rawTagTerms:       fieldOf[roster.Term](func(r *roster.Roster) *[]roster.Term { return &r.Terms }),
	rawTagCourses:     fieldOf[roster.Course](func(r *roster.Roster) *[]roster.Course { return &r.Courses }),
	rawTagSections:    fieldOf[roster.Section](func(r *roster.Roster) *[]roster.Section { return &r.Sections }),
	rawTagUsers:       fieldOf[roster.User](func(r *roster.Roster) *[]roster.User { return &r.Users }),
	rawTagFieldErrors: fieldOf[roster.FieldError](func(r *roster.Roster) *[]roster.FieldError { return &r.FieldErrors }),
}

// A rawField is one collection of a roster, whatever the type of its
// records, as the stream's encoder and decoder handle it.
type rawField interface {
	// records returns the collection in r, to encode as frames tagged tag.
	records(r *roster.Roster, tag byte) rawRecords
	// reserve makes the collection in r an empty one with room for n
	// records.
	reserve(r *roster.Roster, n int)
	// decode decodes the records of b, which are of this collection.
	decode(b *rawDecodeBatch) error
	// appendTo appends the records b decoded to the collection in r.
	appendTo(r *roster.Roster, b *rawDecodeBatch)
}

// fieldOf is the rawField of the collection it returns from a roster.
type fieldOf[T any] func(r *roster.Roster) *[]T

func (f fieldOf[T]) records(r *roster.Roster, tag byte) rawRecords {
	recs := *f(r)
	c := rawRecords{tag: tag, n: len(recs), at: func(i int) any { return &recs[i] }}
	if len(recs) > 0 {
		c.first = &recs[0]
	}
	return c
}

func (f fieldOf[T]) reserve(r *roster.Roster, n int) { *f(r) = make([]T, 0, n) }

// decode decodes into b.out, reusing the slice an earlier batch of the
// same collection left there.
func (f fieldOf[T]) decode(b *rawDecodeBatch) error {
	out, _ := b.out.([]T)
	out = slices.Grow(out[:0], len(b.ends))[:len(b.ends)]
	// Unmarshal fills in what is already there; each record starts empty.
	clear(out)
	b.out = out
	start := 0
	for i, end := range b.ends {
		if err := codec.Unmarshal(b.data[start:end], &out[i]); err != nil {
			return fmt.Errorf("record %d (%s): %w", b.first+uint64(i), rawCollections[b.tag], err)
		}
		start = end
	}
	return nil
}

func (f fieldOf[T]) appendTo(r *roster.Roster, b *rawDecodeBatch) {
	recs := f(r)
	*recs = append(*recs, b.out.([]T)...)
}

// RawInfo describes a stored raw roster.
type RawInfo struct {
	Fetched time.Time // when the source fetch that produced it finished
	Records int       // records stored (districts+schools+terms+courses+sections+users)
	Users   int       // of those, the users
	// Sections is the number of sections among Records.
	Sections int
	Bytes    int64 // compressed size in the store
	// Fingerprint names the roster's content: the hash and length of its
	// stream, which encodes every record in full. Two raw rosters with the
	// same fingerprint hold the same records, whenever each was saved. It
	// is empty for one saved before rosterd kept fingerprints.
	Fingerprint string
}

// rawInfoRecord is how a raw roster is described in raw_info.
type rawInfoRecord struct {
	Format  int       `json:"format"`
	Fetched time.Time `json:"fetched"`
	// Counts holds the frames of each collection, keyed like
	// rawCollections; a collection with none is absent.
	Counts map[string]int `json:"counts,omitempty"`
	// Chunks and Bytes are the number of chunks and their total size;
	// StreamBytes is the size of the stream before compression.
	Chunks      int   `json:"chunks"`
	Bytes       int64 `json:"bytes"`
	StreamBytes int64 `json:"stream_bytes"`
	// Fingerprint is the hash of the stream before compression, named
	// by its hash ("xxh64:" and 16 hex digits); Checkpoints are the
	// hashes of its prefixes of every multiple of CheckpointEvery bytes,
	// 8 bytes big-endian each (raw_fingerprint.go). A raw roster saved
	// before rosterd kept them has none, and is written whole by the
	// next SaveRaw.
	Fingerprint     string `json:"fingerprint,omitempty"`
	CheckpointEvery int64  `json:"checkpoint_every,omitempty"`
	Checkpoints     []byte `json:"checkpoints,omitempty"`
	// Compression is how the chunks hold the stream: rawCompressionS2,
	// or absent for zstd (rawCompressionZstd).
	Compression string `json:"compression,omitempty"`
	// ChunksHash is the hash of the chunks, one after another, named
	// like Fingerprint, so that a damaged chunk of a kept raw roster is
	// found without decompressing it, and the roster written again. A
	// raw roster saved before rosterd kept it has none, and is written
	// whole by the next SaveRaw.
	ChunksHash string `json:"chunks_hash,omitempty"`
}

func (rec *rawInfoRecord) info() RawInfo {
	n := 0
	for tag := rawTagDistricts; tag <= rawTagUsers; tag++ {
		n += rec.Counts[rawCollections[tag]]
	}
	info := RawInfo{
		Fetched: rec.Fetched, Records: n, Bytes: rec.Bytes,
		Users:    rec.Counts[rawCollections[rawTagUsers]],
		Sections: rec.Counts[rawCollections[rawTagSections]],
	}
	if rec.Fingerprint != "" {
		info.Fingerprint = fmt.Sprintf("%s/%d", rec.Fingerprint, rec.StreamBytes)
	}
	return info
}

// frames returns the number of frames rec counts, field errors included.
func (rec *rawInfoRecord) frames() int {
	n := 0
	for _, c := range rec.Counts {
		n += c
	}
	return n
}

// SaveRaw replaces conn's raw roster with r, at once: readers see the
// kept one until the new one is whole. The committed roster, head, cursor
// and run history are untouched. r is only read, by several goroutines
// at once, and not after SaveRaw returns.
//
// When r encodes to exactly the stream already kept, and the kept chunks
// still hash as they did when written, only the fetched time is
// rewritten (raw_fingerprint.go). Otherwise r is encoded and
// compressed, and the uncompressed stream is never held (raw_encode.go).
// The compressed chunks of a small roster are stored in one write
// transaction, which deletes the old ones; a large one's are written as
// they are made, a few MB a transaction, and then put in place of the
// old ones by one more (raw_pending.go).
func (s *Store) SaveRaw(conn string, r *roster.Roster, fetched time.Time) (RawInfo, error) {
	return s.StartRaw(conn, r).Finish(r, fetched)
}

// writeRaw replaces conn's chunks and raw_info with chunks and rec.
func (s *Store) writeRaw(conn string, chunks [][]byte, rec *rawInfoRecord) error {
	info, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		// Like Commit: the connection bucket is created by the first write
		// to it. No head is written, so the connection is not listed by
		// Connections until a commit changes its roster.
		cb, err := tx.Bucket(bucketConnections).CreateBucketIfNotExists([]byte(conn))
		if err != nil {
			return fmt.Errorf("create connection bucket: %w", err)
		}
		if err := deleteBucketIfExists(cb, bucketRaw); err != nil {
			return fmt.Errorf("delete old raw chunks: %w", err)
		}
		// What a save that could not clean up left (raw_pending.go).
		if err := deleteBucketIfExists(cb, bucketRawPending); err != nil {
			return fmt.Errorf("delete pending raw chunks: %w", err)
		}
		rb, err := cb.CreateBucket(bucketRaw)
		if err != nil {
			return fmt.Errorf("create raw bucket: %w", err)
		}
		if err := putRawChunks(rb, 0, chunks); err != nil {
			return err
		}
		if err := cb.Put(keyRawInfo, info); err != nil {
			return fmt.Errorf("put raw info: %w", err)
		}
		return nil
	})
}

// RawInfo returns the description of conn's raw roster without decoding
// it; ErrNotFound when none.
func (s *Store) RawInfo(conn string) (RawInfo, error) {
	var rec rawInfoRecord
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		rec, err = readRawInfo(tx, conn)
		return err
	})
	if err != nil {
		return RawInfo{}, fmt.Errorf("raw roster info of %s: %w", conn, err)
	}
	return rec.info(), nil
}

// LoadRaw returns conn's raw roster as SaveRaw stored it (collections in
// the order saved, FieldErrors included), or an error wrapping
// ErrNotFound when there is none. A damaged stream, or one of a format
// this code does not read, gives an error naming conn.
//
// The compressed chunks are copied out in one short read transaction and
// decoded after it ends, so a long decode never holds a reader open
// against a commit that needs to grow the memory map.
func (s *Store) LoadRaw(conn string) (*roster.Roster, RawInfo, error) {
	var (
		rec    rawInfoRecord
		chunks [][]byte
	)
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		if rec, err = readRawInfo(tx, conn); err != nil {
			return err
		}
		chunks, err = copyRawChunks(tx, conn, &rec)
		return err
	})
	if err != nil {
		return nil, RawInfo{}, fmt.Errorf("load raw roster of %s: %w", conn, err)
	}
	r, err := decodeRaw(&chunkReader{chunks: chunks}, &rec)
	if err != nil {
		return nil, RawInfo{}, fmt.Errorf("load raw roster of %s: %w", conn, err)
	}
	return r, rec.info(), nil
}

// readRawInfo returns the raw_info of conn, refusing a format this code
// does not read.
func readRawInfo(tx *bolt.Tx, conn string) (rawInfoRecord, error) {
	if conn == "" {
		return rawInfoRecord{}, errors.New("connection name is empty")
	}
	var rec rawInfoRecord
	cb := tx.Bucket(bucketConnections).Bucket([]byte(conn))
	if cb == nil {
		return rec, ErrNotFound
	}
	data := cb.Get(keyRawInfo)
	if data == nil {
		return rec, ErrNotFound
	}
	if err := json.Unmarshal(data, &rec); err != nil {
		return rec, fmt.Errorf("read raw info: %w", err)
	}
	if rec.Format != rawFormat {
		return rec, fmt.Errorf("raw roster is in format %d; this rosterd reads format %d", rec.Format, rawFormat)
	}
	if !knownRawCompression(rec.Compression) {
		return rec, fmt.Errorf("raw roster is compressed as %q; this rosterd reads %q and zstd", rec.Compression, rawCompressionS2)
	}
	return rec, nil
}

// copyRawChunks copies conn's chunks out of the transaction, checking
// them against rec (checkRawChunks).
func copyRawChunks(tx *bolt.Tx, conn string, rec *rawInfoRecord) ([][]byte, error) {
	// Not sized by rec.Chunks, which is checked only as the chunks are.
	var chunks [][]byte
	err := checkRawChunks(tx.Bucket(bucketConnections).Bucket([]byte(conn)), rec, func(v []byte) {
		chunks = append(chunks, append([]byte(nil), v...))
	})
	if err != nil {
		return nil, err
	}
	return chunks, nil
}

// rawReleaseEvery is how many bytes of chunks checkRawChunks reads
// through the file's mapping before it lets their pages go.
const rawReleaseEvery = 8 << 20

// checkRawChunks checks the chunks under the connection bucket cb
// against rec: numbered from 0 without a gap, as many and as large as it
// says. each, when set, is called on every chunk in turn, which is valid
// only during the transaction.
//
// A no-change resync hashes every chunk, and an events resync copies
// them out, about 80 MB at XL, while the fetched roster is held: every
// rawReleaseEvery bytes, and at the end, the pages read leave the
// resident set (releaseMapped), so they never add more than that to
// the run's peak.
func checkRawChunks(cb *bolt.Bucket, rec *rawInfoRecord, each func(v []byte)) error {
	defer releaseMapped(cb.Tx())
	rb := cb.Bucket(bucketRaw)
	if rb == nil {
		return errors.New("raw roster is damaged: raw info without a raw bucket")
	}
	if rec.Chunks < 0 || rec.Bytes < 0 || int64(rec.Chunks) > rec.Bytes {
		return fmt.Errorf("raw roster is damaged: raw info claims %d chunks of %d bytes", rec.Chunks, rec.Bytes)
	}
	var (
		n     uint64
		size  int64
		reads = mappedReads{tx: cb.Tx(), every: rawReleaseEvery}
	)
	c := rb.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if len(k) != 8 || binary.BigEndian.Uint64(k) != n {
			return fmt.Errorf("raw roster is damaged: key %x where chunk %d belongs", k, n)
		}
		if v == nil {
			return fmt.Errorf("raw roster is damaged: chunk %d is a bucket", n)
		}
		if each != nil {
			each(v)
		}
		n++
		size += int64(len(v))
		reads.read(len(v))
	}
	if n != uint64(rec.Chunks) || size != rec.Bytes {
		return fmt.Errorf("raw roster is damaged: %d chunks of %d bytes stored, raw info says %d of %d",
			n, size, rec.Chunks, rec.Bytes)
	}
	return nil
}

// putRawChunks puts chunks into rb, numbered from first.
func putRawChunks(rb *bolt.Bucket, first int, chunks [][]byte) error {
	// Chunks are appended in key order and never rewritten in place.
	rb.FillPercent = 1
	for i, chunk := range chunks {
		if err := rb.Put(rawChunkKey(uint64(first+i)), chunk); err != nil {
			return fmt.Errorf("put raw chunk %d: %w", first+i, err)
		}
	}
	return nil
}

// rawChunkKey is the 8-byte big-endian form of a chunk number, so bbolt's
// byte order is stream order.
func rawChunkKey(n uint64) []byte {
	return binary.BigEndian.AppendUint64(make([]byte, 0, 8), n)
}
