package clever

import (
	"context"

	"github.com/rosterd/rosterd/roster"
)

// Term is a term as Clever sends it. Its dates arrive as YYYY-MM-DD or as
// RFC 3339 timestamps, even within one district.
type Term struct {
	ID           string `json:"id"`
	District     string `json:"district"`
	Name         string `json:"name"`
	StartDate    string `json:"start_date"`
	EndDate      string `json:"end_date"`
	LastModified string `json:"last_modified"`
}

// ListTerms calls fn with each page of terms, in ID order. fn must not keep
// the slice, which is reused for the next page.
func (c *Client) ListTerms(ctx context.Context, fn func([]Term) error) error {
	return listPages(ctx, c, c.api(), c.collectionURL("terms", nil), false, nil, fn)
}

func (t *Term) toRoster(m *mapper) roster.Term {
	rec := record{entity: roster.EntityTerm, id: t.ID}
	return roster.Term{
		ID:           m.intern(t.ID),
		District:     m.intern(t.District),
		Name:         m.intern(t.Name),
		StartDate:    m.date(rec, "start_date", t.StartDate),
		EndDate:      m.date(rec, "end_date", t.EndDate),
		LastModified: m.timestamp(rec, "last_modified", t.LastModified),
	}
}
