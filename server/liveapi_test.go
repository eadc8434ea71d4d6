package server_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rosterd/rosterd/internal/fakeclever"
	"github.com/rosterd/rosterd/internal/synth"
	"github.com/rosterd/rosterd/preflight"
	"github.com/rosterd/rosterd/roster"
	"github.com/rosterd/rosterd/server"
	"github.com/rs/zerolog"
)

// newLiveServer serves a real backend syncing a generated district, after
// one sync.
func newLiveServer(t *testing.T, seed int64) (*testServer, *liveBackend, *fakeclever.Server, *roster.Roster) {
	t.Helper()
	p, _ := synth.ProfileByName("tiny")
	p.Seed = seed
	district, _ := synth.Generate(p)
	backend, fake := newLiveBackend(t, fakeclever.FromRoster(district))
	if rep := backend.sync(t, "district"); rep.Verdict != preflight.VerdictCommitted {
		t.Fatalf("first sync: %s", rep.Verdict)
	}
	logs := &logBuffer{}
	srv, err := server.New(server.Options{Tokens: testTokens, Backend: backend, Logger: zerolog.New(logs)})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return &testServer{Server: ts, logs: logs}, backend, fake, district
}

// Ensure the roster read API of a real store returns the committed
// roster: every section with its students, every student with the
// sections that list them.
func TestLive_RosterAPI(t *testing.T) {
	ts, _, _, district := newLiveServer(t, 51)
	sections, sectionStudents, head := ts.pageAll(t, "sections", 7)
	students, studentSections, _ := ts.pageAll(t, "students", 9)
	if head != 1 {
		t.Errorf("head %d, want run 1", head)
	}

	var wantSections, wantStudents []string
	wantOf := map[string][]string{}
	for _, s := range district.Sections {
		wantSections = append(wantSections, s.ID)
		if diff := cmp.Diff(s.Students, sectionStudents[s.ID]); diff != "" {
			t.Errorf("section %s's students (-want +got):\n%s", s.ID, diff)
		}
		for _, st := range s.Students {
			wantOf[st] = append(wantOf[st], s.ID)
		}
	}
	for _, u := range district.Users {
		if u.Roles.Student != nil {
			wantStudents = append(wantStudents, u.ID)
		}
	}
	slices.Sort(wantSections)
	slices.Sort(wantStudents)
	for _, ids := range wantOf {
		slices.Sort(ids)
	}
	if diff := cmp.Diff(wantSections, sections); diff != "" {
		t.Errorf("sections (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantStudents, students); diff != "" {
		t.Errorf("students (-want +got):\n%s", diff)
	}
	for _, st := range students {
		if diff := cmp.Diff(wantOf[st], studentSections[st]); diff != "" {
			t.Errorf("student %s's sections (-want +got):\n%s", st, diff)
		}
	}
}

// Ensure a held run is approved through the API as the token's name,
// and that approving it again, or approving a run whose base moved, is a
// 409 that commits nothing.
func TestLive_ApproveAndConflict(t *testing.T) {
	ts, backend, fake, district := newLiveServer(t, 52)
	fake.SetDataset(fakeclever.FromRoster(withoutSections(district, 0.6)))
	first := backend.sync(t, "district")
	second := backend.sync(t, "district")
	if first.Verdict != preflight.VerdictHeld || second.Verdict != preflight.VerdictHeld {
		t.Fatalf("verdicts %s, %s, want held twice", first.Verdict, second.Verdict)
	}

	status, _, body := ts.do(t, "POST", "/api/v1/runs/"+strconv.FormatUint(second.RunID, 10)+"/approve", operatorSecret)
	var rep preflight.Report
	if status != http.StatusOK || json.Unmarshal([]byte(body), &rep) != nil || rep.Verdict != preflight.VerdictCommitted ||
		rep.Decision == nil || rep.Decision.By != "otto" {
		t.Fatalf("approve: %d %.300s", status, body)
	}
	status, _, body = ts.do(t, "POST", "/api/v1/runs/"+strconv.FormatUint(second.RunID, 10)+"/approve", operatorSecret)
	if status != http.StatusConflict || !strings.Contains(body, "not held") {
		t.Errorf("a second approval: %d %s", status, body)
	}
	// The first held run was computed against the roster before the
	// approval: its change no longer applies.
	status, _, body = ts.do(t, "POST", "/api/v1/runs/"+strconv.FormatUint(first.RunID, 10)+"/approve", adminSecret)
	if status != http.StatusConflict {
		t.Errorf("a stale approval: %d %s", status, body)
	}
	status, _, body = ts.do(t, "GET", "/api/v1/runs?verdict=committed&limit=1", viewerSecret)
	if status != http.StatusOK || !strings.Contains(body, `"decided_by":"otto"`) {
		t.Errorf("the newest committed run: %d %s", status, body)
	}
	status, _, _ = ts.do(t, "GET", "/api/v1/runs/999", viewerSecret)
	if status != http.StatusNotFound {
		t.Errorf("an unknown run: %d", status)
	}
}
