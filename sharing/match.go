package sharing

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/rosterd/rosterd/internal/idindex"
	"github.com/rosterd/rosterd/roster"
)

// recordKind is what a matcher tests.
type recordKind int

const (
	kindSchool recordKind = iota
	kindSection
	kindStudent
	kindTeacher
)

func (k recordKind) entity() roster.Entity {
	return [...]roster.Entity{roster.EntitySchool, roster.EntitySection, roster.EntityStudent, roster.EntityTeacher}[k]
}

// matcher is one compiled matcher: every test must pass.
type matcher struct {
	rule  string // "sections.include[0]"
	kind  recordKind
	tests []test
}

// test is one field of a matcher.
type test struct {
	field    string
	patterns []pattern
	values   valuesFunc
}

// valuesFunc appends the values a record has for a field to dst.
type valuesFunc func(rec any, ix *index, dst []string) []string

// pattern is one accepted value: a case-insensitive glob, a regular
// expression, "" for a record without a value, or the term "current".
type pattern struct {
	text    string
	literal bool // compare with strings.EqualFold
	re      *regexp.Regexp
	current bool // term: current
}

func compileMatcher(rule string, k recordKind, m Matcher) (*matcher, error) {
	if len(m) == 0 {
		return nil, &Error{rule, ErrEmptyMatcher}
	}
	out := &matcher{rule: rule, kind: k}
	for _, field := range sortedKeys(m) {
		values, err := fieldValues(k, field)
		if err != nil {
			return nil, &Error{rule + "." + field, err}
		}
		if len(m[field]) == 0 {
			return nil, &Error{rule + "." + field, errors.New("lists no value to match")}
		}
		t := test{field: field, values: values}
		for _, text := range m[field] {
			p, err := compilePattern(text)
			if err != nil {
				return nil, &Error{rule + "." + field, err}
			}
			if p.current && (k != kindSection || field != "term") {
				p = pattern{text: text, literal: true} // "current" is special for a section's term only
			}
			t.patterns = append(t.patterns, p)
		}
		out.tests = append(out.tests, t)
	}
	return out, nil
}

func compilePattern(text string) (pattern, error) {
	p := pattern{text: text}
	switch {
	case text == "current":
		p.current = true
	case len(text) >= 2 && strings.HasPrefix(text, "/") && strings.HasSuffix(text, "/"):
		re, err := regexp.Compile(text[1 : len(text)-1])
		if err != nil {
			return p, fmt.Errorf("%w: regular expression %s: %w", ErrBadPattern, text, err)
		}
		p.re = re
	case strings.ContainsAny(text, "*?"):
		var b strings.Builder
		b.WriteString("(?is)^")
		for _, r := range text {
			switch r {
			case '*':
				b.WriteString(".*")
			case '?':
				b.WriteString(".")
			default:
				b.WriteString(regexp.QuoteMeta(string(r)))
			}
		}
		b.WriteString("$")
		p.re = regexp.MustCompile(b.String())
	default:
		p.literal = true
	}
	return p, nil
}

func (p *pattern) match(v string) bool {
	if p.re != nil {
		return p.re.MatchString(v)
	}
	return strings.EqualFold(p.text, v)
}

// matches reports whether every test of m passes for rec.
func (m *matcher) matches(rec any, ix *index) bool {
	for i := range m.tests {
		if !m.tests[i].passes(rec, ix) {
			return false
		}
	}
	return true
}

func (t *test) passes(rec any, ix *index) bool {
	ix.scratch = t.values(rec, ix, ix.scratch[:0])
	for i := range t.patterns {
		p := &t.patterns[i]
		switch {
		case p.current:
			if s, ok := rec.(*roster.Section); ok && ix.currentTerms[s.Term] {
				return true
			}
		case p.literal && p.text == "":
			if len(ix.scratch) == 0 {
				return true
			}
		default:
			for _, v := range ix.scratch {
				if p.match(v) {
					return true
				}
			}
		}
	}
	return false
}

// String describes m as the config writes it.
func (m *matcher) String() string {
	parts := make([]string, len(m.tests))
	for i, t := range m.tests {
		texts := make([]string, len(t.patterns))
		for j, p := range t.patterns {
			texts[j] = p.text
		}
		parts[i] = t.field + "=" + quoteList(texts)
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// fieldValues returns how a matcher of kind k reads field, or an error
// for a field k has no such field. References (a section's school, course,
// term and teachers, a user's schools) match the referenced record's ID,
// SIS ID, name or number, whichever the pattern names.
func fieldValues(k recordKind, field string) (valuesFunc, error) {
	switch k {
	case kindSection:
		switch field {
		case "school":
			return func(rec any, ix *index, dst []string) []string {
				return ix.schoolValues(dst, rec.(*roster.Section).School)
			}, nil
		case "course":
			return func(rec any, ix *index, dst []string) []string {
				id := rec.(*roster.Section).Course
				if id == "" {
					return dst
				}
				dst = append(dst, id)
				if c := ix.courses[id]; c != nil {
					dst = appendNonEmpty(dst, c.Name, c.Number, c.SISID)
				}
				return dst
			}, nil
		case "term":
			return func(rec any, ix *index, dst []string) []string {
				id := rec.(*roster.Section).Term
				if id == "" {
					return dst
				}
				dst = append(dst, id)
				if t := ix.terms[id]; t != nil {
					dst = appendNonEmpty(dst, t.Name, t.SISID)
				}
				return dst
			}, nil
		case "teacher":
			return func(rec any, ix *index, dst []string) []string {
				for _, id := range rec.(*roster.Section).Teachers {
					dst = append(dst, id)
					if u := ix.user(id); u != nil && u.Roles.Teacher != nil {
						dst = appendNonEmpty(dst, u.Roles.Teacher.SISID)
					}
				}
				return dst
			}, nil
		case "teachers", "students":
			return nil, fmt.Errorf("%w: match a section's teachers with \"teacher\"; students are not matched on sections", ErrUnknownField)
		}
	case kindStudent, kindTeacher:
		switch field {
		case "school":
			return func(rec any, ix *index, dst []string) []string {
				u := rec.(*roster.User)
				if s := u.Roles.Student; s != nil && k == kindStudent {
					return ix.schoolValues(dst, s.School)
				}
				if t := u.Roles.Teacher; t != nil && k == kindTeacher {
					return ix.schoolValues(dst, t.School)
				}
				return dst
			}, nil
		case "schools":
			return func(rec any, ix *index, dst []string) []string {
				u := rec.(*roster.User)
				var ids []string
				if s := u.Roles.Student; s != nil && k == kindStudent {
					ids = append([]string{s.School}, s.Schools...)
				}
				if t := u.Roles.Teacher; t != nil && k == kindTeacher {
					ids = append([]string{t.School}, t.Schools...)
				}
				for _, id := range ids {
					dst = ix.schoolValues(dst, id)
				}
				return dst
			}, nil
		}
	}
	f, err := roster.LookupField(k.entity(), field)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnknownField, err)
	}
	return func(rec any, ix *index, dst []string) []string { return f.AppendValues(dst, rec) }, nil
}

func appendNonEmpty(dst []string, vs ...string) []string {
	for _, v := range vs {
		if v != "" {
			dst = append(dst, v)
		}
	}
	return dst
}

// index resolves the references matchers follow, for one Apply.
type index struct {
	schools      map[string]*roster.School
	courses      map[string]*roster.Course
	terms        map[string]*roster.Term
	currentTerms map[string]bool
	users        *[]roster.User
	userPos      *idindex.Index // over *users
	scratch      []string
}

func (ix *index) schoolValues(dst []string, id string) []string {
	if id == "" {
		return dst
	}
	dst = append(dst, id)
	if s := ix.schools[id]; s != nil {
		dst = appendNonEmpty(dst, s.SISID, s.Name)
	}
	return dst
}

func (ix *index) user(id string) *roster.User {
	if p, ok := ix.userPos.Get(id); ok {
		return &(*ix.users)[p]
	}
	return nil
}
