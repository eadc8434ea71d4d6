package main

import (
	"context"
	"fmt"
	"io"

	"github.com/rosterd/rosterd/connector"
	"github.com/rosterd/rosterd/preflight"
)

func syncCommand() *command {
	return runCommandFor(connector.ModeSync, &command{
		name:    "sync",
		args:    "[--config FILE] [--connection NAME] [--force] [--recheck] [--format text|json]",
		summary: "Run one sync of every connection (or one) now: fetch, rules, preflight, commit",
		describe: `
Each run fetches the whole roster, applies the sharing rules, runs the
preflight and, when preflight finds no error, commits the result in one
atomic write. A run that fails or is refused commits nothing. The report of
each run is printed and kept in the history ("rosterd runs").

A change that trips a mass-change guard (for example deleting more than
10 % of the students) is held: staged, not committed, until "rosterd
approve RUN_ID". Inside one of a connection's pause windows a sync only
preflights, unless --force.

A run that fetches exactly the roster a committed run fetched, on the same
day, with the same configuration and rosterd build, and finds that run's
roster still committed, reuses its rules and preflight result (its issues
and counts, and no change) instead of computing them again; its report
says so. --recheck computes them anyway.

Exit status: 0 every run committed (or had nothing to change, or was
paused), 3 a preflight refused a run, 4 a run was held for approval, 1 a
run failed (source, network, store). With several connections the most
serious outcome wins: 1, then 3, then 4, then 0.`,
	})
}

func preflightCommand() *command {
	return runCommandFor(connector.ModePreflight, &command{
		name:    "preflight",
		args:    "[--config FILE] [--connection NAME] [--recheck] [--format text|json]",
		summary: "Dry run: fetch, rules and preflight, without committing",
		describe: `
Shows what a sync would commit and every issue that would refuse it. The
committed roster is not touched; the run is kept in the history with the
verdict "passed" or "refused".

Exit status: 0 preflight passed, 3 preflight found errors, 1 a run failed.`,
	})
}

func runCommandFor(mode connector.Mode, c *command) *command {
	c.run = func(ctx context.Context, e *env, args []string) int {
		var configPath, only, format string
		var force, recheck bool
		fs := c.flagSet(e, &configPath)
		fs.StringVar(&only, "connection", "", "run only this connection")
		if mode == connector.ModeSync {
			fs.BoolVar(&force, "force", false, "commit even inside a pause window")
		}
		fs.BoolVar(&recheck, "recheck", false, "run the rules and preflight even when an unchanged roster could reuse the last result")
		fs.StringVar(&format, "format", "text", "report format: text or json")
		if ok, code := parse(fs, args); !ok {
			return code
		}
		if fs.NArg() > 0 {
			e.errorf("%s takes no arguments (got %q)", c.name, fs.Arg(0))
			return exitFailure
		}
		if format != "text" && format != "json" {
			e.errorf("--format must be text or json, not %q", format)
			return exitFailure
		}
		a, err := openApp(configPath, e.stderr, false)
		if err != nil {
			e.errorf("%v", err)
			return exitFailure
		}
		defer a.Close()
		conns := a.cfg.Connections
		if only != "" {
			cc, err := a.cfg.Connection(only)
			if err != nil {
				e.errorf("%v", err)
				return exitFailure
			}
			conns = []ConnectionConfig{*cc}
		}
		worst := exitOK
		for i := range conns {
			code := a.runOne(ctx, e, &conns[i], connector.RunOptions{Mode: mode, Force: force, Recheck: recheck}, format)
			worst = moreSerious(worst, code)
			if ctx.Err() != nil {
				break
			}
		}
		a.pruneLog()
		return worst
	}
	return c
}

// runOne runs one connection and prints its report.
func (a *app) runOne(ctx context.Context, e *env, cc *ConnectionConfig, opts connector.RunOptions, format string) int {
	conn, err := a.connection(cc)
	if err != nil {
		e.errorf("%v", err)
		return exitFailure
	}
	rep, runErr := a.engine.Run(ctx, conn, opts)
	if rep != nil {
		if err := writeReport(e.stdout, rep, format); err != nil {
			e.errorf("print report: %v", err)
		}
	}
	if runErr != nil {
		e.errorf("connection %s: %v", cc.Name, runErr)
	}
	return exitCode(rep, runErr)
}

// exitCode maps a run's outcome to the exit status contract.
func exitCode(rep *preflight.Report, err error) int {
	if err != nil || rep == nil {
		return exitFailure
	}
	switch rep.Verdict {
	case preflight.VerdictCommitted, preflight.VerdictPassed, preflight.VerdictPaused:
		return exitOK
	case preflight.VerdictRefused:
		return exitRefused
	case preflight.VerdictHeld:
		return exitHeld
	}
	return exitFailure
}

// moreSerious picks the exit status that says more: a failure over a
// refusal over a hold over success.
func moreSerious(a, b int) int {
	rank := map[int]int{exitOK: 0, exitHeld: 1, exitRefused: 2, exitFailure: 3}
	if rank[b] > rank[a] {
		return b
	}
	return a
}

func writeReport(w io.Writer, rep *preflight.Report, format string) error {
	switch format {
	case "json":
		return rep.WriteJSON(w)
	case "text":
		return rep.WriteText(w)
	}
	return fmt.Errorf("unknown format %q", format)
}
