package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"text/tabwriter"
)

// Exit codes: a contract with the scripts and schedulers that run rosterd.
const (
	exitOK      = 0 // committed, nothing to change, or a passing preflight
	exitFailure = 1 // any failure that is not a preflight verdict
	exitRefused = 3 // preflight refused the run; nothing was committed
	exitHeld    = 4 // held for approval; nothing was committed
)

// command is one subcommand.
type command struct {
	name     string
	args     string // synopsis after the name
	summary  string
	describe string // paragraphs after the synopsis
	run      func(ctx context.Context, env *env, args []string) int
}

// env is what every command writes to.
type env struct {
	stdout, stderr io.Writer
}

func (e *env) errorf(format string, args ...any) {
	fmt.Fprintf(e.stderr, "rosterd: "+format+"\n", args...)
}

func commands() []*command {
	return []*command{
		runCommand(), syncCommand(), preflightCommand(), runsCommand(), reportCommand(), approveCommand(), rejectCommand(), rollbackCommand(), rulesCommand(),
		configCommand(), demoCommand(), benchCommand(), versionCommand(),
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	e := &env{stdout: stdout, stderr: stderr}
	tuneGC(os.Getenv, defaultGCPercent)
	if dir := os.Getenv(pprofDirEnv); dir != "" {
		stop, err := startProfiling(dir)
		if err != nil {
			e.errorf("%v", err)
			return exitFailure
		}
		defer func() {
			if err := stop(); err != nil {
				e.errorf("%v", err)
			}
		}()
	}
	if len(args) == 0 {
		usage(stderr)
		return exitFailure
	}
	name, rest := args[0], args[1:]
	switch name {
	case "help", "-h", "-help", "--help":
		if len(rest) > 0 {
			if c := lookup(rest[0]); c != nil {
				c.flagSet(e, nil).Usage()
				return exitOK
			}
		}
		usage(stdout)
		return exitOK
	case "-version", "--version":
		name = "version"
	}
	c := lookup(name)
	if c == nil {
		e.errorf("unknown command %q\n", name)
		usage(stderr)
		return exitFailure
	}
	return c.run(ctx, e, rest)
}

func lookup(name string) *command {
	for _, c := range commands() {
		if c.name == name {
			return c
		}
	}
	return nil
}

func usage(w io.Writer) {
	fmt.Fprint(w, `rosterd syncs district rosters from Clever into a local store, checking
every run in a preflight that refuses the whole run on any error.

Usage:
  rosterd <command> [flags]

Commands:
`)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, c := range commands() {
		fmt.Fprintf(tw, "  %s\t%s\n", c.name, c.summary)
	}
	tw.Flush()
	fmt.Fprint(w, `
Run "rosterd help <command>" or "rosterd <command> -h" for a command's flags.

Exit codes: 0 committed or nothing to change, 1 failure, 3 preflight refused,
4 held for approval.
`)
}

// flagSet returns the command's flags, with help text built from the
// command's description. configPath, when not nil, receives --config.
func (c *command) flagSet(e *env, configPath *string) *flag.FlagSet {
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	if configPath != nil {
		fs.StringVar(configPath, "config", defaultConfigPath(), "config file (or set ROSTERD_CONFIG)")
	}
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintf(w, "Usage: rosterd %s %s\n\n%s\n", c.name, c.args, c.summary+".")
		if c.describe != "" {
			fmt.Fprintf(w, "\n%s\n", strings.TrimSpace(c.describe))
		}
		var names []string
		fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
		if len(names) > 0 {
			sort.Strings(names)
			fmt.Fprint(w, "\nFlags:\n")
			fs.PrintDefaults()
		}
	}
	return fs
}

// parse parses args, printing help for -h; ok is false when the command
// should stop with code.
func parse(fs *flag.FlagSet, args []string) (ok bool, code int) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return false, exitOK
		}
		return false, exitFailure
	}
	return true, 0
}

// exitCodeForFlagErr maps a flag parsing error: -h is not a failure.
func exitCodeForFlagErr(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	return exitFailure
}

func defaultConfigPath() string {
	if p := os.Getenv("ROSTERD_CONFIG"); p != "" {
		return p
	}
	return "rosterd.yaml"
}
