package codec

import (
	"bytes"
	"fmt"
	"io"
	"sync"

	"github.com/go-json-experiment/json"
)

// Marshal encodes a record (a *roster.School, *roster.User, ...) in the
// store's format.
func Marshal(rec any) ([]byte, error) {
	// Encode into a pooled buffer and copy out: one allocation of the
	// record's size instead of growing a slice from nothing.
	scratch := scratchBuffers.Get().(*[]byte)
	b, ok := appendFast((*scratch)[:0], rec)
	var out []byte
	if ok {
		out = append(make([]byte, 0, len(b)), b...)
	}
	putScratch(scratch, b)
	if ok {
		return out, nil
	}
	b, err := json.Marshal(rec, json.Deterministic(true), extOptions)
	if err != nil {
		return nil, fmt.Errorf("encode %T: %w", rec, err)
	}
	return b, nil
}

// MarshalWrite writes to w exactly the bytes Marshal returns for rec, for
// callers that encode many records: into a *bytes.Buffer the JSON is
// encoded in place, so a buffer reused from record to record saves
// Marshal's allocation and copy of every record. On an error, w may
// have been written part of the record.
func MarshalWrite(w io.Writer, rec any) error {
	if done, err := marshalWriteFast(w, rec); done {
		return err
	}
	if err := json.MarshalWrite(w, rec, json.Deterministic(true), extOptions); err != nil {
		return fmt.Errorf("encode %T: %w", rec, err)
	}
	return nil
}

// marshalWriteFast writes rec to w by the fast path and reports whether
// it did; when it did not, nothing was written.
func marshalWriteFast(w io.Writer, rec any) (done bool, err error) {
	if buf, ok := w.(*bytes.Buffer); ok {
		// Append to the buffer's spare capacity, which Write then
		// commits without copying: once the buffer has grown to its
		// working size, a record costs no allocation.
		b, ok := appendFast(buf.AvailableBuffer(), rec)
		if ok {
			buf.Write(b)
		}
		return ok, nil
	}
	scratch := scratchBuffers.Get().(*[]byte)
	b, ok := appendFast((*scratch)[:0], rec)
	if ok {
		_, err = w.Write(b)
	}
	putScratch(scratch, b)
	if err != nil {
		// The library's words for a failed write (its error type is
		// its own), so the error reads the same either way.
		return true, fmt.Errorf("encode %T: jsontext: write error: %w", rec, err)
	}
	return ok, nil
}

// scratchBuffers hold the fast path's encoding of a record for Marshal
// and for writers other than a *bytes.Buffer, which get the record in one
// Write.
var scratchBuffers = sync.Pool{New: func() any { return new([]byte) }}

// putScratch recycles scratch, which now holds b, unless a huge section
// grew it past maxScratch: that one is left to the collector.
func putScratch(scratch *[]byte, b []byte) {
	if cap(b) <= maxScratch {
		*scratch = b[:0]
		scratchBuffers.Put(scratch)
	}
}

const maxScratch = 64 << 10

// Unmarshal decodes a record written by Marshal into rec. Fields the
// current model does not know are ignored, so an older binary can read a
// store a newer one wrote within the same schema version.
func Unmarshal(data []byte, rec any) error {
	if err := json.Unmarshal(data, rec, extOptions); err != nil {
		return fmt.Errorf("decode %T: %w", rec, err)
	}
	return nil
}
