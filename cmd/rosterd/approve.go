package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/user"
	"strconv"

	"github.com/rosterd/rosterd/connector"
	"github.com/rosterd/rosterd/state"
)

func approveCommand() *command {
	return decisionCommand("approve", "Commit the change a held run staged",
		`A run whose change trips a mass-change guard (for example deleting more
than 10 % of the students) is held: its change is staged and nothing is
committed. "rosterd approve RUN_ID" commits exactly that change, and only
if the committed roster has not moved since the run; otherwise it refuses
and a new run must compute the change again. The approval is recorded in
the history with who approved it (the OS user) and when.`,
		func(e *connector.Engine, id uint64, by string) error { _, err := e.Approve(id, by); return err })
}

func rejectCommand() *command {
	return decisionCommand("reject", "Drop the change a held run staged",
		`"rosterd reject RUN_ID" drops the change a held run staged; the committed
roster stays as it is. The rejection is recorded in the history with who
rejected it (the OS user) and when.`,
		func(e *connector.Engine, id uint64, by string) error { _, err := e.Reject(id, by); return err })
}

func decisionCommand(name, summary, describe string, decide func(*connector.Engine, uint64, string) error) *command {
	c := &command{name: name, args: "RUN_ID [--config FILE]", summary: summary, describe: describe}
	c.run = func(ctx context.Context, e *env, args []string) int {
		var configPath string
		fs := c.flagSet(e, &configPath)
		pos, err := parseInterspersed(fs, args)
		if err != nil {
			return exitCodeForFlagErr(err)
		}
		if len(pos) != 1 {
			e.errorf("%s takes exactly one RUN_ID", name)
			fs.Usage()
			return exitFailure
		}
		id, err := strconv.ParseUint(pos[0], 10, 64)
		if err != nil || id == 0 {
			e.errorf("%q is not a run id (a positive number, see \"rosterd runs\")", pos[0])
			return exitFailure
		}
		a, err := openApp(configPath, e.stderr, false)
		if err != nil {
			e.errorf("%v", err)
			return exitFailure
		}
		defer a.Close()
		by := operator()
		if err := decide(a.engine, id, by); err != nil {
			switch {
			case errors.Is(err, state.ErrConflict):
				e.errorf("%v\nthe committed roster changed after run %d was held, so its change no longer applies: run \"rosterd sync\" again", err, id)
			case errors.Is(err, connector.ErrNotHeld), errors.Is(err, state.ErrNotFound):
				e.errorf("%v", err)
			default:
				e.errorf("%s run %d: %v", name, id, err)
			}
			return exitFailure
		}
		fmt.Fprintf(e.stdout, "run %d %sd by %s\n", id, name, by)
		a.pruneLog()
		return exitOK
	}
	return c
}

// operator names who runs the command, for the history: the OS user.
func operator() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	for _, v := range []string{"USER", "LOGNAME"} {
		if name := os.Getenv(v); name != "" {
			return name
		}
	}
	return "unknown"
}

func rollbackCommand() *command {
	c := &command{
		name:    "rollback",
		args:    "--to RUN_ID [--config FILE] [--format text|json]",
		summary: "Restore the roster an earlier run committed, as a new run",
		describe: `
Computes the roster as run RUN_ID committed it (from the undo log the store
keeps for every commit in the history) and runs it through preflight, the
mass-change guards and the commit, like any fetched roster: a rollback that
changes much is held for approval, and it is itself a run in the history.
The sharing rules are not applied again, and pause windows do not stop it.

Exit status: 0 committed, 3 refused, 4 held, 1 failed (for instance when
the history needed was pruned).`,
	}
	c.run = func(ctx context.Context, e *env, args []string) int {
		var configPath, format string
		var to uint64
		fs := c.flagSet(e, &configPath)
		fs.Uint64Var(&to, "to", 0, "the run whose committed roster to restore")
		fs.StringVar(&format, "format", "text", "report format: text or json")
		if ok, code := parse(fs, args); !ok {
			return code
		}
		if to == 0 {
			e.errorf("rollback needs --to RUN_ID (see \"rosterd runs\")")
			return exitFailure
		}
		a, err := openApp(configPath, e.stderr, false)
		if err != nil {
			e.errorf("%v", err)
			return exitFailure
		}
		defer a.Close()
		run, err := a.store.Run(to)
		if err != nil {
			e.errorf("%v", err)
			return exitFailure
		}
		cc, err := a.cfg.Connection(run.Connection)
		if err != nil {
			e.errorf("run %d belongs to connection %q: %v", to, run.Connection, err)
			return exitFailure
		}
		rep, runErr := a.engine.Rollback(ctx, a.offlineConnection(cc), to)
		if rep != nil {
			if err := writeReport(e.stdout, rep, format); err != nil {
				e.errorf("print report: %v", err)
			}
		}
		if runErr != nil {
			e.errorf("rollback to run %d: %v", to, runErr)
		}
		a.pruneLog()
		return exitCode(rep, runErr)
	}
	return c
}
