package server_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/rosterd/rosterd/internal/codec"
	"github.com/rosterd/rosterd/preflight"
	"github.com/rosterd/rosterd/roster"
	"github.com/rosterd/rosterd/server"
	"github.com/rs/zerolog"
)

// The tokens of the unit tests. No response body or log line may ever
// hold one of them.
const (
	viewerSecret   = "viewer-5ecret-0f-16+chars"
	operatorSecret = "operator-5ecret-0f-16+chars"
	adminSecret    = "admin-5ecret-0f-16+chars-xyz"
	wrongSecret    = "not-a-configured-5ecret"
)

var testTokens = []server.Token{
	{Name: "vera", Secret: viewerSecret, Role: server.RoleViewer},
	{Name: "otto", Secret: operatorSecret, Role: server.RoleOperator},
	{Name: "ada", Secret: adminSecret, Role: server.RoleAdmin},
}

var secrets = []string{viewerSecret, operatorSecret, adminSecret}

// fakeBackend is an in-memory Backend: one connection, "district", with
// a small committed roster, a committed run 1 and a held run 2.
type fakeBackend struct {
	mu        sync.Mutex
	running   map[string]bool
	runs      []server.Run // newest first
	reports   map[uint64]*preflight.Report
	head      uint64
	kinds     map[roster.Kind]map[string][]byte
	ready     error
	triggered []string
	decided   []string // "approved 2 by otto"
}

var _ server.Backend = (*fakeBackend)(nil)

// newFakeBackend returns a backend whose roster has nSections sections
// of three students each (students s0000, s0001, ...; every third user
// is a teacher instead) at head 1.
func newFakeBackend(t testing.TB, nSections int) *fakeBackend {
	t.Helper()
	b := &fakeBackend{running: map[string]bool{}, reports: map[uint64]*preflight.Report{}, head: 1,
		kinds: map[roster.Kind]map[string][]byte{}}
	start := time.Date(2026, 3, 2, 6, 0, 0, 0, time.UTC)
	for _, r := range []server.Run{
		{ID: 2, Connection: "district", Source: "clever", Mode: "sync", Verdict: "held", Started: start.Add(time.Hour), Finished: start.Add(time.Hour + time.Second), Deleted: 60},
		{ID: 1, Connection: "district", Source: "clever", Mode: "sync", Verdict: "committed", Started: start, Finished: start.Add(time.Second), Added: 100},
	} {
		b.runs = append(b.runs, r)
		b.reports[r.ID] = &preflight.Report{Schema: preflight.ReportSchema, RunID: r.ID, Connection: r.Connection,
			Source: r.Source, Mode: r.Mode, Verdict: preflight.Verdict(r.Verdict), Started: r.Started, Finished: r.Finished,
			Issues: []preflight.Issue{{Severity: preflight.SeverityWarning, Code: "student.no_section", Entity: roster.EntityStudent, ID: "s0001", Message: "a student is in no section"}}}
	}
	b.setRoster(t, 1, nSections)
	return b
}

// setRoster replaces the roster, as a commit at head would.
func (b *fakeBackend) setRoster(t testing.TB, head uint64, nSections int) {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	b.head = head
	b.kinds = map[roster.Kind]map[string][]byte{roster.KindSections: {}, roster.KindUsers: {}}
	put := func(kind roster.Kind, id string, rec any) {
		data, err := codec.Marshal(rec)
		if err != nil {
			t.Fatal(err)
		}
		b.kinds[kind][id] = data
	}
	user := 0
	for i := range nSections {
		sec := roster.Section{ID: fmt.Sprintf("c%04d", i), Name: fmt.Sprintf("Class %d", i)}
		for range 3 {
			id := fmt.Sprintf("s%04d", user)
			user++
			if user%3 == 0 {
				put(roster.KindUsers, id, &roster.User{ID: id, Roles: roster.Roles{Teacher: &roster.Teacher{}}})
				sec.Teachers = append(sec.Teachers, id)
				continue
			}
			put(roster.KindUsers, id, &roster.User{ID: id, Name: roster.Name{Last: "Student " + id}, Roles: roster.Roles{Student: &roster.Student{Grade: "5"}}})
			sec.Students = append(sec.Students, id)
		}
		// The first student of section i-1 is in section i too, so that
		// some students have two sections.
		if i > 0 {
			sec.Students = append(sec.Students, fmt.Sprintf("s%04d", (i-1)*3))
		}
		put(roster.KindSections, sec.ID, &sec)
	}
}

func (b *fakeBackend) Connections() []server.ConnectionStatus {
	b.mu.Lock()
	defer b.mu.Unlock()
	last := b.runs[0]
	return []server.ConnectionStatus{{Name: "district", Source: "clever", Schedule: "0 6 * * *",
		Next: time.Date(2026, 3, 3, 6, 0, 0, 0, time.UTC), Running: b.running["district"], Last: &last}}
}

func (b *fakeBackend) Trigger(conn string) (bool, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if conn != "district" {
		return false, fmt.Errorf("connection %q: %w", conn, server.ErrNotFound)
	}
	if b.running[conn] {
		return false, nil
	}
	b.triggered = append(b.triggered, conn)
	return true, nil
}

func (b *fakeBackend) Runs(f server.RunFilter) ([]server.Run, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []server.Run
	for _, r := range b.runs {
		if (f.Connection == "" || r.Connection == f.Connection) && (f.Verdict == "" || r.Verdict == f.Verdict) && len(out) < f.Limit {
			out = append(out, r)
		}
	}
	return out, nil
}

func (b *fakeBackend) Report(id uint64) (*preflight.Report, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	rep, ok := b.reports[id]
	if !ok {
		return nil, fmt.Errorf("run %d: %w", id, server.ErrNotFound)
	}
	c := *rep
	return &c, nil
}

func (b *fakeBackend) Approve(id uint64, by string) (*preflight.Report, error) {
	return b.decide(id, by, preflight.VerdictCommitted, "approved")
}

func (b *fakeBackend) Reject(id uint64, by string) (*preflight.Report, error) {
	return b.decide(id, by, preflight.VerdictRejected, "rejected")
}

func (b *fakeBackend) decide(id uint64, by string, v preflight.Verdict, action string) (*preflight.Report, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	rep, ok := b.reports[id]
	if !ok {
		return nil, fmt.Errorf("run %d: %w", id, server.ErrNotFound)
	}
	if rep.Verdict != preflight.VerdictHeld {
		return nil, fmt.Errorf("run %d is %s: %w", id, rep.Verdict, server.ErrNotHeld)
	}
	// Leave the fake as it was, so that every role's table row finds
	// run 2 held.
	b.decided = append(b.decided, fmt.Sprintf("%s %d by %s", action, id, by))
	c := *rep
	c.Verdict = v
	c.Decision = &preflight.Decision{Action: action, By: by, At: time.Now()}
	return &c, nil
}

func (b *fakeBackend) Roster(conn string, fn func(server.RosterView) error) error {
	if conn != "district" {
		return fmt.Errorf("connection %q: %w", conn, server.ErrNotFound)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return fn(fakeView{b})
}

func (b *fakeBackend) Ready() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.ready
}

// fakeView reads the fake's roster; its caller holds the fake's mutex.
type fakeView struct{ b *fakeBackend }

func (v fakeView) HeadRunID() uint64 { return v.b.head }

func (v fakeView) Get(kind roster.Kind, id string) []byte { return v.b.kinds[kind][id] }

func (v fakeView) Page(kind roster.Kind, after string, limit int, fn func(id, data []byte) error) error {
	recs := v.b.kinds[kind]
	ids := make([]string, 0, len(recs))
	for id := range recs {
		if id > after {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	for _, id := range ids[:min(limit, len(ids))] {
		if err := fn([]byte(id), recs[id]); err != nil {
			return err
		}
	}
	return nil
}

// logBuffer collects a server's log lines, safely across goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// lines returns the log lines containing every one of subs.
func (l *logBuffer) lines(subs ...string) []string {
	var out []string
	for _, line := range strings.Split(l.String(), "\n") {
		if line != "" && !slices.ContainsFunc(subs, func(s string) bool { return !strings.Contains(line, s) }) {
			out = append(out, line)
		}
	}
	return out
}

// testServer is a server over a fake backend, served by httptest.
type testServer struct {
	*httptest.Server
	backend *fakeBackend
	logs    *logBuffer
}

// newTestServer serves b with the test tokens and a metrics handler,
// logging at debug level into the returned buffer.
func newTestServer(t *testing.T, b *fakeBackend) *testServer {
	t.Helper()
	logs := &logBuffer{}
	srv, err := server.New(server.Options{
		Tokens:  testTokens,
		Backend: b,
		Metrics: metricsHandler(),
		Logger:  zerolog.New(logs).Level(zerolog.DebugLevel),
	})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return &testServer{Server: ts, backend: b, logs: logs}
}

// metricsHandler is a Prometheus handler with one gauge, as the daemon
// passes in Options.Metrics.
func metricsHandler() http.Handler {
	reg := prometheus.NewRegistry()
	up := prometheus.NewGauge(prometheus.GaugeOpts{Name: "rosterd_test_up", Help: "1 while the test runs."})
	up.Set(1)
	reg.MustRegister(up)
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
}

// do sends a request with secret as the bearer token ("" for none) and
// returns the status, headers and body.
func (ts *testServer) do(t *testing.T, method, path, secret string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, ts.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if secret != "" {
		req.Header.Set("Authorization", "Bearer "+secret)
	}
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body bytes.Buffer
	if _, err := body.ReadFrom(resp.Body); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, body.String()
}
