package server

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"io/fs"
	"net/http"
	"strings"
	"sync"

	"github.com/rosterd/rosterd/preflight"
	"github.com/rosterd/rosterd/roster"
)

// uiFiles is the dashboard: one page, its script and its style sheet. It
// loads nothing from anywhere else (no CDN, font or image), so it works
// offline, and its Content-Security-Policy keeps it so.
//
//go:embed ui/index.html ui/app.js ui/app.css
var uiFiles embed.FS

// uiCSP returns the dashboard's policy: its own files only, no framing,
// no form posted anywhere, and no inline script or style but the HTML
// report's own. The dashboard opens the report (fetched with the token)
// as a blob: URL, and a blob document inherits the policy of the page that
// made it; the hashes let the report's script and style, and nothing
// else, run there.
var uiCSP = sync.OnceValue(func() string {
	scripts, styles := reportInlineHashes()
	return "default-src 'self'; script-src 'self'" + scripts + "; style-src 'self'" + styles +
		"; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
})

// reportInlineHashes returns the CSP hash sources (each after a space) of
// the inline scripts and style sheets of preflight's HTML report, which
// are the same text in every report. A report that does not render
// leaves them empty: the report then shows its first page of issues
// without its script.
func reportInlineHashes() (scripts, styles string) {
	rep := &preflight.Report{Verdict: preflight.VerdictRefused, Issues: []preflight.Issue{{
		Severity: preflight.SeverityError, Code: "student.missing_id", Entity: roster.EntityStudent, Message: "x"}}}
	rep.Summary = preflight.Summarize(rep.Issues)
	var buf bytes.Buffer
	if err := rep.WriteHTML(&buf); err != nil {
		return "", ""
	}
	page := buf.String()
	hash := func(open, close string) string {
		var out string
		rest := page
		for {
			_, after, ok := strings.Cut(rest, open)
			if !ok {
				return out
			}
			body, after, ok := strings.Cut(after, close)
			if !ok {
				return out
			}
			sum := sha256.Sum256([]byte(body))
			out += " 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
			rest = after
		}
	}
	// "<script>" without attributes: the report's data block is
	// <script type="application/json">, which never runs.
	return hash("<script>", "</script>"), hash("<style>", "</style>")
}

// uiHandler serves the dashboard at / and its files under /ui/.
func (s *Server) uiHandler() http.Handler {
	sub, err := fs.Sub(uiFiles, "ui")
	if err != nil {
		panic(err) // the embedded tree always has ui/
	}
	files := http.StripPrefix("/ui/", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", uiCSP())
		// The files hold no data: a browser may keep them, asking first.
		h.Set("Cache-Control", "no-cache")
		switch {
		case r.URL.Path == "/":
			http.ServeFileFS(w, r, sub, "index.html")
		case strings.HasSuffix(r.URL.Path, "/"):
			writeError(w, http.StatusNotFound, "no such file")
		default:
			files.ServeHTTP(w, r)
		}
	})
}
