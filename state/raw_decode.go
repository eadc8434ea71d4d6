package state

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/rosterd/rosterd/roster"
)

// Decoding a raw roster is, like encoding one, mostly JSON: one goroutine
// reads the stream and cuts its frames into batches of one collection,
// workers decode the batches (runPipeline), and the calling goroutine
// appends their records to the roster in stream order.

// rawBatchBytes is the most record bytes a decoded batch holds besides
// rawBatchRecords, so that a run of large records does not make a batch
// of many MB.
const rawBatchBytes = 512 << 10

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
// rec, which names its compression.
func decodeRaw(src io.Reader, rec *rawInfoRecord) (*roster.Roster, error) {
	stream, release, err := decompressed(src, rec.Compression)
	if err != nil {
		return nil, err
	}
	defer release()
	d := &rawDecoder{r: bufio.NewReaderSize(stream, rawBufferSize)}
	r, err := d.decode(rec)
	if err != nil {
		return nil, fmt.Errorf("raw roster is damaged: %w", err)
	}
	return r, nil
}

// rawDecoder reads the frames of one stream.
type rawDecoder struct {
	r      *bufio.Reader
	frames uint64 // frames read
}

// rawDecodeBatch is frames of one collection, from frame number first
// on, as read from the stream and then as decoded.
type rawDecodeBatch struct {
	tag   byte
	first uint64
	data  []byte // the records, one after another
	ends  []int  // where each record ends in data
	out   any    // the []T that rawFields[tag].decode decoded data into
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

	// The counts are only a hint, and are capped by the compressed size
	// so that a damaged raw_info cannot make this allocate more than the
	// stream could hold. A little room over them lets a caller add a few
	// records (an events apply adds those its events create) without
	// copying a whole collection for the first.
	r := &roster.Roster{}
	for tag := rawTagDistricts; tag <= rawTagFieldErrors; tag++ {
		if n := int64(rec.Counts[rawCollections[tag]]); n > 0 {
			n = min(n, rec.Bytes)
			rawFields[tag].reserve(r, int(n+n/64))
		}
	}
	var in roster.Interner // on the ordered stage only: it is not safe for concurrent use
	err := runPipeline(rawPipelineWorkers(),
		func(next func() (*rawDecodeBatch, bool), send func()) error {
			return d.readFrames(rec, next, send)
		},
		func(b *rawDecodeBatch) error { return rawFields[b.tag].decode(b) },
		func(b *rawDecodeBatch) error {
			if users, ok := b.out.([]roster.User); ok {
				shareRepeated(&in, users)
			}
			rawFields[b.tag].appendTo(r, b)
			if cap(b.data) > rawBatchKeep {
				b.data = nil
			}
			return nil
		})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// shareRepeated gives the students of users with equal demographics one
// shared copy, and the students and teachers with the same one school
// one shared list of it, as a source's mapping does: decoding gives each
// its own, and an XL roster loaded for an events sync held 1.1M of each.
func shareRepeated(in *roster.Interner, users []roster.User) {
	for i := range users {
		if s := users[i].Roles.Student; s != nil {
			if s.Demographics != nil {
				s.Demographics = in.Demographics(*s.Demographics)
			}
			s.Schools = in.List(s.Schools)
		}
		if t := users[i].Roles.Teacher; t != nil {
			t.Schools = in.List(t.Schools)
		}
	}
}

// readFrames reads the frames after the header into batches and sends
// them (see runPipeline), up to the end marker, which it checks. The
// frames read before an error are sent before it is returned, so that
// errors come in stream order.
func (d *rawDecoder) readFrames(rec *rawInfoRecord, next func() (*rawDecodeBatch, bool), send func()) error {
	var b *rawDecodeBatch // being filled, when not nil
	sendFilled := func() {
		if b != nil {
			send()
			b = nil
		}
	}
	defer sendFilled()
	for {
		tag, err := d.r.ReadByte()
		if err != nil {
			return fmt.Errorf("after record %d: %w", d.frames, unexpectedEOF(err))
		}
		n, err := binary.ReadUvarint(d.r)
		if err != nil {
			return fmt.Errorf("after record %d: %w", d.frames, unexpectedEOF(err))
		}
		if tag == rawTagEnd {
			return d.end(n, rec)
		}
		if int(tag) >= len(rawCollections) {
			return fmt.Errorf("record %d has unknown tag %d", d.frames, tag)
		}
		if n == 0 || n > rawMaxRecord {
			return fmt.Errorf("record %d (%s) claims %d bytes", d.frames, rawCollections[tag], n)
		}
		if b != nil && (b.tag != tag || len(b.ends) == rawBatchRecords || len(b.data) >= rawBatchBytes) {
			sendFilled()
		}
		if b == nil {
			var ok bool
			if b, ok = next(); !ok {
				return nil
			}
			b.tag, b.first, b.data, b.ends = tag, d.frames, b.data[:0], b.ends[:0]
		}
		// If this frame is cut short, the batch is still sent, with the
		// frames before it: ends says where they are.
		start := len(b.data)
		b.data = slices.Grow(b.data, int(n))[:start+int(n)]
		if _, err := io.ReadFull(d.r, b.data[start:]); err != nil {
			return fmt.Errorf("record %d (%s): %w", d.frames, rawCollections[tag], unexpectedEOF(err))
		}
		b.ends = append(b.ends, len(b.data))
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

// unexpectedEOF turns the end of the stream in the middle of it into
// io.ErrUnexpectedEOF, which says what happened: the stream is cut short.
func unexpectedEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}
