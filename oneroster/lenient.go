package oneroster

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"unicode/utf8"
)

// The lenient types decode every form real providers send for a value
// without failing the page: a bad value is kept as such (BoolInvalid) or
// as text, and the mapping reports it. Their UnmarshalJSON methods work
// with encoding/json and with go-json-experiment alike.

// Bool is a OneRoster boolean. The spec says true/false (1.1) or the
// strings "true"/"false" (1.2); providers also send "TRUE", 1 and 0. The
// zero Bool is absent, which differs from false: an absent enabledUser is
// an enabled user.
type Bool uint8

// The values of a Bool.
const (
	BoolAbsent Bool = iota
	BoolFalse
	BoolTrue
	// BoolInvalid is a value that is no boolean, such as "yes"; the
	// mapping reports it.
	BoolInvalid
)

// ParseBool reads a CSV cell or JSON string: true or false in any case,
// 1 or 0; blank is BoolAbsent and anything else BoolInvalid.
func ParseBool(s string) Bool {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return BoolAbsent
	case s == "1" || strings.EqualFold(s, "true"):
		return BoolTrue
	case s == "0" || strings.EqualFold(s, "false"):
		return BoolFalse
	}
	return BoolInvalid
}

// BoolOf returns BoolTrue or BoolFalse.
func BoolOf(v bool) Bool {
	if v {
		return BoolTrue
	}
	return BoolFalse
}

// IsTrue reports whether b is true.
func (b Bool) IsTrue() bool { return b == BoolTrue }

// String returns true, false, "" (absent) or invalid.
func (b Bool) String() string {
	switch b {
	case BoolTrue:
		return "true"
	case BoolFalse:
		return "false"
	case BoolInvalid:
		return "invalid"
	}
	return ""
}

// UnmarshalJSON reads true, false, null, a number or a string. It never
// fails: a value that is no boolean becomes BoolInvalid.
func (b *Bool) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	switch {
	case len(data) == 0 || string(data) == "null":
		*b = BoolAbsent
	case string(data) == "true":
		*b = BoolTrue
	case string(data) == "false":
		*b = BoolFalse
	case data[0] == '"' && len(data) >= 2 && bytes.IndexByte(data, '\\') < 0:
		// 1.2 sends every boolean as a string ("true"), in every
		// enrollment and user: without an escape, the text is what is
		// between the quotes (the decoder has checked the value is JSON).
		*b = ParseBool(string(data[1 : len(data)-1]))
	case data[0] == '"':
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			*b = BoolInvalid
			return nil
		}
		*b = ParseBool(s)
	default:
		*b = ParseBool(string(data))
	}
	return nil
}

// MarshalJSON writes a JSON boolean, or null when b is absent or invalid.
func (b Bool) MarshalJSON() ([]byte, error) {
	switch b {
	case BoolTrue:
		return []byte("true"), nil
	case BoolFalse:
		return []byte("false"), nil
	}
	return []byte("null"), nil
}

// StringList is a multi-valued field (grades, subjects, periods). A bare
// string is read as a comma-separated list, the way the CSV binding writes
// one cell, and numbers are read as their text.
type StringList []string

// UnmarshalJSON reads an array of strings or numbers, a bare string or
// null. It fails only on a JSON object or boolean.
func (l *StringList) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if len(data) == 0 || string(data) == "null" {
		*l = nil
		return nil
	}
	switch data[0] {
	case '"':
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return err
		}
		*l = splitList(s)
		return nil
	case '[':
		if out, ok := plainStrings(data); ok {
			*l = out
			return nil
		}
		var items []json.RawMessage
		if err := json.Unmarshal(data, &items); err != nil {
			return err
		}
		out := make([]string, 0, len(items))
		for _, it := range items {
			if s, ok := scalarText(it); ok && s != "" {
				out = append(out, s)
			}
		}
		if len(out) == 0 {
			out = nil
		}
		*l = out
		return nil
	}
	if s, ok := scalarText(data); ok {
		*l = splitList(s)
		return nil
	}
	return &json.UnmarshalTypeError{Value: "object or boolean", Type: stringListType}
}

// plainStrings reads an array of strings without escapes, the form
// providers send grades, subjects and periods in, as the general path of
// UnmarshalJSON does; ok is false for any other array. data is one JSON
// value, already checked by the decoder, so every quote delimits.
func plainStrings(data []byte) (out []string, ok bool) {
	if bytes.IndexByte(data, '\\') >= 0 || !utf8.Valid(data) {
		return nil, false // escapes and bad UTF-8 need the decoder
	}
	rest := data[1:] // after [
	for {
		rest = bytes.TrimLeft(rest, " \t\r\n")
		if len(rest) == 0 {
			return nil, false
		}
		switch rest[0] {
		case ']':
			return out, true
		case ',':
			rest = rest[1:]
		case '"':
			end := bytes.IndexByte(rest[1:], '"')
			if end < 0 {
				return nil, false
			}
			if end > 0 {
				out = append(out, string(rest[1:1+end]))
			}
			rest = rest[2+end:]
		default:
			return nil, false // a number or another value: the general path
		}
	}
}

// First returns the first item, or "".
func (l StringList) First() string {
	if len(l) == 0 {
		return ""
	}
	return l[0]
}

// Year is an academic session's schoolYear: YYYY, the year the school
// year ends, sent as a string or as a number.
type Year string

// UnmarshalJSON reads a string, a number or null, and never fails.
func (y *Year) UnmarshalJSON(data []byte) error {
	s, _ := scalarText(bytes.TrimSpace(data))
	*y = Year(s)
	return nil
}

// Metadata holds a record's extension members (metadata in REST, the
// metadata.* columns in CSV) as raw JSON values, so nothing is lost or
// reinterpreted. It becomes the Ext of the roster record.
type Metadata map[string]json.RawMessage

// metadataInvalid is the key under which Metadata keeps a metadata member
// that is not a JSON object, for the mapping to report.
const metadataInvalid = ""

// UnmarshalJSON reads an object. null and {} are absent; any other value is
// kept for the mapping to report rather than failing the page.
func (m *Metadata) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if len(data) == 0 || string(data) == "null" {
		*m = nil
		return nil
	}
	if data[0] != '{' {
		*m = Metadata{metadataInvalid: append(json.RawMessage(nil), data...)}
		return nil
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	if len(raw) == 0 {
		*m = nil
		return nil
	}
	*m = raw
	return nil
}

// SetString sets key to the JSON string v.
func (m *Metadata) SetString(key, v string) {
	if *m == nil {
		*m = make(Metadata)
	}
	(*m)[key] = jsonString(v)
}

// scalarText returns the text of a JSON string or number, "" for null,
// and false for anything else.
func scalarText(data []byte) (string, bool) {
	if len(data) == 0 || string(data) == "null" {
		return "", true
	}
	switch c := data[0]; {
	case c == '"':
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return "", false
		}
		return s, true
	case c == '-' || (c >= '0' && c <= '9'):
		return string(data), true
	}
	return "", false
}

// splitList splits a list cell ("09,10,11"; "Science, Physics") into its
// items, trimmed, without blanks; nil when none is left.
func splitList(s string) []string {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	if !strings.Contains(s, ",") {
		return []string{strings.TrimSpace(s)}
	}
	var out []string
	for item := range strings.SplitSeq(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// jsonString encodes s as a JSON string, as encoding/json does. Most
// values are plain printable ASCII, which it would copy between quotes;
// at XL that is two values per user, and the reflection for each cost
// more than the copy.
func jsonString(s string) json.RawMessage {
	if plainASCII(s) {
		b := make(json.RawMessage, 0, len(s)+2)
		b = append(b, '"')
		b = append(b, s...)
		return append(b, '"')
	}
	b, _ := json.Marshal(s) // a string always encodes
	return b
}

// plainASCII reports whether encoding/json writes s unchanged between
// quotes: printable ASCII without a quote, a backslash, or the characters
// it escapes for HTML.
func plainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return false
		}
	}
	return true
}

var stringListType = reflect.TypeFor[StringList]()
