package oneroster

import (
	"github.com/rosterd/rosterd/internal/plainword"
)

// plainScanner reads a plain subset of JSON and checks it as it goes, for
// the fast decoders (fastdecode.go): strings of printable ASCII without
// escapes, numbers, true, false, null, and objects and arrays of them.
// Anything else, valid JSON or not, fails the scan, and the JSON library
// reads the input instead.
type plainScanner struct {
	b    []byte
	i    int
	strs pageStrings // the strings repeated kinds of members share

	// Scratch for the lists of a record (scanList, stringList), kept for
	// the page.
	texts []string
	refs  []GUIDRef
	ids   []UserID
	roles []Role
}

func (p *plainScanner) space() { p.i = plainword.SkipSpace(p.b, p.i) }

// peek returns the byte after any whitespace, 0 at the end.
func (p *plainScanner) peek() byte {
	if p.i < len(p.b) && p.b[p.i] > ' ' { // providers seldom send whitespace
		return p.b[p.i]
	}
	p.space()
	if p.i < len(p.b) {
		return p.b[p.i]
	}
	return 0
}

// open reads c, which opens an object or an array.
func (p *plainScanner) open(c byte) bool {
	if p.peek() != c {
		return false
	}
	p.i++
	return true
}

// first begins reading the elements of the object or array just opened,
// which end reads: more is whether an element follows; when it is false,
// ok is whether end closed it.
func (p *plainScanner) first(end byte) (more, ok bool) {
	switch p.peek() {
	case end:
		p.i++
		return false, true
	case 0:
		return false, false
	}
	return true, true
}

// next reads what follows an element: a comma and another element (more),
// or end (ok).
func (p *plainScanner) next(end byte) (more, ok bool) {
	switch p.peek() {
	case ',':
		p.i++
		c := p.peek()
		return c != end && c != 0, c != end && c != 0
	case end:
		p.i++
		return false, true
	}
	return false, false
}

// member reads an object member's name and the colon after it.
func (p *plainScanner) member() ([]byte, bool) {
	name, ok := p.str()
	if !ok || p.peek() != ':' {
		return nil, false
	}
	p.i++
	return name, true
}

// str reads a string and returns its text.
func (p *plainScanner) str() ([]byte, bool) {
	if p.peek() != '"' {
		return nil, false
	}
	// Eight bytes at a time up to the first that is not plain: most of a
	// page's bytes are in strings, the hrefs the longest of them.
	for j := plainword.SkipPlain(p.b, p.i+1); j < len(p.b); j++ {
		switch c := p.b[j]; {
		case c == '"':
			text := p.b[p.i+1 : j]
			p.i = j + 1
			return text, true
		case c == '\\' || c < 0x20 || c >= 0x80:
			return nil, false
		}
	}
	return nil, false
}

// repeated reads a string into *s, shared with the page's equal ones.
func (p *plainScanner) repeated(s *string) bool {
	text, ok := p.str()
	if ok {
		*s = p.strs.get(text)
	}
	return ok
}

// value skips a value and returns its bytes.
func (p *plainScanner) value() ([]byte, bool) {
	p.space()
	start := p.i
	if !p.skip(0) {
		return nil, false
	}
	return p.b[start:p.i], true
}

// skip reads a value, nested depth deep, and drops it.
func (p *plainScanner) skip(depth int) bool {
	if depth > skipDepth {
		return false
	}
	switch c := p.peek(); {
	case c == '"':
		_, ok := p.str()
		return ok
	case c == '{':
		p.i++
		more, ok := p.first('}')
		for ; more; more, ok = p.next('}') {
			if _, ok := p.member(); !ok || !p.skip(depth+1) {
				return false
			}
		}
		return ok
	case c == '[':
		p.i++
		more, ok := p.first(']')
		for ; more; more, ok = p.next(']') {
			if !p.skip(depth + 1) {
				return false
			}
		}
		return ok
	case c == 't':
		return p.literal("true")
	case c == 'f':
		return p.literal("false")
	case c == 'n':
		return p.literal("null")
	case c == '-' || isDigit(c):
		return p.number()
	}
	return false
}

// literal reads word; what follows it is checked by whatever reads next.
func (p *plainScanner) literal(word string) bool {
	if p.peek() == 0 || len(p.b)-p.i < len(word) || string(p.b[p.i:p.i+len(word)]) != word {
		return false
	}
	p.i += len(word)
	return true
}

// number reads a number as JSON's grammar has it.
func (p *plainScanner) number() bool {
	b, i := p.b, p.i
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		i = digits(b, i)
	default:
		return false
	}
	if i < len(b) && b[i] == '.' {
		j := digits(b, i+1)
		if j == i+1 {
			return false
		}
		i = j
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		j := digits(b, i)
		if j == i {
			return false
		}
		i = j
	}
	p.i = i
	return true
}

func digits(b []byte, i int) int {
	for i < len(b) && isDigit(b[i]) {
		i++
	}
	return i
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
