package notify_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/rosterd/rosterd/notify"
	"github.com/rosterd/rosterd/preflight"
	"github.com/rosterd/rosterd/roster"
)

// hook is a fake webhook endpoint that records what it receives.
type hook struct {
	srv *httptest.Server

	mu     sync.Mutex
	bodies [][]byte
	// respond answers the n-th request (from 0); nil answers 200 "ok".
	respond func(n int, w http.ResponseWriter, r *http.Request)
}

func newHook(t *testing.T, respond func(n int, w http.ResponseWriter, r *http.Request)) *hook {
	t.Helper()
	h := &hook{respond: respond}
	h.srv = httptest.NewServer(http.HandlerFunc(h.serve))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *hook) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	h.mu.Lock()
	n := len(h.bodies)
	h.bodies = append(h.bodies, body)
	h.mu.Unlock()
	if h.respond != nil {
		h.respond(n, w, r)
		return
	}
	io.WriteString(w, "ok")
}

// url is the hook's URL, with a secret in its path and its query as real
// webhook URLs have.
func (h *hook) url() string {
	return h.srv.URL + "/services/T0/B0/" + pathSecret + "?token=" + querySecret
}

func (h *hook) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.bodies)
}

// raw is every body received.
func (h *hook) raw() [][]byte {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.bodies)
}

// received decodes every body received.
func (h *hook) received(t *testing.T) []map[string]any {
	t.Helper()
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []map[string]any
	for _, b := range h.bodies {
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("decode %q: %v", b, err)
		}
		out = append(out, m)
	}
	return out
}

// The secrets of every test webhook URL; neither may ever be logged.
const (
	pathSecret  = "pathsecret0123456789"
	querySecret = "querysecret9876543210"
)

// logBuffer collects log lines from several goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (b *logBuffer) logger() zerolog.Logger {
	return zerolog.New(b).Level(zerolog.DebugLevel)
}

// fast are options that keep retries in milliseconds.
func fast(log zerolog.Logger, hooks ...notify.Webhook) notify.Options {
	return notify.Options{
		Webhooks:     hooks,
		Logger:       log,
		Timeout:      2 * time.Second,
		RetryWaitMin: time.Millisecond,
		RetryWaitMax: 5 * time.Millisecond,
	}
}

// mustClose drains n, failing the test if that takes more than 5s.
func mustClose(t *testing.T, n *notify.Notifier) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := n.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

var started = time.Date(2025, 9, 1, 6, 0, 0, 0, time.UTC)

// report is a run report of connection with verdict, and for each verdict
// what such a report holds. Its issues and changes name a student, which
// no notification may repeat.
func report(connection string, runID uint64, verdict preflight.Verdict) *preflight.Report {
	r := &preflight.Report{
		Schema:     preflight.ReportSchema,
		RunID:      runID,
		Connection: connection,
		Source:     "clever",
		Mode:       "sync",
		Verdict:    verdict,
		Started:    started,
		Finished:   started.Add(2 * time.Minute),
		Counts: []preflight.EntityCounts{
			{Entity: roster.EntitySection, Fetched: 40, Kept: 38, Added: 1, Updated: 2},
			{Entity: roster.EntityStudent, Fetched: 1000, Kept: 1000, Added: 2, Updated: 18, Deleted: 150},
		},
		Issues: []preflight.Issue{{
			Severity: preflight.SeverityWarning, Code: "student.missing_field", Entity: roster.EntityStudent,
			ID: "s-17", Field: "email", Message: "Zelda Quixote has no email",
		}},
		Changes: &preflight.ChangeDetail{Updates: []preflight.RecordUpdate{{
			Entity: roster.EntityStudent, ID: "s-18",
			Fields: []preflight.FieldChange{{Field: "name.first", Old: "Zelda", New: "Zed"}},
		}}},
		Guards: []preflight.GuardTrip{},
	}
	switch verdict {
	case preflight.VerdictRefused:
		r.Issues = append(r.Issues,
			preflight.Issue{Severity: preflight.SeverityError, Code: "student.multiple_sections", Entity: roster.EntityStudent, ID: "s-1"},
			preflight.Issue{Severity: preflight.SeverityError, Code: "section.unknown_teacher", Entity: roster.EntitySection, ID: "c-1"},
			preflight.Issue{Severity: preflight.SeverityError, Code: "student.multiple_sections", Entity: roster.EntityStudent, ID: "s-2"},
		)
	case preflight.VerdictHeld:
		r.Guards = []preflight.GuardTrip{{
			Entity: roster.EntityStudent, Action: preflight.ActionDelete, Count: 150, Committed: 1000, Percent: 15,
			Limit: "more than 10% of the 1000 committed student records",
		}}
	case preflight.VerdictFailed:
		r.Counts = nil
		r.Changes = nil
		r.Issues = nil
		r.Error = "fetch students: status 503 <Service Unavailable>\nafter 6 attempts"
	}
	r.Summary = preflight.Summarize(r.Issues)
	return r
}
