package state

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/klauspost/compress/zstd"
	"github.com/rosterd/rosterd/internal/codec"
	"github.com/rosterd/rosterd/roster"
	bolt "go.etcd.io/bbolt"
)

// A raw roster is the last roster a connection's source fetched, after
// data minimisation and before sharing rules, kept so the rules can be run
// again offline. It is stored as one stream, compressed with zstd and cut
// into chunks of rawChunkSize bytes under connections/<name>/raw/, keyed by
// 8-byte big-endian chunk numbers from 0, next to a raw_info JSON value
// describing it.
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

	// rawChunkSize is the size of every chunk but the last: an XL
	// district (880 MB of record JSON, 78 MB compressed) is 78 values,
	// each on contiguous overflow pages of its own.
	rawChunkSize = 1 << 20

	// rawMaxRecord bounds the length a frame may claim, so a damaged
	// stream fails instead of allocating gigabytes. The largest real
	// record (a section of a few thousand students) is well under 1 MB.
	rawMaxRecord = 64 << 20

	// rawMaxWindow bounds the zstd window a stream may ask for. SaveRaw's
	// encoder uses at most 8 MiB.
	rawMaxWindow = 64 << 20

	// rawBufferSize is the buffer between the framing and zstd, so that
	// zstd sees large writes and reads instead of one per record.
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

// RawInfo describes a stored raw roster.
type RawInfo struct {
	Fetched time.Time // when the source fetch that produced it finished
	Records int       // records stored (districts+schools+terms+courses+sections+users)
	Bytes   int64     // compressed size in the store
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
}

func (rec *rawInfoRecord) info() RawInfo {
	n := 0
	for tag := rawTagDistricts; tag <= rawTagUsers; tag++ {
		n += rec.Counts[rawCollections[tag]]
	}
	return RawInfo{Fetched: rec.Fetched, Records: n, Bytes: rec.Bytes}
}

// frames returns the number of frames rec counts, field errors included.
func (rec *rawInfoRecord) frames() int {
	n := 0
	for _, c := range rec.Counts {
		n += c
	}
	return n
}

// SaveRaw replaces conn's raw roster with r, in one write transaction of
// its own; the committed roster, head, cursor and run history are
// untouched. r is only read.
//
// r is encoded and compressed before the transaction starts, so the
// writer lock is held only to store the compressed chunks; those are held
// in memory until the transaction commits, as bbolt requires, but the
// uncompressed stream never is. The old chunks are deleted in the same
// transaction.
func (s *Store) SaveRaw(conn string, r *roster.Roster, fetched time.Time) (RawInfo, error) {
	if conn == "" {
		return RawInfo{}, errors.New("save raw roster: connection name is empty")
	}
	if r == nil {
		return RawInfo{}, fmt.Errorf("save raw roster of %s: roster is nil", conn)
	}
	chunks, rec, err := encodeRaw(r)
	if err != nil {
		return RawInfo{}, fmt.Errorf("save raw roster of %s: %w", conn, err)
	}
	rec.Fetched = fetched.Round(0)
	info, err := json.Marshal(rec)
	if err != nil {
		return RawInfo{}, fmt.Errorf("save raw roster of %s: %w", conn, err)
	}

	err = s.db.Update(func(tx *bolt.Tx) error {
		// Like Commit: the connection bucket is created by the first write
		// to it. No head is written, so the connection is not listed by
		// Connections until a commit changes its roster.
		cb, err := tx.Bucket(bucketConnections).CreateBucketIfNotExists([]byte(conn))
		if err != nil {
			return fmt.Errorf("create connection bucket: %w", err)
		}
		if cb.Bucket(bucketRaw) != nil {
			if err := cb.DeleteBucket(bucketRaw); err != nil {
				return fmt.Errorf("delete old raw chunks: %w", err)
			}
		}
		rb, err := cb.CreateBucket(bucketRaw)
		if err != nil {
			return fmt.Errorf("create raw bucket: %w", err)
		}
		// Chunks are appended in key order and never rewritten in place.
		rb.FillPercent = 1
		for i, chunk := range chunks {
			if err := rb.Put(rawChunkKey(uint64(i)), chunk); err != nil {
				return fmt.Errorf("put raw chunk %d: %w", i, err)
			}
		}
		if err := cb.Put(keyRawInfo, info); err != nil {
			return fmt.Errorf("put raw info: %w", err)
		}
		return nil
	})
	if err != nil {
		return RawInfo{}, fmt.Errorf("save raw roster of %s: %w", conn, err)
	}
	return rec.info(), nil
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
	return rec, nil
}

// copyRawChunks copies conn's chunks out of the transaction, checking
// them against rec: numbered from 0 without a gap, as many and as large
// as it says.
func copyRawChunks(tx *bolt.Tx, conn string, rec *rawInfoRecord) ([][]byte, error) {
	rb := tx.Bucket(bucketConnections).Bucket([]byte(conn)).Bucket(bucketRaw)
	if rb == nil {
		return nil, errors.New("raw roster is damaged: raw info without a raw bucket")
	}
	if rec.Chunks < 0 || rec.Bytes < 0 || int64(rec.Chunks) > rec.Bytes {
		return nil, fmt.Errorf("raw roster is damaged: raw info claims %d chunks of %d bytes", rec.Chunks, rec.Bytes)
	}
	chunks := make([][]byte, 0, rec.Chunks)
	var size int64
	c := rb.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		n := uint64(len(chunks))
		if len(k) != 8 || binary.BigEndian.Uint64(k) != n {
			return nil, fmt.Errorf("raw roster is damaged: key %x where chunk %d belongs", k, n)
		}
		if v == nil {
			return nil, fmt.Errorf("raw roster is damaged: chunk %d is a bucket", n)
		}
		chunks = append(chunks, append([]byte(nil), v...))
		size += int64(len(v))
	}
	if len(chunks) != rec.Chunks || size != rec.Bytes {
		return nil, fmt.Errorf("raw roster is damaged: %d chunks of %d bytes stored, raw info says %d of %d",
			len(chunks), size, rec.Chunks, rec.Bytes)
	}
	return chunks, nil
}

// rawChunkKey is the 8-byte big-endian form of a chunk number, so bbolt's
// byte order is stream order.
func rawChunkKey(n uint64) []byte {
	return binary.BigEndian.AppendUint64(make([]byte, 0, 8), n)
}

// encodeRaw encodes r as a compressed stream cut into chunks, and
// describes it (all but Fetched).
func encodeRaw(r *roster.Roster) ([][]byte, *rawInfoRecord, error) {
	cw := &chunkWriter{}
	zw, err := zstd.NewWriter(cw, zstd.WithEncoderLevel(zstd.SpeedFastest))
	if err != nil {
		return nil, nil, fmt.Errorf("start zstd: %w", err)
	}
	e := &rawEncoder{w: bufio.NewWriterSize(zw, rawBufferSize), counts: make(map[string]int)}
	err = e.encode(r)
	if err == nil {
		err = e.w.Flush()
	}
	// Close also when encoding failed: it stops the encoder's goroutines.
	if cerr := zw.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("finish zstd: %w", cerr)
	}
	if err != nil {
		return nil, nil, err
	}
	cw.flush()
	return cw.chunks, &rawInfoRecord{
		Format:      rawFormat,
		Counts:      e.counts,
		Chunks:      len(cw.chunks),
		Bytes:       cw.size,
		StreamBytes: e.size,
	}, nil
}

// rawEncoder writes the frames of one stream.
type rawEncoder struct {
	w      *bufio.Writer
	counts map[string]int
	frames uint64
	size   int64
	head   [1 + binary.MaxVarintLen64]byte
}

func (e *rawEncoder) encode(r *roster.Roster) error {
	if err := e.write(append(rawMagic[:], rawFormat)); err != nil {
		return err
	}
	if err := encodeAll(e, rawTagDistricts, r.Districts); err != nil {
		return err
	}
	if err := encodeAll(e, rawTagSchools, r.Schools); err != nil {
		return err
	}
	if err := encodeAll(e, rawTagTerms, r.Terms); err != nil {
		return err
	}
	if err := encodeAll(e, rawTagCourses, r.Courses); err != nil {
		return err
	}
	if err := encodeAll(e, rawTagSections, r.Sections); err != nil {
		return err
	}
	if err := encodeAll(e, rawTagUsers, r.Users); err != nil {
		return err
	}
	if err := encodeAll(e, rawTagFieldErrors, r.FieldErrors); err != nil {
		return err
	}
	e.head[0] = rawTagEnd
	n := 1 + binary.PutUvarint(e.head[1:], e.frames)
	return e.write(e.head[:n])
}

// encodeAll writes a frame tagged tag for every record of recs, in order.
func encodeAll[T any](e *rawEncoder, tag byte, recs []T) error {
	for i := range recs {
		data, err := codec.Marshal(&recs[i])
		if err != nil {
			return fmt.Errorf("%s[%d]: %w", rawCollections[tag], i, err)
		}
		e.head[0] = tag
		n := 1 + binary.PutUvarint(e.head[1:], uint64(len(data)))
		if err := e.write(e.head[:n]); err != nil {
			return err
		}
		if err := e.write(data); err != nil {
			return err
		}
		e.frames++
	}
	if len(recs) > 0 {
		e.counts[rawCollections[tag]] = len(recs)
	}
	return nil
}

func (e *rawEncoder) write(p []byte) error {
	n, err := e.w.Write(p)
	e.size += int64(n)
	if err != nil {
		return fmt.Errorf("compress: %w", err)
	}
	return nil
}

// chunkWriter cuts what is written to it into chunks of rawChunkSize
// bytes. Every chunk is a fresh allocation: bbolt refers to a value until
// its transaction commits.
type chunkWriter struct {
	chunks [][]byte
	buf    []byte
	size   int64
}

func (w *chunkWriter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		if w.buf == nil {
			w.buf = make([]byte, 0, rawChunkSize)
		}
		k := copy(w.buf[len(w.buf):cap(w.buf)], p)
		w.buf = w.buf[:len(w.buf)+k]
		p = p[k:]
		if len(w.buf) == cap(w.buf) {
			w.flush()
		}
	}
	return n, nil
}

// flush ends the current chunk, if it holds anything.
func (w *chunkWriter) flush() {
	if len(w.buf) == 0 {
		return
	}
	w.chunks = append(w.chunks, w.buf)
	w.size += int64(len(w.buf))
	w.buf = nil
}

// chunkReader reads chunks in turn, letting go of each once it is read so
// the memory of a large stream is freed as it is decoded.
type chunkReader struct {
	chunks [][]byte
}

func (r *chunkReader) Read(p []byte) (int, error) {
	for len(r.chunks) > 0 && len(r.chunks[0]) == 0 {
		r.chunks[0] = nil
		r.chunks = r.chunks[1:]
	}
	if len(r.chunks) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.chunks[0])
	r.chunks[0] = r.chunks[0][n:]
	return n, nil
}

// decodeRaw decodes the compressed stream in src, checking it against
// rec.
func decodeRaw(src io.Reader, rec *rawInfoRecord) (*roster.Roster, error) {
	zr, err := zstd.NewReader(src, zstd.WithDecoderMaxWindow(rawMaxWindow))
	if err != nil {
		return nil, fmt.Errorf("start zstd: %w", err)
	}
	defer zr.Close()
	d := &rawDecoder{r: bufio.NewReaderSize(zr, rawBufferSize)}
	r, err := d.decode(rec)
	if err != nil {
		return nil, fmt.Errorf("raw roster is damaged: %w", err)
	}
	return r, nil
}

// rawDecoder reads the frames of one stream.
type rawDecoder struct {
	r      *bufio.Reader
	buf    []byte
	frames uint64
}

func (d *rawDecoder) decode(rec *rawInfoRecord) (*roster.Roster, error) {
	var head [len(rawMagic) + 1]byte
	if _, err := io.ReadFull(d.r, head[:]); err != nil {
		return nil, fmt.Errorf("read header: %w", unexpectedEOF(err))
	}
	if [4]byte(head[:4]) != rawMagic {
		return nil, fmt.Errorf("stream starts with %q, not a raw roster header", head[:4])
	}
	if head[4] != rawFormat {
		return nil, fmt.Errorf("stream is in format %d; this rosterd reads format %d", head[4], rawFormat)
	}

	r := &roster.Roster{
		Districts:   makeFor[roster.District](rec, rawTagDistricts),
		Schools:     makeFor[roster.School](rec, rawTagSchools),
		Terms:       makeFor[roster.Term](rec, rawTagTerms),
		Courses:     makeFor[roster.Course](rec, rawTagCourses),
		Sections:    makeFor[roster.Section](rec, rawTagSections),
		Users:       makeFor[roster.User](rec, rawTagUsers),
		FieldErrors: makeFor[roster.FieldError](rec, rawTagFieldErrors),
	}
	for {
		tag, err := d.r.ReadByte()
		if err != nil {
			return nil, fmt.Errorf("after record %d: %w", d.frames, unexpectedEOF(err))
		}
		n, err := binary.ReadUvarint(d.r)
		if err != nil {
			return nil, fmt.Errorf("after record %d: %w", d.frames, unexpectedEOF(err))
		}
		if tag == rawTagEnd {
			return r, d.end(n, rec)
		}
		if int(tag) >= len(rawCollections) {
			return nil, fmt.Errorf("record %d has unknown tag %d", d.frames, tag)
		}
		if n == 0 || n > rawMaxRecord {
			return nil, fmt.Errorf("record %d (%s) claims %d bytes", d.frames, rawCollections[tag], n)
		}
		if uint64(cap(d.buf)) < n {
			d.buf = make([]byte, n)
		}
		data := d.buf[:n]
		if _, err := io.ReadFull(d.r, data); err != nil {
			return nil, fmt.Errorf("record %d (%s): %w", d.frames, rawCollections[tag], unexpectedEOF(err))
		}
		// Decoding copies what it keeps (strings, and Ext values through
		// json.RawMessage), so the buffer is reused for the next record.
		switch tag {
		case rawTagDistricts:
			err = decodeAppend(&r.Districts, data)
		case rawTagSchools:
			err = decodeAppend(&r.Schools, data)
		case rawTagTerms:
			err = decodeAppend(&r.Terms, data)
		case rawTagCourses:
			err = decodeAppend(&r.Courses, data)
		case rawTagSections:
			err = decodeAppend(&r.Sections, data)
		case rawTagUsers:
			err = decodeAppend(&r.Users, data)
		case rawTagFieldErrors:
			err = decodeAppend(&r.FieldErrors, data)
		}
		if err != nil {
			return nil, fmt.Errorf("record %d (%s): %w", d.frames, rawCollections[tag], err)
		}
		d.frames++
	}
}

// end checks the end marker, which says the stream holds frames frames,
// and that nothing follows it.
func (d *rawDecoder) end(frames uint64, rec *rawInfoRecord) error {
	if frames != d.frames {
		return fmt.Errorf("end marker counts %d records, the stream holds %d", frames, d.frames)
	}
	if _, err := d.r.ReadByte(); err != io.EOF {
		if err != nil {
			return fmt.Errorf("after end marker: %w", err)
		}
		return errors.New("data after the end marker")
	}
	if frames != uint64(rec.frames()) {
		return fmt.Errorf("stream holds %d records, raw info says %d", frames, rec.frames())
	}
	return nil
}

// makeFor returns a slice with room for the records of tag rec counts, or
// nil when it counts none. The count is only a hint, and is capped by the
// compressed size so that a damaged raw_info cannot make it allocate
// more than the stream could hold.
func makeFor[T any](rec *rawInfoRecord, tag byte) []T {
	n := int64(rec.Counts[rawCollections[tag]])
	if n <= 0 {
		return nil
	}
	return make([]T, 0, min(n, rec.Bytes))
}

func decodeAppend[T any](dst *[]T, data []byte) error {
	var rec T
	if err := codec.Unmarshal(data, &rec); err != nil {
		return err
	}
	*dst = append(*dst, rec)
	return nil
}

// unexpectedEOF turns the end of the stream in the middle of it into
// io.ErrUnexpectedEOF, which says what happened: the stream is cut short.
func unexpectedEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}
