package main

import (
	"io"
	"time"

	"github.com/rs/zerolog"
)

// newLogger builds the process logger. JSON is the default because
// rosterd runs under systemd and its lines are read by log shippers; the
// console format is for people at a terminal.
func newLogger(w io.Writer, cfg LogConfig) zerolog.Logger {
	level, err := zerolog.ParseLevel(cfg.Level)
	if err != nil {
		level = zerolog.InfoLevel
	}
	if cfg.Format == "console" {
		w = zerolog.ConsoleWriter{Out: w, TimeFormat: time.RFC3339}
	}
	// Runs log from several goroutines at once (a crawl's pages in
	// flight, the daemon's connections), and zerolog leaves a writer's
	// safety to the writer: os.Stderr is safe, an io.Writer run is handed
	// need not be.
	return zerolog.New(zerolog.SyncWriter(w)).Level(level).With().Timestamp().Logger()
}
