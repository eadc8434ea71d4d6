package clever

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// link is one entry of a response's links: self, next or prev.
type link struct {
	Rel string `json:"rel"`
	URI string `json:"uri"`
}

// page is one list response. Clever wraps each item as {"data": {...},
// "uri": ...}; the token listing does not (items.plain).
type page[T any] struct {
	Data  items[T] `json:"data"`
	Links []link   `json:"links"`
	// slabs hold the roles the fast decoder reads into this page's users,
	// reused with the page: a page of students allocated 5 MB of roles
	// that were garbage once the page was mapped.
	slabs roleSlabs
	// known, when set, gives the fast decoder the string the crawl holds
	// for a user ID a section names; fast says the last decode was the
	// fast decoder's, so that those IDs are the crawl's already.
	known func(id []byte) (string, bool)
	fast  bool
}

// items decodes a page's data array straight into a reusable []T, taking
// each item out of its {"data": ...} wrapper without an intermediate copy.
type items[T any] struct {
	list  []T
	plain bool
}

// UnmarshalJSONFrom implements json.UnmarshalerFrom. Each element is zeroed
// before it is decoded, so nothing of a previous page survives in it.
func (it *items[T]) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	it.list = it.list[:0]
	switch dec.PeekKind() {
	case 'n':
		_, err := dec.ReadToken()
		return err
	case '[':
		if _, err := dec.ReadToken(); err != nil {
			return err
		}
	default:
		return fmt.Errorf("data is a JSON %v, not an array", dec.PeekKind())
	}
	for {
		switch dec.PeekKind() {
		case ']':
			_, err := dec.ReadToken()
			return err
		case 0:
			_, err := dec.ReadToken()
			if err == nil {
				err = io.ErrUnexpectedEOF
			}
			return err
		}
		var zero T
		it.list = append(it.list, zero)
		elem := &it.list[len(it.list)-1]
		if it.plain {
			if err := json.UnmarshalDecode(dec, elem); err != nil {
				return err
			}
			continue
		}
		found, err := unwrapItem(dec, elem)
		if err != nil {
			return err
		}
		if !found {
			it.list = it.list[:len(it.list)-1]
		}
	}
}

// unwrapItem decodes the data member of one {"data": ..., "uri": ...} item
// into elem. found is false for an item without data (or with null data),
// which is skipped rather than kept as an empty record.
func unwrapItem[T any](dec *jsontext.Decoder, elem *T) (found bool, err error) {
	if kind := dec.PeekKind(); kind != '{' {
		return false, fmt.Errorf("list item is a JSON %v, not an object", kind)
	}
	if _, err := dec.ReadToken(); err != nil {
		return false, err
	}
	for dec.PeekKind() != '}' {
		name, err := dec.ReadToken()
		if err != nil {
			return false, err
		}
		if name.String() == "data" && dec.PeekKind() != 'n' {
			if err := json.UnmarshalDecode(dec, elem); err != nil {
				return false, err
			}
			found = true
			continue
		}
		if err := dec.SkipValue(); err != nil {
			return false, err
		}
	}
	_, err = dec.ReadToken()
	return found, err
}

// endpoint is where a listing is read from: the API with its bearer
// client, or the token listing with Basic auth.
type endpoint struct {
	hc *http.Client
	// origin is the scheme and host next links must stay on.
	origin *url.URL
	// basicUser and basicPass, when set, authenticate each request.
	basicUser, basicPass string
}

func (c *Client) api() endpoint { return endpoint{hc: c.http, origin: c.base} }

// errStopPaging ends a listing early from a page callback without error.
var errStopPaging = errors.New("stop paging")

// nextURL resolves the next link, or returns nil when there is none. An
// absolute-path link ("/v3.0/users?starting_after=...") is taken on the
// origin's scheme and host as is: it already carries the API's path, and
// the base URL's path would double it.
func nextURL(origin, cur *url.URL, links []link) (*url.URL, error) {
	for _, l := range links {
		if l.Rel != "next" || strings.TrimSpace(l.URI) == "" {
			continue
		}
		ref, err := url.Parse(strings.TrimSpace(l.URI))
		if err != nil {
			return nil, fmt.Errorf("next link: %w", err)
		}
		var next *url.URL
		switch {
		case ref.Host != "":
			if ref.Scheme == "" {
				ref.Scheme = origin.Scheme
			}
			if !strings.EqualFold(ref.Host, origin.Host) || ref.Scheme != origin.Scheme {
				return nil, fmt.Errorf("%w: %s", ErrForeignNextLink, ref.Host)
			}
			next = ref
		case strings.HasPrefix(ref.Path, "/"):
			next = &url.URL{Scheme: origin.Scheme, Host: origin.Host, Path: ref.Path, RawPath: ref.RawPath, RawQuery: ref.RawQuery}
		default:
			next = cur.ResolveReference(ref)
		}
		next.User, next.Fragment, next.RawFragment, next.ForceQuery = nil, "", "", false
		return next, nil
	}
	return nil, nil
}
