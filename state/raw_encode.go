package state

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/cespare/xxhash/v2"
	"github.com/rosterd/rosterd/internal/codec"
)

// encodeRaw encodes the stream of feed compressed and cut into chunks,
// and describes it (all but Fetched), fingerprint and chunk hash
// included.
//
// The stream is compressed in parts of rawPartBytes, each an S2 stream
// of its own (raw_compress.go), so that workers can compress them in
// parallel: an S2 reader reads such streams one after another as one. Two
// pipelines (runPipeline) run one into the other: the records are
// encoded in batches by workers (writeStream), and a goroutine of its own
// hashes the batches' frames in stream order and copies them into parts,
// which more workers compress; this goroutine appends the compressed
// parts to the chunks in stream order, hashing them too. So only the
// batches and parts in flight are held, never the uncompressed stream.
//
// Whenever rawWriteEvery bytes of chunks are held, they are handed to
// pending to write, and let go (raw_pending.go); the chunks returned are
// those not handed, which follow pending's.
func encodeRaw(feed *rawFeed, pending *rawPending) ([][]byte, *rawInfoRecord, error) {
	workers := rawPipelineWorkers()
	h := newStreamHash(nil)
	cw := &chunkWriter{chunkSize: pending.s.raw.chunkSize, hash: xxhash.New()}
	err := runPipeline(workers,
		func(next func() (*rawPart, bool), send func()) error {
			return writeParts(feed, h, next, send)
		},
		func(p *rawPart) error {
			return feed.busy(func() (err error) {
				p.compressed, err = compressPart(p.compressed[:0], p.data)
				return err
			})
		},
		func(p *rawPart) error {
			cw.Write(p.compressed)
			if len(cw.chunks)*cw.chunkSize < pending.s.raw.writeEvery {
				return nil
			}
			if err := pending.write(cw.chunks); err != nil {
				return err
			}
			cw.reuse(cw.chunks)
			cw.chunks = cw.chunks[:0]
			return nil
		})
	if rawPassHook != nil {
		rawPassHook(true, h.n)
	}
	if err != nil {
		return nil, nil, err
	}
	cw.flush()
	rec := &rawInfoRecord{
		Format:      rawFormat,
		Compression: rawCompressionS2,
		Counts:      feed.counts(),
		Chunks:      pending.written + len(cw.chunks),
		Bytes:       cw.size,
		ChunksHash:  rawHashName(cw.hash.Sum64()),
	}
	h.describe(rec)
	return cw.chunks, rec, nil
}

// rawPartBytes is the size of every part of the stream but the last, as
// compressed into an S2 stream of its own, and its block size. Each part
// starts without history, so small parts cost compression. With zstd,
// against one frame, a large district was 6% larger in parts of 128 KiB,
// 2.4% in 256 KiB and 0.5% in 512 KiB, and from 1 MiB on no larger; S2
// makes an XL district no smaller in parts of 4 MiB (119 MB either way).
// The parts in flight, two per worker, hold a few MB.
const rawPartBytes = 1 << 20

// rawPart is a part of the stream, and the S2 stream it compresses to.
type rawPart struct {
	data       []byte // rawPartBytes of the stream, or less if last
	compressed []byte
}

// writeParts passes the stream of feed to h and, in parts, to the
// pipeline next and send belong to (see runPipeline).
func writeParts(feed *rawFeed, h *streamHash, next func() (*rawPart, bool), send func()) error {
	var p *rawPart // being filled, when not nil
	err := writeStream(feed, nil, func(b []byte) error {
		h.write(b) // fails only when comparing against a kept stream
		for len(b) > 0 {
			if p == nil {
				var ok bool
				if p, ok = next(); !ok {
					return errPipelineStopped
				}
				p.data = slices.Grow(p.data[:0], rawPartBytes)
			}
			k := min(len(b), rawPartBytes-len(p.data))
			p.data = append(p.data, b[:k]...)
			b = b[k:]
			if len(p.data) == rawPartBytes {
				send()
				p = nil
			}
		}
		return nil
	})
	if err == nil && p != nil {
		send()
	}
	return err
}

// writeStream passes the stream of feed to write, in order and in pieces
// of up to a batch: the header, the frames of every collection in turn,
// then the end marker. check, when set, may fail a collection before it
// is written.
func writeStream(feed *rawFeed, check func(rawRecords) error, write func([]byte) error) error {
	if err := write(append(rawMagic[:], rawFormat)); err != nil {
		return err
	}
	frames := 0
	err := runPipeline(rawPipelineWorkers(),
		func(next func() (*rawEncodeBatch, bool), send func()) error {
			for i := 0; ; i++ {
				c, ok, err := feed.coll(i)
				if err != nil || !ok {
					return err
				}
				if check != nil {
					if err := check(c); err != nil {
						return err
					}
				}
				frames += c.n
				for first := 0; first < c.n; first += rawBatchRecords {
					b, ok := next()
					if !ok {
						return nil
					}
					b.recs, b.first, b.end = &c, first, min(first+rawBatchRecords, c.n)
					send()
				}
			}
		},
		func(b *rawEncodeBatch) error { return feed.busy(b.encode) },
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
	// produce has returned (runPipeline returns only then): frames is
	// whole.
	return write(binary.AppendUvarint([]byte{rawTagEnd}, uint64(frames)))
}

// rawRecords is one collection of a roster as the encoder sees it: n
// records of one tag, whatever their type.
type rawRecords struct {
	tag byte
	n   int
	at  func(i int) any // returns &recs[i]
	// first is at(0), nil when there are none, to tell the collection
	// from an equal copy of it.
	first any
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

// chunkWriter cuts what is written to it into chunks of chunkSize bytes. A chunk is never written again until it is handed back with
// reuse: bbolt refers to a value until its transaction commits.
type chunkWriter struct {
	chunkSize int // rawChunkSize, but in tests
	chunks    [][]byte
	buf       []byte
	size      int64
	hash      *xxhash.Digest // of what is written, when set
	spare     [][]byte       // chunks handed back, to fill again
}

// reuse hands back chunks, which are no longer referred to, to be filled
// again: a large save writes its chunks in a transaction every
// rawWriteEvery bytes, and reusing them spares the heap the rest of the
// stream's, which it would otherwise only collect after the snapshot
// (78 MB at XL).
func (w *chunkWriter) reuse(chunks [][]byte) {
	for _, c := range chunks {
		w.spare = append(w.spare, c[:0])
	}
}

func (w *chunkWriter) Write(p []byte) (int, error) {
	n := len(p)
	if w.hash != nil {
		w.hash.Write(p)
	}
	for len(p) > 0 {
		if w.buf == nil {
			if n := len(w.spare); n > 0 {
				w.buf, w.spare = w.spare[n-1], w.spare[:n-1]
			} else {
				w.buf = make([]byte, 0, w.chunkSize)
			}
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
