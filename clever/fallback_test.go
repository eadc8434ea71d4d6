package clever_test

import (
	"testing"
	"time"

	"github.com/rosterd/rosterd/clever"
	"github.com/rosterd/rosterd/internal/codec"
	"github.com/rosterd/rosterd/internal/fakeclever"
	"github.com/rosterd/rosterd/roster"
)

// renameStudent renames the district's first student: a change each
// fallback's full crawl must pick up.
func renameStudent(r *roster.Roster) {
	u := firstWith(r, isStudent)
	u.Name.Last += "-Renamed"
}

// Ensure every reason not to build on the events falls back to a full
// crawl, logged at info with the reason, that the crawl picks up every
// change (none is lost), that its cursor is the newest event taken before
// it, and that the next run applies events again.
func TestSource_FetchSinceFallsBack(t *testing.T) {
	day := 24 * time.Hour
	tests := []struct {
		name  string
		opts  rigOptions
		setup func(g *rig)
		want  string
		// silent is true when the next run falls back again, for the
		// same reason.
		silent bool
	}{
		{name: "FirstSync", setup: func(g *rig) { g.cursor, g.raw = nil, nil }, want: "first_sync"},
		{name: "ForeignCursor", setup: func(g *rig) {
			g.cursor = []byte(`{"watermark":"2026-11-30T06:00:00Z","full":"2026-11-30T06:00:00Z"}`) // a OneRoster delta cursor
		}, want: "foreign_cursor"},
		{name: "UnreadableCursor", setup: func(g *rig) { g.cursor = []byte("2026-11-30.zip") }, want: "foreign_cursor"},
		{name: "FullDue", setup: func(g *rig) { g.clock.advance(25 * time.Hour) }, want: "full_due"},
		{name: "FullDueConfigured", opts: rigOptions{events: clever.EventOptions{FullEvery: time.Hour}},
			setup: func(g *rig) { g.clock.advance(61 * time.Minute) }, want: "full_due"},
		// The walk to the newest event starts at the cursor's, unless
		// Clever no longer has it.
		{name: "FullDueCursorExpired", opts: rigOptions{fake: fakeclever.Options{ExpiredCursor: fakeclever.ExpiredEmpty}},
			setup: func(g *rig) { g.clock.advance(25 * time.Hour); g.fake.ExpireEvents(g.cursorEvent()) }, want: "full_due"},
		{name: "CursorTooOld", opts: rigOptions{events: clever.EventOptions{FullEvery: 90 * day}},
			setup: func(g *rig) { g.clock.advance(29*day + 12*time.Hour) }, want: "cursor_too_old"},
		// Past Clever's retention the cursor's event is gone: a 404.
		{name: "CursorPastRetention", opts: rigOptions{events: clever.EventOptions{FullEvery: 90 * day, MaxCursorAge: 60 * day}},
			setup: func(g *rig) { g.clock.advance(31 * day) }, want: "cursor_refused"},
		{name: "CursorExpired", setup: func(g *rig) { g.fake.ExpireEvents(g.cursorEvent()) }, want: "cursor_refused"},
		// A server answering a dropped starting_after with nothing, or
		// with 400, is caught all the same.
		{name: "CursorExpiredEmptyAnswer", opts: rigOptions{fake: fakeclever.Options{ExpiredCursor: fakeclever.ExpiredEmpty}},
			setup: func(g *rig) { g.fake.ExpireEvents(g.cursorEvent()) }, want: "cursor_refused"},
		{name: "CursorExpiredBadRequest", opts: rigOptions{fake: fakeclever.Options{ExpiredCursor: fakeclever.ExpiredBadRequest}},
			setup: func(g *rig) { g.fake.ExpireEvents(g.cursorEvent()) }, want: "cursor_refused"},
		{name: "RolesChanged", setup: func(g *rig) {
			g.opts.roles = []roster.Role{roster.RoleContact}
			g.src = g.source(g.opts.roles)
		}, want: "roles_changed"},
		{name: "NoRawRoster", setup: func(g *rig) { g.raw = nil }, want: "no_raw_roster"},
		{name: "RawRosterUnreadable", setup: func(g *rig) { g.raw = []byte("{") }, want: "raw_roster_mismatch"},
		{name: "RawRosterOfAnotherDistrict", setup: func(g *rig) {
			r, _ := g.loadRaw()
			r.Districts[0].ID = "5a0c91b95c7cc000010d417c"
			g.raw, _ = codec.Marshal(r)
		}, want: "raw_roster_mismatch"},
		// The district synced from its SIS, and the feed says nothing:
		// events are off for the app.
		{name: "EventsSilent", opts: rigOptions{eventsOff: true}, want: "events_silent", silent: true},
		{name: "EventWithoutID", setup: func(g *rig) { g.fake.AddEvent("users.updated", []byte(`{"name":{"first":"Ada"}}`)) }, want: "unusable_event"},
		{name: "EventNotDecodable", setup: func(g *rig) { g.fake.AddEvent("sections.updated", []byte(`{"id":"x","students":"all"}`)) }, want: "unusable_event"},
		{name: "OtherDistrictEvent", setup: func(g *rig) {
			g.fake.AddEvent("districts.updated", []byte(`{"id":"5a0c91b95c7cc000010d417c"}`))
		}, want: "district_event"},
		{name: "DistrictDeleted", setup: func(g *rig) {
			g.fake.AddEvent("districts.deleted", []byte(`{"id":"`+g.district.Districts[0].ID+`"}`))
		}, want: "district_event"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newRig(t, tt.opts)
			renameStudent(g.district)
			g.serve()
			if tt.setup != nil {
				tt.setup(g)
			}

			got, err := g.sync()
			if err != nil {
				t.Fatal(err)
			}
			if fb := g.fallbacks(); len(fb) != 1 || fb[0] != tt.want {
				t.Fatalf("fallbacks %v, want [%s]", fb, tt.want)
			}
			if !g.crawled() {
				t.Fatal("no full crawl")
			}
			if got, want := g.cursorEvent(), g.newestEvent(); got != want {
				t.Errorf("cursor at event %s, want the newest, %s", got, want)
			}
			if diff := rosterDiff(g.crawl(), got); diff != "" {
				t.Errorf("roster differs from a crawl (-crawl +got):\n%s", diff)
			}

			renameStudent(g.district)
			g.serve()
			if _, err := g.sync(); err != nil {
				t.Fatal(err)
			}
			fb := g.fallbacks()
			switch {
			case tt.silent && (len(fb) != 1 || fb[0] != tt.want):
				t.Errorf("next run's fallbacks %v, want [%s] again", fb, tt.want)
			case !tt.silent && (len(fb) > 0 || g.crawled()):
				t.Errorf("next run crawled in full (fallbacks %v), want only events", fb)
			}
		})
	}
}

// Ensure a failure while reading the events fails the run, with no
// roster and no cursor, rather than committing a roster with some of the
// events or crawling in full around the failure.
func TestSource_FetchSinceFails(t *testing.T) {
	tests := []struct {
		name  string
		fault fakeclever.Fault
	}{
		{"DistrictCheck", fakeclever.Fault{Path: "/v3.0/districts", Kind: fakeclever.FaultStatus, Times: 10}},
		{"CursorCheck", fakeclever.Fault{Path: "/v3.0/events/", Kind: fakeclever.FaultStatus, Status: 500, Times: 10}},
		{"FirstPage", fakeclever.Fault{Path: "/v3.0/events", After: 1, Kind: fakeclever.FaultStatus, Times: 10}},
		{"LaterPage", fakeclever.Fault{Path: "/v3.0/events", After: 3, Kind: fakeclever.FaultStatus, Status: 502, Times: 10}},
		{"PageCutShort", fakeclever.Fault{Path: "/v3.0/events", After: 2, Kind: fakeclever.FaultTruncate, Times: 10}},
		{"RateLimited", fakeclever.Fault{Path: "/v3.0/events", After: 1, Kind: fakeclever.FaultRateLimit, Times: 10}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newRig(t, rigOptions{pageSize: 2})
			for range 4 {
				renameStudent(g.district)
				g.serve()
			}
			before := string(g.cursor)
			g.fake.Inject(tt.fault)

			r, cursor, err := g.fetch()
			if err == nil {
				t.Fatal("the run succeeded")
			}
			if r != nil || cursor != nil {
				t.Errorf("a failed fetch returned a roster (%v) or a cursor (%s)", r != nil, cursor)
			}
			if fb := g.fallbacks(); len(fb) > 0 || g.crawled() {
				t.Errorf("fell back to a crawl (%v) instead of failing", fb)
			}
			if string(g.cursor) != before {
				t.Error("the cursor moved")
			}
			t.Log(err)
		})
	}
}

// Ensure the same roles listed in another order are the same roles: the
// cursor still holds.
func TestSource_FetchSinceRolesReordered(t *testing.T) {
	g := newRig(t, rigOptions{})
	g.src = g.source([]roster.Role{roster.RoleContact, roster.RoleStaff, roster.RoleDistrictAdmin})
	renameStudent(g.district)
	g.serve()
	if _, err := g.sync(); err != nil {
		t.Fatal(err)
	}
	if fb := g.fallbacks(); len(fb) > 0 || g.crawled() {
		t.Errorf("crawled in full (fallbacks %v), want only events", fb)
	}
}
