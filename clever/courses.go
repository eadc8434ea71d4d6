package clever

import (
	"context"

	"github.com/rosterd/rosterd/roster"
)

// Course is a course as Clever sends it. Clever builds courses from
// section data, so a course ID may change when its sections do.
type Course struct {
	ID           string `json:"id"`
	District     string `json:"district"`
	Name         string `json:"name"`
	Number       string `json:"number"`
	LastModified string `json:"last_modified"`
}

// ListCourses calls fn with each page of courses, in ID order. fn must not
// keep the slice, which is reused for the next page.
func (c *Client) ListCourses(ctx context.Context, fn func([]Course) error) error {
	return listPages(ctx, c, c.api(), c.collectionURL("courses", nil), false, nil, fn)
}

func (co *Course) toRoster(m *mapper) roster.Course {
	rec := record{entity: roster.EntityCourse, id: co.ID}
	return roster.Course{
		ID:           m.intern(co.ID),
		District:     m.intern(co.District),
		Name:         co.Name,
		Number:       co.Number,
		LastModified: m.timestamp(rec, "last_modified", co.LastModified),
	}
}
