package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/rosterd/rosterd/internal/fakeclever"
	"github.com/rosterd/rosterd/internal/synth"
	"github.com/rosterd/rosterd/state"
)

const apiToken = "api-7e1f-secret-viewer-token"

// freeAddr returns a loopback address nothing listens on now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// apiGet fetches an API path with the viewer token and decodes its JSON.
func apiGet(t *testing.T, addr, path string, v any) int {
	t.Helper()
	req, _ := http.NewRequest("GET", "http://"+addr+path, nil)
	req.Header.Set("Authorization", "Bearer "+apiToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	if v != nil && resp.StatusCode == 200 {
		if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
	}
	return resp.StatusCode
}

func waitFor(t *testing.T, what string, within time.Duration, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Ensure the daemon, started for real in a child process, syncs on a
// schedule of every second, shows its commits through the API, and on a
// SIGTERM in the middle of a run stops with the run finished or cleanly
// aborted and a consistent store holding the roster it committed.
func TestDaemon_EndToEnd(t *testing.T) {
	district, _ := generated(t, "tiny", 41, synth.Defects{})
	h := newHarness(t, fakeclever.FromRoster(district), "    schedule: \"@every 1s\"\n")
	addr := freeAddr(t)
	if err := os.WriteFile(filepath.Join(h.dir, "api-token"), []byte(apiToken), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := os.ReadFile(h.configPath)
	if err != nil {
		t.Fatal(err)
	}
	server := fmt.Sprintf("server:\n  listen: %s\n  shutdown_timeout: 20s\n  tokens:\n    - {name: monitor, role: viewer, token_file: api-token}\n", addr)
	if err := os.WriteFile(h.configPath, append([]byte(server), cfg...), 0o600); err != nil {
		t.Fatal(err)
	}

	var logs bytes.Buffer
	cmd := exec.Command(os.Args[0], "run", "--config", h.configPath)
	cmd.Env = append(os.Environ(), runAsMainEnv+"=1")
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			<-exited
		}
	})

	waitFor(t, "/readyz", 10*time.Second, func() bool { return apiGet(t, addr, "/readyz", nil) == 200 })
	waitFor(t, "two committed runs", 15*time.Second, func() bool {
		var got struct{ Runs []map[string]any }
		apiGet(t, addr, "/api/v1/runs?verdict=committed", &got)
		return len(got.Runs) >= 2
	})

	// The metrics parse as Prometheus text and count the runs. A run is
	// in the history a moment before it is counted, when it has finished.
	// scrape returns a reader of the metrics as they stand.
	scrape := func() func(name string, labels map[string]string) float64 {
		req, _ := http.NewRequest("GET", "http://"+addr+"/metrics", nil)
		req.Header.Set("Authorization", "Bearer "+apiToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		parser := expfmt.NewTextParser(model.UTF8Validation)
		families, err := parser.TextToMetricFamilies(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatalf("/metrics is not Prometheus text: %v", err)
		}
		return func(name string, labels map[string]string) float64 {
			total := 0.0
			for _, m := range families[name].GetMetric() {
				match := true
				for _, l := range m.GetLabel() {
					if want, ok := labels[l.GetName()]; ok && want != l.GetValue() {
						match = false
					}
				}
				if match {
					total += m.GetCounter().GetValue() + m.GetGauge().GetValue()
				}
			}
			return total
		}
	}
	committedRuns := map[string]string{"connection": "district", "verdict": "committed"}
	counter := scrape()
	waitFor(t, "two committed runs counted", 5*time.Second, func() bool {
		counter = scrape()
		return counter("rosterd_runs_total", committedRuns) >= 2
	})
	if n := counter("rosterd_runs_total", committedRuns); n < 2 {
		t.Errorf("rosterd_runs_total{committed} = %v, want at least 2", n)
	}
	if n := counter("rosterd_source_requests_total", map[string]string{"status": "200"}); n == 0 {
		t.Error("no source request counted")
	}
	if n := counter("rosterd_last_commit_timestamp_seconds", nil); n == 0 {
		t.Error("no last commit time")
	}

	// Slow the next fetch down, and stop the daemon in the middle of it.
	h.fake.Inject(fakeclever.Fault{Path: "/v3.0/sections", Kind: fakeclever.FaultSlow, Delay: 2 * time.Second, Times: 100})
	waitFor(t, "a run under way", 10*time.Second, func() bool {
		var got struct{ Connections []map[string]any }
		apiGet(t, addr, "/api/v1/connections", &got)
		return len(got.Connections) == 1 && got.Connections[0]["running"] == true
	})
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("daemon exited with %v\n%s", err, logs.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("the daemon did not stop\n%s", logs.String())
	}

	st, err := state.Open(filepath.Join(h.dir, "state.db"), state.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Check(); err != nil {
		t.Fatalf("store inconsistent: %v", err)
	}
	last, err := st.Runs(state.RunFilter{Limit: 1})
	if err != nil || len(last) != 1 || (last[0].Verdict != "committed" && last[0].Verdict != "failed") {
		t.Fatalf("the run under way at SIGTERM ended %+v (%v), want committed or failed", last, err)
	}
	if diff := rosterDiff(district, h.committed()); diff != "" {
		t.Errorf("committed roster (-want +got):\n%s", diff)
	}
	for _, secret := range []string{apiToken, testToken} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("the daemon logged a secret")
		}
	}
	if !strings.Contains(logs.String(), `"run_id"`) || !strings.Contains(logs.String(), "stopping") {
		t.Errorf("logs lack run ids or the stop:\n%s", logs.String())
	}
}
