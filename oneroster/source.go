package oneroster

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/rosterd/rosterd/roster"
)

// Source crawls a OneRoster REST provider into a roster.
type Source struct {
	c     *Client
	opts  MapOptions
	delta DeltaOptions
}

// NewSource returns a Source over c, mapping with opts.
func NewSource(c *Client, opts MapOptions) *Source { return &Source{c: c, opts: opts} }

// Kind names the source in reports.
func (s *Source) Kind() string { return "oneroster" }

// Fetch reads every collection a roster needs and maps them. A crawl that
// does not complete, or whose counts disagree with the provider's, returns
// an error and no roster: a short roster would read as deletions.
func (s *Source) Fetch(ctx context.Context) (*roster.Roster, error) {
	started := time.Now()
	r, n, err := s.c.crawl(ctx, s.opts)
	if err != nil {
		return nil, err
	}
	s.c.log.Info().Int("orgs", n.orgs).Int("sessions", n.sessions).Int("courses", n.courses).
		Int("classes", n.classes).Int("users", n.users).Int("enrollments", n.enrollments).
		Int("field_errors", len(r.FieldErrors)).Dur("took", time.Since(started)).Msg("fetched the roster")
	return r, nil
}

// readCatalog reads into d the collections the others refer to, which a
// crawl holds whole: orgs, academic sessions and courses.
func (c *Client) readCatalog(ctx context.Context, d *Dataset, query url.Values) error {
	var err error
	step := func(what string, fn func() error) {
		if err == nil {
			if e := fn(); e != nil {
				err = fmt.Errorf("fetch %s: %w", what, e)
			}
		}
	}
	step("orgs", func() (e error) { d.Orgs, e = listAll[Org](ctx, c, "/orgs", "orgs", query); return })
	step("academic sessions", func() (e error) {
		d.AcademicSessions, e = listAll[AcademicSession](ctx, c, "/academicSessions", "academicSessions", query)
		return
	})
	step("courses", func() (e error) { d.Courses, e = listAll[Course](ctx, c, "/courses", "courses", query); return })
	return err
}

// Dataset reads every collection a roster needs, each with the extra
// query (a filter for a delta pull) when given.
func (c *Client) Dataset(ctx context.Context, query url.Values) (*Dataset, error) {
	d := &Dataset{}
	err := c.readCatalog(ctx, d, query)
	step := func(what string, fn func() error) {
		if err == nil {
			if e := fn(); e != nil {
				err = fmt.Errorf("fetch %s: %w", what, e)
			}
		}
	}
	step("classes", func() (e error) { d.Classes, e = listAll[Class](ctx, c, "/classes", "classes", query); return })
	if c.opts.StudentsAndTeachers {
		step("students", func() error {
			u, e := listAll[User](ctx, c, "/students", "users", query)
			d.Users = append(d.Users, u...)
			return e
		})
		step("teachers", func() error {
			u, e := listAll[User](ctx, c, "/teachers", "users", query)
			d.Users = append(d.Users, u...)
			return e
		})
	} else {
		step("users", func() (e error) { d.Users, e = listAll[User](ctx, c, "/users", "users", query); return })
	}
	step("enrollments", func() (e error) {
		d.Enrollments, e = listAll[Enrollment](ctx, c, "/enrollments", "enrollments", query)
		return
	})
	if c.opts.Demographics {
		step("demographics", func() (e error) {
			d.Demographics, e = listAll[Demographics](ctx, c, "/demographics", "demographics", query)
			return
		})
	}
	if err != nil {
		return nil, err
	}
	return d, nil
}
