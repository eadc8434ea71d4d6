package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"
)

// DefaultAddr is where the server listens when Options.Addr is empty:
// loopback only.
const DefaultAddr = "127.0.0.1:8080"

// Options configures New.
type Options struct {
	// Addr is the TCP address to listen on, host:port; DefaultAddr when
	// empty. Port 0 picks a free port (see Server.Addr).
	Addr string
	// CertFile and KeyFile, both or neither, are a PEM certificate (chain)
	// and its key: the server then speaks HTTPS only.
	CertFile, KeyFile string
	// Tokens are the API tokens clients may send. Without any, only
	// /healthz answers, and New accepts that only on a loopback Addr.
	Tokens []Token
	// Backend is what the server serves. Required.
	Backend Backend
	// Metrics, when set, is served at /metrics to viewers (a promhttp
	// handler).
	Metrics http.Handler
	// Logger receives the server's lines; the zero Logger discards them.
	Logger zerolog.Logger
}

// Server is rosterd's HTTP API and dashboard.
type Server struct {
	backend Backend
	metrics http.Handler
	log     zerolog.Logger
	tokens  []token
	addr    string
	tls     *tls.Config
	handler http.Handler
	csrf    *http.CrossOriginProtection
	index   indexCache

	mu   sync.Mutex
	srv  *http.Server
	ln   net.Listener
	done chan struct{}
}

// Log field names.
const (
	logAudit   = "audit"
	logToken   = "token"
	logMethod  = "method"
	logPath    = "path"
	logStatus  = "status"
	logOutcome = "outcome"
	logRemote  = "remote"
)

// New checks opts and returns a server ready to Start. It refuses a
// non-loopback Addr without tokens, and loads the TLS key pair, so that
// a bad certificate is a startup error.
func New(opts Options) (*Server, error) {
	if opts.Backend == nil {
		return nil, errors.New("server: no backend")
	}
	addr := opts.Addr
	if addr == "" {
		addr = DefaultAddr
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("server: address %q: %w", addr, err)
	}
	tokens, err := checkTokens(opts.Tokens)
	if err != nil {
		return nil, fmt.Errorf("server: %w", err)
	}
	if len(tokens) == 0 && !isLoopback(host) {
		return nil, fmt.Errorf("server: refusing to listen on %s without API tokens: "+
			"anyone who can reach that address could read the rosters and approve runs; "+
			"configure at least one token, or listen on loopback (127.0.0.1) only", addr)
	}
	s := &Server{
		backend: opts.Backend,
		metrics: opts.Metrics,
		log:     opts.Logger.With().Str("component", "server").Logger(),
		tokens:  tokens,
		addr:    addr,
		csrf:    http.NewCrossOriginProtection(),
	}
	switch {
	case opts.CertFile != "" && opts.KeyFile != "":
		cert, err := tls.LoadX509KeyPair(opts.CertFile, opts.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("server: load TLS certificate: %w", err)
		}
		s.tls = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	case opts.CertFile != "" || opts.KeyFile != "":
		return nil, errors.New("server: TLS needs both a certificate file and a key file")
	}
	if len(tokens) == 0 {
		s.log.Warn().Msg("no API tokens configured (server.tokens): the API and the dashboard refuse every request; /healthz still answers")
	}
	s.handler = s.routes()
	return s, nil
}

// Handler returns the server's handler, for tests and for serving it
// from another http.Server.
func (s *Server) Handler() http.Handler { return s.handler }

// Start listens on the address, so that an address in use fails here,
// then serves in a goroutine until Close.
func (s *Server) Start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.srv != nil {
		return errors.New("server: already started")
	}
	ln, err := net.Listen("tcp", s.addr)
	if err != nil {
		return fmt.Errorf("server: listen: %w", err)
	}
	scheme := "http"
	if s.tls != nil {
		ln = tls.NewListener(ln, s.tls)
		scheme = "https"
	}
	s.ln = ln
	s.srv = &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		// A report of 100,000 issues or a page of 5,000 sections takes a
		// while to a slow client.
		WriteTimeout:   5 * time.Minute,
		IdleTimeout:    2 * time.Minute,
		MaxHeaderBytes: 64 << 10,
		ErrorLog:       log.New(errorLogWriter{s.log}, "", 0),
	}
	s.done = make(chan struct{})
	go func(srv *http.Server, done chan struct{}) {
		defer close(done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error().Err(err).Msg("server stopped")
		}
	}(s.srv, s.done)
	s.log.Info().Str("addr", ln.Addr().String()).Str("scheme", scheme).Int("tokens", len(s.tokens)).Msg("listening")
	return nil
}

// Addr returns the address the server listens on once started (with the
// port picked for port 0), and the configured one before.
func (s *Server) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln != nil {
		return s.ln.Addr().String()
	}
	return s.addr
}

// Close stops accepting requests and waits, until ctx ends, for those in
// flight; then it closes whatever is left.
func (s *Server) Close(ctx context.Context) error {
	s.mu.Lock()
	srv, done := s.srv, s.done
	s.mu.Unlock()
	if srv == nil {
		return nil
	}
	err := srv.Shutdown(ctx)
	if err != nil {
		err = errors.Join(fmt.Errorf("server: shutdown: %w", err), srv.Close())
	}
	<-done
	return err
}

// errorLogWriter turns the lines net/http logs (a TLS handshake that
// failed, a handler that panicked) into warnings.
type errorLogWriter struct{ log zerolog.Logger }

func (w errorLogWriter) Write(p []byte) (int, error) {
	w.log.Warn().Msg(strings.TrimSpace(string(p)))
	return len(p), nil
}
