package oneroster

import (
	"context"
	"fmt"
	"slices"

	"github.com/rosterd/rosterd/connector"
	"github.com/rosterd/rosterd/roster"
)

// crawlCounts are the records a crawl read, for the log.
type crawlCounts struct {
	orgs, sessions, courses, classes, users, enrollments int
}

// crawl reads every collection a roster needs and maps it into the same
// roster ToRoster makes of the collections' Dataset, without holding the
// Dataset: classes, users and enrollments, which are most of a district,
// are mapped a page at a time as they arrive, and each page is let go
// once mapped. An enrollment, the bulk of them, leaves only its section,
// user and role behind.
//
// The mapping needs the orgs and terms before classes, and demographics
// before users, and places enrollments once every section and user is
// mapped, so the collections are read in that order; orgs, sessions,
// courses and demographics are read whole first, as ToRoster reads them.
// Classes are mapped before users here and after them in ToRoster; the
// two read nothing of each other, and finish orders the field errors so
// that the order of kinds does not show. Any failure returns no roster:
// the mapper, part filled, is dropped with it.
func (c *Client) crawl(ctx context.Context, opts MapOptions) (*roster.Roster, crawlCounts, error) {
	var n crawlCounts
	d := &Dataset{}
	err := c.readCatalog(ctx, d, nil)
	if err != nil {
		return nil, n, err
	}
	step := func(what string, fn func() error) {
		if err == nil {
			if e := fn(); e != nil {
				err = fmt.Errorf("fetch %s: %w", what, e)
			}
		}
	}
	n.orgs, n.sessions, n.courses = len(d.Orgs), len(d.AcademicSessions), len(d.Courses)
	listed := []listedCount{{"/orgs", n.orgs}, {"/academicSessions", n.sessions}, {"/courses", n.courses}}
	m := newMapper(d, opts)
	m.orgsToRoster()
	m.termsToRoster()
	m.coursesToRoster()

	// Each collection's first page tells its X-Total-Count, which sizes
	// what its records are mapped into; pages may then be let go.
	step("classes", func() error {
		first := true
		return listPages(ctx, c, "/classes", "classes", nil, func(items []Class, total int) error {
			if first {
				m.r.Sections, first = slices.Grow(m.r.Sections, max(total, 0)), false
			}
			for i := range items {
				m.addClass(&items[i])
			}
			n.classes += len(items)
			return nil
		})
	})
	listed = append(listed, listedCount{"/classes", n.classes})
	if c.opts.Demographics {
		step("demographics", func() (e error) {
			d.Demographics, e = listAll[Demographics](ctx, c, "/demographics", "demographics", nil)
			return
		})
		listed = append(listed, listedCount{"/demographics", len(d.Demographics)})
	}
	if err != nil {
		return nil, n, err
	}
	m.beginUsers(0)
	listUsers := func(path string) error {
		first, read := true, 0
		err := listPages(ctx, c, path, "users", nil, func(items []User, total int) error {
			if first {
				m.r.Users, first = slices.Grow(m.r.Users, max(total, 0)), false
			}
			for i := range items {
				m.addUser(&items[i])
			}
			read += len(items)
			return nil
		})
		n.users += read
		listed = append(listed, listedCount{path, read})
		return err
	}
	if c.opts.StudentsAndTeachers {
		step("students", func() error { return listUsers("/students") })
		step("teachers", func() error { return listUsers("/teachers") })
	} else {
		step("users", func() error { return listUsers("/users") })
	}
	if err != nil {
		return nil, n, err
	}
	m.finishUsers()
	d.Demographics = nil // mapped into the students
	// The enrollments only place users into sections: the users are
	// final, and the engine may start on them while the enrollments,
	// most of a district's pages, are read (connector.FetchTrace).
	connector.UsersFinal(ctx, m.r)

	m.sortSections()
	m.beginMembers(0)
	// The enrollments, and the counts read again after them, add no
	// record of their own: the engine readies no room for their bytes.
	notKept := connector.PagesNotKept(ctx)
	step("enrollments", func() error {
		first := true
		return listPages(notKept, c, "/enrollments", "enrollments", nil, func(items []Enrollment, total int) error {
			if first {
				m.members.ms, first = slices.Grow(m.members.ms, max(total, 0)), false
			}
			for i := range items {
				m.addEnrollment(&items[i])
			}
			n.enrollments += len(items)
			return nil
		})
	})
	listed = append(listed, listedCount{"/enrollments", n.enrollments})
	step("collections again", func() error { return c.recount(notKept, listed) })
	if err != nil {
		return nil, n, err
	}
	m.finishMembers()
	return m.finish(), n, nil
}

// Walk reads every collection Fetch reads, in the same order, page by
// page, decoding each page into the wire types and keeping nothing; fn is
// told each page's collection path and number of records. It is what a
// crawl costs before any mapping, which the bench measures as its floor.
func (c *Client) Walk(ctx context.Context, fn func(path string, records int) error) error {
	type step struct {
		what, path, key string
		walk            func(context.Context, *Client, string, string, func(int) error) error
	}
	steps := []step{
		{"orgs", "/orgs", "orgs", walkPages[Org]},
		{"academic sessions", "/academicSessions", "academicSessions", walkPages[AcademicSession]},
		{"courses", "/courses", "courses", walkPages[Course]},
		{"classes", "/classes", "classes", walkPages[Class]},
	}
	if c.opts.Demographics {
		steps = append(steps, step{"demographics", "/demographics", "demographics", walkPages[Demographics]})
	}
	if c.opts.StudentsAndTeachers {
		steps = append(steps, step{"students", "/students", "users", walkPages[User]}, step{"teachers", "/teachers", "users", walkPages[User]})
	} else {
		steps = append(steps, step{"users", "/users", "users", walkPages[User]})
	}
	steps = append(steps, step{"enrollments", "/enrollments", "enrollments", walkPages[Enrollment]})
	for _, s := range steps {
		if err := s.walk(ctx, c, s.path, s.key, func(n int) error { return fn(s.path, n) }); err != nil {
			return fmt.Errorf("fetch %s: %w", s.what, err)
		}
	}
	return nil
}

// walkPages pages through a collection, telling fn each page's length.
func walkPages[T any](ctx context.Context, c *Client, path, key string, fn func(int) error) error {
	return listPages(ctx, c, path, key, nil, func(items []T, _ int) error { return fn(len(items)) })
}
