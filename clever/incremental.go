package clever

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/go-json-experiment/json"

	"github.com/rosterd/rosterd/connector"
	"github.com/rosterd/rosterd/roster"
)

// Defaults for EventOptions.
const (
	// EventRetention is how long Clever keeps events.
	EventRetention = 30 * 24 * time.Hour
	// DefaultMaxCursorAge leaves a day's margin under EventRetention.
	DefaultMaxCursorAge = EventRetention - 24*time.Hour
	// DefaultFullEvery is how often a full crawl replaces the events.
	DefaultFullEvery = 24 * time.Hour
)

// EventOptions turn on incremental syncs from Clever's Events API: a run
// takes the newest event's ID before it crawls the district in full, and
// the next runs apply only the events after it to the roster the last run
// fetched. A full crawl runs every FullEvery to reconcile what events do
// not show (records shared or unshared without an event, a missed
// event), and whenever the events cannot be trusted.
type EventOptions struct {
	Enabled bool
	// FullEvery is how often a full crawl replaces the events; default
	// DefaultFullEvery.
	FullEvery time.Duration
	// MaxCursorAge is how long after the feed was last read a run still
	// trusts it: Clever keeps events for 30 days, and an event that fell
	// off before it was read is lost. Default DefaultMaxCursorAge.
	MaxCursorAge time.Duration
	// Now is the clock; default time.Now.
	Now func() time.Time
}

// cursorKind marks a cursor as this source's, so that a cursor another
// source kind left under the same connection name is never built on.
const cursorKind = "clever-events"

// eventCursor is what a Clever source's cursor holds, as JSON:
//
//	{"kind":"clever-events","event_id":"64206e4531f12f05cc491061",
//	 "read":"2026-12-01T06:00:00Z","full":"2026-12-01T06:00:00Z",
//	 "district":"5a0c91b95c7cc000010d417c","last_sync":"2026-12-01T05:12:00.000Z",
//	 "roles":["student","teacher","staff"]}
type eventCursor struct {
	Kind string `json:"kind"`
	// EventID is the newest event the roster reflects; "" when the feed
	// was empty when the last full crawl began.
	EventID string `json:"event_id"`
	// Read is when the feed was last read up to EventID: no event after
	// EventID is older than Read.
	Read time.Time `json:"read"`
	// Full is when the last full crawl began.
	Full time.Time `json:"full"`
	// District is the district the roster is of, and LastSync its
	// last_sync when the feed was last read: a district that synced from
	// its SIS since, with no event in the feed, has stopped sending
	// events (an app can turn them off in Clever's dashboard).
	District string `json:"district"`
	LastSync string `json:"last_sync,omitempty"`
	// Roles are the roles the roster was fetched for: events cannot
	// bring in the users of a role added since.
	Roles []string `json:"roles"`
}

func parseEventCursor(data []byte) (eventCursor, error) {
	var c eventCursor
	if err := json.Unmarshal(data, &c); err != nil {
		return c, err
	}
	if c.Kind != cursorKind || c.Read.IsZero() || c.Full.IsZero() {
		return c, errors.New("it is not a Clever events cursor")
	}
	return c, nil
}

func (c eventCursor) encode() []byte {
	c.Kind = cursorKind
	data, err := json.Marshal(c)
	if err != nil {
		panic(err) // strings and times always encode
	}
	return data
}

// WithEvents returns s syncing from the Events API as opts say.
func (s *Source) WithEvents(opts EventOptions) *Source {
	if opts.FullEvery == 0 {
		opts.FullEvery = DefaultFullEvery
	}
	if opts.MaxCursorAge == 0 {
		opts.MaxCursorAge = DefaultMaxCursorAge
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	c := *s
	c.events = opts
	return &c
}

var _ connector.IncrementalSource = (*Source)(nil)

// Why a run crawls in full instead of applying events: the fallback field
// of the log line that says so.
const (
	fallbackFirst     = "first_sync"
	fallbackForeign   = "foreign_cursor"
	fallbackFullDue   = "full_due"
	fallbackTooOld    = "cursor_too_old"
	fallbackRoles     = "roles_changed"
	fallbackNoRaw     = "no_raw_roster"
	fallbackRaw       = "raw_roster_mismatch"
	fallbackRefused   = "cursor_refused"
	fallbackSilent    = "events_silent"
	fallbackBadEvent  = "unusable_event"
	fallbackDistricts = "district_event"
)

// errFallback says the events cannot be built on, and why: the run crawls
// in full instead.
type errFallback struct{ code, reason string }

func (e *errFallback) Error() string { return e.reason }

func fallback(code, format string, args ...any) *errFallback {
	return &errFallback{code, fmt.Sprintf(format, args...)}
}

// FetchSince applies the events after the cursor to the roster the last
// run fetched, when events are on, the cursor is one this source wrote
// for the same district and roles, a full crawl is not due, Clever still
// keeps the cursor's event, and the last run's roster is kept. Otherwise
// it takes the newest event's ID and crawls in full, logging why. Either
// way the cursor returned is committed with the roster; an error (a
// failed request, mid-events or mid-crawl) returns no roster.
//
// With events off it is Fetch, and returns no cursor.
func (s *Source) FetchSince(ctx context.Context, prev connector.Previous) (*roster.Roster, []byte, error) {
	if !s.events.Enabled {
		r, err := s.Fetch(ctx)
		return r, nil, err
	}
	if s.err != nil {
		return nil, nil, s.err
	}
	now := s.events.Now().UTC()
	last, fb := s.usableCursor(prev.Cursor, now)
	if fb == nil {
		var base *roster.Roster
		var err error
		if prev.Raw != nil {
			base, err = prev.Raw()
		}
		switch {
		case err != nil:
			fb = fallback(fallbackRaw, "the last run's roster could not be read: %v", err)
		case base == nil:
			fb = fallback(fallbackNoRaw, "the last run's roster is not kept")
		default:
			r, cursor, err := s.applyEvents(ctx, base, last, now, prev.Unchanged)
			if !errors.As(err, &fb) {
				return r, cursor, err
			}
		}
	}
	s.c.log.Info().Str("fallback", fb.code).Str("reason", fb.reason).
		Msg("crawling the district in full instead of applying events")
	hint := ""
	if fb.code == fallbackFullDue || fb.code == fallbackRoles {
		// Most likely still kept, so the walk to the newest event can
		// start there; newestEventID copes when it is not.
		hint = last.EventID
	}
	return s.fullCrawl(ctx, now, hint)
}

// usableCursor parses the stored cursor, or says why it cannot be built
// on.
func (s *Source) usableCursor(data []byte, now time.Time) (eventCursor, *errFallback) {
	if len(data) == 0 {
		return eventCursor{}, fallback(fallbackFirst, "no cursor yet (the first sync with events)")
	}
	last, err := parseEventCursor(data)
	switch {
	case err != nil:
		return last, fallback(fallbackForeign, "the stored cursor is not this source's: %v", err)
	case now.Sub(last.Full) >= s.events.FullEvery:
		return last, fallback(fallbackFullDue, "a full crawl is due (the last began %s; full_every is %s)",
			last.Full.Format(time.RFC3339), s.events.FullEvery)
	case now.Sub(last.Read) >= s.events.MaxCursorAge:
		return last, fallback(fallbackTooOld, "the cursor is too old for Clever's %d-day event retention (the feed was last read %s)",
			int(EventRetention/(24*time.Hour)), last.Read.Format(time.RFC3339))
	case !sameRoles(last.Roles, s.roleNames()):
		return last, fallback(fallbackRoles, "the roles fetched changed from [%s] to [%s]",
			strings.Join(last.Roles, " "), strings.Join(s.roleNames(), " "))
	}
	return last, nil
}

// sameRoles reports whether a and b name the same roles, in any order.
func sameRoles(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func (s *Source) roleNames() []string {
	out := make([]string, len(s.roles))
	for i, r := range s.roles {
		out[i] = string(r)
	}
	return out
}

// fullCrawl takes the newest event's ID, then crawls the district: an
// event during the crawl is applied again by the next run, harmlessly.
func (s *Source) fullCrawl(ctx context.Context, now time.Time, hint string) (*roster.Roster, []byte, error) {
	newest, err := s.newestEventID(ctx, hint)
	if err != nil {
		return nil, nil, fmt.Errorf("take the newest event before the crawl: %w", err)
	}
	r, lastSync, err := s.fetch(ctx)
	if err != nil {
		return nil, nil, err
	}
	c := eventCursor{EventID: newest, Read: now, Full: now, District: r.Districts[0].ID, LastSync: lastSync, Roles: s.roleNames()}
	return r, c.encode(), nil
}

// newestEventID returns the newest event's ID, "" when the feed is empty.
// Clever documents no way to ask for the newest event alone (old clients
// sent ending_before=last, which v3 does not document), so it walks the
// feed to its end: from hint, an event of Clever's feed, when it has
// events after it, else from the oldest kept, which the 30-day retention
// bounds.
func (s *Source) newestEventID(ctx context.Context, hint string) (string, error) {
	walk := func(after string) (string, error) {
		newest := after
		err := s.c.ListEvents(ctx, after, func(page []Event) error {
			for i := range page {
				newest = max(newest, page[i].ID)
			}
			return nil
		})
		return newest, err
	}
	if hint != "" {
		// A hint Clever no longer keeps may be refused, or answered with
		// nothing: either way, walk the whole feed.
		newest, err := walk(hint)
		switch {
		case err == nil && newest != hint:
			return newest, nil
		case err != nil && !cursorRefused(err):
			return "", err
		}
	}
	return walk("")
}

// applyEvents applies the events after last.EventID to base. An
// *errFallback says the events cannot be used and why; any other error
// fails the run.
func (s *Source) applyEvents(ctx context.Context, base *roster.Roster, last eventCursor, now time.Time, unchanged func()) (*roster.Roster, []byte, error) {
	if len(base.Districts) != 1 || base.Districts[0].ID != last.District {
		return nil, nil, fallback(fallbackRaw, "the last run's roster is not of the cursor's district %s", last.District)
	}
	started := time.Now()
	districts, err := s.c.Districts(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("fetch district before the events: %w", err)
	}
	if len(districts) != 1 || districts[0].ID != last.District {
		// The crawl checks the token's district and says what is wrong.
		return nil, nil, fallback(fallbackRaw, "the token no longer sees exactly the cursor's district %s", last.District)
	}
	lastSync := districts[0].LastSync

	// Clever drops events from the oldest: while it keeps the cursor's
	// event, it keeps every event after it. Ask, rather than trust what a
	// starting_after of a dropped event answers.
	if last.EventID != "" {
		if _, err := s.c.Event(ctx, last.EventID); cursorRefused(err) {
			return nil, nil, fallback(fallbackRefused, "Clever no longer has the cursor's event %s: %v", last.EventID, err)
		} else if err != nil {
			return nil, nil, fmt.Errorf("check the cursor's event %s: %w", last.EventID, err)
		}
	}

	a := newApplier(s, base)
	newest, seen := last.EventID, 0
	err = s.c.ListEvents(ctx, last.EventID, func(page []Event) error {
		// Clever sends events in ID order; make sure of it, and skip any
		// already applied (a page served twice).
		slices.SortStableFunc(page, func(x, y Event) int { return strings.Compare(x.ID, y.ID) })
		for i := range page {
			ev := &page[i]
			if ev.ID <= newest {
				continue
			}
			if err := a.apply(ev); err != nil {
				return err
			}
			newest = ev.ID
			seen++
		}
		return nil
	})
	var fb *errFallback
	switch {
	case errors.As(err, &fb):
		return nil, nil, err
	case cursorRefused(err):
		return nil, nil, fallback(fallbackRefused, "Clever refused the events after %s: %v", last.EventID, err)
	case err != nil:
		return nil, nil, fmt.Errorf("fetch events after %s: %w", last.EventID, err)
	case seen == 0 && lastSync != "" && last.LastSync != "" && lastSync != last.LastSync:
		// An SIS sync that changed nothing may send no event either: the
		// cost of the doubt is one crawl.
		since := "event " + last.EventID
		if last.EventID == "" {
			since = "the full crawl of " + last.Full.Format(time.RFC3339)
		}
		return nil, nil, fallback(fallbackSilent, "the district synced from its SIS (last_sync %s, was %s) but the feed has no event since %s: are events turned off for the app?",
			lastSync, last.LastSync, since)
	}
	a.finish()

	for typ, k := range a.skipped {
		s.c.log.Info().Str("type", typ).Int("events", k).Msg("skipped events of a type rosterd does not apply")
	}
	s.c.log.Info().
		Str("district", last.District).
		Str("after", last.EventID).
		Str("through", newest).
		Int("events", seen).
		Int("users", len(base.Users)).
		Int("sections", len(base.Sections)).
		Dur("took", time.Since(started)).
		Msg("applied the district's events to the last run's roster")
	if seen == 0 && unchanged != nil {
		unchanged() // no event: base is the last run's roster as it was
	}
	c := last
	c.EventID, c.Read, c.LastSync = newest, now, lastSync
	return base, c.encode(), nil
}

// cursorRefused reports whether err is Clever refusing a starting_after or
// an event ID: a 404 (the spec's answer for an unknown event) or a 400.
func cursorRefused(err error) bool {
	s := statusOf(err)
	return s == http.StatusNotFound || s == http.StatusBadRequest
}
