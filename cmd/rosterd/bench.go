package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
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
		args:    "[--profile NAME[,NAME...]] [--source clever|oneroster] [--in-flight N] [--seed N] [--page-size N] [--change SHARE] [--events] [--memory-limit N] [--keep DIR] [--pprof DIR]",
		summary: "Measure syncs of a generated district over loopback, next to a fetch-only pass",
		describe: `
For each profile, generates a district, serves it from a built-in fake
(Clever, or OneRoster 1.2) in a child process, and measures four passes,
each in a process of its own so that peak memory is its own:

  fetch+decode    pages through every collection and decodes each page,
                  keeping nothing: the floor any sync pays;
  full sync       "rosterd sync" into an empty state file;
  no-change sync  "rosterd sync" again: the source has not changed;
  1% change sync  "rosterd sync" once the source has changed 1% of the
                  students (--change): renamed, moved up or down a grade,
                  moved to another section of a course, new or withdrawn,
                  the same change for the same seed on every run.

With --events the Clever syncs after the first read only the Events API
(the fake records an event for every record the change changes).

It prints one table, a row per profile and pass: wall time, records per
second, peak RSS, the time of each phase, the records changed and the
state file's size. The figures are for comparing builds on one machine;
the README lists those of a 2-core machine.`,
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
		var profiles string
		fs := c.flagSet(e, nil)
		fs.StringVar(&profiles, "profile", "large", "district sizes, comma-separated: "+profileNames())
		fs.Int64Var(&b.seed, "seed", 1, "generator seed")
		fs.IntVar(&b.pageSize, "page-size", defaultPageSize, "records per page, 1..10000")
		fs.Float64Var(&b.change, "change", 0.01, "share of the students the last pass changes, above 0 and at most 1")
		fs.StringVar(&b.keep, "keep", "", "keep each profile's state file, config and logs in DIR/PROFILE")
		fs.StringVar(&b.source, "source", "clever", "the fake to sync from: clever, or oneroster (1.2, OAuth 2)")
		fs.IntVar(&b.inFlight, "in-flight", 1, "oneroster: pages fetched at once")
		fs.BoolVar(&b.events, "events", false, "clever: sync incrementally from the Events API after the full sync")
		fs.StringVar(&b.memLimit, "memory-limit", "", "run the measured passes with this GOMEMLIMIT (such as 900MiB), a soft limit the Go collector keeps the heap under")
		fs.StringVar(&b.pprof, "pprof", "", "write each pass's CPU profile and peak-heap profile under DIR/PROFILE/PASS")
		if ok, code := parse(fs, args); !ok {
			return code
		}
		for _, name := range strings.Split(profiles, ",") {
			name = strings.TrimSpace(name)
			if _, ok := synth.ProfileByName(name); !ok {
				e.errorf("unknown profile %q (choose from %s)", name, profileNames())
				return exitFailure
			}
			b.profiles = append(b.profiles, name)
		}
		if b.source != "clever" && b.source != "oneroster" {
			e.errorf("--source must be clever or oneroster, not %q", b.source)
			return exitFailure
		}
		if b.pageSize < 1 || b.pageSize > maxPageSize {
			e.errorf("--page-size %d is not within 1..%d", b.pageSize, maxPageSize)
			return exitFailure
		}
		if b.events && b.source != "clever" {
			e.errorf("--events is for --source clever")
			return exitFailure
		}
		if b.memLimit != "" {
			if _, err := parseByteSize(b.memLimit); err != nil {
				e.errorf("--memory-limit: %v", err)
				return exitFailure
			}
		}
		if !(b.change > 0 && b.change <= 1) {
			e.errorf("--change %g is not above 0 and at most 1", b.change)
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
	env      *env
	profiles []string
	seed     int64
	pageSize int
	change   float64
	keep     string
	source   string
	inFlight int
	pprof    string
	memLimit string
	events   bool

	self      string // the executable the children run
	dir       string
	tokenFile string
}

// profileResult is what the passes of one profile did.
type profileResult struct {
	profile string
	passes  []*passResult
	change  benchChange // what the source changed before the last pass
}

// passResult is what one measured child process did.
type passResult struct {
	name     string
	wall     time.Duration
	cpu      time.Duration // user and system time
	peakRSS  int64         // bytes; 0 when the platform does not say
	records  int
	requests int // the fetch pass's requests
	report   *preflight.Report
	store    int64 // state file size after the pass
}

// changed returns the records the pass's sync added, updated or deleted.
func (r *passResult) changed() int {
	n := 0
	for _, c := range r.report.Counts {
		n += c.Added + c.Updated + c.Deleted
	}
	return n
}

// changePass names the last pass.
func (b *bench) changePass() string {
	return strconv.FormatFloat(100*b.change, 'f', -1, 64) + "% change sync"
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
	b.tokenFile = filepath.Join(b.dir, "token")
	if err := os.WriteFile(b.tokenFile, []byte(token), 0o600); err != nil {
		return err
	}

	// A profile that fails (an XL district on a small machine) still
	// leaves the figures of those before it on the screen.
	var results []*profileResult
	var runErr error
	for _, name := range b.profiles {
		r, err := b.runProfile(ctx, name)
		if err != nil {
			runErr = fmt.Errorf("%s: %w", name, err)
			break
		}
		results = append(results, r)
	}
	if len(results) > 0 {
		fmt.Fprintln(b.env.stdout)
		b.print(results)
	}
	if runErr != nil {
		return runErr
	}
	// A change pass that changed other records than the source did
	// measured something else than it says.
	for _, r := range results {
		if got, want := r.passes[3].changed(), r.change.Records; got != want {
			return fmt.Errorf("%s: the %s changed %d records, but the source changed %d", r.profile, b.changePass(), got, want)
		}
	}
	return nil
}

// runProfile serves one profile's district and measures its passes.
func (b *bench) runProfile(ctx context.Context, profile string) (*profileResult, error) {
	dir := filepath.Join(b.dir, profile)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	fmt.Fprintf(b.env.stdout, "Generating the %s district (seed %d) and serving it from a fake %s...\n", profile, b.seed, b.source)
	srv, err := b.startServer(ctx, profile)
	if err != nil {
		return nil, err
	}
	defer srv.stop()
	fmt.Fprintf(b.env.stdout, "%s\n", srv.summary)

	cfgPath := filepath.Join(dir, "rosterd.yaml")
	statePath := filepath.Join(dir, "bench.db")
	os.Remove(statePath)
	source := fmt.Sprintf(`      clever:
        api_url: %s/v3.0
        auth_url: %s
        token_file: %s
        page_size: %d
        requests_per_minute: %d
        roles: [staff, district_admin, contact]
`, srv.url, srv.url, b.tokenFile, b.pageSize, cleverRequestsPerMinute)
	if b.events {
		source += "        events:\n          enabled: true\n"
	}
	fetchArgs := []string{"bench", "fetch", "--url", srv.url + "/v3.0", "--token-file", b.tokenFile, "--page-size", fmt.Sprint(b.pageSize)}
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
`, srv.url, fakeoneroster.BasePathV1p2, srv.url, fakeoneroster.TokenPath, benchClientID, b.tokenFile, b.pageSize, b.inFlight)
		fetchArgs = []string{"bench", "fetch", "--source", "oneroster", "--url", srv.url, "--token-file", b.tokenFile,
			"--page-size", fmt.Sprint(b.pageSize), "--in-flight", fmt.Sprint(b.inFlight)}
	}
	cfg := fmt.Sprintf("state:\n  path: %s\nlog:\n  level: info\nconnections:\n  - name: bench\n    source:\n%s", statePath, source)
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		return nil, err
	}

	res := &profileResult{profile: profile}
	fetch, err := b.measure(ctx, profile, "fetch+decode", "", fetchArgs)
	if err != nil {
		return nil, err
	}
	res.passes = append(res.passes, fetch)
	syncArgs := []string{"sync", "--config", cfgPath, "--format", "json"}
	for _, name := range []string{"full sync", "no-change sync"} {
		r, err := b.measure(ctx, profile, name, statePath, syncArgs)
		if err != nil {
			return nil, err
		}
		res.passes = append(res.passes, r)
	}
	if res.change, err = srv.change(b.change); err != nil {
		return nil, err
	}
	fmt.Fprintf(b.env.stdout, "Changed %s.\n", res.change)
	r, err := b.measure(ctx, profile, b.changePass(), statePath, syncArgs)
	if err != nil {
		return nil, err
	}
	res.passes = append(res.passes, r)
	return res, nil
}

// measure runs one child process and reads what it printed: a record
// count from "bench fetch", a JSON report from "sync", which must have
// committed.
func (b *bench) measure(ctx context.Context, profile, name, statePath string, args []string) (*passResult, error) {
	logPath := filepath.Join(b.dir, profile, slug(name)+".log")
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, err
	}
	defer logFile.Close()
	var out strings.Builder
	cmd := exec.CommandContext(ctx, b.self, args...)
	cmd.Env = append(os.Environ(), runAsMainEnv+"=1")
	if b.memLimit != "" {
		cmd.Env = append(cmd.Env, "GOMEMLIMIT="+b.memLimit)
	}
	if b.pprof != "" {
		cmd.Env = append(cmd.Env, pprofDirEnv+"="+filepath.Join(b.pprof, profile, slug(name)))
	}
	cmd.Stdout, cmd.Stderr = &out, logFile
	start := time.Now()
	runErr := cmd.Run()
	r := &passResult{name: name, wall: time.Since(start), peakRSS: peakRSS(cmd.ProcessState)}
	if ps := cmd.ProcessState; ps != nil {
		r.cpu = ps.UserTime() + ps.SystemTime()
	}
	if statePath == "" {
		if runErr != nil {
			return nil, fmt.Errorf("%s: %w (its log: %s)", name, runErr, tail(logPath))
		}
		if _, err := fmt.Sscan(out.String(), &r.records, &r.requests); err != nil {
			return nil, fmt.Errorf("%s: read record count from %q: %w", name, out.String(), err)
		}
		return r, nil
	}
	// A sync that held or refused its run exits non-zero but still
	// prints its report, which says why.
	if r.report, err = preflight.ReadReportJSON([]byte(out.String())); err != nil {
		if runErr != nil {
			return nil, fmt.Errorf("%s: %w (its log: %s)", name, runErr, tail(logPath))
		}
		return nil, fmt.Errorf("%s: read report: %w", name, err)
	}
	if r.report.Verdict != preflight.VerdictCommitted {
		why := []string{}
		for _, g := range r.report.Guards {
			why = append(why, fmt.Sprintf("%s of %d %s records trips the guard on %s", g.Action, g.Count, g.Entity, g.Limit))
		}
		for _, c := range r.report.Summary.ByCode {
			why = append(why, fmt.Sprintf("%d %s %s", c.Count, c.Code, c.Severity))
		}
		if r.report.Error != "" {
			why = append(why, r.report.Error)
		}
		return nil, fmt.Errorf("%s: the run was %s, not committed: %s", name, r.report.Verdict, strings.Join(why, "; "))
	}
	if runErr != nil {
		return nil, fmt.Errorf("%s: %w (its log: %s)", name, runErr, tail(logPath))
	}
	for _, c := range r.report.Counts {
		r.records += c.Fetched
	}
	if fi, err := os.Stat(statePath); err == nil {
		r.store = fi.Size()
	}
	return r, nil
}

// slug turns a pass's name into a file name: "1% change sync" is
// "1pc-change-sync".
func slug(name string) string {
	return strings.NewReplacer(" ", "-", "%", "pc").Replace(name)
}

func (b *bench) print(results []*profileResult) {
	tw := tabwriter.NewWriter(b.env.stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "PROFILE\tPASS\tWALL\tCPU\tRECORDS\tRECORDS/S\tPEAK RSS\tFETCH\tSNAPSHOT\tRULES\tPREFLIGHT\tCOMMIT\tCHANGED\tSTATE FILE\t")
	for _, res := range results {
		for _, r := range res.passes {
			phases := map[string]string{}
			changed := "-"
			if r.report != nil {
				for _, t := range r.report.Timings {
					phases[t.Phase] = seconds(time.Duration(t.Seconds * float64(time.Second)))
				}
				changed = fmt.Sprint(r.changed())
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
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%.0f\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", res.profile, r.name, seconds(r.wall), seconds(r.cpu), r.records,
				float64(r.records)/r.wall.Seconds(), megabytes(r.peakRSS),
				col("fetch"), col("snapshot"), col("rules"), col("preflight"), col("commit"), changed, store)
		}
	}
	tw.Flush()
	for _, res := range results {
		fetch := res.passes[0]
		fmt.Fprintf(b.env.stdout, "\n%s: the fetch+decode pass made %d requests.\n", res.profile, fetch.requests)
		for _, r := range res.passes[1:] {
			reused := ""
			if r.report != nil && r.report.ReusedFrom != 0 {
				reused = fmt.Sprintf(" It reused the rules and preflight result of run %d, the roster being unchanged.", r.report.ReusedFrom)
			}
			fmt.Fprintf(b.env.stdout, "%s: %s takes %.2fx the fetch+decode pass.%s\n", res.profile, r.name, r.wall.Seconds()/fetch.wall.Seconds(), reused)
		}
		fmt.Fprintf(b.env.stdout, "%s: before the %s the source changed %s.\n", res.profile, b.changePass(), res.change)
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

// benchServer is the child process serving the fake.
type benchServer struct {
	cmd     *exec.Cmd
	stdin   io.WriteCloser
	stdout  *bufio.Scanner
	url     string
	summary string
}

func (b *bench) startServer(ctx context.Context, profile string) (*benchServer, error) {
	cmd := exec.CommandContext(ctx, b.self, "bench", "serve", "--source", b.source,
		"--profile", profile, "--seed", fmt.Sprint(b.seed), "--token-file", b.tokenFile, "--events="+fmt.Sprint(b.events))
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
		return nil, fmt.Errorf("start the fake %s: %w", b.source, err)
	}
	s := &benchServer{cmd: cmd, stdin: stdin, stdout: bufio.NewScanner(stdout)}
	for s.stdout.Scan() {
		line := s.stdout.Text()
		if u, ok := strings.CutPrefix(line, "listening "); ok {
			s.url = u
			break
		}
		s.summary = line
	}
	if s.url == "" {
		s.stop()
		return nil, fmt.Errorf("the fake %s exited before it listened", b.source)
	}
	return s, nil
}

// change asks the server to serve its district with share of the
// students changed, and waits until it does.
func (s *benchServer) change(share float64) (benchChange, error) {
	var c benchChange
	if _, err := fmt.Fprintf(s.stdin, "change %s\n", strconv.FormatFloat(share, 'g', -1, 64)); err != nil {
		return c, fmt.Errorf("change the district: %w", err)
	}
	if !s.stdout.Scan() {
		return c, fmt.Errorf("change the district: the fake exited (%v)", s.stdout.Err())
	}
	line := s.stdout.Text()
	reply, ok := strings.CutPrefix(line, "changed ")
	if !ok {
		return c, fmt.Errorf("change the district: %s", line)
	}
	if err := json.Unmarshal([]byte(reply), &c); err != nil {
		return c, fmt.Errorf("change the district: read %q: %w", reply, err)
	}
	return c, nil
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
