package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/rosterd/rosterd/clever"
	"github.com/rosterd/rosterd/connector"
	"github.com/rosterd/rosterd/internal/fakeclever"
	"github.com/rosterd/rosterd/internal/stateadapter"
	"github.com/rosterd/rosterd/internal/synth"
	"github.com/rosterd/rosterd/internal/transport"
	"github.com/rosterd/rosterd/roster"
	"github.com/rosterd/rosterd/state"
)

func demoCommand() *command {
	c := &command{
		name:    "demo",
		args:    "[--state FILE] [--profile NAME] [--seed N] [--defects] [--format text|json]",
		summary: "Sync a generated demo district from a built-in fake Clever server",
		describe: `
Starts a fake Clever API on loopback serving a generated district, then runs
a preflight and a sync against it exactly as "rosterd sync" would, and
prints the report. It needs no config and no network beyond loopback.

The state file is temporary unless --state is given. --defects injects data
errors (missing fields, dangling references, duplicate IDs, a student in two
homerooms) to show a refused run.`,
	}
	c.run = func(ctx context.Context, e *env, args []string) int {
		var statePath, profileName, format string
		var seed int64
		var defects, verbose bool
		fs := c.flagSet(e, nil)
		fs.StringVar(&statePath, "state", "", "keep the state in this file (default: a temporary file)")
		fs.StringVar(&profileName, "profile", "small", "district size: "+profileNames())
		fs.Int64Var(&seed, "seed", 1, "generator seed; the same seed gives the same district")
		fs.BoolVar(&defects, "defects", false, "inject data errors so preflight refuses the run")
		fs.StringVar(&format, "format", "text", "report format: text or json")
		fs.BoolVar(&verbose, "v", false, "log each step to standard error")
		if ok, code := parse(fs, args); !ok {
			return code
		}
		if format != "text" && format != "json" {
			e.errorf("--format must be text or json, not %q", format)
			return exitFailure
		}
		profile, ok := synth.ProfileByName(profileName)
		if !ok {
			e.errorf("unknown profile %q (choose from %s)", profileName, profileNames())
			return exitFailure
		}
		profile.Seed = seed
		if defects {
			profile.Defects = synth.Defects{MissingRequired: 0.001, DoubleHomeroom: 0.001, Dangling: 0.001, DuplicateID: 0.001}
		}
		level := "warn"
		if verbose {
			level = "info"
		}
		d := &demo{env: e, profile: profile, statePath: statePath, format: format,
			log: LogConfig{Level: level, Format: "console"}}
		code, err := d.run(ctx)
		if err != nil {
			e.errorf("demo: %v", err)
		}
		return code
	}
	return c
}

func profileNames() string {
	var names []string
	for _, p := range synth.Profiles {
		names = append(names, p.Name)
	}
	return strings.Join(names, ", ")
}

type demo struct {
	env       *env
	profile   synth.Profile
	statePath string
	format    string
	log       LogConfig
}

func (d *demo) run(ctx context.Context) (int, error) {
	log := newLogger(d.env.stderr, d.log)
	district, _ := synth.Generate(d.profile)
	n := district.Count()
	fmt.Fprintf(d.env.stdout, "Generated district %q (profile %s, seed %d): %d schools, %d sections, %d students, %d teachers.\n",
		district.Districts[0].Name, d.profile.Name, d.profile.Seed, n["school"], n["section"], n["student"], n["teacher"])

	token, err := randomToken()
	if err != nil {
		return exitFailure, err
	}
	fake := fakeclever.NewServer(fakeclever.FromRoster(district), fakeclever.Options{Token: token})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return exitFailure, fmt.Errorf("listen on loopback: %w", err)
	}
	srv := &http.Server{Handler: fake, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()
	baseURL := "http://" + ln.Addr().String()
	fmt.Fprintf(d.env.stdout, "Fake Clever API listening on %s.\n", baseURL)

	path := d.statePath
	if path == "" {
		dir, err := os.MkdirTemp("", "rosterd-demo-")
		if err != nil {
			return exitFailure, err
		}
		defer os.RemoveAll(dir)
		path = filepath.Join(dir, "rosterd.db")
	}
	store, err := state.Open(path, state.Options{Timeout: time.Second})
	if err != nil {
		return exitFailure, fmt.Errorf("open state: %w", err)
	}
	defer store.Close()

	client, err := clever.NewClient(clever.Options{
		Connection: "demo",
		BaseURL:    baseURL + "/v3.0",
		AuthURL:    baseURL,
		Token:      token,
		PageSize:   defaultPageSize,
		Transport:  transport.Options{Logger: log, RequestsPerMinute: defaultRequestsPerMinute},
	})
	if err != nil {
		return exitFailure, err
	}
	// Fetch staff and district admins too, as config.example.yaml does.
	src := clever.NewSource(client, clever.SourceOptions{Roles: []roster.Role{roster.RoleStaff, roster.RoleDistrictAdmin}})
	conn := &connector.Connection{Name: "demo", Source: src, KeepRaw: true}
	engine := connector.NewEngine(stateadapter.Store{Store: store}, log)

	fmt.Fprintln(d.env.stdout, "Running a preflight (dry run)...")
	rep, err := engine.Run(ctx, conn, connector.RunOptions{Mode: connector.ModePreflight})
	if err != nil {
		return exitFailure, err
	}
	fmt.Fprintf(d.env.stdout, "Preflight %s: %d errors, %d warnings.\n", rep.Verdict, rep.Summary.Errors, rep.Summary.Warnings)

	fmt.Fprintln(d.env.stdout, "Running a sync...")
	fmt.Fprintln(d.env.stdout)
	rep, err = engine.Run(ctx, conn, connector.RunOptions{Mode: connector.ModeSync})
	if rep != nil {
		if werr := writeReport(d.env.stdout, rep, d.format); werr != nil {
			err = errors.Join(err, werr)
		}
	}
	if d.statePath != "" {
		fmt.Fprintf(d.env.stdout, "\nThe committed roster and run history are in %s.\n", d.statePath)
	}
	return exitCode(rep, err), err
}

// randomToken makes the fake's bearer token, so that nothing but this
// process can read the demo district.
func randomToken() (string, error) {
	b := make([]byte, 20)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("make token: %w", err)
	}
	return hex.EncodeToString(b), nil
}
