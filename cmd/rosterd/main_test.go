package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	"testing"
)

// TestMain lets the test binary stand in for rosterd: commands that start
// rosterd as a child process (bench) run os.Executable, which in a test is
// this binary, with runAsMainEnv set.
func TestMain(m *testing.M) {
	if os.Getenv(runAsMainEnv) == "1" {
		// As main does: the first signal cancels the context.
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
		stop()
		os.Exit(code)
	}
	os.Exit(m.Run())
}
