package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// rosterPage is a page of the roster read API, decoded.
type rosterPage struct {
	Head  uint64 `json:"head"`
	Items []struct {
		Section  struct{ ID, Name string } `json:"section"`
		Student  struct{ ID string }       `json:"student"`
		Students []string                  `json:"students"`
		Sections []string                  `json:"sections"`
	} `json:"items"`
	Next *string `json:"next"`
}

// getPage asks for one page as the admin and decodes it; status is the
// response's.
func (ts *testServer) getPage(t *testing.T, what string, q url.Values) (int, rosterPage) {
	t.Helper()
	status, _, body := ts.do(t, "GET", "/api/v1/connections/district/"+what+"?"+q.Encode(), adminSecret)
	var p rosterPage
	if status == http.StatusOK {
		if err := json.Unmarshal([]byte(body), &p); err != nil {
			t.Fatalf("decode %s: %v\n%s", what, err, body)
		}
	}
	return status, p
}

// pageAll reads every page of what with limit, passing head back, and
// returns the items' IDs and, for each, its linked IDs.
func (ts *testServer) pageAll(t *testing.T, what string, limit int) (ids []string, links map[string][]string, head uint64) {
	t.Helper()
	links = map[string][]string{}
	q := url.Values{"limit": {fmt.Sprint(limit)}}
	for pages := 0; ; pages++ {
		status, p := ts.getPage(t, what, q)
		if status != http.StatusOK {
			t.Fatalf("%s page %d: status %d", what, pages+1, status)
		}
		if pages > 0 && p.Head != head {
			t.Fatalf("page %d is of head %d, the first of %d", pages+1, p.Head, head)
		}
		head = p.Head
		if len(p.Items) > limit {
			t.Fatalf("page of %d items, limit %d", len(p.Items), limit)
		}
		for _, it := range p.Items {
			if what == "sections" {
				ids = append(ids, it.Section.ID)
				links[it.Section.ID] = it.Students
			} else {
				ids = append(ids, it.Student.ID)
				links[it.Student.ID] = it.Sections
			}
		}
		if p.Next == nil {
			return ids, links, head
		}
		if *p.Next != ids[len(ids)-1] {
			t.Fatalf("next %q is not the page's last ID %q", *p.Next, ids[len(ids)-1])
		}
		q.Set("after", *p.Next)
		q.Set("head", fmt.Sprint(p.Head))
		if pages > 100 {
			t.Fatal("paging does not end")
		}
	}
}

// Ensure paging returns every section and every student once, in ID
// order, with their links, whatever the page size, and no next on the
// last page.
func TestServer_Paging(t *testing.T) {
	ts := newTestServer(t, newFakeBackend(t, 7))
	// Sections c0000..c0006; section i has students s(3i), s(3i+1) and,
	// from c0001 on, s(3(i-1)); s(3i+2) are teachers.
	wantSections := map[string][]string{}
	wantStudents := map[string][]string{}
	var wantSectionIDs, wantStudentIDs []string
	for i := range 7 {
		sec := fmt.Sprintf("c%04d", i)
		wantSectionIDs = append(wantSectionIDs, sec)
		sts := []string{fmt.Sprintf("s%04d", 3*i), fmt.Sprintf("s%04d", 3*i+1)}
		if i > 0 {
			sts = append(sts, fmt.Sprintf("s%04d", 3*(i-1)))
		}
		wantSections[sec] = sts
		wantStudentIDs = append(wantStudentIDs, sts[:2]...)
		for _, st := range sts {
			wantStudents[st] = append(wantStudents[st], sec)
		}
	}
	for _, limit := range []int{1, 2, 3, 7, 8, 500} {
		ids, links, head := ts.pageAll(t, "sections", limit)
		if diff := cmp.Diff(wantSectionIDs, ids); diff != "" || head != 1 {
			t.Errorf("limit %d: head %d, section IDs (-want +got):\n%s", limit, head, diff)
		}
		if diff := cmp.Diff(wantSections, links); diff != "" {
			t.Errorf("limit %d: sections' students (-want +got):\n%s", limit, diff)
		}
		ids, links, _ = ts.pageAll(t, "students", limit)
		if diff := cmp.Diff(wantStudentIDs, ids); diff != "" {
			t.Errorf("limit %d: student IDs (-want +got):\n%s", limit, diff)
		}
		if diff := cmp.Diff(wantStudents, links); diff != "" {
			t.Errorf("limit %d: students' sections (-want +got):\n%s", limit, diff)
		}
	}

	status, _, body := ts.do(t, "GET", "/api/v1/connections/district/students/s0003", adminSecret)
	if status != http.StatusOK || !json.Valid([]byte(body)) {
		t.Fatalf("one student: %d %s", status, body)
	}
	var one struct {
		Head     uint64
		Student  struct{ ID string }
		Sections []string
	}
	json.Unmarshal([]byte(body), &one)
	if one.Head != 1 || one.Student.ID != "s0003" || !cmp.Equal(one.Sections, []string{"c0001", "c0002"}) {
		t.Errorf("one student: %s", body)
	}

	for _, bad := range []url.Values{{"limit": {"0"}}, {"limit": {"5001"}}, {"limit": {"x"}}, {"head": {"x"}}} {
		if status, _ := ts.getPage(t, "sections", bad); status != http.StatusBadRequest {
			t.Errorf("%v: status %d, want 400", bad, status)
		}
	}
}

// Ensure a client paging from one head gets 409 once the roster has been
// committed since, and that a fresh read sees the new commit, students'
// sections included (the index is rebuilt for the new head).
func TestServer_PagingHeadMoved(t *testing.T) {
	ts := newTestServer(t, newFakeBackend(t, 6))
	_, first := ts.getPage(t, "students", url.Values{"limit": {"2"}})
	if first.Head != 1 || first.Next == nil {
		t.Fatalf("first page: head %d next %v", first.Head, first.Next)
	}
	sameHead := url.Values{"limit": {"2"}, "after": {*first.Next}, "head": {"1"}}
	if status, _ := ts.getPage(t, "students", sameHead); status != http.StatusOK {
		t.Fatalf("second page at the same head: %d", status)
	}

	ts.backend.setRoster(t, 5, 3) // a commit: run 5 dropped sections c0003..c0005
	for _, what := range []string{"students", "sections"} {
		status, _, body := ts.do(t, "GET", "/api/v1/connections/district/"+what+"?"+sameHead.Encode(), adminSecret)
		if status != http.StatusConflict {
			t.Errorf("%s after the head moved: %d %s, want 409", what, status, body)
		}
	}
	ids, links, head := ts.pageAll(t, "students", 2)
	if head != 5 || len(ids) != 6 {
		t.Errorf("after the commit: head %d, students %v", head, ids)
	}
	if got := links["s0006"]; !cmp.Equal(got, []string{"c0002"}) {
		t.Errorf("s0006 is in %v after the commit, want [c0002]", got)
	}
}
