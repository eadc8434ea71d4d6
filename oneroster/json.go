package oneroster

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// envelope is every rostering response body of 1.1 and 1.2 REST: a
// collection under its plural name, or one object under its singular
// name. /schools answers orgs, /students and /teachers users, /terms and
// /gradingPeriods academicSessions, so the key names the collection, not
// the path. A single demographics object is also under "demographics".
type envelope struct {
	Orgs             []Org             `json:"orgs"`
	Org              *Org              `json:"org"`
	AcademicSessions []AcademicSession `json:"academicSessions"`
	AcademicSession  *AcademicSession  `json:"academicSession"`
	Courses          []Course          `json:"courses"`
	Course           *Course           `json:"course"`
	Classes          []Class           `json:"classes"`
	Class            *Class            `json:"class"`
	Users            []User            `json:"users"`
	User             *User             `json:"user"`
	Enrollments      []Enrollment      `json:"enrollments"`
	Enrollment       *Enrollment       `json:"enrollment"`
	Demographics     json.RawMessage   `json:"demographics"`
}

// envelopeKeys are the members of envelope.
var envelopeKeys = []string{
	"orgs", "org", "academicSessions", "academicSession", "courses", "course", "classes", "class",
	"users", "user", "enrollments", "enrollment", "demographics",
}

// ErrNoCollection reports a body that holds no OneRoster collection, such
// as an error status or a token.
var ErrNoCollection = errors.New("no OneRoster collection in the body")

// DecodeJSON decodes one REST response body and appends its records to
// d, returning how many it added. name (the file or path the body came
// from) and the line and column of the fault start the error. Members
// other than the collection (statusInfoSet warnings, vendor additions)
// are ignored; a body without any collection is ErrNoCollection.
func (d *Dataset) DecodeJSON(name string, body []byte) (int, error) {
	var env envelope
	if err := json.Unmarshal(body, &env); err != nil {
		return 0, jsonError(name, body, err)
	}
	n := d.Len()
	d.Orgs = appendOne(append(d.Orgs, env.Orgs...), env.Org)
	d.AcademicSessions = appendOne(append(d.AcademicSessions, env.AcademicSessions...), env.AcademicSession)
	d.Courses = appendOne(append(d.Courses, env.Courses...), env.Course)
	d.Classes = appendOne(append(d.Classes, env.Classes...), env.Class)
	d.Users = appendOne(append(d.Users, env.Users...), env.User)
	d.Enrollments = appendOne(append(d.Enrollments, env.Enrollments...), env.Enrollment)
	if raw := bytes.TrimSpace(env.Demographics); len(raw) > 0 && raw[0] == '{' {
		var one Demographics
		if err := json.Unmarshal(raw, &one); err != nil {
			return 0, jsonError(name, body, err)
		}
		d.Demographics = append(d.Demographics, one)
	} else if len(raw) > 0 && raw[0] == '[' {
		var many []Demographics
		if err := json.Unmarshal(raw, &many); err != nil {
			return 0, jsonError(name, body, err)
		}
		d.Demographics = append(d.Demographics, many...)
	}
	if added := d.Len() - n; added > 0 {
		return added, nil
	}
	// Nothing added: an empty collection, or none at all.
	var members map[string]json.RawMessage
	if err := json.Unmarshal(body, &members); err != nil {
		return 0, jsonError(name, body, err)
	}
	var found []string
	for k := range members {
		if slices.Contains(envelopeKeys, k) {
			return 0, nil
		}
		found = append(found, k)
	}
	slices.Sort(found)
	line, col := 1, 1
	if len(found) > 0 {
		line, col = position(body, bytes.Index(body, []byte(`"`+found[0]+`"`)))
	}
	if len(found) > 5 {
		found = append(found[:5], "…")
	}
	return 0, fmt.Errorf("%s:%d:%d: %w (its members: %s)", name, line, col, ErrNoCollection, strings.Join(found, ", "))
}

func appendOne[T any](oneItem []T, one *T) []T {
	if one != nil {
		oneItem = append(oneItem, *one)
	}
	return oneItem
}

// jsonError places a decoding error at its line and column.
func jsonError(name string, body []byte, err error) error {
	var off int64 = -1
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
	}
	if off < 0 {
		return fmt.Errorf("%s: %w", name, err)
	}
	// Offset counts the bytes read, the faulty one (or the last of a value
	// of the wrong type) included.
	line, col := position(body, max(int(off)-1, 0))
	return fmt.Errorf("%s:%d:%d: %w", name, line, col, err)
}

// position returns the 1-based line and column of byte offset off.
func position(body []byte, off int) (line, col int) {
	if off < 0 {
		return 1, 1
	}
	off = min(off, len(body))
	line = 1 + bytes.Count(body[:off], []byte{'\n'})
	col = off - bytes.LastIndexByte(body[:off], '\n')
	return line, col
}
