package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/rosterd/rosterd/server"
	"github.com/rosterd/rosterd/state"
)

func runsCommand() *command {
	c := &command{
		name:    "runs",
		args:    "[--config FILE] [--connection NAME] [--limit N] [--format text|json]",
		summary: "List recent runs, newest first",
		describe: `
Shows the run history kept in the state file: every sync and preflight,
with its verdict and what it changed. "rosterd report RUN_ID" prints a
run's full report.`,
	}
	c.run = func(ctx context.Context, e *env, args []string) int {
		var configPath, conn, format string
		var limit int
		fs := c.flagSet(e, &configPath)
		fs.StringVar(&conn, "connection", "", "only runs of this connection")
		fs.IntVar(&limit, "limit", 20, "at most this many runs (0 for all)")
		fs.StringVar(&format, "format", "text", "output format: text or json")
		if ok, code := parse(fs, args); !ok {
			return code
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
		runs, err := a.store.Runs(state.RunFilter{Connection: conn, Limit: limit})
		if err != nil {
			e.errorf("list runs: %v", err)
			return exitFailure
		}
		if format == "json" {
			enc := json.NewEncoder(e.stdout)
			enc.SetIndent("", "  ")
			if err := enc.Encode(runsJSON(runs)); err != nil {
				e.errorf("print runs: %v", err)
				return exitFailure
			}
			return exitOK
		}
		if len(runs) == 0 {
			fmt.Fprintln(e.stdout, "no runs yet")
			return exitOK
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "RUN\tCONNECTION\tMODE\tVERDICT\tSTARTED\tDURATION\tADDED\tUPDATED\tDELETED\tERRORS\tWARNINGS\tNOTE")
		for _, r := range runs {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%s\n",
				r.ID, r.Connection, r.Mode, r.Verdict, r.Started.Local().Format("2006-01-02 15:04:05"),
				r.Finished.Sub(r.Started).Round(10*time.Millisecond), r.Added, r.Updated, r.Deleted, r.Errors, r.Warnings, runNote(r))
		}
		tw.Flush()
		return exitOK
	}
	return c
}

// runNote says what the history line cannot: an operator's decision, a
// rollback.
func runNote(r state.Run) string {
	var notes []string
	if r.Decision != "" {
		notes = append(notes, fmt.Sprintf("%s by %s %s", r.Decision, r.DecidedBy, r.DecidedAt.Local().Format("2006-01-02 15:04")))
	}
	if r.RollbackTo != 0 {
		notes = append(notes, fmt.Sprintf("rollback to %d", r.RollbackTo))
	}
	return strings.Join(notes, "; ")
}

// runsJSON gives the history the JSON shape the API's /api/v1/runs
// gives it, so scripts read one shape whichever they use.
func runsJSON(runs []state.Run) []server.Run {
	out := make([]server.Run, len(runs))
	for i, r := range runs {
		out[i] = server.Run(r)
	}
	return out
}
