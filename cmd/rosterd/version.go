package main

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3";
// otherwise it comes from the module's build info.
var version = ""

func versionCommand() *command {
	c := &command{
		name:    "version",
		summary: "Print rosterd's version",
		describe: `
Prints the release (or "devel" for a build from source), the commit it was
built from when known, and the Go version and platform. Include it in bug
reports.`,
	}
	c.run = func(ctx context.Context, e *env, args []string) int {
		fs := c.flagSet(e, nil)
		if ok, code := parse(fs, args); !ok {
			return code
		}
		fmt.Fprintln(e.stdout, versionString())
		return exitOK
	}
	return c
}

func versionString() string {
	v, rev := version, ""
	if info, ok := debug.ReadBuildInfo(); ok {
		if v == "" {
			v = info.Main.Version
		}
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				rev = s.Value[:12]
			}
		}
	}
	if v == "" || v == "(devel)" {
		v = "devel"
	}
	s := "rosterd " + v
	if rev != "" {
		s += " (" + rev + ")"
	}
	return s + " " + runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH
}
