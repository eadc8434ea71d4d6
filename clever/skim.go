package clever

import (
	"bytes"

	"github.com/go-json-experiment/json"
)

// skimTail reads the links of a page laid out as Clever lays them out,
// {"data":[{...},...],"links":[...]}, from its two ends, without reading
// the records between: a crawl skims every page before it decodes it, and
// a skim that checked the whole body (for backslashes, and for every
// "data" and "links" in it) took 1.3 CPU-seconds of an XL sync's fetch,
// while the fetch's other work waited for a core.
//
// It needs no such check, since a page whose links it reads wrong does
// not decode. In valid JSON the body's last `,"links":` can only be a
// member name: its first quote follows a comma, so it opens a string,
// and "links" followed by a colon is a name. When what follows it is one
// JSON value and then the closing brace that ends the body, that brace
// closes the name's object, which is therefore the page itself, and the
// value is the page's last "links" member: the one Unmarshal keeps. A
// "links" deeper in the page leaves unmatched closing brackets before the
// body's end, so the text after it is not one value, and ok is false.
//
// A data array that opens with an element reads as not empty, although
// a later "data" member may replace it, or its elements may hold no
// record: the crawl then asks for a next page it never uses, since the
// listing ends at a page without records. An empty array, which ends a
// listing, is never taken on trust: ok is false, and the page must be
// walked.
func skimTail(body []byte) (links []link, ok bool) {
	const dataKey, linksKey = `{"data":[`, `,"links":`
	if !bytes.HasPrefix(body, []byte(dataKey)) {
		return nil, false
	}
	if rest := bytes.TrimLeft(body[len(dataKey):], jsonSpace); len(rest) == 0 || rest[0] == ']' {
		return nil, false
	}
	end := bytes.TrimRight(body, jsonSpace)
	if len(end) == 0 || end[len(end)-1] != '}' {
		return nil, false
	}
	end = end[:len(end)-1]
	at := bytes.LastIndex(end, []byte(linksKey))
	if at < 0 {
		return nil, false
	}
	if err := json.Unmarshal(end[at+len(linksKey):], &links, decodeOptions); err != nil {
		return nil, false
	}
	return links, true
}

// jsonSpace is the whitespace JSON allows between tokens.
const jsonSpace = " \t\r\n"
