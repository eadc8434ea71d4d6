package roster

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"iter"
	"slices"
	"strconv"
)

// Ext holds district-defined fields ("ext" in Clever, "metadata" in
// OneRoster) as raw JSON values, so nothing a district sends is lost or
// reinterpreted. It encodes as a JSON object with its keys in byte order.
//
// An Ext is a value: copies share their fields, so nothing changes one in
// place, and Without returns a new one. The zero Ext holds nothing and is
// what most records have. The fields are kept as one sorted list, not a
// map: a Go map of one key is a group of eight slots, 400 bytes, and a
// large OneRoster district gives every user an Ext (its userIds).
type Ext struct {
	fields *[]ExtField // sorted by Key, each key once; nil when empty
}

// ExtField is one member of an Ext.
type ExtField struct {
	Key   string
	Value json.RawMessage
}

// NewExt returns the Ext of fields. Of two fields with one key the later
// wins.
func NewExt(fields ...ExtField) Ext {
	if len(fields) == 0 {
		return Ext{}
	}
	kept := slices.Clone(fields)
	slices.SortStableFunc(kept, func(a, b ExtField) int { return cmp.Compare(a.Key, b.Key) })
	out := kept[:0]
	for i, f := range kept {
		if i+1 < len(kept) && kept[i+1].Key == f.Key {
			continue // a later one of the same key follows
		}
		out = append(out, f)
	}
	out = slices.Clip(out)
	return Ext{fields: &out}
}

// ExtOf returns the Ext of m's members.
func ExtOf(m map[string]json.RawMessage) Ext {
	fields := make([]ExtField, 0, len(m))
	for k, v := range m {
		fields = append(fields, ExtField{Key: k, Value: v})
	}
	return NewExt(fields...)
}

// ExtStrings builds an Ext of string values, for sources whose extension
// fields are plain text (CSV columns) and for tests.
func ExtStrings(kv map[string]string) Ext {
	fields := make([]ExtField, 0, len(kv))
	for k, v := range kv {
		fields = append(fields, ExtField{Key: k, Value: json.RawMessage(strconv.Quote(v))})
	}
	return NewExt(fields...)
}

func (x Ext) list() []ExtField {
	if x.fields == nil {
		return nil
	}
	return *x.fields
}

// Len returns the number of fields.
func (x Ext) Len() int { return len(x.list()) }

// IsZero reports whether x holds no field.
func (x Ext) IsZero() bool { return x.Len() == 0 }

// Raw returns the raw value of key.
func (x Ext) Raw(key string) (json.RawMessage, bool) {
	fields := x.list()
	i, found := slices.BinarySearchFunc(fields, key, func(f ExtField, k string) int { return cmp.Compare(f.Key, k) })
	if !found {
		return nil, false
	}
	return fields[i].Value, true
}

// Get returns the value of key as text, as ExtText does; ok is false when
// key is absent or null.
func (x Ext) Get(key string) (value string, ok bool) {
	raw, _ := x.Raw(key)
	return ExtText(raw)
}

// ExtText returns a raw ext value as text: a JSON string unquoted, any
// other JSON value as written. ok is false for a value that is absent
// (empty) or null.
func ExtText(raw json.RawMessage) (value string, ok bool) {
	if len(raw) == 0 || string(raw) == "null" {
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

// All yields every key and raw value, in key order.
func (x Ext) All() iter.Seq2[string, json.RawMessage] {
	return func(yield func(string, json.RawMessage) bool) {
		for _, f := range x.list() {
			if !yield(f.Key, f.Value) {
				return
			}
		}
	}
}

// Map returns the fields as a map, nil when there are none.
func (x Ext) Map() map[string]json.RawMessage {
	if x.IsZero() {
		return nil
	}
	m := make(map[string]json.RawMessage, x.Len())
	for _, f := range x.list() {
		m[f.Key] = f.Value
	}
	return m
}

// Keys returns the keys, in order.
func (x Ext) Keys() []string {
	fields := x.list()
	keys := make([]string, len(fields))
	for i, f := range fields {
		keys[i] = f.Key
	}
	return keys
}

// Without returns x less the field key.
func (x Ext) Without(key string) Ext {
	fields := x.list()
	i := slices.IndexFunc(fields, func(f ExtField) bool { return f.Key == key })
	if i < 0 {
		return x
	}
	if len(fields) == 1 {
		return Ext{}
	}
	rest := slices.Concat(fields[:i], fields[i+1:])
	return Ext{fields: &rest}
}

// Equal reports whether x and y hold the same keys with byte-for-byte the
// same values.
func (x Ext) Equal(y Ext) bool {
	return slices.EqualFunc(x.list(), y.list(), func(a, b ExtField) bool {
		return a.Key == b.Key && bytes.Equal(a.Value, b.Value)
	})
}

// MarshalJSON writes x as an object, keys in order. The JSON libraries
// reformat what it writes as they do a map of raw values, so the encoding
// is the one a map[string]json.RawMessage had.
func (x Ext) MarshalJSON() ([]byte, error) {
	b := []byte{'{'}
	for i, f := range x.list() {
		if i > 0 {
			b = append(b, ',')
		}
		key, err := json.Marshal(f.Key)
		if err != nil {
			return nil, err
		}
		b = append(b, key...)
		b = append(b, ':')
		if f.Value == nil {
			b = append(b, "null"...) // as json.RawMessage writes nil
		} else {
			b = append(b, f.Value...)
		}
	}
	return append(b, '}'), nil
}

// errExtNotObject is returned for an ext that is not a JSON object.
var errExtNotObject = errors.New("ext is not a JSON object")

// UnmarshalJSON reads an object (null reads as no field).
func (x *Ext) UnmarshalJSON(data []byte) error {
	if string(bytes.TrimSpace(data)) == "null" {
		*x = Ext{}
		return nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		return err
	}
	if m == nil {
		return errExtNotObject
	}
	*x = ExtOf(m)
	return nil
}
