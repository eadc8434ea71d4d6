package roster

import (
	"encoding/json"
	"strconv"
)

// Ext holds district-defined fields ("ext" in Clever, "metadata" in
// OneRoster) as raw JSON values, so nothing a district sends is lost or
// reinterpreted.
type Ext map[string]json.RawMessage

// Get returns the value of key as text: a JSON string unquoted, any other
// JSON value as written. ok is false when key is absent or null.
func (x Ext) Get(key string) (value string, ok bool) {
	raw, found := x[key]
	if !found || len(raw) == 0 || string(raw) == "null" {
		return "", false
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err == nil {
			return s, true
		}
	}
	return string(raw), true
}

// ExtStrings builds an Ext of string values, for sources whose extension
// fields are plain text (CSV columns) and for tests.
func ExtStrings(kv map[string]string) Ext {
	if len(kv) == 0 {
		return nil
	}
	x := make(Ext, len(kv))
	for k, v := range kv {
		x[k] = json.RawMessage(strconv.Quote(v))
	}
	return x
}
