package state

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"github.com/klauspost/compress/zstd"
	"github.com/rosterd/rosterd/internal/codec"
	"github.com/rosterd/rosterd/roster"
)

// encodeRaw encodes r as a compressed stream cut into chunks, and
// describes it (all but Fetched).
//
// The records are encoded in batches by workers (runPipeline); this
// goroutine writes the batches' frames to zstd in stream order, so only
// the batches in flight are held, never the uncompressed stream.
func encodeRaw(r *roster.Roster) ([][]byte, *rawInfoRecord, error) {
	var colls []rawRecords
	counts := make(map[string]int)
	for tag := rawTagDistricts; tag <= rawTagFieldErrors; tag++ {
		c := rawFields[tag].records(r, tag)
		colls = append(colls, c)
		if c.n > 0 {
			counts[rawCollections[tag]] = c.n
		}
	}
	cw := &chunkWriter{}
	zw, err := zstd.NewWriter(cw, zstd.WithEncoderLevel(zstd.SpeedFastest))
	if err != nil {
		return nil, nil, fmt.Errorf("start zstd: %w", err)
	}
	var size int64
	err = writeStream(colls, func(p []byte) error {
		n, err := zw.Write(p)
		size += int64(n)
		if err != nil {
			return fmt.Errorf("compress: %w", err)
		}
		return nil
	})
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
		Counts:      counts,
		Chunks:      len(cw.chunks),
		Bytes:       cw.size,
		StreamBytes: size,
	}, nil
}

// writeStream passes the stream of colls to write, in order and in
// pieces of up to a batch: the header, the frames of every collection in
// turn, then the end marker.
func writeStream(colls []rawRecords, write func([]byte) error) error {
	if err := write(append(rawMagic[:], rawFormat)); err != nil {
		return err
	}
	err := runPipeline(rawPipelineWorkers(),
		func(next func() (*rawEncodeBatch, bool), send func()) error {
			for i := range colls {
				c := &colls[i]
				for first := 0; first < c.n; first += rawBatchRecords {
					b, ok := next()
					if !ok {
						return nil
					}
					b.recs, b.first, b.end = c, first, min(first+rawBatchRecords, c.n)
					send()
				}
			}
			return nil
		},
		(*rawEncodeBatch).encode,
		func(b *rawEncodeBatch) error {
			err := write(b.frames)
			if cap(b.frames) > rawBatchKeep {
				b.frames = nil
			}
			if b.scratch.Cap() > rawBatchKeep {
				b.scratch = bytes.Buffer{}
			}
			return err
		})
	if err != nil {
		return err
	}
	frames := 0
	for _, c := range colls {
		frames += c.n
	}
	return write(binary.AppendUvarint([]byte{rawTagEnd}, uint64(frames)))
}

// rawRecords is one collection of a roster as the encoder sees it: n
// records of one tag, whatever their type.
type rawRecords struct {
	tag byte
	n   int
	at  func(i int) any // returns &recs[i]
}

// rawEncodeBatch is records [first, end) of one collection, and the frames
// encode makes of them.
type rawEncodeBatch struct {
	recs       *rawRecords
	first, end int
	frames     []byte
	scratch    bytes.Buffer // one record's JSON, which goes after its length
}

func (b *rawEncodeBatch) encode() error {
	b.frames = b.frames[:0]
	for i := b.first; i < b.end; i++ {
		b.scratch.Reset()
		if err := codec.MarshalWrite(&b.scratch, b.recs.at(i)); err != nil {
			return fmt.Errorf("%s[%d]: %w", rawCollections[b.recs.tag], i, err)
		}
		b.frames = append(b.frames, b.recs.tag)
		b.frames = binary.AppendUvarint(b.frames, uint64(b.scratch.Len()))
		b.frames = append(b.frames, b.scratch.Bytes()...)
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
