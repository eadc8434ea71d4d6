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

// listAll reads every record of a collection with limit/offset paging. The
// provider may cap limit below what was asked, so offsets advance by the
// records each page held; X-Total-Count, when sent, bounds the crawl and
// must match what was read; an empty page ends it. Once the first page has
// shown the page size and the total, the remaining pages are fetched
// MaxInFlight at a time, and appended in order.
func listAll[T any](ctx context.Context, c *Client, path, key string, query url.Values) ([]T, error) {
	ask := c.opts.PageSize
	page := func(ctx context.Context, offset int, buf *bytes.Buffer) ([]T, int, error) {
		q := url.Values{}
		for k, v := range query {
			q[k] = v
		}
		q.Set("limit", strconv.Itoa(ask))
		q.Set("offset", strconv.Itoa(offset))
		var items []T
		total, err := c.get(ctx, path, q, key, buf, &items)
		return items, total, err
	}

	var buf bytes.Buffer
	all, total, err := page(ctx, 0, &buf)
	if err != nil {
		return nil, err
	}
	size := len(all) // the provider's real page size
	pages := 1
	switch {
	case size == 0:
		return checkTotal(c, path, all, total)
	case total >= 0 && size < total && c.opts.MaxInFlight > 1:
		rest, err := parallelPages(ctx, c, path, page, size, total)
		if err != nil {
			return nil, err
		}
		all = append(all, rest...)
		return checkTotal(c, path, all, total)
	}
	// One page at a time: without a total, or with one request in
	// flight, read on until an empty or short page or the total.
	for total < 0 || len(all) < total {
		if pages++; pages > c.opts.MaxPages {
			return nil, fmt.Errorf("oneroster %q: %s: more than %d pages; the provider keeps paging", c.opts.Connection, path, c.opts.MaxPages)
		}
		items, t, err := page(ctx, len(all), &buf)
		if err != nil {
			return nil, err
		}
		if err := sameTotal(c, path, total, t); err != nil {
			return nil, err
		}
		if t >= 0 {
			total = t
		}
		all = append(all, items...)
		if len(items) == 0 || (total < 0 && len(items) < size) {
			break
		}
	}
	return checkTotal(c, path, all, total)
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

func checkTotal[T any](c *Client, path string, all []T, total int) ([]T, error) {
	if total >= 0 && len(all) != total {
		return nil, fmt.Errorf("oneroster %q: %s: read %d records, X-Total-Count said %d: %w", c.opts.Connection, path, len(all), total, ErrCountMismatch)
	}
	return all, nil
}

// parallelPages fetches the pages after the first, size records each, up
// to total, MaxInFlight at a time, and returns their records in offset
// order. The first error cancels the rest.
func parallelPages[T any](ctx context.Context, c *Client, path string, page func(context.Context, int, *bytes.Buffer) ([]T, int, error), size, total int) ([]T, error) {
	n := (total - size + size - 1) / size
	if n+1 > c.opts.MaxPages {
		return nil, fmt.Errorf("oneroster %q: %d pages of %d is more than %d", c.opts.Connection, n+1, size, c.opts.MaxPages)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	results := make([][]T, n)
	errs := make([]error, n)
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(c.opts.MaxInFlight, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf bytes.Buffer
			for i := range next {
				items, t, err := page(ctx, size*(i+1), &buf)
				if err == nil {
					err = sameTotal(c, path, total, t)
				}
				if err != nil {
					errs[i] = err
					cancel()
					continue
				}
				results[i] = items
			}
		}()
	}
feed:
	for i := range n {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		for _, e := range errs { // the first failure, not the cancellations it caused
			if e != nil && !errors.Is(e, context.Canceled) {
				return nil, e
			}
		}
		return nil, err
	}
	var out []T
	for i, items := range results {
		if len(items) != size && i != n-1 {
			// A short page in the middle: records moved under the crawl.
			return nil, fmt.Errorf("oneroster %q: %s: page at offset %d held %d records, not %d: %w", c.opts.Connection, path, size*(i+1), len(items), size, ErrCountMismatch)
		}
		out = append(out, items...)
	}
	return out, nil
}
