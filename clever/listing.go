package clever

import (
	"bytes"
	"context"
	"errors"
	"net/url"
	"sync"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	"github.com/rosterd/rosterd/connector"
)

// A listing reads, decodes and maps pages in three stages at once: a
// crawl is paced, and decoding a page costs more than the pace allows a
// request, so one goroutine fetches each page and finds its next link,
// listDecoders decode, and the caller's callback maps the pages in order.
const (
	// listAhead is how many pages a listing holds at once: fetched,
	// decoding, decoded or with the callback. Each is a body of up to
	// 13 MB and its decoded records. A 10,000-user page decodes in about
	// 20 ms of a 50 ms pace, so three keep the crawl at its pace: an XL
	// fetch took as long as with four, and the full sync peaked 50 to
	// 60 MB lower.
	listAhead = 3
	// listDecoders is how many pages decode at once.
	listDecoders = 2
)

// bodyPool holds response bodies between listings: a crawl makes a
// listing per role and collection, and each grew its own buffers to the
// size of a page (10 MB for 10,000 users).
var bodyPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// memberIDs give the user IDs a listing's pages name the strings the
// crawl already holds, on the decoding goroutines, while the callback maps
// earlier pages: known for the fast decoder, ID by ID as it reads them,
// and resolve for a page the library decoded.
type memberIDs[T any] struct {
	known   func(id []byte) (string, bool)
	resolve func(page []T)
}

// pageJob is one page of a listing on its way to the callback.
type pageJob[T any] struct {
	target string // the request, for errors
	body   *bytes.Buffer
	size   int // of the body, kept once it goes back to the pool
	page   *page[T]
	err    error         // a failed fetch or decode, which ends the listing
	done   chan struct{} // closed once page (or err) is ready
}

// listPages reads first and then every next link, calling fn with each
// page's items in order. It stops after a page without a next link or
// with no items. fn must not keep the slice: it is reused for a later
// page. At most listAhead pages are read ahead of fn, and none is handed
// to fn after it fails. ids, when not nil, gives the user IDs the pages
// name the strings the crawl holds, on the decoding goroutines.
func listPages[T any](ctx context.Context, c *Client, ep endpoint, first *url.URL, plain bool, ids *memberIDs[T], fn func([]T) error) error {
	ctx, cancel := context.WithCancel(ctx)
	bodies := make(chan *bytes.Buffer, listAhead)
	pages := make(chan *page[T], listAhead)
	for range listAhead {
		bodies <- bodyPool.Get().(*bytes.Buffer)
		p := new(page[T])
		p.Data.plain = plain
		if ids != nil {
			p.known = ids.known
		}
		pages <- p
	}
	order := make(chan *pageJob[T], listAhead) // for fn, in page order
	work := make(chan *pageJob[T], listAhead)  // for the decoders

	var wg sync.WaitGroup
	wg.Add(1 + listDecoders)
	go func() {
		defer wg.Done()
		defer close(work)
		defer close(order)
		readPages(ctx, c, ep, first, bodies, pages, order, work)
	}()
	for range listDecoders {
		go func() {
			defer wg.Done()
			for j := range work {
				if j.page != nil {
					j.err = c.decode(j.target, j.body.Bytes(), j.page)
					j.size = j.body.Len()
					bodies <- j.body
					if j.err == nil && ids != nil && !j.page.fast {
						ids.resolve(j.page.Data.list)
					}
				}
				close(j.done)
			}
		}()
	}
	defer func() {
		cancel()
		wg.Wait() // nothing reads c or the pages after listPages returns
		// A listing that ends early may have left a body with a job it
		// never queued; the collector has that one.
		for len(bodies) > 0 {
			b := <-bodies
			b.Reset()
			bodyPool.Put(b)
		}
	}()

	for j := range order {
		<-j.done
		if j.err != nil {
			return j.err
		}
		connector.Fetched(ctx, j.size)
		if len(j.page.Data.list) == 0 {
			return nil
		}
		if err := fn(j.page.Data.list); err != nil {
			if errors.Is(err, errStopPaging) {
				return nil
			}
			return err
		}
		pages <- j.page
	}
	if err := ctx.Err(); err != nil {
		return c.errorf("GET %s: %w", first.RequestURI(), err)
	}
	return nil
}

// readPages is listPages' fetching stage: it fetches first and each next
// link into a body and a page taken from the free ones, in that order, so
// that the oldest page a decoder holds always has its page, and queues
// each on order and work. It stops after a page without a next link or
// items, after a failed fetch (queued as the last job), or when ctx ends.
func readPages[T any](ctx context.Context, c *Client, ep endpoint, first *url.URL, bodies chan *bytes.Buffer, pages chan *page[T],
	order, work chan<- *pageJob[T]) {
	seen := make(map[string]bool)
	queue := func(j *pageJob[T]) bool {
		select {
		case order <- j:
		case <-ctx.Done():
			return false
		}
		work <- j // never blocks for long: work has room for every page
		return true
	}
	fail := func(err error) { queue(&pageJob[T]{err: err, done: make(chan struct{})}) }
	for u := first; u != nil; {
		key := u.String()
		if seen[key] {
			fail(c.errorf("GET %s: %w", u.RequestURI(), ErrPaginationLoop))
			return
		}
		seen[key] = true

		j := &pageJob[T]{done: make(chan struct{})}
		select {
		case j.page = <-pages:
		case <-ctx.Done():
			return
		}
		j.body = <-bodies // as many as pages, and returned before them
		req, err := c.newRequest(ctx, u)
		if err != nil {
			bodies <- j.body
			fail(err)
			return
		}
		if ep.basicUser != "" {
			req.SetBasicAuth(ep.basicUser, ep.basicPass)
		}
		if err := c.fetch(ep.hc, req, j.body); err != nil {
			bodies <- j.body
			fail(err)
			return
		}
		j.target = req.Method + " " + u.RequestURI()
		j.page.Links = nil
		links, empty, skimErr := skimPage(j.body.Bytes())
		if !queue(j) {
			return
		}
		if skimErr != nil {
			// The decoder most likely fails on the page too, and says
			// why first; if it does not, the listing must still fail,
			// not end short.
			fail(c.errorf("read the next link of %s: %w", j.target, skimErr))
			return
		}
		if empty {
			return
		}
		next, err := nextURL(ep.origin, u, links)
		if err != nil {
			// A bad next link fails the listing after this page, as it
			// would if the pages were read one at a time.
			fail(c.errorf("GET %s: %w", u.RequestURI(), err))
			return
		}
		u = next
	}
}

// skimPage reads a list response's links, and whether it has no records
// (an empty, null or missing data array, or a null page, as Unmarshal
// reads them), without decoding the records: the next page can be asked
// for while this one decodes. A page it calls empty has none; one it does
// not may still have none (skimTail), and the listing ends at it then.
func skimPage(body []byte) (links []link, empty bool, err error) {
	if links, ok := skimTail(body); ok {
		return links, false, nil
	}
	return skimWalk(body)
}

// skimWalk is skimPage for any page: it walks the body token by token.
func skimWalk(body []byte) (links []link, empty bool, err error) {
	dec := jsontext.NewDecoder(bytes.NewReader(body), decodeOptions)
	tok, err := dec.ReadToken()
	switch {
	case err != nil:
		return nil, false, err
	case tok.Kind() == 'n':
		return nil, true, nil
	case tok.Kind() != '{':
		return nil, false, errors.New("not a JSON object")
	}
	empty = true
	for dec.PeekKind() != '}' {
		name, err := dec.ReadToken()
		if err != nil {
			return nil, false, err
		}
		switch name.String() {
		case "links":
			// As Unmarshal does with a repeated name, the last one wins.
			links = nil
			if err := json.UnmarshalDecode(dec, &links, decodeOptions); err != nil {
				return nil, false, err
			}
			continue
		case "data":
			if empty, err = skimData(dec); err != nil {
				return nil, false, err
			}
			continue
		}
		if err := dec.SkipValue(); err != nil {
			return nil, false, err
		}
	}
	return links, empty, nil
}

// skimData skips a data array, reporting whether it has no elements (or
// is null).
func skimData(dec *jsontext.Decoder) (empty bool, err error) {
	switch dec.PeekKind() {
	case 'n':
		_, err := dec.ReadToken()
		return true, err
	case '[':
	default:
		return false, dec.SkipValue()
	}
	if _, err := dec.ReadToken(); err != nil {
		return false, err
	}
	empty = dec.PeekKind() == ']'
	for dec.PeekKind() != ']' {
		if err := dec.SkipValue(); err != nil {
			return false, err
		}
	}
	_, err = dec.ReadToken()
	return empty, err
}
