package clever

import (
	"bytes"
	"context"
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

// listPages reads first and then every next link, calling fn with each
// page's items. It stops after a page without a next link or with no
// items. fn must not keep the slice: it is reused for a later page.
//
// The next page is fetched and decoded while fn maps this one: a crawl is
// paced, and mapping in the gaps keeps it close to the pace.
func listPages[T any](ctx context.Context, c *Client, ep endpoint, first *url.URL, plain bool, fn func([]T) error) error {
	ctx, cancel := context.WithCancel(ctx)
	// Two pages: the one fn holds, and the one being read.
	free := make(chan *page[T], 2)
	for range cap(free) {
		p := new(page[T])
		p.Data.plain = plain
		free <- p
	}
	results := make(chan pageResult[T], 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(results)
		readPages(ctx, c, ep, first, free, results)
	}()
	defer func() {
		cancel()
		<-done // nothing reads c or the pages after listPages returns
	}()

	for r := range results {
		if r.err != nil {
			return r.err
		}
		if err := fn(r.page.Data.list); err != nil {
			if errors.Is(err, errStopPaging) {
				return nil
			}
			return err
		}
		free <- r.page
	}
	if err := ctx.Err(); err != nil {
		return c.errorf("GET %s: %w", first.RequestURI(), err)
	}
	return nil
}

// pageResult is a page read, or the error that ends a listing.
type pageResult[T any] struct {
	page *page[T]
	err  error
}

// readPages is listPages' reader: it reads first and each next link into
// a page taken from free and sends it on results, in order, until a page
// without a next link or items, an error (sent last), or ctx's end.
func readPages[T any](ctx context.Context, c *Client, ep endpoint, first *url.URL, free <-chan *page[T], results chan<- pageResult[T]) {
	send := func(r pageResult[T]) bool {
		select {
		case results <- r:
			return true
		case <-ctx.Done():
			return false
		}
	}
	var buf bytes.Buffer
	seen := make(map[string]bool)
	for u := first; ; {
		key := u.String()
		if seen[key] {
			send(pageResult[T]{err: c.errorf("GET %s: %w", u.RequestURI(), ErrPaginationLoop)})
			return
		}
		seen[key] = true

		var p *page[T]
		select {
		case p = <-free:
		case <-ctx.Done():
			return
		}
		req, err := c.newRequest(ctx, u)
		if err != nil {
			send(pageResult[T]{err: err})
			return
		}
		if ep.basicUser != "" {
			req.SetBasicAuth(ep.basicUser, ep.basicPass)
		}
		p.Links = nil
		if err := c.do(ep.hc, req, &buf, p); err != nil {
			send(pageResult[T]{err: err})
			return
		}
		if len(p.Data.list) == 0 {
			return
		}
		next, err := nextURL(ep.origin, u, p.Links)
		if !send(pageResult[T]{page: p}) {
			return
		}
		// A bad next link fails the listing after this page, as it
		// would if the pages were read one at a time.
		if err != nil {
			send(pageResult[T]{err: c.errorf("GET %s: %w", u.RequestURI(), err)})
			return
		}
		if next == nil {
			return
		}
		u = next
	}
}

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
