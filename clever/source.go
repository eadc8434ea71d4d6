package clever

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/rosterd/rosterd/connector"
	"github.com/rosterd/rosterd/roster"
)

// SourceOptions configures a Source.
type SourceOptions struct {
	// Roles lists the user roles to fetch beyond students and teachers,
	// which are always fetched: staff, district_admin, contact.
	Roles []roster.Role
}

// Source crawls one Clever district into a roster.Roster. It satisfies
// the engine's Source and IncrementalSource interfaces; WithEvents turns
// on incremental syncs from the Events API.
type Source struct {
	c      *Client
	roles  []roster.Role
	err    error
	events EventOptions
}

// NewSource returns a Source reading through c. An unknown role in opts
// makes every Fetch fail with an error naming it.
func NewSource(c *Client, opts SourceOptions) *Source {
	s := &Source{c: c, roles: []roster.Role{roster.RoleStudent, roster.RoleTeacher}}
	for _, r := range opts.Roles {
		if _, ok := roster.ParseRole(string(r)); !ok {
			s.err = fmt.Errorf("clever %q: unknown role %q (known: staff, district_admin, contact)", c.conn, r)
			continue
		}
		if !slices.Contains(s.roles, r) {
			s.roles = append(s.roles, r)
		}
	}
	return s
}

// Kind names the source in reports.
func (s *Source) Kind() string { return "clever" }

// Fetch crawls the whole district: the district, schools, terms, courses,
// users by role (students, teachers, then the configured roles) and
// sections, in that order, so that sections can share their users' ID
// strings. It tells the FetchTrace in ctx, if any, when the users are
// final, which is while the sections are fetched. A crawl that does not
// complete returns an error and no roster, never a short roster, since a
// missing record would read as a deletion.
//
// Users are ordered by ID. A user listed under several roles is kept once;
// a user ID repeated within one listing is kept twice, for preflight to
// report. Values that cannot be mapped are in the roster's FieldErrors.
func (s *Source) Fetch(ctx context.Context) (*roster.Roster, error) {
	r, _, err := s.fetch(ctx)
	return r, err
}

// fetch is Fetch, also returning the district's last_sync as the crawl
// began ("" when Clever sends none), which an events cursor keeps.
func (s *Source) fetch(ctx context.Context) (*roster.Roster, string, error) {
	if s.err != nil {
		return nil, "", s.err
	}
	started := time.Now()
	r := &roster.Roster{}
	m := newMapper(r)

	district, lastSync, err := s.district(ctx, m)
	if err != nil {
		return nil, "", err
	}
	r.Districts = []roster.District{district}

	err = s.c.ListSchools(ctx, func(page []School) error {
		for i := range page {
			r.Schools = append(r.Schools, page[i].toRoster(m))
		}
		return nil
	})
	if err != nil {
		return nil, "", fmt.Errorf("fetch schools: %w", err)
	}
	err = s.c.ListTerms(ctx, func(page []Term) error {
		for i := range page {
			r.Terms = append(r.Terms, page[i].toRoster(m))
		}
		return nil
	})
	if err != nil {
		return nil, "", fmt.Errorf("fetch terms: %w", err)
	}
	err = s.c.ListCourses(ctx, func(page []Course) error {
		for i := range page {
			r.Courses = append(r.Courses, page[i].toRoster(m))
		}
		return nil
	})
	if err != nil {
		return nil, "", fmt.Errorf("fetch courses: %w", err)
	}
	var sections pageRecords[roster.Section]
	if t := connector.ContextFetchTrace(ctx); t != nil {
		m.users.reserve(withSlack(t.Expect.Users))
		sections.reserve(withSlack(t.Expect.Sections))
	}
	for _, role := range s.roles {
		if err := s.users(ctx, m, role); err != nil {
			return nil, "", fmt.Errorf("fetch users (role %s): %w", role, err)
		}
	}
	// Every user is in by now: the decoders may read the user index,
	// and the users are final once joined and sorted. Joining them (a
	// copy only when a page outgrew its room or the reservation is mostly
	// unused), sorting them and whatever the engine
	// starts on them (FetchTrace) run beside the sections' crawl, whose
	// pace leaves a CPU idle; the sections name users by the positions
	// they had in the pages, frozen before the join empties them.
	m.freezeUserIDs()
	pages := m.users
	m.users, m.building = pageRecords[roster.User]{}, nil
	usersFinal := make(chan any, 1) // a panic, or nil
	go func() {
		defer func() { usersFinal <- recover() }()
		r.Users = pages.join()
		sortUsersByID(r.Users)
		connector.UsersFinal(ctx, r)
	}()
	err = s.c.listSections(ctx, m.memberIDs(), func(page []Section) error {
		sections.add(m.appendSections(sections.page(len(page)), page, true))
		return nil
	})
	if p := <-usersFinal; p != nil {
		panic(p)
	}
	if err != nil {
		return nil, "", fmt.Errorf("fetch sections: %w", err)
	}
	r.Sections = sections.join()

	// Clever syncs a district from its SIS while apps read it, and a crawl
	// that spans a sync mixes the old roster and the new one. The
	// district's last_sync says whether one happened.
	if lastSync != "" {
		districts, err := s.c.Districts(ctx)
		if err != nil {
			return nil, "", fmt.Errorf("fetch district again: %w", err)
		}
		if len(districts) == 1 && districts[0].LastSync != lastSync {
			return nil, "", s.c.errorf("fetch: %w (last_sync moved from %s to %s); the next run reads it whole", ErrChangedMidCrawl, lastSync, districts[0].LastSync)
		}
	}

	r.FieldErrors = m.errs
	s.c.log.Info().
		Str("district", district.ID).
		Int("schools", len(r.Schools)).
		Int("terms", len(r.Terms)).
		Int("courses", len(r.Courses)).
		Int("users", len(r.Users)).
		Int("sections", len(r.Sections)).
		Int("field_errors", len(r.FieldErrors)).
		Dur("took", time.Since(started)).
		Msg("fetched the district's roster")
	return r, lastSync, nil
}

// withSlack is room for the n records the last fetch found and a district
// that has grown a little since, so that the crawl need not copy them all
// to make room for a few more.
func withSlack(n int) int {
	if n <= 0 {
		return 0
	}
	return n + n/64 + 64
}

// district fetches the token's one district and checks it is the
// configured one.
func (s *Source) district(ctx context.Context, m *mapper) (roster.District, string, error) {
	districts, err := s.c.Districts(ctx)
	if err != nil {
		return roster.District{}, "", fmt.Errorf("fetch district: %w", err)
	}
	if len(districts) != 1 {
		ids := make([]string, len(districts))
		for i, d := range districts {
			ids[i] = d.ID
		}
		return roster.District{}, "", s.c.errorf("fetch district: the token sees %d districts [%s], want exactly one", len(districts), strings.Join(ids, " "))
	}
	d := &districts[0]
	if want := s.c.districtID; want != "" && d.ID != want {
		return roster.District{}, "", s.c.errorf("fetch district: the token belongs to district %s, not the configured %s", d.ID, want)
	}
	return d.toRoster(m), d.LastSync, nil
}

// users fetches one role's listing into m.users. A user already kept from
// an earlier listing (a teacher who is also staff) is completed, not added
// again; one repeated within the listing is kept twice, for preflight.
func (s *Source) users(ctx context.Context, m *mapper, role roster.Role) error {
	listingStart := m.users.n
	return s.c.ListUsers(ctx, string(role), func(page []User) error {
		m.building = m.users.page(len(page))
		for i := range page {
			u := &page[i]
			// Indexed at the position it is about to take, in one probe
			// of the index rather than a lookup and an insert.
			at, added := m.userIndex.Add(u.ID, int32(m.users.n+len(m.building)))
			if !added && int(at) < listingStart {
				m.addMissingRoles(m.user(int(at)), u)
				continue
			}
			m.building = append(m.building, u.toRoster(m, role))
		}
		m.users.add(m.building)
		m.building = nil
		return nil
	})
}

// sortUsersByID orders users by ID, equal IDs in fetch order. Each role's
// listing is already in ID order; the listings together are not.
func sortUsersByID(users []roster.User) {
	sortByID(users, func(u *roster.User) string { return u.ID })
}
