package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/rosterd/rosterd/connector"
	"github.com/rosterd/rosterd/notify"
	"github.com/rosterd/rosterd/preflight"
	"github.com/rosterd/rosterd/server"
)

func runCommand() *command {
	c := &command{
		name:    "run",
		args:    "[--config FILE]",
		summary: "Run the daemon: sync on schedule, serve the API, the dashboard and metrics",
		describe: `
Runs every connection on its schedule (connections[].schedule) and serves
the HTTP API, the web dashboard, /healthz, /readyz and /metrics on
server.listen (default 127.0.0.1:8080). At most one run per connection is
under way at a time, whether scheduled or triggered through the API.

The first SIGINT or SIGTERM stops scheduling and lets a sync under way
finish, up to server.shutdown_timeout (default 5m); a second one stops at
once (the sync under way fails, committing nothing). The state file is
closed last.

Logs are JSON on standard error (log.format: console for people); each
run's lines carry its run_id and connection, never a name or a secret.`,
	}
	c.run = func(ctx context.Context, e *env, args []string) int {
		var configPath string
		fs := c.flagSet(e, &configPath)
		if ok, code := parse(fs, args); !ok {
			return code
		}
		if fs.NArg() > 0 {
			e.errorf("run takes no arguments (got %q)", fs.Arg(0))
			return exitFailure
		}
		a, err := openApp(configPath, e.stderr, false)
		if err != nil {
			e.errorf("%v", err)
			return exitFailure
		}
		defer a.Close() // last: after the daemon and the server stopped
		if err := a.serve(ctx); err != nil {
			a.log.Error().Err(err).Msg("daemon stopped with an error")
			e.errorf("%v", err)
			return exitFailure
		}
		return exitOK
	}
	return c
}

// serve runs the daemon until ctx ends (the first signal).
func (a *app) serve(ctx context.Context) error {
	m := newMetrics()
	a.observer = m.source
	notifier, err := a.notifier()
	if err != nil {
		return err
	}
	var scheduled []connector.Scheduled
	for i := range a.cfg.Connections {
		cc := &a.cfg.Connections[i]
		conn, err := a.connection(cc)
		if err != nil {
			return err
		}
		scheduled = append(scheduled, connector.Scheduled{Connection: conn, Schedule: cc.Schedule, Jitter: cc.Jitter, RunAtStart: cc.RunAtStart})
	}
	daemon, err := connector.NewDaemon(a.engine, scheduled, connector.DaemonOptions{
		Logger: a.log,
		OnRun: func(rep *preflight.Report) {
			m.runFinished(rep)
			notifier.RunFinished(context.Background(), rep)
			a.pruneLog()
		},
	})
	if err != nil {
		return err
	}
	tokens, err := a.cfg.apiTokens()
	if err != nil {
		return err
	}
	srv, err := server.New(server.Options{
		Addr: a.cfg.Server.Listen, CertFile: a.cfg.path(a.cfg.Server.CertFile), KeyFile: a.cfg.path(a.cfg.Server.KeyFile),
		Tokens: tokens, Backend: backend{daemon: daemon, store: a.store}, Metrics: m.handler(), Logger: a.log,
	})
	if err != nil {
		return err
	}
	// Listen before scheduling anything: a port in use fails the start.
	if err := srv.Start(); err != nil {
		return err
	}
	daemon.Start()
	a.log.Info().Str("listen", srv.Addr()).Msg("rosterd is running")

	<-ctx.Done()
	a.log.Info().Dur("timeout", a.cfg.Server.ShutdownTimeout).Msg("stopping: a sync under way may finish; signal again to stop at once")
	stopCtx, cancel := context.WithTimeout(context.Background(), a.cfg.Server.ShutdownTimeout)
	defer cancel()
	again := make(chan os.Signal, 1)
	signal.Notify(again, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(again)
	go func() {
		select {
		case <-again:
			a.log.Warn().Msg("second signal: stopping at once")
			cancel()
		case <-stopCtx.Done():
		}
	}()

	if err := daemon.Stop(stopCtx); err != nil {
		a.log.Warn().Err(err).Msg("a sync under way was cancelled")
	}
	httpCtx, cancelHTTP := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancelHTTP()
	if err := srv.Close(httpCtx); err != nil {
		a.log.Warn().Err(err).Msg("closing the HTTP server")
	}
	if err := notifier.Close(httpCtx); err != nil {
		a.log.Warn().Err(err).Msg("notifications still queued were dropped")
	}
	a.log.Info().Msg("rosterd stopped")
	return nil
}

// pruneLog applies the history retention after a run or a command;
// failing to is worth a warning, never a failed command.
func (a *app) pruneLog() {
	runs, age := a.cfg.History.keep()
	if runs == 0 && age == 0 {
		return
	}
	if n, err := a.store.Prune(runs, age, time.Now()); err != nil {
		a.log.Warn().Err(err).Msg("could not prune the run history")
	} else if n > 0 {
		a.log.Info().Int("runs", n).Msg("pruned the run history")
	}
}

// apiTokens reads the API tokens' secrets.
func (c *Config) apiTokens() ([]server.Token, error) {
	var out []server.Token
	for i, t := range c.Server.Tokens {
		sec, err := c.readSecret(fmt.Sprintf("server.tokens[%d].token", i), t.TokenFile, t.TokenEnv)
		if err != nil {
			return nil, err
		}
		out = append(out, server.Token{Name: t.Name, Secret: sec.reveal(), Role: server.Role(t.Role)})
	}
	return out, nil
}

// notifier builds the webhooks of every connection.
func (a *app) notifier() (*notify.Notifier, error) {
	var hooks []notify.Webhook
	for i := range a.cfg.Connections {
		cc := &a.cfg.Connections[i]
		for j, n := range cc.Notify {
			url, err := a.cfg.readSecret(fmt.Sprintf("connections.%s.notify[%d].url", cc.Name, j), n.URLFile, n.URLEnv)
			if err != nil {
				return nil, err
			}
			w := notify.Webhook{URL: url.reveal(), Format: n.Format, Connections: []string{cc.Name}, Events: n.Events}
			if err := w.Validate(); err != nil {
				return nil, &ConfigError{fmt.Sprintf("connections.%s.notify[%d]", cc.Name, j), err}
			}
			hooks = append(hooks, w)
		}
	}
	return notify.New(notify.Options{Webhooks: hooks, Logger: a.log}), nil
}
