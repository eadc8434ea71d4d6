package fakeclever_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/rosterd/rosterd/internal/fakeclever"
	"github.com/rosterd/rosterd/roster"
)

// testClock is a settable clock for the event feed's retention.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func newTestClock() *testClock {
	return &testClock{now: time.Date(2026, 11, 30, 6, 0, 0, 0, time.UTC)}
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// eventItem is one event of a list page, as a client reads it.
type eventItem struct {
	ID      string `json:"id"`
	Type    string `json:"type"`
	Created string `json:"created"`
	Data    struct {
		Object   map[string]any `json:"object"`
		Previous map[string]any `json:"previous_attributes"`
	} `json:"data"`
}

// listEvents reads one page of events.
func listEvents(t *testing.T, get func(string) (*http.Response, []byte), path string) ([]eventItem, listPage) {
	t.Helper()
	resp, body := get(path)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d: %s", path, resp.StatusCode, body)
	}
	var raw struct {
		Data []struct {
			Data eventItem `json:"data"`
			URI  string    `json:"uri"`
		} `json:"data"`
	}
	var p listPage
	if err := json.Unmarshal(body, &raw); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatal(err)
	}
	out := make([]eventItem, len(raw.Data))
	for i, it := range raw.Data {
		if it.URI != "/v3.0/events/"+it.Data.ID {
			t.Errorf("event %s uri %q", it.Data.ID, it.URI)
		}
		out[i] = it.Data
	}
	return out, p
}

var objectIDPattern = regexp.MustCompile(`^[0-9a-f]{24}$`)

// Ensure SetDataset, with events on, records one event per changed
// record (created and updated with the record as now served, deleted with
// the record as it was, updated with only the changed leaves' old values
// as previous_attributes), in dependency order with ascending
// ObjectID-like IDs, and records nothing with events off.
func TestServer_EventsFromSetDataset(t *testing.T) {
	clock := newTestClock()
	before := syntheticRoster(50)
	fake, ts := startServer(t, fakeclever.FromRoster(before), fakeclever.Options{Events: true, RateLimit: -1, Now: clock.Now})
	get := func(p string) (*http.Response, []byte) { return get(t, ts, p) }

	after := syntheticRoster(50)
	student, contact := objectID(5, 3), objectID(6, 7)
	for i := range after.Users {
		if after.Users[i].ID == student {
			after.Users[i].Name.Last = "Renamed"
		}
	}
	after.Users = slices.DeleteFunc(after.Users, func(u roster.User) bool { return u.ID == contact })
	added := after.Sections[0]
	added.ID, added.Name = objectID(3, 99), "Robotics"
	after.Sections = append(after.Sections, added)
	_, oldContact := get("/v3.0/users/" + contact)
	clock.advance(time.Hour) // the district's last_sync moves
	fake.SetDataset(fakeclever.FromRoster(after))

	events, page := listEvents(t, get, "/v3.0/events")
	var got []string
	for i, ev := range events {
		got = append(got, ev.Type+" "+ev.Data.Object["id"].(string))
		if !objectIDPattern.MatchString(ev.ID) || i > 0 && ev.ID <= events[i-1].ID {
			t.Errorf("event %d ID %q: want ascending 24 hex digits", i, ev.ID)
		}
		if ev.Created != "2026-11-30T07:00:00.000Z" {
			t.Errorf("event %s created %q", ev.ID, ev.Created)
		}
	}
	want := []string{
		"districts.updated " + testDistrict,
		"users.updated " + student,
		"users.deleted " + contact,
		"sections.created " + added.ID,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("events (-want +got):\n%s", diff)
	}
	if _, ok := page.link("next"); ok {
		t.Error("a next link after the last event")
	}

	object := func(body []byte) map[string]any {
		var v struct {
			Data map[string]any `json:"data"`
		}
		if err := json.Unmarshal(body, &v); err != nil {
			t.Fatal(err)
		}
		return v.Data
	}
	_, cur := get("/v3.0/users/" + student)
	if diff := cmp.Diff(object(cur), events[1].Data.Object); diff != "" {
		t.Errorf("updated object is not the record as served (-served +event):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]any{"name": map[string]any{"last": "Ziemann3"}}, events[1].Data.Previous); diff != "" {
		t.Errorf("previous_attributes (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(object(oldContact), events[2].Data.Object); diff != "" {
		t.Errorf("deleted object is not the record as it was (-was +event):\n%s", diff)
	}
	if events[2].Data.Previous != nil || events[3].Data.Previous != nil {
		t.Error("previous_attributes on a delete or create")
	}

	// With events off, a change records nothing.
	quiet, qs := startServer(t, fakeclever.FromRoster(before), fakeclever.Options{RateLimit: -1, Now: clock.Now})
	clock.advance(time.Hour)
	quiet.SetDataset(fakeclever.FromRoster(after))
	if evs, _ := listEvents(t, func(p string) (*http.Response, []byte) { return getWith(t, qs, p, "Bearer "+testToken) }, "/v3.0/events"); len(evs) != 0 {
		t.Errorf("events off recorded %d events", len(evs))
	}
}

// Ensure the feed pages as Clever's lists do: limit, starting_after with
// a next link keeping the other parameters, ending_before, a repeated
// record_type filter, and the same refusals of bad parameters.
func TestServer_EventsPaging(t *testing.T) {
	fake, ts := startServer(t, fakeclever.FromRoster(syntheticRoster(1)), fakeclever.Options{RateLimit: -1})
	get := func(p string) (*http.Response, []byte) { return get(t, ts, p) }
	var ids []string
	for i, typ := range []string{"users.created", "sections.updated", "users.updated", "resources.created", "schools.deleted", "users.deleted", "terms.updated"} {
		ids = append(ids, fake.AddEvent(typ, []byte(`{"id":"`+objectID(9, i)+`"}`)))
	}
	idsOf := func(evs []eventItem) []string {
		out := []string{}
		for _, ev := range evs {
			out = append(out, ev.ID)
		}
		return out
	}

	// Walk the whole feed by next links.
	var walked []string
	path := "/v3.0/events?limit=3"
	for pages := 0; path != ""; pages++ {
		evs, p := listEvents(t, get, path)
		walked = append(walked, idsOf(evs)...)
		if _, ok := p.link("prev"); ok != (pages > 0) {
			t.Errorf("page %d: prev link %v", pages, ok)
		}
		path, _ = p.link("next")
		if path != "" && !strings.Contains(path, "limit=3") {
			t.Errorf("next link %q dropped the limit", path)
		}
	}
	if diff := cmp.Diff(ids, walked); diff != "" {
		t.Errorf("walked feed (-want +got):\n%s", diff)
	}

	tests := []struct {
		path string
		want []string
	}{
		{"/v3.0/events?starting_after=" + ids[4], ids[5:]},
		{"/v3.0/events?starting_after=" + ids[6], nil},
		{"/v3.0/events?ending_before=" + ids[3] + "&limit=2", ids[1:3]},
		{"/v3.0/events?record_type=users&record_type=schools", []string{ids[0], ids[2], ids[4], ids[5]}},
		{"/v3.0/events?record_type=users&starting_after=" + ids[2], ids[5:6]},
	}
	for _, tt := range tests {
		evs, _ := listEvents(t, get, tt.path)
		if diff := cmp.Diff(tt.want, idsOf(evs), cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("GET %s (-want +got):\n%s", tt.path, diff)
		}
	}

	for path, status := range map[string]int{
		"/v3.0/events?limit=0":     http.StatusBadRequest,
		"/v3.0/events?limit=10001": http.StatusRequestEntityTooLarge,
		"/v3.0/events?starting_after=" + ids[0] + "&ending_before=" + ids[3]: http.StatusBadRequest,
		"/v3.0/events/" + ids[2] + "/x":                                      http.StatusNotFound,
	} {
		if resp, body := get(path); resp.StatusCode != status {
			t.Errorf("GET %s: status %d, want %d: %s", path, resp.StatusCode, status, body)
		}
	}
	if resp, _ := getWith(t, ts, "/v3.0/events", ""); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("events without a token: status %d", resp.StatusCode)
	}
}

// Ensure events fall off the feed after the retention (or ExpireEvents),
// that a dropped event is a 404 by ID, and that a starting_after naming
// one is answered as Options.ExpiredCursor says: 404 by default.
func TestServer_EventsRetention(t *testing.T) {
	tests := []struct {
		name   string
		answer fakeclever.ExpiredCursor
		status int
	}{
		{"NotFound", fakeclever.ExpiredNotFound, http.StatusNotFound},
		{"BadRequest", fakeclever.ExpiredBadRequest, http.StatusBadRequest},
		{"Empty", fakeclever.ExpiredEmpty, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := newTestClock()
			fake, ts := startServer(t, fakeclever.FromRoster(syntheticRoster(1)), fakeclever.Options{RateLimit: -1, Now: clock.Now, ExpiredCursor: tt.answer})
			old := fake.AddEvent("users.updated", []byte(`{"id":"u1"}`))
			clock.advance(20 * 24 * time.Hour)
			kept := fake.AddEvent("users.updated", []byte(`{"id":"u2"}`))
			last := fake.AddEvent("users.updated", []byte(`{"id":"u3"}`))
			if resp, body := get(t, ts, "/v3.0/events/"+old); resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"id":"`+old+`"`) {
				t.Fatalf("GET a kept event: status %d: %s", resp.StatusCode, body)
			}

			clock.advance(11 * 24 * time.Hour) // old is 31 days old
			if got := fake.Events(); len(got) != 2 || got[0].ID != kept || got[0].ObjectID != "u2" {
				t.Fatalf("kept events %+v, want %s and %s", got, kept, last)
			}
			resp, body := get(t, ts, "/v3.0/events/"+old)
			if resp.StatusCode != http.StatusNotFound || decodeMessage(t, body, "message") == "" {
				t.Errorf("GET a dropped event: status %d: %s", resp.StatusCode, body)
			}
			resp, body = get(t, ts, "/v3.0/events?starting_after="+old)
			if resp.StatusCode != tt.status {
				t.Errorf("starting_after a dropped event: status %d, want %d: %s", resp.StatusCode, tt.status, body)
			}
			if tt.status == http.StatusOK {
				if evs, _ := listEvents(t, func(p string) (*http.Response, []byte) { return get(t, ts, p) }, "/v3.0/events?starting_after="+old); len(evs) != 0 {
					t.Errorf("starting_after a dropped event gave %d events, want none", len(evs))
				}
			}

			if n := fake.ExpireEvents(kept); n != 1 {
				t.Errorf("ExpireEvents dropped %d, want 1", n)
			}
			if got := fake.Events(); len(got) != 1 || got[0].ID != last {
				t.Errorf("after ExpireEvents the feed holds %+v, want only %s", got, last)
			}
		})
	}
}
