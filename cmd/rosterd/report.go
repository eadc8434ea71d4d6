package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/rosterd/rosterd/preflight"
	"github.com/rosterd/rosterd/state"
)

func reportCommand() *command {
	c := &command{
		name:    "report",
		args:    "RUN_ID [--config FILE] [--format text|json|csv|html] [--out FILE]",
		summary: "Print the report of a run",
		describe: `
Prints the preflight report kept for RUN_ID (see "rosterd runs"): the
verdict, per entity what was fetched, kept, added, updated and deleted, and
every issue with what to do about it.

--format picks the rendering:
  text  for a terminal (the default); long lists of one code are cut short
  json  for machines: every field, schema "rosterd.report/v1"
  csv   one row per issue, for a spreadsheet (UTF-8 with a byte order mark)
  html  one self-contained page for people: summary, counts, guards,
        sharing rules, changes, and every issue, paged and filterable

--out FILE writes the report to FILE (created 0600) instead of standard
output, as in "rosterd report 12 --format html --out run-12.html".`,
	}
	c.run = func(ctx context.Context, e *env, args []string) int {
		var configPath, format, out string
		fs := c.flagSet(e, &configPath)
		fs.StringVar(&format, "format", "text", "report format: text, json, csv or html")
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
		write, ok := reportWriters[format]
		if !ok {
			e.errorf("--format must be text, json, csv or html, not %q", format)
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
		if out == "" {
			if err := write(rep, e.stdout); err != nil {
				e.errorf("write report: %v", err)
				return exitFailure
			}
			return exitOK
		}
		if err := writeReportFile(out, rep, write); err != nil {
			e.errorf("%v", err)
			return exitFailure
		}
		return exitOK
	}
	return c
}

// reportWriters are the renderings "rosterd report --format" offers.
var reportWriters = map[string]func(*preflight.Report, io.Writer) error{
	"text": (*preflight.Report).WriteText,
	"json": (*preflight.Report).WriteJSON,
	"csv":  (*preflight.Report).WriteCSV,
	"html": (*preflight.Report).WriteHTML,
}

// writeReportFile writes rep to path, created 0600: a report names the
// district's records. A report that fails to write, or to close, is
// removed rather than left cut short for someone to send on.
func writeReportFile(path string, rep *preflight.Report, write func(*preflight.Report, io.Writer) error) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	err = write(rep, f)
	if cerr := f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("write report: %w", cerr)
	}
	if err != nil {
		_ = os.Remove(path)
		return err
	}
	return nil
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
