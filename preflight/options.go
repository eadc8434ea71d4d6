package preflight

import (
	"bytes"
	"errors"
	"fmt"
	"sort"

	"github.com/rosterd/rosterd/roster"
)

// Severity says what an issue does to a run.
type Severity string

// The severities.
const (
	// SeverityError refuses the run: nothing is committed.
	SeverityError Severity = "error"
	// SeverityWarning is reported and does not block the commit.
	SeverityWarning Severity = "warning"
	// SeverityIgnore, in Options.Severity only, drops the code's issues.
	SeverityIgnore Severity = "ignore"
)

// The errors Options.Validate wraps, for errors.Is.
var (
	ErrUnknownEntity   = errors.New("unknown entity")
	ErrUnknownField    = errors.New("unknown field")
	ErrUnknownCode     = errors.New("unknown issue code")
	ErrUnknownSeverity = errors.New("unknown severity")
	ErrNegativeLimit   = errors.New("must not be negative")
)

// Options configure the checks of one connection.
type Options struct {
	// Required lists the required field paths per entity (roster.LookupField
	// names). A nil map means DefaultRequired(); an entity absent from a
	// non-nil map requires nothing.
	Required map[roster.Entity][]string
	// Severity overrides the default severity of issue codes ("ignore"
	// drops the issue).
	Severity map[string]Severity
	// MaxHomeroomsPerStudent, when > 0, makes a student in more
	// homeroom/advisory sections than this an issue
	// (student.multiple_homerooms, error by default). 0 disables the check:
	// Clever's own demo district has 417 students in two homeroom/advisory
	// sections, so it cannot be on by default.
	MaxHomeroomsPerStudent int
	// Guards hold a change that adds, updates or deletes too much for an
	// operator's approval. nil means DefaultGuards(); an empty slice
	// disables them.
	Guards []Guard
	// Arena, when set, receives a copy of the encoding of every record the
	// change puts, and the change refers to that copy, so that a caller
	// can keep the change of a large roster off the heap. nil copies each
	// encoding onto the heap. It is not configuration: Validate ignores it.
	Arena RecordArena
}

// RecordArena keeps byte slices for as long as the caller needs the
// change (spill.Arena is one). Append returns a copy of b, which may be
// written out later: it holds b's bytes, unchanged, once Seal returns
// nil. Check seals the arena before it returns.
type RecordArena interface {
	Append(b []byte) []byte
	Seal() error
}

// heapArena copies onto the heap.
type heapArena struct{}

func (heapArena) Append(b []byte) []byte { return bytes.Clone(b) }
func (heapArena) Seal() error            { return nil }

// DefaultRequired returns the fields every deployment requires unless its
// config says otherwise: what an app needs to show a person or a class.
// Each call returns a new map, which the caller may change.
func DefaultRequired() map[roster.Entity][]string {
	return map[roster.Entity][]string{
		roster.EntityDistrict:      {"name"},
		roster.EntitySchool:        {"name"},
		roster.EntitySection:       {"name", "school"},
		roster.EntityStudent:       {"sis_id", "name.first", "name.last", "school"},
		roster.EntityTeacher:       {"name.first", "name.last"},
		roster.EntityStaff:         {"name.last"},
		roster.EntityDistrictAdmin: {"name.last"},
		roster.EntityContact:       {"name.last"},
	}
}

// Validate checks every entity, field path, issue code and severity the
// options name. The error names the offending key.
func (o Options) Validate() error {
	if _, err := o.requiredFields(); err != nil {
		return err
	}
	codes := make([]string, 0, len(o.Severity))
	for c := range o.Severity {
		codes = append(codes, c)
	}
	sort.Strings(codes) // report the same key first on every run
	for _, c := range codes {
		if _, ok := codeTable[c]; !ok {
			return fmt.Errorf("severity: %w %q", ErrUnknownCode, c)
		}
		switch s := o.Severity[c]; s {
		case SeverityError, SeverityWarning, SeverityIgnore:
		default:
			return fmt.Errorf("severity.%s: %w %q (want error, warning or ignore)", c, ErrUnknownSeverity, s)
		}
	}
	if o.MaxHomeroomsPerStudent < 0 {
		return fmt.Errorf("max_homerooms_per_student: %w", ErrNegativeLimit)
	}
	for i, g := range o.Guards {
		if err := g.validate(); err != nil {
			return fmt.Errorf("guards[%d]: %w", i, err)
		}
	}
	return nil
}

// requiredFields resolves Required (or the defaults) into field readers.
func (o Options) requiredFields() (map[roster.Entity][]roster.Field, error) {
	required := o.Required
	if required == nil {
		required = DefaultRequired()
	}
	entities := make([]string, 0, len(required))
	for e := range required {
		entities = append(entities, string(e))
	}
	sort.Strings(entities)
	out := make(map[roster.Entity][]roster.Field, len(required))
	for _, name := range entities {
		e, ok := roster.ParseEntity(name)
		if !ok {
			return nil, fmt.Errorf("required_fields: %w %q", ErrUnknownEntity, name)
		}
		for _, path := range required[e] {
			f, err := roster.LookupField(e, path)
			if err != nil {
				return nil, fmt.Errorf("required_fields.%s: %w: %w", name, ErrUnknownField, err)
			}
			out[e] = append(out[e], f)
		}
	}
	return out, nil
}

// severity returns the severity of code under o.
func (o Options) severity(c string) Severity {
	if s, ok := o.Severity[c]; ok {
		return s
	}
	if info, ok := codeTable[c]; ok {
		return info.Severity
	}
	// A code outside the table comes from a source's FieldError naming an
	// entity rosterd does not know; blocking is the safe reading.
	return SeverityError
}
