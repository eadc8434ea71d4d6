package codec

import (
	"fmt"
	"io"

	"github.com/go-json-experiment/json"
)

// Marshal encodes a record (a *roster.School, *roster.User, ...) in the
// store's format.
func Marshal(rec any) ([]byte, error) {
	b, err := json.Marshal(rec, json.Deterministic(true))
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
	if err := json.MarshalWrite(w, rec, json.Deterministic(true)); err != nil {
		return fmt.Errorf("encode %T: %w", rec, err)
	}
	return nil
}

// Unmarshal decodes a record written by Marshal into rec. Fields the
// current model does not know are ignored, so an older binary can read a
// store a newer one wrote within the same schema version.
func Unmarshal(data []byte, rec any) error {
	if err := json.Unmarshal(data, rec); err != nil {
		return fmt.Errorf("decode %T: %w", rec, err)
	}
	return nil
}
