package oneroster

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"sync"
)

// ErrCountMismatch reports a crawl that read another number of records
// than the provider's X-Total-Count announced: records moved under the
// crawl, and a roster read so would be short or doubled.
var ErrCountMismatch = errors.New("records read differ from X-Total-Count")

// listAll reads every record of a collection into one slice (see
// listPages), sized from X-Total-Count when the provider sends it.
func listAll[T any](ctx context.Context, c *Client, path, key string, query url.Values) ([]T, error) {
	var all []T
	err := listPages(ctx, c, path, key, query, func(items []T, total int) error {
		if all == nil && total > len(items) {
			all = make([]T, 0, total)
		}
		all = append(all, items...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return all, nil
}

// listPages reads every record of a collection with limit/offset paging
// and calls fn with each page's records, in offset order, and the
// provider's X-Total-Count (-1 when it sends none). fn may keep items.
//
// The provider may cap limit below what was asked, so offsets advance by
// the records each page held; X-Total-Count, when sent, bounds the crawl
// and must match what was read; an empty page ends it. Once the first
// page has shown the page size and the total, the remaining pages are
// fetched MaxInFlight at a time and decoded while later ones are on the
// wire, a few pages ahead of fn at most, so that a caller folding each
// page into something smaller never holds the collection.
//
// An error from fn, or any failure of the crawl, ends it; a caller must
// then throw away what fn was given, since the collection is incomplete.
func listPages[T any](ctx context.Context, c *Client, path, key string, query url.Values, fn func(items []T, total int) error) error {
	ask := c.opts.PageSize
	pageQuery := func(offset int) url.Values {
		q := make(url.Values, len(query)+2)
		for k, v := range query {
			q[k] = v
		}
		q.Set("limit", strconv.Itoa(ask))
		q.Set("offset", strconv.Itoa(offset))
		return q
	}
	page := func(ctx context.Context, offset, want int, buf *bytes.Buffer) ([]T, int, error) {
		items := make([]T, 0, want)
		total, err := get(ctx, c, path, pageQuery(offset), key, buf, &items)
		return items, total, err
	}

	var buf bytes.Buffer
	// The first page is decoded without a size: what the provider
	// sends is not known yet, and a few records are common.
	first, total, err := page(ctx, 0, 0, &buf)
	if err != nil {
		return err
	}
	size := len(first) // the provider's real page size
	read := size
	if err := fn(first, total); err != nil {
		return err
	}
	switch {
	case size == 0:
		return checkTotal(c, path, read, total)
	case total >= 0 && size < total:
		buf = bytes.Buffer{} // the workers have their own
		rest, err := pipelinedPages(ctx, c, path, key, pageQuery, size, total, fn)
		if err != nil {
			return err
		}
		return checkTotal(c, path, read+rest, total)
	}
	// One page at a time: without a total the next offset is known only
	// once a page is decoded. Read on until an empty or short page or the
	// total.
	for pages := 1; total < 0 || read < total; {
		if pages++; pages > c.opts.MaxPages {
			return fmt.Errorf("oneroster %q: %s: more than %d pages; the provider keeps paging", c.opts.Connection, path, c.opts.MaxPages)
		}
		items, t, err := page(ctx, read, size, &buf)
		if err != nil {
			return err
		}
		if err := sameTotal(c, path, total, t); err != nil {
			return err
		}
		if t >= 0 {
			total = t
		}
		read += len(items)
		if err := fn(items, total); err != nil {
			return err
		}
		if len(items) == 0 || (total < 0 && len(items) < size) {
			break
		}
	}
	return checkTotal(c, path, read, total)
}

// sameTotal fails a crawl whose X-Total-Count changed between pages: the
// records moved under it, and the pages read so far no longer line up
// with the offsets to come.
func sameTotal(c *Client, path string, was, now int) error {
	if was >= 0 && now >= 0 && was != now {
		return fmt.Errorf("oneroster %q: %s: X-Total-Count went from %d to %d during the crawl: %w", c.opts.Connection, path, was, now, ErrCountMismatch)
	}
	return nil
}

func checkTotal(c *Client, path string, read, total int) error {
	if total >= 0 && read != total {
		return fmt.Errorf("oneroster %q: %s: read %d records, X-Total-Count said %d: %w", c.opts.Connection, path, read, total, ErrCountMismatch)
	}
	return nil
}

// pageResult is one page a worker fetched and decoded.
type pageResult[T any] struct {
	items []T
	err   error
}

// pipelinedPages fetches the pages after the first, size records each,
// up to total, hands them to fn in offset order, and returns the records
// read. MaxInFlight+1
// workers each fetch a page and decode it, holding one of MaxInFlight
// network slots only while the page is on the wire, so a page decodes
// while the next is fetched; a window keeps the workers at most a few
// pages ahead of fn. The first failure cancels the rest, and the error
// returned is that failure, not the cancellations it caused.
func pipelinedPages[T any](ctx context.Context, c *Client, path, key string, pageQuery func(int) url.Values, size, total int, fn func([]T, int) error) (int, error) {
	n := (total - size + size - 1) / size
	if n+1 > c.opts.MaxPages {
		return 0, fmt.Errorf("oneroster %q: %d pages of %d is more than %d", c.opts.Connection, n+1, size, c.opts.MaxPages)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	workers := min(c.opts.MaxInFlight+1, n)
	// window bounds the pages handed out and not yet given to fn.
	window := make(chan struct{}, workers+1)
	network := make(chan struct{}, c.opts.MaxInFlight)
	results := make([]chan pageResult[T], n)
	for i := range results {
		results[i] = make(chan pageResult[T], 1)
	}
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf bytes.Buffer
			for i := range next {
				offset := size * (i + 1)
				r := fetchPage[T](ctx, c, path, key, pageQuery(offset), min(size, total-offset), total, network, &buf)
				if r.err != nil && !errors.Is(r.err, context.Canceled) {
					cancel() // no page after a failure is of use
				}
				results[i] <- r
			}
		}()
	}
	go func() {
		defer close(next)
		for i := range n {
			select {
			case window <- struct{}{}:
			case <-ctx.Done():
				return
			}
			select {
			case next <- i:
			case <-ctx.Done():
				return
			}
		}
	}()

	read := 0
	var errs []error // the failures, in offset order
	for i := 0; i < n && len(errs) == 0; i++ {
		var r pageResult[T]
		select {
		case r = <-results[i]:
		case <-ctx.Done():
			r.err = ctx.Err()
		}
		switch {
		case r.err != nil:
		case len(r.items) != size && i != n-1:
			// A short page in the middle: records moved under the crawl.
			r.err = fmt.Errorf("oneroster %q: %s: page at offset %d held %d records, not %d: %w", c.opts.Connection, path, size*(i+1), len(r.items), size, ErrCountMismatch)
		default:
			read += len(r.items)
			r.err = fn(r.items, total)
			<-window
		}
		if r.err != nil {
			errs = append(errs, r.err)
		}
	}
	cancel()
	wg.Wait()
	if len(errs) == 0 {
		return read, nil
	}
	// A page that failed may have cancelled the one fn waited for: look
	// for the failure among the pages still held.
	for i := range results {
		select {
		case r := <-results[i]:
			if r.err != nil {
				errs = append(errs, r.err)
			}
		default:
		}
	}
	for _, e := range errs {
		if !errors.Is(e, context.Canceled) {
			return 0, e
		}
	}
	return 0, errs[0]
}

// fetchPage fetches one page, holding a network slot while it is on the
// wire, and decodes it into a slice sized for want records, the page's
// share of total (decoding into a growing slice copies each page twice
// over); a page whose X-Total-Count is not total fails.
func fetchPage[T any](ctx context.Context, c *Client, path, key string, q url.Values, want, total int, network chan struct{}, buf *bytes.Buffer) pageResult[T] {
	select {
	case network <- struct{}{}:
	case <-ctx.Done():
		return pageResult[T]{err: ctx.Err()}
	}
	t, target, err := c.getBody(ctx, path, q, buf)
	<-network
	if err == nil {
		err = sameTotal(c, path, total, t)
	}
	if err != nil {
		return pageResult[T]{err: err}
	}
	items := make([]T, 0, want)
	if err := decodePage(c, target, buf.Bytes(), key, &items); err != nil {
		return pageResult[T]{err: err}
	}
	return pageResult[T]{items: items}
}
