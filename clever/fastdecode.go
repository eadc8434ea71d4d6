package clever

// A crawl's largest single cost was decoding users and sections pages by
// reflection: 6.3 CPU-seconds of an XL district's sync. decodeFast reads
// those pages with the scanner instead, into the same wire types, and
// declines any page it cannot read exactly as the library would; the
// library then decodes it, so errors and odd pages stay the library's.
//
// What it reproduces of json.Unmarshal with decodeOptions, member by
// member: names match exactly, after unquoting; unknown members are
// skipped; the last of a repeated name wins, and a repeated object merges
// into the value the first one left (a struct keeps the fields the second
// lacks, a role pointer is reused); null zeroes a string, struct, pointer
// or slice; [] is an empty slice, not nil; strings are unquoted by the
// library's own code (invalid UTF-8 becomes U+FFFD); ext keeps the value
// as it is in the body, null as "null". Anything else where a string, an
// object or an array belongs fails, as the library fails on it.

// decodeFast decodes body into v, a users or sections page, and reports
// whether it did; when it did not, v must be decoded by the library
// (which overwrites what decodeFast may have left in the page's list).
func decodeFast(body []byte, v any) bool {
	switch p := v.(type) {
	case *page[User]:
		return decodePageFast(body, p, (*scanner).user)
	case *page[Section]:
		return decodePageFast(body, p, (*scanner).section)
	}
	return false
}

// decodePageFast is the page's part of json.Unmarshal: page[T], then
// items[T].UnmarshalJSONFrom and unwrapItem for each item, with item
// reading the record in an item's data.
func decodePageFast[T any](body []byte, p *page[T], item func(*scanner, *T)) bool {
	if p.Data.plain {
		return false
	}
	p.fast = false
	p.slabs.reset()
	s := &scanner{b: body, slabs: &p.slabs, known: p.known}
	if !s.open() {
		return false // null, or not an object
	}
	// The links are set only once the whole page has been read: a
	// declined page must reach the library with the links it had.
	var links []link
	sawLinks := false
	for n := 0; ; {
		name, ok := s.member(&n)
		if !ok {
			break
		}
		switch string(name) {
		case "data":
			itemsFast(s, &p.Data, item)
		case "links":
			s.links(&links)
			sawLinks = true
		default:
			s.skip()
		}
	}
	if s.ws(); s.bad || s.i != len(s.b) {
		return false
	}
	if sawLinks {
		p.Links = links
	}
	p.fast = true
	return true
}

// itemsFast is items[T].UnmarshalJSONFrom with unwrapItem: each element
// is zeroed, filled from the item's data members (a second one merges
// into the first) and kept only if one of them was not null.
func itemsFast[T any](s *scanner, it *items[T], item func(*scanner, *T)) {
	it.list = it.list[:0]
	if !s.openArray() {
		return
	}
	for n := 0; s.elem(&n); {
		var zero T
		it.list = append(it.list, zero)
		elem := &it.list[len(it.list)-1]
		if s.peek() != '{' {
			s.fail()
			return
		}
		s.i++
		found := false
		for m := 0; ; {
			name, ok := s.member(&m)
			if !ok {
				break
			}
			if string(name) == "data" && s.peek() != 'n' {
				item(s, elem)
				found = true
				continue
			}
			s.skip()
		}
		if !found {
			it.list = it.list[:len(it.list)-1]
		}
	}
}

func (s *scanner) links(dst *[]link) {
	structs(s, dst, func(s *scanner, l *link) {
		if !s.open() {
			*l = link{}
			return
		}
		for n := 0; ; {
			name, ok := s.member(&n)
			if !ok {
				return
			}
			switch string(name) {
			case "rel":
				s.str(&l.Rel)
			case "uri":
				s.str(&l.URI)
			default:
				s.skip()
			}
		}
	})
}

// structs reads an array of objects into dst as the library does: the
// elements are reused but zeroed first, null sets dst to nil and []
// to an empty slice.
func structs[T any](s *scanner, dst *[]T, read func(*scanner, *T)) {
	if !s.openArray() {
		*dst = nil // on a failure too: the library decodes the page again
		return
	}
	out := (*dst)[:0]
	for n := 0; s.elem(&n); {
		var zero T
		out = append(out, zero)
		read(s, &out[len(out)-1])
	}
	if len(out) == 0 {
		out = []T{}
	}
	*dst = out
}

// ext reads a value kept as it is, as jsontext.Value.UnmarshalJSON does.
func (s *scanner) ext(dst *[]byte) {
	if raw := s.value(); !s.bad {
		*dst = append((*dst)[:0], raw...)
	}
}

// slab hands out zeroed values of T from shared allocations: a page of
// 10,000 users needs as many roles. reset hands the same values out again
// for the next page, so nothing may point at them once the page is
// mapped.
type slab[T any] struct {
	chunks [][]T
	chunk  int // the chunk handing out values
	used   int // values handed out of it
}

const slabChunk = 128

func (sl *slab[T]) new() *T {
	if sl.chunk < len(sl.chunks) && sl.used == len(sl.chunks[sl.chunk]) {
		sl.chunk, sl.used = sl.chunk+1, 0
	}
	if sl.chunk == len(sl.chunks) {
		sl.chunks = append(sl.chunks, make([]T, slabChunk))
	}
	v := &sl.chunks[sl.chunk][sl.used]
	sl.used++
	var zero T
	*v = zero
	return v
}

// reset takes back every value handed out.
func (sl *slab[T]) reset() { sl.chunk, sl.used = 0, 0 }

// ptr reads into the value p points at, allocating it from sl when p is
// nil, as the library does for a pointer field; null makes it nil.
func ptr[T any](s *scanner, p *T, sl *slab[T], read func(*scanner, *T)) *T {
	if s.peek() == 'n' {
		s.lit("null")
		return nil
	}
	if p == nil {
		p = sl.new()
	}
	read(s, p)
	return p
}
