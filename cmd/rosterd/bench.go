package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/rosterd/rosterd/internal/fakeoneroster"
	"github.com/rosterd/rosterd/internal/synth"
	"github.com/rosterd/rosterd/preflight"
)

// runAsMainEnv makes a test binary behave as rosterd itself (see
// TestMain), so that bench can start its children from a test too.
const runAsMainEnv = "ROSTERD_RUN_AS_MAIN"

func benchCommand() *command {
	c := &command{
		name:    "bench",
		args:    "[--profile NAME] [--seed N] [--page-size N] [--keep DIR]",
		summary: "Measure syncs of a generated district over loopback, next to a fetch-only pass",
		describe: `
Generates a district, serves it from the built-in fake Clever in a child
process, and measures, each in a process of its own so that peak memory is
its own:

  fetch+decode    pages through every collection and decodes each page,
                  keeping nothing: the floor any sync pays;
  full sync       "rosterd sync" into an empty state file;
  no-change sync  "rosterd sync" again: the source has not changed.

It prints wall time, records per second, peak RSS, the time of each phase
and the state file's size. The figures are for comparing builds on one
machine; the README lists those of a 2-core machine.`,
	}
	c.run = func(ctx context.Context, e *env, args []string) int {
		if len(args) > 0 {
			switch args[0] {
			case "serve":
				return benchServe(ctx, e, args[1:])
			case "fetch":
				return benchFetch(ctx, e, args[1:])
			}
		}
		var b bench
		fs := c.flagSet(e, nil)
		fs.StringVar(&b.profileName, "profile", "large", "district size: "+profileNames())
		fs.Int64Var(&b.seed, "seed", 1, "generator seed")
		fs.IntVar(&b.pageSize, "page-size", defaultPageSize, "records per page, 1..10000")
		fs.StringVar(&b.keep, "keep", "", "keep the state file, config and logs in this directory")
		fs.StringVar(&b.source, "source", "clever", "the fake to sync from: clever, or oneroster (1.2, OAuth 2)")
		fs.IntVar(&b.inFlight, "in-flight", 1, "oneroster: pages fetched at once")
		fs.StringVar(&b.pprof, "pprof", "", "write each pass's CPU profile and peak-heap profile under this directory")
		if ok, code := parse(fs, args); !ok {
			return code
		}
		if _, ok := synth.ProfileByName(b.profileName); !ok {
			e.errorf("unknown profile %q (choose from %s)", b.profileName, profileNames())
			return exitFailure
		}
		if b.source != "clever" && b.source != "oneroster" {
			e.errorf("--source must be clever or oneroster, not %q", b.source)
			return exitFailure
		}
		if b.pageSize < 1 || b.pageSize > maxPageSize {
			e.errorf("--page-size %d is not within 1..%d", b.pageSize, maxPageSize)
			return exitFailure
		}
		b.env = e
		if err := b.run(ctx); err != nil {
			e.errorf("bench: %v", err)
			return exitFailure
		}
		return exitOK
	}
	return c
}

// bench is one benchmark run.
type bench struct {
	env         *env
	profileName string
	seed        int64
	pageSize    int
	keep        string
	source      string
	inFlight    int
	pprof       string

	self string // the executable the children run
	dir  string
}

// passResult is what one measured child process did.
type passResult struct {
	name     string
	wall     time.Duration
	peakRSS  int64 // bytes; 0 when the platform does not say
	records  int
	requests int // the fetch pass's requests
	report   *preflight.Report
	store    int64 // state file size after the pass
}

func (b *bench) run(ctx context.Context) error {
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("find own executable: %w", err)
	}
	b.self = self
	if b.keep != "" {
		if err := os.MkdirAll(b.keep, 0o700); err != nil {
			return err
		}
		b.dir = b.keep
	} else {
		if b.dir, err = os.MkdirTemp("", "rosterd-bench-"); err != nil {
			return err
		}
		defer os.RemoveAll(b.dir)
	}
	token, err := randomToken()
	if err != nil {
		return err
	}
	tokenFile := filepath.Join(b.dir, "token")
	if err := os.WriteFile(tokenFile, []byte(token), 0o600); err != nil {
		return err
	}

	fmt.Fprintf(b.env.stdout, "Generating the %s district (seed %d) and serving it from a fake %s...\n", b.profileName, b.seed, b.source)
	srv, err := b.startServer(ctx, tokenFile)
	if err != nil {
		return err
	}
	defer srv.stop()
	fmt.Fprintf(b.env.stdout, "%s\n\n", srv.summary)

	cfgPath := filepath.Join(b.dir, "rosterd.yaml")
	statePath := filepath.Join(b.dir, "bench.db")
	os.Remove(statePath)
	source := fmt.Sprintf(`      clever:
        api_url: %s/v3.0
        auth_url: %s
        token_file: %s
        page_size: %d
        requests_per_minute: %d
        roles: [staff, district_admin, contact]
`, srv.url, srv.url, tokenFile, b.pageSize, cleverRequestsPerMinute)
	fetchArgs := []string{"bench", "fetch", "--url", srv.url + "/v3.0", "--token-file", tokenFile, "--page-size", fmt.Sprint(b.pageSize)}
	if b.source == "oneroster" {
		source = fmt.Sprintf(`      oneroster:
        version: "1.2"
        base_url: %s%s
        auth: oauth2
        token_url: %s%s
        client_id: %s
        client_secret_file: %s
        page_size: %d
        max_in_flight: %d
        requests_per_minute: 100000
`, srv.url, fakeoneroster.BasePathV1p2, srv.url, fakeoneroster.TokenPath, benchClientID, tokenFile, b.pageSize, b.inFlight)
		fetchArgs = []string{"bench", "fetch", "--source", "oneroster", "--url", srv.url, "--token-file", tokenFile,
			"--page-size", fmt.Sprint(b.pageSize), "--in-flight", fmt.Sprint(b.inFlight)}
	}
	cfg := fmt.Sprintf("state:\n  path: %s\nlog:\n  level: warn\nconnections:\n  - name: bench\n    source:\n%s", statePath, source)
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		return err
	}

	fetch, err := b.measure(ctx, "fetch+decode", "", fetchArgs)
	if err != nil {
		return err
	}
	results := []*passResult{fetch}
	for _, name := range []string{"full sync", "no-change sync"} {
		r, err := b.measure(ctx, name, statePath, []string{"sync", "--config", cfgPath, "--format", "json"})
		if err != nil {
			return err
		}
		results = append(results, r)
	}
	b.print(results)
	return nil
}

// measure runs one child process and reads what it printed: a record
// count from "bench fetch", a JSON report from "sync".
func (b *bench) measure(ctx context.Context, name, statePath string, args []string) (*passResult, error) {
	logPath := filepath.Join(b.dir, strings.ReplaceAll(name, " ", "-")+".log")
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, err
	}
	defer logFile.Close()
	var out strings.Builder
	cmd := exec.CommandContext(ctx, b.self, args...)
	cmd.Env = append(os.Environ(), runAsMainEnv+"=1")
	if b.pprof != "" {
		cmd.Env = append(cmd.Env, pprofDirEnv+"="+filepath.Join(b.pprof, strings.ReplaceAll(name, " ", "-")))
	}
	cmd.Stdout, cmd.Stderr = &out, logFile
	start := time.Now()
	runErr := cmd.Run()
	r := &passResult{name: name, wall: time.Since(start), peakRSS: peakRSS(cmd.ProcessState)}
	if runErr != nil {
		return nil, fmt.Errorf("%s: %w (its log: %s)", name, runErr, tail(logPath))
	}
	if statePath == "" {
		if _, err := fmt.Sscan(out.String(), &r.records, &r.requests); err != nil {
			return nil, fmt.Errorf("%s: read record count from %q: %w", name, out.String(), err)
		}
		return r, nil
	}
	if r.report, err = preflight.ReadReportJSON([]byte(out.String())); err != nil {
		return nil, fmt.Errorf("%s: read report: %w", name, err)
	}
	for _, c := range r.report.Counts {
		r.records += c.Fetched
	}
	if fi, err := os.Stat(statePath); err == nil {
		r.store = fi.Size()
	}
	return r, nil
}

func (b *bench) print(results []*passResult) {
	tw := tabwriter.NewWriter(b.env.stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "PASS\tWALL\tRECORDS\tRECORDS/S\tPEAK RSS\tFETCH\tSNAPSHOT\tRULES\tPREFLIGHT\tCOMMIT\tCHANGED\tSTATE FILE\t")
	for _, r := range results {
		phases := map[string]string{}
		changed := "-"
		if r.report != nil {
			for _, t := range r.report.Timings {
				phases[t.Phase] = seconds(time.Duration(t.Seconds * float64(time.Second)))
			}
			n := 0
			for _, c := range r.report.Counts {
				n += c.Added + c.Updated + c.Deleted
			}
			changed = fmt.Sprint(n)
		}
		col := func(p string) string {
			if s, ok := phases[p]; ok {
				return s
			}
			return "-"
		}
		store := "-"
		if r.store > 0 {
			store = megabytes(r.store)
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%.0f\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", r.name, seconds(r.wall), r.records,
			float64(r.records)/r.wall.Seconds(), megabytes(r.peakRSS),
			col("fetch"), col("snapshot"), col("rules"), col("preflight"), col("commit"), changed, store)
	}
	tw.Flush()
	base := results[0].wall.Seconds()
	fmt.Fprintf(b.env.stdout, "\nThe fetch+decode pass made %d requests.\n", results[0].requests)
	for _, r := range results[1:] {
		fmt.Fprintf(b.env.stdout, "%s takes %.2fx the fetch+decode pass.\n", r.name, r.wall.Seconds()/base)
	}
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.2fs", d.Seconds()) }

func megabytes(n int64) string {
	if n <= 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.0f MB", float64(n)/1e6)
}

// tail returns the last lines of a child's log, for an error message.
func tail(path string) string {
	data, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	return strings.Join(lines[max(0, len(lines)-5):], "\n")
}

// benchServer is the fake Clever child process.
type benchServer struct {
	cmd     *exec.Cmd
	stdin   io.WriteCloser
	url     string
	summary string
}

func (b *bench) startServer(ctx context.Context, tokenFile string) (*benchServer, error) {
	cmd := exec.CommandContext(ctx, b.self, "bench", "serve", "--source", b.source,
		"--profile", b.profileName, "--seed", fmt.Sprint(b.seed), "--token-file", tokenFile)
	cmd.Env = append(os.Environ(), runAsMainEnv+"=1")
	cmd.Stderr = b.env.stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start fake Clever: %w", err)
	}
	s := &benchServer{cmd: cmd, stdin: stdin}
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		line := sc.Text()
		if u, ok := strings.CutPrefix(line, "listening "); ok {
			s.url = u
			break
		}
		s.summary = line
	}
	if s.url == "" {
		s.stop()
		return nil, errors.New("the fake Clever exited before it listened")
	}
	go io.Copy(io.Discard, stdout)
	return s, nil
}

// stop closes the server's stdin, which it takes as the signal to exit.
func (s *benchServer) stop() {
	s.stdin.Close()
	done := make(chan struct{})
	go func() { s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		s.cmd.Process.Kill()
		<-done
	}
}
