package fakeoneroster_test

import (
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rosterd/rosterd/internal/fakeoneroster"
	"github.com/rosterd/rosterd/roster"
)

// filterRoster is fullRoster with the users modified at different times.
func filterRoster() *roster.Roster {
	r := fullRoster()
	base := time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC)
	for i := range r.Users {
		r.Users[i].LastModified = base.Add(time.Duration(i) * time.Hour) // u1 00:00 … u5 04:00
	}
	return r
}

func TestFilter(t *testing.T) {
	_, ts := startServer(t, fakeoneroster.FromRoster(filterRoster()), fakeoneroster.Options{})
	tests := []struct {
		tree, coll, filter string
		want               []string
	}{
		// dateLastModified, every operator, in both trees and forms.
		{v12, "users", "dateLastModified>'2026-01-15T02:00:00Z'", []string{"u4", "u5"}},
		{v12, "users", "dateLastModified>='2026-01-15T02:00:00.000Z'", []string{"u3", "u4", "u5"}},
		{v11, "users", "dateLastModified<'2026-01-15T01:00:00Z'", []string{"u1"}},
		{v11, "users", "dateLastModified<='2026-01-15T01:00:00Z'", []string{"u1", "u2"}},
		{v12, "users", "dateLastModified='2026-01-15T03:00:00Z'", []string{"u4"}},
		{v12, "users", "dateLastModified!='2026-01-15T03:00:00Z'", []string{"u1", "u2", "u3", "u5"}},
		{v12, "users", "dateLastModified>'2026-01-15T02:30:00+01:00'", []string{"u3", "u4", "u5"}},
		{v12, "users", "dateLastModified>'2026-01-16'", []string{}},
		{v12, "users", "dateLastModified>'2026-01-15T02:00:00Z'", []string{"u4", "u5"}},
		// status, sourcedId and the joins.
		{v12, "users", "status='active'", []string{"u1", "u2", "u3", "u4", "u5"}},
		{v11, "orgs", "status='tobedeleted'", []string{}},
		{v12, "users", "sourcedId>='u4'", []string{"u4", "u5"}},
		{v12, "users", "status='active' AND dateLastModified>'2026-01-15T03:00:00Z'", []string{"u5"}},
		{v12, "users", "sourcedId='u1' OR sourcedId='u5'", []string{"u1", "u5"}},
		{v12, "users", "sourcedId = 'u1'  OR  dateLastModified >= '2026-01-15T04:00:00Z'", []string{"u1", "u5"}},
		// Schema fields, references and arrays.
		{v11, "users", "role='teacher'", []string{"u2", "u4"}},
		{v12, "users", "roles.role='siteAdministrator'", []string{"u2"}},
		{v12, "users", "role='parent' OR role='relative'", []string{"u3", "u5"}},
		{v12, "users", "email~'EXAMPLE.COM'", []string{"u1", "u3"}},
		{v12, "users", "familyName='Aaron Berge'", []string{"u3"}},
		{v12, "users", "givenName!='James'", []string{"u2", "u3", "u4", "u5"}},
		{v12, "users", "primaryOrg.sourcedId='d1'", []string{"u3", "u5"}},
		{v11, "users", "orgs.sourcedId='s2'", []string{"u1", "u2", "u4"}},
		{v12, "users", "metadata.room='B2'", []string{"u2"}},
		{v12, "users", "metadata.consent='true'", []string{"u1"}},
		{v12, "classes", "school.sourcedId='s2'", []string{"x2"}},
		{v12, "classes", "classType='homeroom'", []string{"x1"}},
		{v12, "classes", "grades='KG'", []string{"x2"}},
		{v12, "classes", "terms.sourcedId='t1'", []string{"x1", "x2"}},
		{v12, "enrollments", "role='teacher' AND primary='true'", []string{"x1-teacher-u2", "x2-teacher-u4"}},
		{v12, "enrollments", "user.sourcedId='u1'", []string{"x1-student-u1", "x2-student-u1"}},
		{v12, "orgs", "type='district'", []string{"d1"}},
		{v12, "schools", "name~'orange'", []string{"s2"}},
		{v12, "teachers", "identifier='48'", []string{"u4"}},
		{v12, "academicSessions", "schoolYear='2012'", []string{"t1"}},
		{v12, "demographics", "sex='other'", []string{"u1"}},
		{v12, "users", "familyName='O''Brien'", []string{}},
	}
	for _, tt := range tests {
		got := listIDs(t, ts, tt.tree+"/"+tt.coll+"?filter="+url.QueryEscape(tt.filter), envelopeOf(tt.coll))
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s/%s?filter=%s (-want +got):\n%s", tt.tree, tt.coll, tt.filter, diff)
		}
	}
}

func envelopeOf(coll string) string {
	switch coll {
	case "schools":
		return "orgs"
	case "teachers", "students":
		return "users"
	case "terms":
		return "academicSessions"
	}
	return coll
}

// Ensure a filtered collection pages over the matches, and X-Total-Count
// counts them.
func TestFilter_Paging(t *testing.T) {
	r := synthRoster(t, "tiny")
	_, ts := startServer(t, fakeoneroster.FromRoster(r), fakeoneroster.Options{})
	for _, filter := range []string{"role='student'", "status='active' AND role='student'"} {
		var got []string
		for offset := 0; ; offset += 7 {
			resp, body := get(t, ts, v11+"/users?limit=7&offset="+strconv.Itoa(offset)+"&filter="+url.QueryEscape(filter))
			page := ids(t, decode(t, body), "users")
			if resp.Header.Get("X-Total-Count") != "60" {
				t.Fatalf("%s: X-Total-Count %s, want 60", filter, resp.Header.Get("X-Total-Count"))
			}
			if len(page) == 0 {
				break
			}
			got = append(got, page...)
		}
		var want []string
		for _, u := range r.Users {
			if u.Is(roster.RoleStudent) {
				want = append(want, u.ID)
			}
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: pages (-want +got):\n%s", filter, diff)
		}
	}
}

// Ensure a filter naming a field the object lacks, or not following the
// grammar, is a 400 invalid_filter_field in the tree's error form.
func TestFilter_Invalid(t *testing.T) {
	_, ts := startServer(t, fakeoneroster.FromRoster(fullRoster()), fakeoneroster.Options{})
	for _, tt := range []struct{ coll, filter string }{
		{"users", "shoeSize='9'"},
		{"users", "rol='teacher'"},
		{"classes", "role='teacher'"},
		{"orgs", "metadata.='x'"},
		{"users", "status=active"},
		{"users", "status='active"},
		{"users", "status"},
		{"users", "='active'"},
		{"users", "status=='active'"},
		{"users", "status='active' AND"},
		{"users", "status='active' and role='student'"},
		{"users", "status='active' AND role='student' OR role='teacher'"},
		{"users", "status='active' XOR role='student'"},
		{"users", "dateLastModified>'yesterday'"},
		{"users", "dateLastModified~'2026'"},
	} {
		for _, tree := range []struct {
			path string
			v    fakeoneroster.Version
		}{{v11, fakeoneroster.V1p1}, {v12, fakeoneroster.V1p2}} {
			resp, body := get(t, ts, tree.path+"/"+tt.coll+"?filter="+url.QueryEscape(tt.filter))
			if resp.StatusCode != http.StatusBadRequest {
				t.Errorf("%s/%s filter %q: status %d, want 400", tree.path, tt.coll, tt.filter, resp.StatusCode)
				continue
			}
			if got := codeMinor(t, tree.v, body); got != fakeoneroster.CodeInvalidFilterField {
				t.Errorf("%s/%s filter %q: codeMinor %q", tree.path, tt.coll, tt.filter, got)
			}
		}
	}
	// 1.1 users have role, not roles; 1.2 users have both spellings.
	if resp, _ := get(t, ts, v11+"/users?filter="+url.QueryEscape("roles.role='teacher'")); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("1.1 roles.role: status %d, want 400", resp.StatusCode)
	}
}
