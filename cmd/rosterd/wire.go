package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/rosterd/rosterd/clever"
	"github.com/rosterd/rosterd/connector"
	"github.com/rosterd/rosterd/internal/spill"
	"github.com/rosterd/rosterd/internal/stateadapter"
	"github.com/rosterd/rosterd/internal/transport"
	"github.com/rosterd/rosterd/roster"
	"github.com/rosterd/rosterd/state"
	"github.com/rs/zerolog"
)

// app is everything a command that runs or reads runs needs, built from
// the config.
type app struct {
	cfg    *Config
	log    zerolog.Logger
	store  *state.Store
	engine *connector.Engine
	// observer, when set, watches each connection's source traffic.
	observer func(conn string) transport.Observer
}

// openApp loads the config, sets up logging to logw and opens the store.
func openApp(configPath string, logw io.Writer, readOnly bool) (*app, error) {
	cfg, err := ReadConfigFile(configPath)
	if err != nil {
		return nil, err
	}
	log := newLogger(logw, cfg.Log)
	if limit, fromEnv := limitMemory(os.Getenv, cfg.MemoryLimit); fromEnv && cfg.MemoryLimit != 0 && limit != cfg.MemoryLimit {
		log.Info().Int64("memory_limit", int64(cfg.MemoryLimit)).Int64("gomemlimit", int64(limit)).
			Msg("GOMEMLIMIT is set, so the config's memory_limit is not used")
	}
	path := cfg.path(cfg.State.Path)
	if readOnly {
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("state file %s does not exist yet: run \"rosterd sync\" or \"rosterd preflight\" first", path)
		}
	}
	store, err := state.Open(path, state.Options{Timeout: cfg.State.LockTimeout, ReadOnly: readOnly})
	if err != nil {
		return nil, fmt.Errorf("open state: %w", err)
	}
	// A change spills next to the state file: the same disk, which has
	// room for the roster the change is written into.
	spillDir := filepath.Dir(path)
	engine := connector.NewEngine(stateadapter.Store{Store: store}, log).
		KeepChangesIn(func() (connector.Arena, error) { return spill.New(spillDir) })
	return &app{cfg: cfg, log: log, store: store, engine: engine}, nil
}

func (a *app) Close() error { return a.store.Close() }

// connection builds the runnable connection for c: its source client (with
// its own HTTP stack and rate limiter) and preflight options.
func (a *app) connection(c *ConnectionConfig) (*connector.Connection, error) {
	opts, err := c.Preflight.options()
	if err != nil {
		return nil, err
	}
	var obs transport.Observer
	if a.observer != nil {
		obs = a.observer(c.Name)
	}
	var src connector.Source
	switch {
	case c.Source.OneRoster != nil:
		src, err = a.cfg.oneRosterSource(c.Name, c.Source.OneRoster, a.log, obs)
	case c.Source.CSV != nil:
		src, err = a.cfg.csvSource(c.Name, c.Source.CSV, a.log)
	default:
		src, err = a.cfg.cleverSource(c.Name, c.Source.Clever, a.log, obs)
	}
	if err != nil {
		return nil, err
	}
	return &connector.Connection{Name: c.Name, Source: src, Rules: c.rules, Preflight: opts, KeepRaw: c.keepRaw(),
		Fingerprint: c.fingerprint(), Pauses: c.pauses, Location: c.location}, nil
}

// cleverSource builds a Clever source, reading its credentials.
func (cfg *Config) cleverSource(name string, c *CleverConfig, log zerolog.Logger, obs transport.Observer) (*clever.Source, error) {
	opts := clever.Options{
		Connection: name,
		BaseURL:    c.APIURL,
		AuthURL:    c.AuthURL,
		PageSize:   c.PageSize,
		DistrictID: c.DistrictID,
		ClientID:   c.ClientID,
		Transport: transport.Options{
			Logger:            log, // the client adds its component and connection
			Retries:           c.Retries,
			RetryWaitMin:      c.RetryWaitMin,
			RetryWaitMax:      c.RetryWaitMax,
			RequestsPerMinute: c.RequestsPerMinute,
			Timeout:           c.Timeout,
			Observer:          obs,
		},
	}
	key := "connections." + name + ".source.clever."
	if c.TokenFile != "" || c.TokenEnv != "" {
		tok, err := cfg.readSecret(key+"token", c.TokenFile, c.TokenEnv)
		if err != nil {
			return nil, err
		}
		opts.Token = tok.reveal()
	} else {
		sec, err := cfg.readSecret(key+"client_secret", c.ClientSecretFile, c.ClientSecretEnv)
		if err != nil {
			return nil, err
		}
		opts.ClientSecret = sec.reveal()
	}
	client, err := clever.NewClient(opts)
	if err != nil {
		return nil, fmt.Errorf("connection %s: %w", name, err)
	}
	var roles []roster.Role
	for _, r := range c.Roles {
		role, _ := roster.ParseRole(r)
		roles = append(roles, role)
	}
	src := clever.NewSource(client, clever.SourceOptions{Roles: roles})
	if c.Events.Enabled {
		src = src.WithEvents(clever.EventOptions{Enabled: true, FullEvery: c.Events.FullEvery})
	}
	return src, nil
}
