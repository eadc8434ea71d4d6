package state

import (
	"bytes"
	"fmt"
	"io"
	"sync"

	"github.com/klauspost/compress/s2"
	"github.com/klauspost/compress/zstd"
)

// The stream is compressed with S2 (raw.go). zstd at its fastest level,
// which rosterd used before, made a tenth of the stream's size where S2
// makes a seventh, but took 1.5 CPU-seconds for an XL district's 883 MB
// against 0.6: the snapshot is the one phase of a sync that runs beside
// the fetch, and what of it the fetch's end leaves is on the sync's path.
// At XL it stored 119 MB instead of 78, in a state file of 1.2 GB.

// knownRawCompression reports whether this rosterd reads chunks
// compressed as name.
func knownRawCompression(name string) bool {
	return name == rawCompressionS2 || name == rawCompressionZstd
}

// s2Writers compress parts of the stream, one at a time each.
var s2Writers = sync.Pool{New: func() any {
	return s2.NewWriter(nil, s2.WriterConcurrency(1), s2.WriterBlockSize(rawPartBytes))
}}

// compressPart appends to dst part of the stream, at most rawPartBytes,
// compressed as an S2 stream of its own: S2 readers read such streams
// one after another as one.
func compressPart(dst, part []byte) ([]byte, error) {
	w := s2Writers.Get().(*s2.Writer)
	defer s2Writers.Put(w)
	buf := bytes.NewBuffer(dst)
	w.Reset(buf)
	if _, err := w.Write(part); err != nil {
		return nil, fmt.Errorf("compress the stream: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("compress the stream: %w", err)
	}
	w.Reset(nil) // not to hold buf
	return buf.Bytes(), nil
}

// decompressed returns the stream src holds, compressed as compression,
// and a function that lets go of what reading it holds.
func decompressed(src io.Reader, compression string) (io.Reader, func(), error) {
	switch compression {
	case rawCompressionS2:
		return s2.NewReader(src, s2.ReaderMaxBlockSize(rawPartBytes)), func() {}, nil
	case rawCompressionZstd:
		// One zstd frame, or several (rosterd wrote both): the reader
		// reads them one after another as one stream.
		zr, err := zstd.NewReader(src, zstd.WithDecoderMaxWindow(rawMaxWindow))
		if err != nil {
			return nil, nil, fmt.Errorf("start zstd: %w", err)
		}
		return zr, zr.Close, nil
	}
	return nil, nil, fmt.Errorf("raw roster is compressed as %q; this rosterd reads %q and zstd", compression, rawCompressionS2)
}
