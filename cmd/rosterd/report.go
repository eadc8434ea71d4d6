package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"os"
	"strconv"

	"github.com/rosterd/rosterd/preflight"
	"github.com/rosterd/rosterd/state"
)

func reportCommand() *command {
	c := &command{
		name:    "report",
		args:    "RUN_ID [--config FILE] [--format text|json] [--out FILE]",
		summary: "Print the report of a run",
		describe: `
Prints the preflight report kept for RUN_ID (see "rosterd runs"): the
verdict, per entity what was fetched, kept, added, updated and deleted, and
every issue with what to do about it. The JSON form follows the documented
schema "rosterd.report/v1".`,
	}
	c.run = func(ctx context.Context, e *env, args []string) int {
		var configPath, format, out string
		fs := c.flagSet(e, &configPath)
		fs.StringVar(&format, "format", "text", "report format: text or json")
		fs.StringVar(&out, "out", "", "write the report to this file (created 0600) instead of standard output")
		pos, err := parseInterspersed(fs, args)
		if err != nil {
			return exitCodeForFlagErr(err)
		}
		if len(pos) != 1 {
			e.errorf("report takes exactly one RUN_ID")
			fs.Usage()
			return exitFailure
		}
		id, err := strconv.ParseUint(pos[0], 10, 64)
		if err != nil || id == 0 {
			e.errorf("%q is not a run id (a positive number, see \"rosterd runs\")", pos[0])
			return exitFailure
		}
		if format != "text" && format != "json" {
			e.errorf("--format must be text or json, not %q", format)
			return exitFailure
		}
		a, err := openApp(configPath, e.stderr, true)
		if err != nil {
			e.errorf("%v", err)
			return exitFailure
		}
		defer a.Close()
		data, err := a.store.Report(id)
		if errors.Is(err, state.ErrNotFound) {
			e.errorf("no run %d in %s", id, a.store.Path())
			return exitFailure
		}
		if err != nil {
			e.errorf("read report %d: %v", id, err)
			return exitFailure
		}
		rep, err := preflight.ReadReportJSON(data)
		if err != nil {
			e.errorf("read report %d: %v", id, err)
			return exitFailure
		}
		var w io.Writer = e.stdout
		if out != "" {
			f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
			if err != nil {
				e.errorf("%v", err)
				return exitFailure
			}
			defer f.Close()
			w = f
		}
		if err := writeReport(w, rep, format); err != nil {
			e.errorf("write report: %v", err)
			return exitFailure
		}
		return exitOK
	}
	return c
}

// parseInterspersed parses flags that may come before or after positional
// arguments ("report 42 --format json"), returning the positionals.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}
