package clever

import (
	"slices"
	"unicode/utf8"
	"unsafe"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/rosterd/rosterd/internal/plainword"
)

// scanner reads a page body byte by byte for the fast decoders in
// fastdecode.go. It accepts only what the library's decoder accepts with
// decodeOptions, and reads values as the library does; on anything else
// (a syntax error, a type the wire types do not take, nesting deeper
// than maxSkipDepth) it fails, and the page is decoded by the library,
// whose error or result stands. A failure is sticky: it moves the
// position to the end of the body, so that every later read fails too
// and every loop ends.
type scanner struct {
	b   []byte
	i   int
	bad bool
	// depth is how deep skip is inside values nothing is decoded from.
	depth int
	// name holds the last member name that needed unquoting.
	name  []byte
	slabs *roleSlabs  // the page's; string arrays are read into its strs
	cache [256]string // see common
	// known returns the string a crawl already holds for an ID, so that
	// member IDs are not allocated again (see page.known).
	known func(id []byte) (string, bool)
	// text holds the bytes of the strings kept reads (see keep).
	text []byte
}

// textChunk is how many bytes of strings keep gathers into one
// allocation.
const textChunk = 64 << 10

// keep returns v as a string that shares an allocation with the other
// strings of the page, rather than one of its own. A user's IDs, names
// and email are eight or nine strings of 1 to 45 bytes, each rounded up
// to an allocation size class: at XL that was 10M allocations and about
// 45 MB of rounding that the fetched roster held to its end. The chunk
// lives as long as any string in it, which for kept fields is the
// roster's life, so only kept fields come here.
func (s *scanner) keep(v []byte) string {
	if len(v) == 0 {
		return ""
	}
	if len(v) > cap(s.text)-len(s.text) {
		if len(v) > textChunk/8 {
			return string(v) // rare, and would waste most of a chunk
		}
		s.text = make([]byte, 0, textChunk)
	}
	start := len(s.text)
	s.text = append(s.text, v...)
	// The bytes are never written again: later strings go after them.
	return unsafe.String(&s.text[start], len(v))
}

// maxSkipDepth bounds the nesting of skipped values. The library allows
// 10,000 levels; nothing Clever sends comes near this, and a page that
// does is left to the library.
const maxSkipDepth = 256

func (s *scanner) fail() {
	s.bad = true
	s.i = len(s.b)
}

// ws skips whitespace as JSON defines it.
func (s *scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// peek returns the next byte after whitespace, or 0 (and fails) at the end.
func (s *scanner) peek() byte {
	if s.i < len(s.b) && s.b[s.i] > ' ' { // Clever sends no whitespace
		return s.b[s.i]
	}
	s.ws()
	if s.i < len(s.b) {
		return s.b[s.i]
	}
	s.fail()
	return 0
}

// lit reads the literal word (true, false or null) at the position.
func (s *scanner) lit(word string) {
	if len(s.b)-s.i < len(word) || string(s.b[s.i:s.i+len(word)]) != word {
		s.fail()
		return
	}
	s.i += len(word)
}

// plainByte is true for the bytes a string may hold as they are: not a
// quote, backslash, control character or the start of a multi-byte
// sequence.
var plainByte = func() (t [256]bool) {
	for c := ' '; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// quoted reads the string at the position (its opening quote) and returns
// it with its quotes, as it is in the body, and whether it is verbatim:
// without escapes or invalid UTF-8, so that its contents are its value.
// It accepts what the library accepts with AllowInvalidUTF8: any byte but
// a control character, and the JSON escapes, with surrogate halves left
// unpaired.
func (s *scanner) quoted() (raw []byte, verbatim bool) {
	b, start := s.b, s.i
	i := start + 1
	// Eight bytes at a time while they are all plain, then byte by byte
	// from the first that may not be.
	i = plainword.SkipPlain(b, i)
	for i < len(b) && plainByte[b[i]] {
		i++
	}
	if i < len(b) && b[i] == '"' {
		s.i = i + 1
		return b[start:s.i], true
	}
	escaped, high := false, false
	for i < len(b) {
		switch c := b[i]; {
		case c == '"':
			s.i = i + 1
			raw = b[start:s.i]
			return raw, !escaped && (!high || utf8.Valid(raw))
		case c == '\\':
			escaped = true
			if i+1 >= len(b) {
				s.fail()
				return nil, false
			}
			switch b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(b) || !isHex(b[i+2]) || !isHex(b[i+3]) || !isHex(b[i+4]) || !isHex(b[i+5]) {
					s.fail()
					return nil, false
				}
				i += 6
			default:
				s.fail()
				return nil, false
			}
		case c < ' ':
			s.fail()
			return nil, false
		default:
			high = high || c >= utf8.RuneSelf
			i++
		}
	}
	s.fail() // no closing quote
	return nil, false
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// unquote returns the value of raw, a string as quoted returns it, into
// dst's memory. It is the library's own unquoting (errors ignored, as the
// library ignores them once the string has been read): escapes decoded,
// invalid UTF-8 replaced with U+FFFD.
func unquote(dst, raw []byte, verbatim bool) []byte {
	if verbatim {
		return raw[1 : len(raw)-1]
	}
	dst, _ = jsontext.AppendUnquote(dst[:0], raw)
	return dst
}

// str reads a string into dst. null sets it to "", as the library does;
// any other kind fails.
func (s *scanner) str(dst *string) { s.readString(dst, func(v []byte) string { return string(v) }) }

// kept is str for a value the mapped roster keeps as it is (an ID, a
// name, an email): its bytes go into the page's chunk of strings (see
// keep). A value the mapping parses, drops or replaces with an equal
// string it already holds goes through str, so that it does not hold a
// chunk's room for the roster's life.
func (s *scanner) kept(dst *string) { s.readString(dst, s.keep) }

// readString reads a string into dst as str describes, making it from
// the value's bytes with newString; those bytes are valid only during the
// call.
func (s *scanner) readString(dst *string, newString func(v []byte) string) {
	switch s.peek() {
	case '"':
		raw, verbatim := s.quoted()
		if s.bad {
			return
		}
		if verbatim {
			*dst = newString(raw[1 : len(raw)-1])
			return
		}
		s.name = unquote(s.name, raw, false)
		*dst = newString(s.name)
	case 'n':
		s.lit("null")
		*dst = ""
	default:
		s.fail()
	}
}

// common is str for a field whose values repeat through a page (a
// district, school or grade ID, a code): an equal string already read is
// shared rather than allocated again, as the library's own string cache
// does. Each one is a copy of its own, never a slice of the body, which
// is reused for the next page.
func (s *scanner) common(dst *string) {
	if s.peek() != '"' {
		s.str(dst)
		return
	}
	raw, verbatim := s.quoted()
	if s.bad {
		return
	}
	if !verbatim {
		s.name = unquote(s.name, raw, false)
		*dst = string(s.name)
		return
	}
	v := raw[1 : len(raw)-1]
	h := uint32(len(v))
	for _, c := range v[max(0, len(v)-8):] { // IDs differ at their ends
		h = (h ^ uint32(c)) * 16777619
	}
	slot := &s.cache[(h^h>>8)%uint32(len(s.cache))]
	if *slot != string(v) {
		*slot = string(v)
	}
	*dst = *slot
}

// strings reads an array of strings into dst, reusing nothing of it: null
// sets it to nil, [] to an empty slice, as the library does. Each element
// is read by read (str, common or userID). The elements are read
// straight into the page's string slab, which is shared by many slices,
// each with its capacity clipped so that appending to it cannot reach
// the next one's.
func (s *scanner) strings(dst *[]string, read func(*scanner, *string)) {
	if !s.openArray() {
		*dst = nil // on a failure too: the library decodes the page again
		return
	}
	sl := &s.slabs.strs
	free, n := sl.free(), 0
	for s.elem(&n) {
		if n > len(free) {
			free = sl.room(free[:n-1], n)
		}
		read(s, &free[n-1])
	}
	if s.bad {
		return
	}
	if n == 0 {
		*dst = []string{}
		return
	}
	*dst = free[:n:n]
	sl.take(n)
}

// stringSlab hands out runs of strings for a page's string arrays from
// shared chunks: a page of 10,000 sections names about 220,000 members,
// 3.5 MB of string headers that the mapping copies into the roster, and
// that were garbage once the page was mapped (83 MB over an XL crawl's
// sections, at the fetch's end, where its peak forms). reset hands the
// same chunks out again for the next page, so nothing may refer to the
// arrays once the page is mapped; the mapping copies every array it
// keeps (internAll, appendSections).
type stringSlab struct {
	chunks [][]string
	chunk  int // the chunk handing out runs
	used   int // strings handed out of it
}

// stringChunk is how many strings a chunk holds, unless an array needs
// more.
const stringChunk = 1024

// free returns the free part of the chunk handing out runs.
func (sl *stringSlab) free() []string {
	if sl.chunk == len(sl.chunks) {
		return nil
	}
	return sl.chunks[sl.chunk][sl.used:]
}

// room moves to a chunk with room for n strings, at least, copying read
// (an array being read) to its start, and returns its free part.
func (sl *stringSlab) room(read []string, n int) []string {
	if sl.chunk < len(sl.chunks) {
		sl.chunk++
	}
	sl.used = 0
	if sl.chunk == len(sl.chunks) {
		sl.chunks = append(sl.chunks, make([]string, max(stringChunk, 2*n)))
	} else if len(sl.chunks[sl.chunk]) < n {
		sl.chunks = slices.Insert(sl.chunks, sl.chunk, make([]string, max(stringChunk, 2*n)))
	}
	free := sl.chunks[sl.chunk]
	copy(free, read)
	return free
}

// take hands out the first n strings of the free part.
func (sl *stringSlab) take(n int) { sl.used += n }

// reset takes back every run handed out, clearing them so that the
// strings they held are not kept alive by the slab.
func (sl *stringSlab) reset() {
	for i := 0; i < len(sl.chunks) && i <= sl.chunk; i++ {
		clear(sl.chunks[i])
	}
	sl.chunk, sl.used = 0, 0
}

// userID is str for a user ID a section names: an ID the crawl already
// holds is given that string rather than a new one. An XL district's
// sections name 5.2M members, each a user fetched before them.
func (s *scanner) userID(dst *string) {
	if s.known == nil || s.peek() != '"' {
		s.str(dst)
		return
	}
	start := s.i
	raw, verbatim := s.quoted()
	switch {
	case s.bad:
	case !verbatim:
		s.i = start
		s.str(dst)
	default:
		id := raw[1 : len(raw)-1]
		if known, ok := s.known(id); ok {
			*dst = known
		} else {
			*dst = string(id)
		}
	}
}

// open reads the start of an object. It reports false for null (the
// caller zeroes its value, as the library does) and fails on any other
// kind.
func (s *scanner) open() bool { return s.opening('{') }

// openArray is open for an array: it reads the opening bracket, or a
// null, or fails.
func (s *scanner) openArray() bool { return s.opening('[') }

func (s *scanner) opening(c byte) bool {
	switch s.peek() {
	case c:
		s.i++
		return true
	case 'n':
		s.lit("null")
	default:
		s.fail()
	}
	return false
}

// member reads the next member name of an object whose opening brace is
// read, n being how many members came before. It reports false at the
// closing brace (which it reads) or on failure. The name is valid until
// the next string is read.
func (s *scanner) member(n *int) ([]byte, bool) {
	c := s.peek()
	if c == '}' {
		s.i++
		return nil, false
	}
	if *n > 0 {
		if c != ',' {
			s.fail()
			return nil, false
		}
		s.i++
		c = s.peek()
	}
	*n++
	if c != '"' {
		s.fail()
		return nil, false
	}
	raw, verbatim := s.quoted()
	if s.bad {
		return nil, false
	}
	var name []byte
	if verbatim {
		name = raw[1 : len(raw)-1]
	} else {
		s.name = unquote(s.name, raw, false)
		name = s.name
	}
	if s.peek() != ':' {
		s.fail()
		return nil, false
	}
	s.i++
	return name, true
}

// elem moves to the next element of an array whose opening bracket is
// read, n being how many elements came before. It reports false at the
// closing bracket (which it reads) or on failure.
func (s *scanner) elem(n *int) bool {
	c := s.peek()
	if s.bad {
		return false
	}
	if c == ']' {
		s.i++
		return false
	}
	if *n > 0 {
		if c != ',' {
			s.fail()
			return false
		}
		s.i++
		if s.peek() == ']' { // a trailing comma
			s.fail()
			return false
		}
	}
	*n++
	return true
}

// skip reads a value nothing is decoded from, checking it as the library
// does.
func (s *scanner) skip() {
	switch c := s.peek(); {
	case c == '"':
		s.quoted()
	case c == '{' || c == '[':
		s.depth++
		if s.depth > maxSkipDepth {
			s.fail()
			return
		}
		s.i++
		if c == '{' {
			for n := 0; ; {
				if _, ok := s.member(&n); !ok {
					break
				}
				s.skip()
			}
		} else {
			for n := 0; s.elem(&n); {
				s.skip()
			}
		}
		s.depth--
	case c == 't':
		s.lit("true")
	case c == 'f':
		s.lit("false")
	case c == 'n':
		s.lit("null")
	case c == '-' || '0' <= c && c <= '9':
		s.number()
	default:
		s.fail()
	}
}

// value reads any value and returns it as it is in the body.
func (s *scanner) value() []byte {
	s.ws()
	start := s.i
	s.skip()
	if s.bad {
		return nil
	}
	return s.b[start:s.i]
}

// number reads a number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (s *scanner) number() {
	b, i := s.b, s.i
	digits := func() bool {
		start := i
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
		return i > start
	}
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case !digits():
		s.fail()
		return
	}
	if i < len(b) && b[i] == '.' {
		i++
		if !digits() {
			s.fail()
			return
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if !digits() {
			s.fail()
			return
		}
	}
	s.i = i
}
