package oneroster

import (
	"bytes"
	"slices"
)

// The fast decoders read a page of a large collection in one pass that
// checks the JSON as it goes, knowing only the shape of the collection's
// records and a plain subset of JSON (plainScanner). Whatever they are
// not sure the library reads the same way makes them give the page up,
// and the library decodes it whole, with its own values and its own
// errors: an escape, a byte beyond ASCII or a control byte in a string;
// null or another kind where a string, a reference or an object goes; a
// member named twice, or in another case; an element that is no object;
// nesting deeper than skipDepth; and anything that is not JSON. The fuzz
// targets (FuzzEnrollmentsFast, FuzzUsersFast) hold the two to the same
// result.

// fastMember is a member of a record a fast decoder knows, with how it
// decodes the member's value into the record.
type fastMember[T any] struct {
	name   string
	decode func(p *plainScanner, rec *T) bool
}

// maxFastMembers is how many members a record's table may hold: a
// member's index is its bit in scanObject's record of the members seen.
const maxFastMembers = 64

// skipDepth is how deeply a value the fast decoder skips may nest.
const skipDepth = 64

// decodeFast appends the records under key of a collection response body
// to items, each decoded by scanObject with members, and reports true; or
// reports false, leaving items as they were and their spare capacity
// zero, when the library must decode the page.
func decodeFast[T any](body []byte, key string, items *[]T, members []fastMember[T]) bool {
	s := *items
	if !appendFast(body, key, &s, members) {
		// The library decodes into the spare capacity in place, which
		// must be zero (decodeArray).
		clear(s[len(*items):])
		return false
	}
	*items = s
	return true
}

// appendFast reads the envelope as decodeEnvelope does: an object whose
// member key holds the array (or null) and whose other members are
// skipped. Like it, it reads nothing after the object.
func appendFast[T any](body []byte, key string, s *[]T, members []fastMember[T]) bool {
	p := &plainScanner{b: body, strs: make(pageStrings)}
	if !p.open('{') {
		return false
	}
	found := false
	more, ok := p.first('}')
	for ; more; more, ok = p.next('}') {
		name, ok := p.member()
		if !ok {
			return false
		}
		switch {
		case string(name) != key:
			ok = p.skip(0)
		case found:
			return false
		default:
			found = true
			ok = scanArray(p, s, members)
		}
		if !ok {
			return false
		}
	}
	return ok && found
}

// scanArray appends the objects of the array at the scanner's position
// to *s, each decoded in place by scanObject with members; null appends
// none. Through the members' decode funcs a local would escape, one
// allocation an element.
func scanArray[T any](p *plainScanner, s *[]T, members []fastMember[T]) bool {
	if p.peek() == 'n' {
		return p.literal("null")
	}
	if !p.open('[') {
		return false
	}
	more, ok := p.first(']')
	for ; more; more, ok = p.next(']') {
		var zero T
		*s = append(*s, zero)
		if !scanObject(p, &(*s)[len(*s)-1], members) {
			return false
		}
	}
	return ok
}

// scanList decodes the array (or null) at the scanner's position into a
// record's slice member, which the library makes from a JSON array even
// when it is empty. The elements are gathered in scratch, which the
// scanner keeps for the page, and copied once into a list of their
// number: a user's lists grown by append took two or three allocations
// each. No element may hold a list gathered in the same scratch.
func scanList[T any](p *plainScanner, s *[]T, members []fastMember[T], scratch *[]T) bool {
	if p.peek() != '[' {
		return scanArray(p, s, members) // null, or what fails
	}
	gathered := (*scratch)[:0]
	if !scanArray(p, &gathered, members) {
		return false
	}
	*scratch = gathered
	if len(gathered) == 0 {
		*s = []T{}
	} else {
		*s = slices.Clone(gathered)
	}
	return true
}

// scanObject decodes the object at the scanner's position into rec: the
// members it knows by their decode funcs, the others skipped.
func scanObject[T any](p *plainScanner, rec *T, members []fastMember[T]) bool {
	if !p.open('{') {
		return false
	}
	var seen uint64
	more, ok := p.first('}')
	for ; more; more, ok = p.next('}') {
		name, ok := p.member()
		if !ok {
			return false
		}
		k := memberIndex(members, name)
		switch {
		case k < 0 && foldsToMember(members, name):
			return false
		case k < 0:
			ok = p.skip(0)
		case seen&(1<<k) != 0:
			return false
		default:
			seen |= 1 << k
			ok = members[k].decode(p, rec)
		}
		if !ok {
			return false
		}
	}
	return ok
}

func memberIndex[T any](members []fastMember[T], name []byte) int {
	for k, m := range members {
		if string(name) == m.name {
			return k
		}
	}
	return -1
}

// foldsToMember reports whether name is a member's name in another case,
// which the library may match to it.
func foldsToMember[T any](members []fastMember[T], name []byte) bool {
	for _, m := range members {
		if bytes.EqualFold(name, []byte(m.name)) {
			return true
		}
	}
	return false
}

// refMembers are a GUIDRef's: its sourcedId alone (see GUIDRef).
var refMembers = []fastMember[GUIDRef]{
	{"sourcedId", func(p *plainScanner, r *GUIDRef) bool { return p.repeated(&r.SourcedID) }},
}

// uniqueRefMembers are a GUIDRef's whose sourcedId is seldom repeated on
// a page, such as a user's agents: cached, they would fill the page's
// cache and crowd out the strings that do repeat.
var uniqueRefMembers = []fastMember[GUIDRef]{
	{"sourcedId", func(p *plainScanner, r *GUIDRef) bool { return p.unique(&r.SourcedID) }},
}

// ref decodes a GUIDRef object.
func (p *plainScanner) ref(ref *GUIDRef) bool { return scanObject(p, ref, refMembers) }

// stringList reads a StringList: an array of strings without escapes as
// StringList.UnmarshalJSON reads one (its empty strings dropped, and
// none at all nil), the strings shared with the page's equal ones;
// anything else by StringList.UnmarshalJSON itself.
func (p *plainScanner) stringList(l *StringList) bool {
	p.space()
	start := p.i
	if p.open('[') {
		p.texts = p.texts[:0]
		more, ok := p.first(']')
		for ; more; more, ok = p.next(']') {
			text, isStr := p.str()
			if !isStr {
				break
			}
			if len(text) > 0 {
				p.texts = append(p.texts, p.strs.get(text))
			}
		}
		if !more && ok {
			if len(p.texts) > 0 {
				*l = slices.Clone(p.texts)
			}
			return true
		}
		p.i = start // a number, or another value: StringList's own path
	}
	return p.lenient(l)
}

// unique reads a string into *s, a copy of its own.
func (p *plainScanner) unique(s *string) bool {
	text, ok := p.str()
	*s = string(text)
	return ok
}

// lenient reads any value and gives it to the UnmarshalJSON of a lenient
// type (Bool, StringList, Metadata), as the library does.
func (p *plainScanner) lenient(v interface{ UnmarshalJSON([]byte) error }) bool {
	raw, ok := p.value()
	return ok && v.UnmarshalJSON(raw) == nil
}

// pageStrings holds one copy of each repeated string of a page: its
// records share a handful of roles, statuses, dates and names, and name
// each class and school, and most users, many times. Without one an
// enrollment page took three times its allocations.
type pageStrings map[string]string

// pageStringsMax bounds a page's cache, against a page of unique values.
const pageStringsMax = 4096

func (ps pageStrings) get(b []byte) string {
	if s, ok := ps[string(b)]; ok {
		return s
	}
	s := string(b)
	if len(ps) < pageStringsMax {
		ps[s] = s
	}
	return s
}
