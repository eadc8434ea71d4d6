package sharing

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/rosterd/rosterd/roster"
)

// Config is a connection's sharing rules as the config file states them.
// The zero Config keeps everything.
type Config struct {
	Schools  Filter
	Sections Filter
	Students Filter
	Teachers Filter

	// KeepEmptySections keeps sections the rules left with no student;
	// by default they are dropped.
	KeepEmptySections bool
	// KeepUnassignedStudents and KeepUnassignedTeachers keep students and
	// teachers the rules left in no section; by default they are dropped.
	KeepUnassignedStudents bool
	KeepUnassignedTeachers bool

	// OneSectionPerStudent, when set, narrows and checks each student's
	// sections.
	OneSectionPerStudent *OneSection

	// Fields lists, per user entity, the field paths (roster.LookupField
	// names, "ext.<key>" included) that are kept; every other field of that
	// entity is dropped. An entity absent from the map keeps every field.
	// A user's ID, roles and school references needed by the roster's
	// shape are never dropped unless listed fields say so.
	Fields map[roster.Entity][]string

	// Location is the connection's time zone, for term "current"; nil
	// means time.Local.
	Location *time.Location
}

// Filter is an include list and an exclude list of matchers.
type Filter struct {
	Include []Matcher
	Exclude []Matcher
}

// Matcher maps field names to the patterns a record's value may match.
// All fields must match; any pattern of a field may.
type Matcher map[string][]string

// OneSection narrows each student to one section.
type OneSection struct {
	// Required makes a student left in several sections an error; when
	// false it is a warning.
	Required bool
	// RequireSection makes a student left in no section an error; when
	// false it is a warning.
	RequireSection bool
	// Prefer is applied in order to a student in several sections: each
	// tie-breaker keeps the sections it prefers, if any, and passes them to
	// the next.
	Prefer []Preference
}

// Preference is one tie-breaker: sections matching Matcher, or with the
// lowest period.
type Preference struct {
	Matcher      Matcher
	LowestPeriod bool
}

// Error names the rule that is wrong, as the config file spells it
// ("sections.include[0].nmae").
type Error struct {
	Rule string
	Err  error
}

func (e *Error) Error() string { return e.Rule + ": " + e.Err.Error() }

func (e *Error) Unwrap() error { return e.Err }

// The errors Compile wraps, for errors.Is.
var (
	ErrUnknownField = errors.New("unknown field")
	ErrEmptyMatcher = errors.New("matcher has no field")
	ErrBadPattern   = errors.New("bad pattern")
	ErrFieldDropped = errors.New("field is dropped by sharing.fields")
)

// Rules are compiled sharing rules, ready to Apply. A nil *Rules keeps
// everything.
type Rules struct {
	schools, sections, students, teachers filter

	keepEmptySections      bool
	keepUnassignedStudents bool
	keepUnassignedTeachers bool

	oneSection *oneSection
	minimise   *minimiser
	location   *time.Location
}

type filter struct {
	name             string // "sections"
	include, exclude []*matcher
}

// configured reports whether the filter has any matcher.
func (f *filter) configured() bool { return len(f.include)+len(f.exclude) > 0 }

type oneSection struct {
	required, requireSection bool
	prefer                   []preference
}

type preference struct {
	rule         string
	matcher      *matcher
	lowestPeriod bool
}

// Compile checks cfg and prepares it for Apply. Its errors are *Error,
// naming the rule.
func Compile(cfg Config) (*Rules, error) {
	r := &Rules{
		keepEmptySections:      cfg.KeepEmptySections,
		keepUnassignedStudents: cfg.KeepUnassignedStudents,
		keepUnassignedTeachers: cfg.KeepUnassignedTeachers,
		location:               cfg.Location,
	}
	if r.location == nil {
		r.location = time.Local
	}
	var err error
	if r.schools, err = compileFilter("schools", kindSchool, cfg.Schools); err != nil {
		return nil, err
	}
	if r.sections, err = compileFilter("sections", kindSection, cfg.Sections); err != nil {
		return nil, err
	}
	if r.students, err = compileFilter("students", kindStudent, cfg.Students); err != nil {
		return nil, err
	}
	if r.teachers, err = compileFilter("teachers", kindTeacher, cfg.Teachers); err != nil {
		return nil, err
	}
	if o := cfg.OneSectionPerStudent; o != nil {
		r.oneSection = &oneSection{required: o.Required, requireSection: o.RequireSection}
		for i, p := range o.Prefer {
			rule := fmt.Sprintf("one_section_per_student.prefer[%d]", i)
			switch {
			case p.LowestPeriod && len(p.Matcher) > 0:
				return nil, &Error{rule, errors.New("set lowest_period or section fields, not both")}
			case p.LowestPeriod:
				r.oneSection.prefer = append(r.oneSection.prefer, preference{rule: rule, lowestPeriod: true})
			default:
				m, err := compileMatcher(rule, kindSection, p.Matcher)
				if err != nil {
					return nil, err
				}
				r.oneSection.prefer = append(r.oneSection.prefer, preference{rule: rule, matcher: m})
			}
		}
	}
	if r.minimise, err = compileMinimiser(cfg.Fields); err != nil {
		return nil, err
	}
	if err := r.checkFieldsKept(); err != nil {
		return nil, err
	}
	return r, nil
}

func compileFilter(name string, k recordKind, f Filter) (filter, error) {
	out := filter{name: name}
	for i, m := range f.Include {
		cm, err := compileMatcher(fmt.Sprintf("%s.include[%d]", name, i), k, m)
		if err != nil {
			return out, err
		}
		out.include = append(out.include, cm)
	}
	for i, m := range f.Exclude {
		cm, err := compileMatcher(fmt.Sprintf("%s.exclude[%d]", name, i), k, m)
		if err != nil {
			return out, err
		}
		out.exclude = append(out.exclude, cm)
	}
	return out, nil
}

// checkFieldsKept refuses a student or teacher matcher that reads a field
// sharing.fields drops: minimisation runs first, so the matcher would never
// see a value.
func (r *Rules) checkFieldsKept() error {
	if r.minimise == nil {
		return nil
	}
	for _, f := range []*filter{&r.students, &r.teachers} {
		for _, m := range slices.Concat(f.include, f.exclude) {
			for _, t := range m.tests {
				if !r.minimise.keeps(m.kind.entity(), t.field) {
					return &Error{m.rule + "." + t.field, fmt.Errorf("%w: keep %q in sharing.fields.%s or match on another field", ErrFieldDropped, t.field, m.kind.entity())}
				}
			}
		}
	}
	return nil
}

// Describe lists the compiled rules in the order Apply runs them, one line
// each, for the workbench.
func (r *Rules) Describe() []string {
	if r == nil {
		return nil
	}
	var out []string
	for _, f := range []*filter{&r.schools, &r.students, &r.teachers, &r.sections} {
		for _, m := range slices.Concat(f.include, f.exclude) {
			out = append(out, m.rule+" "+m.String())
		}
	}
	if o := r.oneSection; o != nil {
		for _, p := range o.prefer {
			if p.lowestPeriod {
				out = append(out, p.rule+" lowest period")
			} else {
				out = append(out, p.rule+" "+p.matcher.String())
			}
		}
	}
	return out
}

// sortedKeys returns m's keys in order, so errors and descriptions are the
// same on every run.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// quoteList joins values for a description.
func quoteList(vs []string) string {
	q := make([]string, len(vs))
	for i, v := range vs {
		q[i] = fmt.Sprintf("%q", v)
	}
	return strings.Join(q, "|")
}
