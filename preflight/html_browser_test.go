//go:build unix

package preflight_test

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rosterd/rosterd/preflight"
)

// The tests in this file open the HTML report in a real browser, Debian's
// chromium, headless: the page's script is what pages and filters the
// issues, and only a browser runs it. They skip when chromium is not
// installed (.ci/run installs it). ROSTERD_KEEP_HTML=DIR keeps the pages
// and the screenshot there, to look at.

// chromiumPath returns the chromium binary, or skips the test.
func chromiumPath(tb testing.TB) string {
	tb.Helper()
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	tb.Skip("chromium not installed; .ci/run installs it")
	return ""
}

// chromium runs a headless chromium with a fresh profile on args and
// returns its standard output. The browser runs in its own process group,
// killed when it has finished or when ctx ends, so that neither a hung
// browser nor one of its helper processes outlives the test.
func chromium(ctx context.Context, tb testing.TB, args ...string) []byte {
	tb.Helper()
	profile, err := os.MkdirTemp("", "rosterd-chromium-")
	if err != nil {
		tb.Fatal(err)
	}
	defer os.RemoveAll(profile)
	cmd := exec.CommandContext(ctx, chromiumPath(tb), append([]string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + profile, "--virtual-time-budget=5000",
	}, args...)...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	if cmd.Process != nil {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // helpers left behind, if any
	}
	if ctx.Err() != nil {
		tb.Fatalf("chromium %s: %v\n%s", args[len(args)-1], ctx.Err(), tail(stderr.String()))
	}
	if err != nil {
		tb.Fatalf("chromium %s: %v\n%s", args[len(args)-1], err, tail(stderr.String()))
	}
	return stdout.Bytes()
}

func tail(s string) string { return s[max(0, len(s)-2000):] }

// writePage writes rep's HTML to a temp file (and to ROSTERD_KEEP_HTML)
// and returns its file: URL.
func writePage(tb testing.TB, rep *preflight.Report, name string) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), name)
	if err := os.WriteFile(path, []byte(writeHTML(tb, rep)), 0o600); err != nil {
		tb.Fatal(err)
	}
	keep(tb, path)
	return "file://" + path
}

// keep copies path to ROSTERD_KEEP_HTML, when that is set.
func keep(tb testing.TB, path string) {
	tb.Helper()
	dir := os.Getenv("ROSTERD_KEEP_HTML")
	if dir == "" {
		return
	}
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, filepath.Base(path)), data, 0o600); err != nil {
		tb.Fatal(err)
	}
}

// issueRange returns the text of the page's "Issues 1–200 of 450" line.
func issueRange(dom string) string {
	_, rest, _ := strings.Cut(dom, `<p id="issue-range" aria-live="polite">`)
	text, _, _ := strings.Cut(rest, "</p>")
	return text
}

// Ensure chromium shows the verdict and one row per issue, and that the
// script runs: it rewrites the range line with the page count.
func TestReport_HTMLInChromium(t *testing.T) {
	chromiumPath(t)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	rep := heldReport()
	url := writePage(t, rep, "held.html")

	dom := string(chromium(ctx, t, "--dump-dom", url))
	for _, want := range []string{"<strong>HELD</strong>", "more than 10% of the committed students", `<span class="redacted">redacted</span>`} {
		if !strings.Contains(dom, want) {
			t.Errorf("chromium's DOM lacks %s", want)
		}
	}
	if n := len(issueRows(dom)); n != len(rep.Issues) {
		t.Errorf("chromium shows %d issue rows, want %d", n, len(rep.Issues))
	}
	if got, want := issueRange(dom), "Issues 1–4 of 4, page 1 of 1"; got != want {
		t.Errorf("range line %q, want %q (did the script run?)", got, want)
	}
	if strings.Contains(dom, `id="pager" hidden`) {
		t.Error("the script did not show the pager")
	}

	png := filepath.Join(t.TempDir(), "held.png")
	chromium(ctx, t, "--window-size=1280,2400", "--screenshot="+png, url)
	checkPNG(t, png)
	keep(t, png)
}

// checkPNG fails unless path is a non-empty PNG image.
func checkPNG(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cfg, err := png.DecodeConfig(f)
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if cfg.Width == 0 || cfg.Height == 0 {
		t.Errorf("screenshot is %dx%d", cfg.Width, cfg.Height)
	}
}

// Ensure chromium pages a report of more issues than a page, and filters
// by code, severity and text from the address's fragment.
func TestReport_HTMLInChromiumPages(t *testing.T) {
	chromiumPath(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)            // after the parallel subtests
	rep := manyIssuesReport(450) // 150 issues of each of three codes
	url := writePage(t, rep, "many.html")

	tests := []struct {
		fragment string
		rows     int
		code     string // every row's code, when filtered by code
		rangeIs  string
	}{
		{"", 200, "", "Issues 1–200 of 450, page 1 of 3"},
		{"#page=3", 50, "", "Issues 401–450 of 450, page 3 of 3"},
		{"#page=9", 50, "", "Issues 401–450 of 450, page 3 of 3"},
		{"#code=section.unknown_teacher", 150, "section.unknown_teacher", "Issues 1–150 of 150 matching the filter (the report has 450), page 1 of 1"},
		{"#severity=warning", 0, "", "No issue matches the filter (the report has 450)"},
		{"#q=5A25FFB0C1BC2A0036000006", 1, "section.unknown_student", "Issues 1–1 of 1 matching the filter (the report has 450), page 1 of 1"},
	}
	for _, tt := range tests {
		t.Run(tt.fragment, func(t *testing.T) {
			t.Parallel()
			dom := string(chromium(ctx, t, "--dump-dom", url+tt.fragment))
			if !strings.Contains(dom, "<strong>REFUSED</strong> 450 errors") {
				t.Error("chromium's DOM lacks the verdict")
			}
			codes := issueRows(dom)
			if len(codes) != tt.rows {
				t.Errorf("%d issue rows, want %d", len(codes), tt.rows)
			}
			for _, c := range codes {
				if tt.code != "" && c != tt.code {
					t.Errorf("row of code %s, want only %s", c, tt.code)
					break
				}
			}
			if got := issueRange(dom); got != tt.rangeIs {
				t.Errorf("range line %q, want %q", got, tt.rangeIs)
			}
		})
	}
}

// BenchmarkChromiumLoadHTML measures how long chromium takes to start,
// load, lay out and screenshot the report of a run with 100,000 issues,
// and the same for a report without issues: the difference is what the
// issues cost. (--dump-dom is no measure: it spends seconds serializing
// the 16 MB of issue data back out.) Run it by hand:
//
//	go test -run '^$' -bench ChromiumLoad -benchtime 3x ./preflight
func BenchmarkChromiumLoadHTML(b *testing.B) {
	chromiumPath(b)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	big := writePage(b, manyIssuesReport(100_000), "100k.html")
	empty := writePage(b, failedReport(), "empty.html")
	dom := chromium(ctx, b, "--dump-dom", big)
	if !bytes.Contains(dom, []byte("Issues 1–200 of 100,000, page 1 of 500")) {
		b.Fatal("the 100,000-issue report did not page")
	}
	shot := filepath.Join(b.TempDir(), "shot.png")
	load := func(url string) time.Duration {
		start := time.Now()
		chromium(ctx, b, "--window-size=1280,1000", "--screenshot="+shot, url)
		return time.Since(start)
	}
	var bigTime, emptyTime time.Duration
	for b.Loop() {
		emptyTime += load(empty)
		bigTime += load(big)
	}
	b.ReportMetric(bigTime.Seconds()/float64(b.N), "s/load-100k")
	b.ReportMetric(emptyTime.Seconds()/float64(b.N), "s/load-empty")
}

// driver works the page's controls as a reader would, after the page's
// own script has run, and writes what the range line said after each
// step into <pre id="driver">, one line per step.
const driver = `<script>
(function () {
  var out = [], range = document.getElementById("issue-range");
  function note() { out.push(range.textContent + " / rows " + document.querySelectorAll("tr.issue").length); }
  function done() { var p = document.createElement("pre"); p.id = "driver"; p.textContent = out.join("\n"); document.body.appendChild(p); }
  document.getElementById("next").click(); note();
  document.getElementById("next").click(); note();
  document.getElementById("prev").click(); note();
  var code = document.getElementById("f-code");
  code.value = "student.unknown_school"; code.dispatchEvent(new Event("change")); note();
  var text = document.getElementById("f-text");
  text.value = "0036000004\""; text.dispatchEvent(new Event("input"));
  setTimeout(function () {
    note();
    text.value = "0036000005\""; text.dispatchEvent(new Event("input"));
    setTimeout(function () { note(); out.push(location.hash); done(); }, 500);
  }, 500);
})();
</script>
</body>`

// Ensure the pager's buttons, the code filter and the text filter work
// when a reader uses them.
func TestReport_HTMLInChromiumControls(t *testing.T) {
	chromiumPath(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	page := strings.Replace(writeHTML(t, manyIssuesReport(450)), "</body>", driver, 1)
	path := filepath.Join(t.TempDir(), "driven.html")
	if err := os.WriteFile(path, []byte(page), 0o600); err != nil {
		t.Fatal(err)
	}
	dom := string(chromium(ctx, t, "--dump-dom", "file://"+path))
	_, got, ok := strings.Cut(dom, `<pre id="driver">`)
	if !ok {
		t.Fatalf("the driver did not finish:\n%s", tail(dom))
	}
	got, _, _ = strings.Cut(got, "</pre>")
	want := strings.Join([]string{
		"Issues 201–400 of 450, page 2 of 3 / rows 200",
		"Issues 401–450 of 450, page 3 of 3 / rows 50",
		"Issues 201–400 of 450, page 2 of 3 / rows 200",
		"Issues 1–150 of 150 matching the filter (the report has 450), page 1 of 1 / rows 150",
		// Issue 4 is a section.unknown_teacher one, issue 5 a
		// student.unknown_school one: the filters combine.
		"No issue matches the filter (the report has 450) / rows 0",
		"Issues 1–1 of 1 matching the filter (the report has 450), page 1 of 1 / rows 1",
		"#code=student.unknown_school&amp;q=0036000005%22",
	}, "\n")
	if got != want {
		t.Errorf("driving the page:\n%s\nwant:\n%s", got, want)
	}
}
