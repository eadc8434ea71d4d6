package clever_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rosterd/rosterd/clever"
)

// eventJSON is a users.updated event shaped like Clever's recorded ones:
// the whole user after the change, and previous_attributes holding only
// the changed leaves, nested under roles.student.
const eventJSON = `{"id":"64206e4531f12f05cc490fa5","type":"users.updated","created":"2023-03-26T16:09:41.000Z",
	"data":{"object":{"id":"6410a1b2c3d4e5f601234567","name":{"first":"Ada","last":"Lovelace"},"roles":{"student":{"gender":"F","sis_id":"S1"}}},
	"previous_attributes":{"roles":{"student":{"ext":{"gifted_status":""},"gender":"X"}}}}}`

// Ensure Event fetches /events/{id} and decodes the event, its object kept
// raw and its previous attributes as nested maps.
func TestClient_Event(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		client, mux, _ := setup(t)
		mux.HandleFunc("GET /v3.0/events/64206e4531f12f05cc490fa5", func(w http.ResponseWriter, r *http.Request) {
			testBearer(t, r)
			testQuery(t, r, url.Values{})
			writeJSON(w, `{"data":`+eventJSON+`,"links":[{"rel":"self","uri":"/v3.0/events/64206e4531f12f05cc490fa5"}]}`)
		})
		ev, err := client.Event(t.Context(), "64206e4531f12f05cc490fa5")
		if err != nil {
			t.Fatal(err)
		}
		if ev.ID != "64206e4531f12f05cc490fa5" || ev.Type != "users.updated" || ev.Created != "2023-03-26T16:09:41.000Z" {
			t.Errorf("event %+v", ev)
		}
		if !strings.HasPrefix(string(ev.Data.Object), `{"id":"6410a1b2c3d4e5f601234567"`) {
			t.Errorf("object %s", ev.Data.Object)
		}
		want := map[string]any{"roles": map[string]any{"student": map[string]any{"ext": map[string]any{"gifted_status": ""}, "gender": "X"}}}
		if diff := cmp.Diff(want, ev.Data.PreviousAttributes); diff != "" {
			t.Errorf("previous_attributes (-want +got):\n%s", diff)
		}
	})

	// Ensure an event Clever no longer keeps (past the 30-day retention)
	// is a 404 callers can tell from other failures.
	t.Run("ErrNotFound", func(t *testing.T) {
		client, mux, _ := setup(t)
		mux.HandleFunc("GET /v3.0/events/{id}", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`{"message":"Resource not found"}`))
		})
		_, err := client.Event(t.Context(), "64206e4431f12f05cc49076f")
		if !clever.IsNotFound(err) {
			t.Fatalf("err = %v, want a 404", err)
		}
	})

	// Ensure the recorded event (fixtures) decodes.
	t.Run("Recorded", func(t *testing.T) {
		rec := loadRecording(t, "event.json")
		client, mux, _ := setup(t)
		mux.HandleFunc("GET /v3.0/events/{id}", func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, string(rec.Interactions[0].body(t)))
		})
		ev, err := client.Event(t.Context(), "64206e4431f12f05cc49076f")
		if err != nil {
			t.Fatal(err)
		}
		if ev.ID != "64206e4431f12f05cc49076f" || ev.Type != "districts.updated" || len(ev.Data.Object) == 0 {
			t.Errorf("event %+v", ev)
		}
	})
}

// Ensure ListEvents starts after the cursor it is given, follows next
// links with the same limit, and hands over every event in order, of any
// type, known or not.
func TestClient_ListEvents(t *testing.T) {
	type page struct {
		events []string
		next   string
	}
	ev := func(id, typ string) string {
		return `{"id":"` + id + `","type":"` + typ + `","created":"2026-11-30T06:00:00.000Z","data":{"object":{"id":"x` + id + `"}}}`
	}
	tests := []struct {
		name  string
		after string
		// pages maps each request's query to the page it gets.
		pages map[string]page
		want  []string
	}{
		{
			name: "FromOldest",
			pages: map[string]page{
				"limit=2":                   {[]string{ev("e1", "users.created"), ev("e2", "sections.updated")}, "/api-v3/v3.0/events?limit=2&starting_after=e2"},
				"limit=2&starting_after=e2": {[]string{ev("e3", "resources.created")}, ""},
			},
			want: []string{"e1 users.created", "e2 sections.updated", "e3 resources.created"},
		},
		{
			name:  "AfterCursor",
			after: "e2",
			pages: map[string]page{
				"limit=2&starting_after=e2": {[]string{ev("e3", "schooladmins.updated"), ev("e4", "users.deleted")}, "/api-v3/v3.0/events?limit=2&starting_after=e4"},
				// Clever may link a next page that holds nothing: it ends the feed.
				"limit=2&starting_after=e4": {nil, "/api-v3/v3.0/events?limit=2&starting_after=e9"},
			},
			want: []string{"e3 schooladmins.updated", "e4 users.deleted"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client, mux, _ := setup(t, func(o *clever.Options) { o.PageSize = 2 })
			asked := map[string]int{}
			mux.HandleFunc("GET /v3.0/events", func(w http.ResponseWriter, r *http.Request) {
				testBearer(t, r)
				q := r.URL.Query().Encode()
				asked[q]++
				p, ok := tt.pages[q]
				if !ok {
					t.Errorf("unexpected request ?%s", q)
				}
				writeJSON(w, listBody("events", p.next, p.events...))
			})
			var got []string
			err := client.ListEvents(t.Context(), tt.after, func(page []clever.Event) error {
				for _, ev := range page {
					got = append(got, ev.ID+" "+ev.Type)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
			for q := range tt.pages {
				if asked[q] != 1 {
					t.Errorf("page ?%s asked %d times, want once", q, asked[q])
				}
			}
		})
	}
}
