package codec

import (
	stdjson "encoding/json"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	"github.com/rosterd/rosterd/roster"
)

// A roster.Ext was a map[string]json.RawMessage, and the format is what
// the library wrote for that map: members in key order, each value
// reformatted as the library reformats raw JSON, and an error for a bad
// value naming it ("/ext/room"). The library encodes and decodes an Ext
// through that map still, so nothing it writes or reads, nor how it
// fails, changed with the type (the fast path, appendExt, writes the same
// bytes for the common case without the map).
var extOptions = json.JoinOptions(
	json.WithMarshalers(json.MarshalToFunc(marshalExt)),
	json.WithUnmarshalers(json.UnmarshalFromFunc(unmarshalExt)),
)

func marshalExt(enc *jsontext.Encoder, x roster.Ext) error {
	m := x.Map()
	if m == nil {
		m = map[string]stdjson.RawMessage{} // an object, as the empty map was
	}
	return json.MarshalEncode(enc, m)
}

func unmarshalExt(dec *jsontext.Decoder, x *roster.Ext) error {
	var m map[string]stdjson.RawMessage
	if err := json.UnmarshalDecode(dec, &m); err != nil {
		return err
	}
	*x = roster.ExtOf(m)
	return nil
}
