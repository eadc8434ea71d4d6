package server_test

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
	"github.com/rosterd/rosterd/internal/fakeclever"
	"github.com/rosterd/rosterd/internal/synth"
	"github.com/rosterd/rosterd/preflight"
	"github.com/rosterd/rosterd/roster"
	"github.com/rosterd/rosterd/server"
	"github.com/rs/zerolog"
)

// chromiumPath returns Debian's chromium, or skips the test.
func chromiumPath(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	t.Skip("chromium is not installed (/usr/bin/chromium): skipping the dashboard's browser test; .ci/run installs it")
	return ""
}

// newBrowser starts a headless chromium with a fresh profile and returns
// a context for its first tab; the browser is killed when the test ends
// or after timeout.
func newBrowser(t *testing.T, timeout time.Duration) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	t.Cleanup(cancel)
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelAlloc)
	bctx, cancelBrowser := chromedp.NewContext(actx, chromedp.WithLogf(t.Logf))
	t.Cleanup(cancelBrowser)
	return bctx
}

// withoutSections returns r with the given share of its sections removed.
func withoutSections(r *roster.Roster, share float64) *roster.Roster {
	c := *r
	keep := len(r.Sections) - int(share*float64(len(r.Sections)))
	c.Sections = append([]roster.Section(nil), r.Sections[:keep]...)
	return &c
}

// Ensure, end to end in a real browser against a real engine and store,
// that a viewer sees a held run without the buttons to decide it, and
// that an operator signs in with a token, opens the held run, filters
// its issues, downloads their CSV, opens the full HTML report, approves
// the run and sees it committed, with the roster changed in the store.
func TestDashboard_ApproveHeldRun(t *testing.T) {
	chromiumPath(t)
	p, _ := synth.ProfileByName("tiny")
	p.Seed = 41
	district, _ := synth.Generate(p)
	backend, fake := newLiveBackend(t, fakeclever.FromRoster(district))
	if rep := backend.sync(t, "district"); rep.Verdict != preflight.VerdictCommitted {
		t.Fatalf("first sync: %s", rep.Verdict)
	}
	shrunk := withoutSections(district, 0.6)
	fake.SetDataset(fakeclever.FromRoster(shrunk))

	logs := &logBuffer{}
	srv, err := server.New(server.Options{Addr: "127.0.0.1:0", Backend: backend, Tokens: testTokens,
		Logger: zerolog.New(logs).Level(zerolog.DebugLevel)})
	if err != nil {
		t.Fatal(err)
	}
	start(t, srv)
	base := "http://" + srv.Addr()

	// The second sync, triggered through the API, is held.
	req, _ := http.NewRequest("POST", base+"/api/v1/connections/district/sync", nil)
	req.Header.Set("Authorization", "Bearer "+operatorSecret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if body := readAll(t, resp); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("trigger: %d %s", resp.StatusCode, body)
	}
	backend.wait()
	runs, err := backend.Runs(server.RunFilter{Limit: 1})
	if err != nil || len(runs) != 1 || runs[0].Verdict != "held" {
		t.Fatalf("the triggered run: %+v %v", runs, err)
	}
	held := strconv.FormatUint(runs[0].ID, 10)

	ctx := newBrowser(t, 2*time.Minute)
	downloads := t.TempDir()
	text := func(id string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID(id)))
		if err != nil {
			t.Fatalf("read #%s: %v", id, err)
		}
		return s
	}
	signIn := func(secret string) chromedp.Action[chromedp.Void] {
		return chromedp.Steps(
			chromedp.WaitVisible(chromedp.ID("token")),
			chromedp.SendKeys(chromedp.ID("token"), secret),
			chromedp.Click(chromedp.ID("signin")),
			chromedp.WaitVisible(chromedp.CSS(`#conns tbody tr[data-connection="district"]`)),
		)
	}
	heldRun := chromedp.CSS(`#run-verdict[data-verdict="held"]`)

	// A viewer sees the held run, without the buttons.
	if _, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: downloads}); err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(ctx,
		chromedp.Navigate(base+"/"),
		signIn(viewerSecret),
		chromedp.Navigate(base+"/#/runs/"+held),
		chromedp.WaitVisible(heldRun),
	)
	if err != nil {
		t.Fatalf("as the viewer: %v\nlog:\n%s", err, logs)
	}
	decisionHidden, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById("decision").hidden`))
	if who := text("who"); err != nil || !strings.Contains(who, "vera (viewer)") || !decisionHidden {
		t.Errorf("the viewer: who %q, decision hidden %v (%v)", who, decisionHidden, err)
	}

	// The operator opens the held run from the history and works on it.
	runLink := chromedp.CSS(`#runs tr[data-run="` + held + `"] a`)
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.ID("signout")),
		signIn(operatorSecret),
		chromedp.WaitVisible(runLink),
	)
	if err != nil {
		t.Fatalf("as the operator: %v\nlog:\n%s", err, logs)
	}
	screenshot(t, ctx, "home")
	err = chromedp.Do(ctx,
		chromedp.Click(runLink),
		chromedp.WaitVisible(heldRun),
		chromedp.WaitVisible(chromedp.ID("approve")),
		chromedp.Click(chromedp.ID("download-csv")),
	)
	if err != nil {
		t.Fatalf("as the operator: %v\nlog:\n%s", err, logs)
	}
	screenshot(t, ctx, "held-run")
	// The issue filter narrows the table in the page.
	heldReport, err := backend.Report(runs[0].ID)
	if err != nil || len(heldReport.Issues) == 0 {
		t.Fatalf("the held run's report has no issues to filter (%v)", err)
	}
	rows := func(want int) chromedp.Action[bool] {
		return chromedp.Poll[bool](`document.querySelectorAll("#issues tbody tr").length === `+strconv.Itoa(want),
			chromedp.WithPollingTimeout(5*time.Second))
	}
	if _, err = chromedp.Run(ctx, rows(len(heldReport.Issues))); err != nil {
		t.Errorf("the issue table does not list the report's %d issues: %v", len(heldReport.Issues), err)
	}
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID("issue-q"), "no-issue-has-this")); err != nil {
		t.Fatal(err)
	}
	if _, err = chromedp.Run(ctx, rows(0)); err != nil {
		t.Errorf("filtering did not empty the issue table: %v", err)
	}
	if count := text("issue-count"); !strings.Contains(count, "Showing 0 of 0 matching issues") {
		t.Errorf("issue count after filtering: %q", count)
	}
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`document.getElementById("issue-q").value = ""`), chromedp.SendKeys(chromedp.ID("issue-q"), heldReport.Issues[0].ID)); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, is := range heldReport.Issues {
		if strings.Contains(strings.Join([]string{is.Code, string(is.Entity), is.ID, is.SISID, is.Field, is.Message}, " "), heldReport.Issues[0].ID) {
			n++
		}
	}
	if _, err = chromedp.Run(ctx, rows(n)); err != nil {
		v, _ := chromedp.Run(ctx, chromedp.Value(chromedp.ID("issue-q")))
		t.Errorf("filtering by %q does not show its %d issues: %v (%q)", v, n, err, text("issue-count"))
	}
	csvPath := filepath.Join(downloads, "rosterd-run-"+held+".csv")
	waitFor(t, ctx, func() bool { _, err := os.Stat(csvPath); return err == nil })
	if data, err := os.ReadFile(csvPath); err != nil || !strings.Contains(string(data), "severity,code,entity") {
		t.Errorf("downloaded CSV: %v\n%.200s", err, data)
	}

	// The full HTML report opens in a tab of its own, its script running.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("open-html"))); err != nil {
		t.Fatal(err)
	}
	var tab target.ID
	waitFor(t, ctx, func() bool {
		infos, err := chromedp.Targets(ctx)
		for _, in := range infos {
			if err == nil && in.Type == "page" && strings.HasPrefix(in.URL, "blob:") {
				tab = in.TargetID
			}
		}
		return tab != ""
	})
	tctx, cancelTab := chromedp.NewContext(ctx, chromedp.WithTargetID(tab))
	_, err = chromedp.Run(tctx, chromedp.Poll[bool](`document.getElementById("issue-range") !== null && document.getElementById("issue-range").textContent.includes("page 1 of")`,
		chromedp.WithPollingTimeout(10*time.Second)))
	if err != nil {
		rng, _ := chromedp.Run(tctx, chromedp.Evaluate[string](`String(document.getElementById("issue-range") && document.getElementById("issue-range").textContent)`))
		t.Errorf("the full HTML report's script did not run: %v (range %q)", err, rng)
	}
	cancelTab()

	// Approve, confirm, and see the run committed.
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.ID("approve")),
		chromedp.WaitVisible(chromedp.ID("confirm-yes")),
		chromedp.Click(chromedp.ID("confirm-yes")),
		chromedp.WaitVisible(chromedp.CSS(`#run-verdict[data-verdict="committed"]`)),
	)
	if err != nil {
		t.Fatalf("approving: %v\nlog:\n%s", err, logs)
	}
	screenshot(t, ctx, "approved-run")
	if status, verdict := text("status"), text("run-verdict"); !strings.Contains(status, "approved and committed") || !strings.Contains(verdict, "committed") {
		t.Errorf("after approving: status %q, verdict %q", status, verdict)
	}

	// The store holds the shrunk roster, approved by the token's name.
	run, err := backend.store.Run(runs[0].ID)
	if err != nil || run.Verdict != "committed" || run.DecidedBy != "otto" {
		t.Errorf("the approved run: %+v %v", run, err)
	}
	var sections int
	backend.Roster("district", func(v server.RosterView) error {
		return v.Page(roster.KindSections, "", 1<<20, func(id, data []byte) error { sections++; return nil })
	})
	if sections != len(shrunk.Sections) {
		t.Errorf("the store holds %d sections, want the %d of the approved change", sections, len(shrunk.Sections))
	}
	if audit := logs.lines(`"audit":true`, `"token":"otto"`, `"outcome":"approved"`); len(audit) != 1 {
		t.Errorf("audit lines of the approval: %q", audit)
	}
	assertNoSecret(t, "log", logs.String())
}

// screenshot saves the tab as name.png in ROSTERD_KEEP_SCREENSHOTS, when
// that is set, to look at the dashboard.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("ROSTERD_KEEP_SCREENSHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Errorf("screenshot %s: %v", name, err)
		return
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o600); err != nil {
		t.Error(err)
	}
}

// waitFor polls cond until it holds or ctx ends.
func waitFor(t *testing.T, ctx context.Context, cond func() bool) {
	t.Helper()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatal("timed out waiting")
		case <-time.After(50 * time.Millisecond):
		}
	}
}
