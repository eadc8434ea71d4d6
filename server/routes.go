package server

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/rs/zerolog"
)

// route is one endpoint: who may call it and what it does.
type route struct {
	method, path string
	// role is the least role allowed; "" for a public endpoint.
	role Role
	// audit marks a state-changing request: each one logs an audit line.
	audit  bool
	handle http.HandlerFunc
}

// apiRoutes lists every endpoint but the dashboard's files.
func (s *Server) apiRoutes() []route {
	rs := []route{
		{method: "GET", path: "/healthz", handle: s.healthz},
		{method: "GET", path: "/readyz", role: RoleViewer, handle: s.readyz},
		{method: "GET", path: "/api/v1/whoami", role: RoleViewer, handle: s.whoami},
		{method: "GET", path: "/api/v1/connections", role: RoleViewer, handle: s.connections},
		{method: "GET", path: "/api/v1/runs", role: RoleViewer, handle: s.runs},
		{method: "GET", path: "/api/v1/runs/{id}", role: RoleViewer, handle: s.reportJSON},
		{method: "GET", path: "/api/v1/runs/{id}/report.csv", role: RoleViewer, handle: s.reportCSV},
		{method: "GET", path: "/api/v1/runs/{id}/report.html", role: RoleViewer, handle: s.reportHTML},
		{method: "POST", path: "/api/v1/connections/{name}/sync", role: RoleOperator, audit: true, handle: s.trigger},
		{method: "POST", path: "/api/v1/runs/{id}/approve", role: RoleOperator, audit: true, handle: s.approve},
		{method: "POST", path: "/api/v1/runs/{id}/reject", role: RoleOperator, audit: true, handle: s.reject},
		{method: "GET", path: "/api/v1/connections/{name}/sections", role: RoleAdmin, handle: s.sections},
		{method: "GET", path: "/api/v1/connections/{name}/sections/{id}", role: RoleAdmin, handle: s.section},
		{method: "GET", path: "/api/v1/connections/{name}/students", role: RoleAdmin, handle: s.students},
		{method: "GET", path: "/api/v1/connections/{name}/students/{id}", role: RoleAdmin, handle: s.student},
	}
	if s.metrics != nil {
		rs = append(rs, route{method: "GET", path: "/metrics", role: RoleViewer, handle: s.metrics.ServeHTTP})
	}
	return rs
}

// routes builds the server's handler on a mux of its own.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	allowed := map[string][]string{}
	for _, rt := range s.apiRoutes() {
		mux.Handle(rt.method+" "+rt.path, s.guard(rt))
		allowed[rt.path] = append(allowed[rt.path], rt.method)
	}
	ui := s.uiHandler()
	mux.Handle("GET /{$}", ui)
	mux.Handle("GET /ui/", ui)
	allowed["/{$}"] = []string{"GET"}
	allowed["/ui/"] = []string{"GET"}
	// A known path asked with another method gets a JSON 405 (a pattern
	// without a method is less specific than those with one).
	for path, methods := range allowed {
		if slices.Contains(methods, "GET") {
			methods = append(methods, "HEAD")
		}
		allow := strings.Join(methods, ", ")
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Allow", allow)
			writeError(w, http.StatusMethodNotAllowed, r.Method+" is not allowed here; use "+allow)
		})
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "no such endpoint")
	})
	return s.secure(mux)
}

// secure sets the headers every response carries and, on a server
// without tokens, refuses requests naming a host other than loopback.
func (s *Server) secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		// Responses carry rosters and reports: no cache keeps them.
		h.Set("Cache-Control", "no-store")
		if len(s.tokens) == 0 && !loopbackHost(r) {
			writeError(w, http.StatusMisdirectedRequest,
				"this server has no API tokens, so it answers only requests to localhost or a loopback address")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// guard authenticates and authorises a request for rt, refuses a
// cross-origin browser request that changes state, and logs the request
// (an audit line for rt.audit).
func (s *Server) guard(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w}
		ri := &requestInfo{}
		r = r.WithContext(withInfo(r.Context(), ri))
		start := time.Now()
		defer func() { s.logRequest(rt, rec, r, ri, time.Since(start)) }()

		if rt.role != "" {
			who, status, challenge := s.authenticate(r)
			if status != 0 {
				rec.Header().Set("WWW-Authenticate", challenge)
				ri.outcome = "unauthenticated"
				writeError(rec, status, "missing or unknown API token: send \"Authorization: Bearer <token>\"")
				return
			}
			ri.who = who
			if !who.role.allows(rt.role) {
				rec.Header().Set("WWW-Authenticate", `Bearer realm="rosterd", error="insufficient_scope"`)
				ri.outcome = "forbidden"
				writeError(rec, http.StatusForbidden,
					fmt.Sprintf("token %q has the %s role; this needs %s", who.name, who.role, rt.role))
				return
			}
		}
		if rt.method != "GET" {
			// A token travels in a header no other site can make a
			// browser send, but a server without tokens has only this.
			if err := s.csrf.Check(r); err != nil {
				ri.outcome = "cross-origin"
				writeError(rec, http.StatusForbidden, "cross-origin request refused")
				return
			}
		}
		rt.handle(rec, r)
	})
}

// logRequest logs one request: at debug level, or as an audit line at
// info level for a state-changing one. Neither the Authorization header
// nor the query is logged.
func (s *Server) logRequest(rt route, rec *statusRecorder, r *http.Request, ri *requestInfo, d time.Duration) {
	var ev *zerolog.Event
	msg := "request"
	if rt.audit {
		ev = s.log.Info().Bool(logAudit, true)
		msg = "audit"
	} else {
		ev = s.log.Debug()
	}
	outcome := ri.outcome
	if outcome == "" {
		outcome = strings.ToLower(http.StatusText(rec.status()))
	}
	ev.Str(logToken, ri.who.name).Str(logMethod, r.Method).Str(logPath, r.URL.Path).
		Int(logStatus, rec.status()).Str(logOutcome, outcome).Str(logRemote, r.RemoteAddr).
		Dur("duration", d).Msg(msg)
}

// statusRecorder remembers the status a handler sent.
type statusRecorder struct {
	http.ResponseWriter
	code int
}

func (w *statusRecorder) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusRecorder) Write(p []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(p)
}

func (w *statusRecorder) status() int {
	if w.code == 0 {
		return http.StatusOK
	}
	return w.code
}

// Unwrap lets http.ResponseController reach the connection.
func (w *statusRecorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }
