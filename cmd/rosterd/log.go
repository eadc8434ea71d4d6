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
	return zerolog.New(w).Level(level).With().Timestamp().Logger()
}
