package oneroster

import "bytes"

// An XL district's crawl reads 5.2M enrollments, 3.5 of its 4.6 GB, and
// decoding them with the JSON library took 10.6 of the full sync's 44
// CPU-seconds, on a fetch that keeps both cores busy. An enrollment is
// flat: strings, three references and two lenient values.
// decodeEnrollmentsFast reads a page of them in one pass that checks the
// JSON as it goes, and knows only that shape and a plain subset of JSON.
// Whatever it is not sure the library reads the same way makes it give
// the page up, and the library decodes the page whole, with its own
// values and its own errors: an escape, a byte beyond ASCII or a control
// byte in a string; null or another kind where a string or a reference
// goes; a member named twice, or in another case; an element that is no
// object; nesting deeper than skipDepth; and anything that is not JSON.
// FuzzEnrollmentsFast holds the two to the same result.

// enrollmentMembers are the members an Enrollment decodes, each with how
// it decodes its value; a member's index is its bit in decodeEnrollment's
// record of the members seen.
var enrollmentMembers = [...]struct {
	name   string
	decode func(p *plainScanner, e *Enrollment) bool
}{
	{"sourcedId", func(p *plainScanner, e *Enrollment) bool {
		text, ok := p.str()
		e.SourcedID = string(text) // unique to the enrollment
		return ok
	}},
	{"status", func(p *plainScanner, e *Enrollment) bool { return p.repeated(&e.Status) }},
	{"dateLastModified", func(p *plainScanner, e *Enrollment) bool { return p.repeated(&e.DateLastModified) }},
	{"metadata", func(p *plainScanner, e *Enrollment) bool {
		raw, ok := p.value()
		return ok && e.Metadata.UnmarshalJSON(raw) == nil
	}},
	{"user", func(p *plainScanner, e *Enrollment) bool { return p.ref(&e.User) }},
	{"class", func(p *plainScanner, e *Enrollment) bool { return p.ref(&e.Class) }},
	{"school", func(p *plainScanner, e *Enrollment) bool { return p.ref(&e.School) }},
	{"role", func(p *plainScanner, e *Enrollment) bool { return p.repeated(&e.Role) }},
	{"primary", func(p *plainScanner, e *Enrollment) bool {
		raw, ok := p.value()
		return ok && e.Primary.UnmarshalJSON(raw) == nil
	}},
	{"beginDate", func(p *plainScanner, e *Enrollment) bool { return p.repeated(&e.BeginDate) }},
	{"endDate", func(p *plainScanner, e *Enrollment) bool { return p.repeated(&e.EndDate) }},
}

// skipDepth is how deeply a value the fast decoder skips may nest.
const skipDepth = 64

// decodeEnrollmentsFast appends the enrollments under key of a collection
// response body to items and reports true, or reports false, leaving
// items as they were, when the library must decode the page.
func decodeEnrollmentsFast(body []byte, key string, items *[]Enrollment) bool {
	s := *items
	if !appendEnrollmentsFast(body, key, &s) {
		// The library decodes into the spare capacity in place, which
		// must be zero (decodeArray).
		clear(s[len(*items):])
		return false
	}
	*items = s
	return true
}

// appendEnrollmentsFast reads the envelope as decodeEnvelope does: an
// object whose member key holds the array (or null) and whose other
// members are skipped. Like it, it reads nothing after the object.
func appendEnrollmentsFast(body []byte, key string, s *[]Enrollment) bool {
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
			ok = p.enrollments(s)
		}
		if !ok {
			return false
		}
	}
	return ok && found
}

// enrollments appends the array (or null) at the scanner's position.
func (p *plainScanner) enrollments(s *[]Enrollment) bool {
	if p.peek() == 'n' {
		return p.literal("null")
	}
	if !p.open('[') {
		return false
	}
	more, ok := p.first(']')
	for ; more; more, ok = p.next(']') {
		// Decoded in place: through the members' decode funcs a local
		// would escape, one allocation an enrollment.
		*s = append(*s, Enrollment{})
		if !p.enrollment(&(*s)[len(*s)-1]) {
			return false
		}
	}
	return ok
}

// enrollment decodes one enrollment object into e.
func (p *plainScanner) enrollment(e *Enrollment) bool {
	if !p.open('{') {
		return false
	}
	var seen uint16
	more, ok := p.first('}')
	for ; more; more, ok = p.next('}') {
		name, ok := p.member()
		if !ok {
			return false
		}
		k := memberIndex(name)
		switch {
		case k < 0 && foldsToMember(name):
			return false
		case k < 0:
			ok = p.skip(0)
		case seen&(1<<k) != 0:
			return false
		default:
			seen |= 1 << k
			ok = enrollmentMembers[k].decode(p, e)
		}
		if !ok {
			return false
		}
	}
	return ok
}

// ref decodes a GUIDRef object, its sourcedId alone.
func (p *plainScanner) ref(ref *GUIDRef) bool {
	if !p.open('{') {
		return false
	}
	seen := false
	more, ok := p.first('}')
	for ; more; more, ok = p.next('}') {
		name, ok := p.member()
		switch {
		case !ok:
			return false
		case string(name) == "sourcedId" && !seen:
			seen = true
			ok = p.repeated(&ref.SourcedID)
		case bytes.EqualFold(name, []byte("sourcedId")):
			return false
		default:
			ok = p.skip(0)
		}
		if !ok {
			return false
		}
	}
	return ok
}

func memberIndex(name []byte) int {
	for k, m := range enrollmentMembers {
		if string(name) == m.name {
			return k
		}
	}
	return -1
}

// foldsToMember reports whether name is a member's name in another case,
// which the library may match to it.
func foldsToMember(name []byte) bool {
	for _, m := range enrollmentMembers {
		if bytes.EqualFold(name, []byte(m.name)) {
			return true
		}
	}
	return false
}

// pageStrings holds one copy of each repeated string of a page: its
// enrollments share a handful of roles, statuses and dates, and name each
// class and school, and most users, many times. The library keeps such a
// cache too; without one the page took three times its allocations.
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
