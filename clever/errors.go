package clever

import (
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"mime"
	"net"
	"net/http"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/rosterd/rosterd/internal/transport"
)

// Errors the client returns (wrapped), for errors.Is.
var (
	// ErrBodyCutShort reports a response body that ended before its
	// Content-Length, or a connection lost while reading it, on every
	// attempt.
	ErrBodyCutShort = transport.ErrBodyCutShort
	// ErrPaginationLoop reports a next link leading back to a page already
	// read, which would otherwise page forever.
	ErrPaginationLoop = errors.New("pagination loop: next link leads to a page already read")
	// ErrChangedMidCrawl reports a district Clever synced while it was
	// being read: the pages read before and after the sync would mix two
	// rosters.
	ErrChangedMidCrawl = errors.New("the district changed during the crawl")
	// ErrForeignNextLink reports a next link to another host than the API's;
	// following it would send the token there.
	ErrForeignNextLink = errors.New("next link points to another host")
	// ErrDistrictNotAuthorized reports that the token listing has no token
	// for the district: the district has not authorised the app, or has
	// disconnected it.
	ErrDistrictNotAuthorized = errors.New("district has not authorised the app (no token for it in the token listing)")
)

// APIError is a non-2xx response from Clever. 429 and 5xx responses reach
// the caller as an APIError too once the transport's retries are spent.
type APIError struct {
	Connection string
	Method     string
	// Path is the request's path and query; it never holds a token.
	Path       string
	StatusCode int
	// Message is the API's own explanation: the message or error member of
	// a JSON body, or the text of an HTML one, capped at about 200
	// characters. It may be empty (a 429 has no body).
	Message string
	// RequestID is the x-request-id (or clever-request-id) header, for
	// Clever support.
	RequestID string
}

// Error reads like `clever "springfield": GET /v3.0/sections: 401
// Unauthorized: invalid token`.
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "clever %q: %s %s: %d", e.Connection, e.Method, e.Path, e.StatusCode)
	if text := http.StatusText(e.StatusCode); text != "" {
		b.WriteString(" " + text)
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	return b.String()
}

// Temporary reports whether the same request may succeed later: 429 and
// 5xx other than 501 Not Implemented.
func (e *APIError) Temporary() bool {
	return e.StatusCode == http.StatusTooManyRequests ||
		(e.StatusCode >= 500 && e.StatusCode != http.StatusNotImplemented)
}

func statusOf(err error) int {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return apiErr.StatusCode
	}
	return 0
}

// IsAuth reports whether err means the credentials do not (or no longer)
// grant access: a 401 or 403, or a district without a token. The engine
// treats the connection as disconnected rather than retrying.
func IsAuth(err error) bool {
	s := statusOf(err)
	return s == http.StatusUnauthorized || s == http.StatusForbidden || errors.Is(err, ErrDistrictNotAuthorized)
}

// IsNotFound reports whether err is a 404: a wrong path, or a record that
// was deleted or unshared.
func IsNotFound(err error) bool { return statusOf(err) == http.StatusNotFound }

// IsRateLimited reports whether err is a 429 that outlasted the retries.
func IsRateLimited(err error) bool { return statusOf(err) == http.StatusTooManyRequests }

// IsTransient reports whether a later run may well succeed where this one
// failed: a temporary APIError (429, 5xx but 501), a body cut short, a
// district that changed during the crawl, or a network failure (refused,
// reset, timed out). Cancellation is not
// transient; bad data, auth failures and pagination loops are not either.
func IsTransient(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) {
		return false
	}
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return apiErr.Temporary()
	}
	var netErr net.Error
	return errors.Is(err, ErrBodyCutShort) ||
		errors.Is(err, ErrChangedMidCrawl) ||
		errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, io.EOF) ||
		errors.As(err, &netErr)
}

// apiError reads what it can of resp's body (capped) and closes it.
func (c *Client) apiError(req *http.Request, resp *http.Response) *APIError {
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBodySize))
	requestID := resp.Header.Get("X-Request-Id")
	if requestID == "" {
		requestID = resp.Header.Get("Clever-Request-Id")
	}
	return &APIError{
		Connection: c.conn,
		Method:     req.Method,
		Path:       req.URL.RequestURI(),
		StatusCode: resp.StatusCode,
		Message:    capText(c.secrets.redact(errorMessage(resp.Header.Get("Content-Type"), body)), maxMessageLen),
		RequestID:  requestID,
	}
}

const maxMessageLen = 200

// errorMessage extracts the API's explanation from an error body, with
// whitespace collapsed: JSON
// {"message": ...} or {"error": ...}, the text of an HTML page (a wrong path
// answers `<pre>Cannot GET /v3.0/resources</pre>`), or plain text.
func errorMessage(contentType string, body []byte) string {
	mediaType, _, _ := mime.ParseMediaType(contentType)
	var msg string
	switch {
	case strings.Contains(mediaType, "html"):
		msg = htmlText(string(body))
	default:
		if m, ok := jsonMessage(body); ok {
			msg = m
		} else if trimmed := strings.TrimSpace(string(body)); strings.HasPrefix(trimmed, "<") {
			msg = htmlText(trimmed)
		} else {
			msg = trimmed
		}
	}
	return strings.Join(strings.Fields(strings.ToValidUTF8(msg, "\uFFFD")), " ")
}

// jsonMessage reads {"message": "..."}, {"error": "..."} or an OAuth error
// {"error": "...", "error_description": "..."}.
func jsonMessage(body []byte) (string, bool) {
	var e struct {
		Message     string         `json:"message"`
		Error       jsontext.Value `json:"error"`
		Description string         `json:"error_description"`
	}
	if err := json.Unmarshal(body, &e, decodeOptions); err != nil {
		return "", false
	}
	var parts []string
	if e.Message != "" {
		parts = append(parts, e.Message)
	}
	if len(e.Error) > 0 {
		var s string
		if json.Unmarshal(e.Error, &s) == nil {
			if s != "" {
				parts = append(parts, s)
			}
		} else if e.Error.Kind() != 'n' {
			parts = append(parts, string(e.Error))
		}
	}
	if e.Description != "" {
		parts = append(parts, e.Description)
	}
	return strings.Join(parts, ": "), len(parts) > 0
}

// htmlText returns the visible text of an HTML page's body: no head, no
// scripts or styles, no tags, entities decoded.
func htmlText(s string) string {
	for _, el := range []string{"head", "script", "style"} {
		s = dropElement(s, el)
	}
	var b strings.Builder
	inTag := false
	for _, r := range s {
		switch {
		case r == '<':
			inTag = true
			b.WriteByte(' ')
		case r == '>' && inTag:
			inTag = false
		case !inTag:
			b.WriteRune(r)
		}
	}
	return html.UnescapeString(b.String())
}

// dropElement removes every <el ...>...</el> from s, case-insensitively.
func dropElement(s, el string) string {
	open, closeTag := "<"+el, "</"+el+">"
	for {
		lower := strings.ToLower(s)
		i := strings.Index(lower, open)
		if i < 0 {
			return s
		}
		j := strings.Index(lower[i:], closeTag)
		if j < 0 {
			return s[:i]
		}
		s = s[:i] + s[i+j+len(closeTag):]
	}
}

// capText shortens s to at most n runes, marking the cut.
func capText(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	runes := []rune(s)
	return string(runes[:n]) + "…"
}

// redactor removes known secrets from text that came from the server, in
// case an error body echoes a credential back.
type redactor struct {
	mu      sync.Mutex
	secrets []string
}

func (r *redactor) add(secret string) {
	if secret == "" {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range r.secrets {
		if s == secret {
			return
		}
	}
	r.secrets = append(r.secrets, secret)
}

func (r *redactor) redact(s string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, secret := range r.secrets {
		s = strings.ReplaceAll(s, secret, "[redacted]")
	}
	return s
}
