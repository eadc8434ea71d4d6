package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/rosterd/rosterd/preflight"
)

// Limits of GET /api/v1/runs.
const (
	DefaultRunsLimit = 100
	MaxRunsLimit     = 1000
)

// verdicts are the values GET /api/v1/runs?verdict= accepts.
var verdicts = []preflight.Verdict{
	preflight.VerdictCommitted, preflight.VerdictRefused, preflight.VerdictFailed, preflight.VerdictPassed,
	preflight.VerdictHeld, preflight.VerdictPaused, preflight.VerdictRejected,
}

// errorBody is every error response.
type errorBody struct {
	Error string `json:"error"`
}

// writeJSON writes v as the JSON response with status. v is encoded
// first, so a value that does not encode is a 500, not half a response.
func writeJSON(w http.ResponseWriter, status int, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		data, _ = json.Marshal(errorBody{Error: "internal error: encode response"})
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(append(data, '\n'))
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, errorBody{Error: msg})
}

// fail answers with the status the backend's error calls for. Errors the
// backend did not classify are logged, and the client is told only that
// something went wrong inside.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, ErrNotFound):
		setOutcome(r, "not found")
		writeError(w, http.StatusNotFound, err.Error())
	case errors.Is(err, ErrNotHeld), errors.Is(err, ErrConflict):
		setOutcome(r, "conflict")
		writeError(w, http.StatusConflict, err.Error())
	default:
		setOutcome(r, "error")
		s.log.Error().Err(err).Str(logMethod, r.Method).Str(logPath, r.URL.Path).Msg("request failed")
		writeError(w, http.StatusInternalServerError, "internal error (the server log has the details)")
	}
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	io.WriteString(w, "ok\n")
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	if err := s.backend.Ready(); err != nil {
		writeError(w, http.StatusServiceUnavailable, "not ready: "+err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

// whoamiResponse tells the dashboard whose token it holds.
type whoamiResponse struct {
	Name string `json:"name"`
	Role Role   `json:"role"`
}

func (s *Server) whoami(w http.ResponseWriter, r *http.Request) {
	who := info(r).who
	writeJSON(w, http.StatusOK, whoamiResponse{Name: who.name, Role: who.role})
}

func (s *Server) connections(w http.ResponseWriter, r *http.Request) {
	conns := s.backend.Connections()
	if conns == nil {
		conns = []ConnectionStatus{}
	}
	writeJSON(w, http.StatusOK, struct {
		Connections []ConnectionStatus `json:"connections"`
	}{conns})
}

func (s *Server) runs(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := RunFilter{Connection: q.Get("connection"), Verdict: q.Get("verdict"), Limit: DefaultRunsLimit}
	if f.Verdict != "" && !isVerdict(f.Verdict) {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("verdict %q is not one of committed, refused, failed, passed, held, paused, rejected", f.Verdict))
		return
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxRunsLimit {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("limit must be a number from 1 to %d", MaxRunsLimit))
			return
		}
		f.Limit = n
	}
	runs, err := s.backend.Runs(f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if runs == nil {
		runs = []Run{}
	}
	writeJSON(w, http.StatusOK, struct {
		Runs []Run `json:"runs"`
	}{runs})
}

func isVerdict(v string) bool {
	for _, x := range verdicts {
		if string(x) == v {
			return true
		}
	}
	return false
}

// runID parses the {id} of the path, answering 400 when it is not a run
// ID.
func runID(w http.ResponseWriter, r *http.Request) (uint64, bool) {
	id, err := strconv.ParseUint(r.PathValue("id"), 10, 64)
	if err != nil || id == 0 {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("%q is not a run id (a positive number)", r.PathValue("id")))
		return 0, false
	}
	return id, true
}

// report reads the report of the run the path names, or answers with an
// error.
func (s *Server) report(w http.ResponseWriter, r *http.Request) (*preflight.Report, bool) {
	id, ok := runID(w, r)
	if !ok {
		return nil, false
	}
	rep, err := s.backend.Report(id)
	if err != nil {
		s.fail(w, r, err)
		return nil, false
	}
	return rep, true
}

// writeRendered renders a report into memory first, so that a rendering
// error is a 500 rather than a truncated body.
func (s *Server) writeRendered(w http.ResponseWriter, r *http.Request, contentType string, render func(io.Writer) error) {
	var buf bytes.Buffer
	if err := render(&buf); err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(http.StatusOK)
	w.Write(buf.Bytes())
}

func (s *Server) reportJSON(w http.ResponseWriter, r *http.Request) {
	if rep, ok := s.report(w, r); ok {
		s.writeRendered(w, r, "application/json; charset=utf-8", rep.WriteJSON)
	}
}

func (s *Server) reportCSV(w http.ResponseWriter, r *http.Request) {
	if rep, ok := s.report(w, r); ok {
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="rosterd-run-%d.csv"`, rep.RunID))
		s.writeRendered(w, r, "text/csv; charset=utf-8", rep.WriteCSV)
	}
}

// reportCSP is the policy of the HTML report: that of its own meta tag
// (inline style and script, nothing from anywhere), in a sandbox of an
// origin of its own, so that its script could not reach the dashboard's
// storage even if some text escaped the template.
const reportCSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; sandbox allow-scripts"

func (s *Server) reportHTML(w http.ResponseWriter, r *http.Request) {
	if rep, ok := s.report(w, r); ok {
		w.Header().Set("Content-Security-Policy", reportCSP)
		s.writeRendered(w, r, "text/html; charset=utf-8", rep.WriteHTML)
	}
}

// triggerResponse answers a sync started.
type triggerResponse struct {
	Connection string `json:"connection"`
	Started    bool   `json:"started"`
}

func (s *Server) trigger(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	started, err := s.backend.Trigger(name)
	switch {
	case err != nil:
		s.fail(w, r, err)
	case !started:
		setOutcome(r, "already running")
		writeError(w, http.StatusConflict, fmt.Sprintf("a sync of %s is already running", name))
	default:
		setOutcome(r, "started")
		writeJSON(w, http.StatusAccepted, triggerResponse{Connection: name, Started: true})
	}
}

func (s *Server) approve(w http.ResponseWriter, r *http.Request) {
	s.decide(w, r, "approved", s.backend.Approve)
}

func (s *Server) reject(w http.ResponseWriter, r *http.Request) {
	s.decide(w, r, "rejected", s.backend.Reject)
}

// decide approves or rejects the held run the path names, as the token's
// name, and answers with the run's updated report.
func (s *Server) decide(w http.ResponseWriter, r *http.Request, outcome string, fn func(uint64, string) (*preflight.Report, error)) {
	id, ok := runID(w, r)
	if !ok {
		setOutcome(r, "bad request")
		return
	}
	rep, err := fn(id, info(r).who.name)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	setOutcome(r, outcome)
	s.writeRendered(w, r, "application/json; charset=utf-8", rep.WriteJSON)
}
