package fakeclever_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rosterd/rosterd/internal/fakeclever"
	"github.com/rosterd/rosterd/roster"
)

// pagingFixture serves a small synthetic district and returns the sorted
// IDs of its users.
func pagingFixture(t *testing.T) (*roster.Roster, []string, *fakeclever.Server, *httptest.Server) {
	t.Helper()
	r := syntheticRoster(600)
	fake, ts := startServer(t, fakeclever.FromRoster(r), fakeclever.Options{RateLimit: -1})
	return r, userIDs(r, ""), fake, ts
}

// userIDs returns the sorted IDs of the users holding role, or of every
// user when role is "".
func userIDs(r *roster.Roster, role roster.Role) []string {
	var ids []string
	for _, u := range r.Users {
		if role == "" || u.Is(role) {
			ids = append(ids, u.ID)
		}
	}
	slices.Sort(ids)
	return ids
}

func TestList_DefaultLimit(t *testing.T) {
	_, ids, _, ts := pagingFixture(t)
	p := getPage(t, ts, "/v3.0/users")
	if diff := cmp.Diff(ids[:100], p.ids()); diff != "" {
		t.Errorf("first page mismatch (-want +got):\n%s", diff)
	}
	wantLinks := map[string]string{
		"self": "/v3.0/users",
		"next": "/v3.0/users?starting_after=" + ids[99],
	}
	gotLinks := map[string]string{}
	for _, l := range p.Links {
		gotLinks[l.Rel] = l.URI
	}
	if diff := cmp.Diff(wantLinks, gotLinks); diff != "" {
		t.Errorf("links mismatch (-want +got):\n%s", diff)
	}
	for _, item := range p.Data {
		if want := "/v3.0/users/" + item.Data["id"].(string); item.URI != want {
			t.Fatalf("item uri = %q, want %q", item.URI, want)
		}
	}
}

func TestList_ExplicitLimit(t *testing.T) {
	_, ids, _, ts := pagingFixture(t)
	for _, limit := range []string{"1", "37", "10000"} {
		p := getPage(t, ts, "/v3.0/users?limit="+limit)
		n := min(len(ids), atoi(t, limit))
		if diff := cmp.Diff(ids[:n], p.ids()); diff != "" {
			t.Errorf("limit=%s mismatch (-want +got):\n%s", limit, diff)
		}
		if _, hasNext := p.link("next"); hasNext != (n < len(ids)) {
			t.Errorf("limit=%s: next link present = %v with %d of %d users", limit, hasNext, n, len(ids))
		}
	}
}

// Ensure following next visits every record once, in ascending ID order,
// and keeps the caller's other parameters.
func TestList_NextChain(t *testing.T) {
	r, ids, _, ts := pagingFixture(t)
	tests := []struct {
		name  string
		start string
		want  []string
	}{
		{"users", "/v3.0/users?limit=97&count=true", ids},
		{"students", "/v3.0/users?limit=50&role=student&count=true", userIDs(r, roster.RoleStudent)},
		{"sections", "/v3.0/sections?limit=4&count=true", sectionIDs(r)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start, _ := url.Parse(tt.start)
			var got []string
			next, pages := tt.start, 0
			for next != "" {
				pages++
				if pages > 1000 {
					t.Fatal("next links do not end")
				}
				p := getPage(t, ts, next)
				got = append(got, p.ids()...)
				next, _ = p.link("next")
				if next == "" {
					break
				}
				u, err := url.Parse(next)
				if err != nil {
					t.Fatalf("next link %q: %v", next, err)
				}
				for key := range start.Query() {
					if u.Query().Get(key) != start.Query().Get(key) {
						t.Fatalf("next link %q lost %s=%s", next, key, start.Query().Get(key))
					}
				}
				if u.Path != start.Path {
					t.Fatalf("next link %q changed the path", next)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("records visited (-want +got):\n%s", diff)
			}
		})
	}
}

func TestList_StartingAfter(t *testing.T) {
	_, ids, _, ts := pagingFixture(t)
	p := getPage(t, ts, "/v3.0/users?limit=5&starting_after="+ids[10])
	if diff := cmp.Diff(ids[11:16], p.ids()); diff != "" {
		t.Errorf("page mismatch (-want +got):\n%s", diff)
	}
	if prev, _ := p.link("prev"); prev != "/v3.0/users?ending_before="+ids[11]+"&limit=5" {
		t.Errorf("prev link = %q", prev)
	}

	t.Run("PastTheEnd", func(t *testing.T) {
		p := getPage(t, ts, "/v3.0/users?starting_after="+ids[len(ids)-1])
		if len(p.Data) != 0 {
			t.Errorf("got %d records after the last ID", len(p.Data))
		}
		if next, ok := p.link("next"); ok {
			t.Errorf("empty page has next link %q", next)
		}
	})
	t.Run("LastPage", func(t *testing.T) {
		p := getPage(t, ts, "/v3.0/users?limit=3&starting_after="+ids[len(ids)-4])
		if diff := cmp.Diff(ids[len(ids)-3:], p.ids()); diff != "" {
			t.Errorf("page mismatch (-want +got):\n%s", diff)
		}
		if next, ok := p.link("next"); ok {
			t.Errorf("last page has next link %q", next)
		}
	})
	t.Run("UnknownID", func(t *testing.T) {
		// Records with IDs after the cursor, whether or not it exists.
		p := getPage(t, ts, "/v3.0/users?limit=2&starting_after="+ids[20]+"0")
		if diff := cmp.Diff(ids[21:23], p.ids()); diff != "" {
			t.Errorf("page mismatch (-want +got):\n%s", diff)
		}
	})
}

func TestList_EndingBefore(t *testing.T) {
	_, ids, _, ts := pagingFixture(t)
	p := getPage(t, ts, "/v3.0/users?limit=10&ending_before="+ids[50])
	if diff := cmp.Diff(ids[40:50], p.ids()); diff != "" {
		t.Errorf("page mismatch (-want +got):\n%s", diff)
	}
	if prev, _ := p.link("prev"); prev != "/v3.0/users?ending_before="+ids[40]+"&limit=10" {
		t.Errorf("prev link = %q", prev)
	}
	if next, _ := p.link("next"); next != "/v3.0/users?limit=10&starting_after="+ids[49] {
		t.Errorf("next link = %q", next)
	}

	t.Run("NearTheStart", func(t *testing.T) {
		p := getPage(t, ts, "/v3.0/users?limit=10&ending_before="+ids[3])
		if diff := cmp.Diff(ids[:3], p.ids()); diff != "" {
			t.Errorf("page mismatch (-want +got):\n%s", diff)
		}
		if prev, ok := p.link("prev"); ok {
			t.Errorf("first page has prev link %q", prev)
		}
	})
}

func TestList_BadParameters(t *testing.T) {
	_, ids, _, ts := pagingFixture(t)
	tests := []struct {
		query  string
		status int
	}{
		{"limit=10001", http.StatusRequestEntityTooLarge},
		{"limit=99999999999999999999999", http.StatusRequestEntityTooLarge},
		{"limit=0", http.StatusBadRequest},
		{"limit=-5", http.StatusBadRequest},
		{"limit=ten", http.StatusBadRequest},
		{"limit=", http.StatusBadRequest},
		{"role=teachers", http.StatusBadRequest},
		{"role=", http.StatusBadRequest},
		{"role=school_admin", http.StatusBadRequest},
		{"starting_after=" + ids[1] + "&ending_before=" + ids[5], http.StatusBadRequest},
	}
	for _, tt := range tests {
		resp, body := get(t, ts, "/v3.0/users?"+tt.query)
		if resp.StatusCode != tt.status {
			t.Errorf("%s: status %d, want %d", tt.query, resp.StatusCode, tt.status)
			continue
		}
		if ct := resp.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
			t.Errorf("%s: Content-Type %q", tt.query, ct)
		}
		if msg := decodeMessage(t, body, "message"); msg == "" {
			t.Errorf("%s: no message in %s", tt.query, body)
		}
	}
}

// Ensure the role filter returns exactly the users holding the role, so a
// teacher who is also staff is in both lists.
func TestList_RoleFilter(t *testing.T) {
	r, _, _, ts := pagingFixture(t)
	var both []string
	for _, u := range r.Users {
		if u.Is(roster.RoleTeacher) && u.Is(roster.RoleStaff) {
			both = append(both, u.ID)
		}
	}
	if len(both) == 0 {
		t.Fatal("fixture has no teacher who is also staff")
	}
	got := map[roster.Role][]string{}
	for _, role := range roster.AllRoles {
		p := getPage(t, ts, "/v3.0/users?limit=10000&role="+string(role))
		got[role] = p.ids()
		if diff := cmp.Diff(userIDs(r, role), p.ids()); diff != "" {
			t.Errorf("role=%s mismatch (-want +got):\n%s", role, diff)
		}
		for _, item := range p.Data {
			roles, _ := item.Data["roles"].(map[string]any)
			if _, ok := roles[string(role)]; !ok {
				t.Errorf("role=%s returned user %v without that role", role, item.Data["id"])
			}
		}
	}
	for _, id := range both {
		if !slices.Contains(got[roster.RoleTeacher], id) || !slices.Contains(got[roster.RoleStaff], id) {
			t.Errorf("teacher+staff user %s is not in both role lists", id)
		}
	}
}

func sectionIDs(r *roster.Roster) []string {
	var ids []string
	for _, s := range r.Sections {
		ids = append(ids, s.ID)
	}
	slices.Sort(ids)
	return ids
}
