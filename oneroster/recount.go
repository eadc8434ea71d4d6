package oneroster

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
)

// A crawl reads its collections one after another, and X-Total-Count
// only shows a change within one of them. A change that lands between
// two (students withdrawn once their listing is read, before their
// enrollments are) would leave a roster mixing both: the students still
// there, their enrollments gone. So once every collection is read, each
// is counted again, one record asked, and a count that moved fails the
// crawl, as Clever's last_sync does a Clever one. It cannot see a change
// that keeps every count; nothing in OneRoster's REST binding can.

// listedCount is how many records a crawl read of one collection, its
// X-Total-Count as the listing checked it.
type listedCount struct {
	path string
	n    int
}

// recount fails when a collection's X-Total-Count is no longer the
// number of records the crawl read of it. A provider that sends no
// count is taken at its word.
func (c *Client) recount(ctx context.Context, listed []listedCount) error {
	var buf bytes.Buffer
	for _, l := range listed {
		total, _, err := c.getBody(ctx, l.path, url.Values{"limit": {"1"}, "offset": {"0"}}, &buf)
		if err != nil {
			return fmt.Errorf("count %s again: %w", l.path, err)
		}
		if err := sameTotal(c, l.path, l.n, total); err != nil {
			return err
		}
	}
	return nil
}
