package main

import (
	"context"
	"os"
	"testing"
)

// TestMain lets the test binary stand in for rosterd: commands that start
// rosterd as a child process (bench) run os.Executable, which in a test is
// this binary, with runAsMainEnv set.
func TestMain(m *testing.M) {
	if os.Getenv(runAsMainEnv) == "1" {
		os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}
