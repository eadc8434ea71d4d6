package clever_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/rs/zerolog"

	"github.com/rosterd/rosterd/clever"
	"github.com/rosterd/rosterd/connector"
	"github.com/rosterd/rosterd/internal/codec"
	"github.com/rosterd/rosterd/internal/fakeclever"
	"github.com/rosterd/rosterd/internal/synth"
	"github.com/rosterd/rosterd/roster"
)

// allRoles are the roles beyond students and teachers a rig fetches by
// default.
var allRoles = []roster.Role{roster.RoleStaff, roster.RoleDistrictAdmin, roster.RoleContact}

// clock is a test clock shared by the fake and the source.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// lockedBuffer collects log lines written from any goroutine.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// take returns the lines written since the last take.
func (b *lockedBuffer) take() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := strings.TrimSpace(b.buf.String())
	b.buf.Reset()
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// rigOptions configure a rig; the zero value serves a tiny generated
// district, events on, every role fetched, pages of 10,000.
type rigOptions struct {
	fake fakeclever.Options // Token, RateLimit, Now and Events are set
	// eventsOff serves a feed no change is recorded in, as when the app
	// has events turned off in Clever's dashboard.
	eventsOff bool
	events    clever.EventOptions
	roles     []roster.Role // nil: allRoles
	pageSize  int
	// wrap, when set, sits between the client and the fake.
	wrap func(http.Handler) http.Handler
}

// rig is a fake Clever with events on and a Source syncing from it, as
// the engine runs one: each sync gets the committed cursor and the kept
// roster, and a committed sync stores both.
type rig struct {
	t        *testing.T
	clock    *clock
	fake     *fakeclever.Server
	client   *clever.Client
	logs     *lockedBuffer
	opts     rigOptions
	src      *clever.Source
	district *roster.Roster // what the fake serves: edit it, then serve
	cursor   []byte         // the committed cursor
	raw      []byte         // the kept roster, encoded as a store keeps it
	// unchanged is whether the last fetch said it returned the kept
	// roster as it was (Previous.Unchanged).
	unchanged bool
}

// newRig starts the fake and runs the first sync, a full crawl.
func newRig(t *testing.T, o rigOptions) *rig {
	t.Helper()
	c := &clock{now: time.Date(2026, 11, 30, 6, 0, 0, 0, time.UTC)}
	p, _ := synth.ProfileByName("tiny")
	district, _ := synth.Generate(p)

	fo := o.fake
	fo.Token, fo.RateLimit, fo.Now, fo.Events = testToken, -1, c.Now, !o.eventsOff
	fake := fakeclever.NewServer(fakeclever.FromRoster(district), fo)
	var h http.Handler = fake
	if o.wrap != nil {
		h = o.wrap(fake)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)

	logs := &lockedBuffer{}
	tr := fastTransport()
	tr.Logger = zerolog.New(zerolog.MultiLevelWriter(logs, zerolog.NewTestWriter(t)))
	client, err := clever.NewClient(clever.Options{Connection: testConn, BaseURL: srv.URL + "/v3.0", Token: testToken, PageSize: o.pageSize, Transport: tr})
	if err != nil {
		t.Fatal(err)
	}
	if o.roles == nil {
		o.roles = allRoles
	}
	g := &rig{t: t, clock: c, fake: fake, client: client, logs: logs, opts: o, district: district}
	g.src = g.source(o.roles)
	// Clever's feed holds the last 30 days' events: give the first crawl
	// one to start after (the district's SIS sync updates the district).
	g.serve()
	if _, err := g.sync(); err != nil {
		t.Fatalf("first sync: %v", err)
	}
	g.logs.take()
	return g
}

// source returns a Source with events on, fetching roles.
func (g *rig) source(roles []roster.Role) *clever.Source {
	opts := g.opts.events
	opts.Enabled, opts.Now = true, g.clock.Now
	return clever.NewSource(g.client, clever.SourceOptions{Roles: roles}).WithEvents(opts)
}

// serve serves g.district from a minute later, as when the district
// syncs from its SIS: with events on, the fake records what changed.
func (g *rig) serve() {
	g.clock.advance(time.Minute)
	g.fake.SetDataset(fakeclever.FromRoster(g.district))
}

// fetch runs one FetchSince and keeps the roster, as the engine does
// whether or not the run then commits.
func (g *rig) fetch() (*roster.Roster, []byte, error) {
	g.t.Helper()
	g.fake.ResetRequests()
	g.unchanged = false
	prev := connector.Previous{Cursor: g.cursor, Raw: g.loadRaw, Unchanged: func() { g.unchanged = true }}
	r, cursor, err := g.src.FetchSince(g.t.Context(), prev)
	if err != nil {
		return nil, nil, err
	}
	if g.raw, err = codec.Marshal(r); err != nil {
		g.t.Fatal(err)
	}
	return r, cursor, nil
}

// sync is fetch and then a commit of the cursor.
func (g *rig) sync() (*roster.Roster, error) {
	g.t.Helper()
	r, cursor, err := g.fetch()
	if err == nil {
		g.cursor = cursor
	}
	return r, err
}

func (g *rig) loadRaw() (*roster.Roster, error) {
	if g.raw == nil {
		return nil, nil
	}
	var r roster.Roster
	if err := codec.Unmarshal(g.raw, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// requests counts the requests of the last fetch whose path starts with
// prefix.
func (g *rig) requests(prefix string) int {
	n := 0
	for _, r := range g.fake.Requests() {
		if strings.HasPrefix(r.Path, prefix) {
			n++
		}
	}
	return n
}

// crawled reports whether the last fetch crawled the district.
func (g *rig) crawled() bool {
	return g.requests("/v3.0/sections") > 0 || g.requests("/v3.0/users") > 0
}

// fallbacks returns the fallback reasons logged since the last call.
func (g *rig) fallbacks() []string {
	var out []string
	for _, line := range g.logs.take() {
		var l struct {
			Level    string `json:"level"`
			Fallback string `json:"fallback"`
		}
		if json.Unmarshal([]byte(line), &l) == nil && l.Fallback != "" {
			if l.Level != "info" {
				g.t.Errorf("fallback %s logged at %s, want info", l.Fallback, l.Level)
			}
			out = append(out, l.Fallback)
		}
	}
	return out
}

// crawl returns a clean full crawl of what the fake serves now.
func (g *rig) crawl() *roster.Roster {
	g.t.Helper()
	r, err := clever.NewSource(g.client, clever.SourceOptions{Roles: g.opts.roles}).Fetch(g.t.Context())
	if err != nil {
		g.t.Fatalf("crawl: %v", err)
	}
	return r
}

// cursorEvent returns the event ID the committed cursor holds.
func (g *rig) cursorEvent() string {
	g.t.Helper()
	var c struct {
		EventID string `json:"event_id"`
	}
	if err := json.Unmarshal(g.cursor, &c); err != nil {
		g.t.Fatalf("cursor %s: %v", g.cursor, err)
	}
	return c.EventID
}

// newestEvent returns the newest event the fake keeps, "" for none.
func (g *rig) newestEvent() string {
	evs := g.fake.Events()
	if len(evs) == 0 {
		return ""
	}
	return evs[len(evs)-1].ID
}

// eventTypes returns the types of the events the fake keeps after id.
func (g *rig) eventTypes(after string) []string {
	var out []string
	for _, ev := range g.fake.Events() {
		if ev.ID > after && !slices.Contains(out, ev.Type) {
			out = append(out, ev.Type)
		}
	}
	return out
}

// rosterDiff compares two rosters fetched from Clever, whatever the order
// of their field errors and nil-versus-empty slices.
func rosterDiff(want, got *roster.Roster) string {
	return cmp.Diff(want, got, cmpopts.EquateEmpty(),
		cmpopts.SortSlices(func(a, b roster.FieldError) bool {
			return a.ID+"\x00"+a.Field+"\x00"+string(a.Entity) < b.ID+"\x00"+b.Field+"\x00"+string(b.Entity)
		}))
}
