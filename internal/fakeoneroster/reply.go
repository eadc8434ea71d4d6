package fakeoneroster

import (
	"bytes"
	"net/http"
	"strconv"
	"sync"
)

// reply is a response built in full before anything is written, so it
// goes out with an exact Content-Length in one write, and a truncation
// fault can cut it at a known point.
type reply struct {
	status      int
	contentType string
	body        []byte
	// pooled holds body when it was built in a pooled buffer; it goes back
	// to the pool once the body is written.
	pooled *bytes.Buffer
	// truncate sends half the body and then drops the connection.
	truncate bool
}

const (
	contentJSON = "application/json; charset=utf-8"
	contentHTML = "text/html; charset=utf-8"
	contentText = "text/plain; charset=utf-8"
)

// pagePool recycles page buffers: a page of 10,000 users is about 8 MB.
var pagePool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func pooledReply(status int, buf *bytes.Buffer) *reply {
	return &reply{status: status, contentType: contentJSON, body: buf.Bytes(), pooled: buf}
}

// sentLen is the number of body bytes writeTo sends: half the body of a
// reply cut short.
func (rep *reply) sentLen() int {
	if rep.truncate {
		return len(rep.body) / 2
	}
	return len(rep.body)
}

// writeTo sends the reply. A truncated reply still declares its full
// length, as a connection cut mid-body does.
func (rep *reply) writeTo(w http.ResponseWriter) {
	h := w.Header()
	if rep.contentType != "" {
		h.Set("Content-Type", rep.contentType)
	}
	h.Set("Content-Length", strconv.Itoa(len(rep.body)))
	w.WriteHeader(rep.status)
	body := rep.body
	if rep.truncate {
		body = body[:len(body)/2]
	}
	_, _ = w.Write(body)
	if rep.pooled != nil {
		rep.pooled.Reset()
		pagePool.Put(rep.pooled)
		rep.pooled, rep.body = nil, nil
	}
}

// abortConnection pushes out what was written and closes the connection
// under it, so the client reads a body shorter than its Content-Length.
func abortConnection(w http.ResponseWriter) {
	rc := http.NewResponseController(w)
	_ = rc.Flush()
	conn, _, err := rc.Hijack()
	if err != nil {
		// HTTP/2 cannot be hijacked; aborting the handler resets the stream.
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
}

// The imsx_codeMinor values the fake sends.
const (
	CodeInvalidFilterField    = "invalid_filter_field"
	CodeInvalidSelectionField = "invalid_selection_field"
	CodeInvalidData           = "invaliddata"
	CodeUnauthorised          = "unauthorisedrequest"
	CodeForbidden             = "forbidden"
	CodeServerBusy            = "server_busy"
	CodeUnknownObject         = "unknownobject"
	CodeInternalServerError   = "internal_server_error"
)

// statusInfo is an error reply in the form of version v: a bare
// imsx_StatusInfo object (1.2) or a statusInfoSet array of one (1.1).
func statusInfo(v Version, status int, codeMinor, description string) *reply {
	var b []byte
	if v == V1p1 {
		b = append(b, `{"statusInfoSet":[`...)
	}
	b = append(b, `{"imsx_codeMajor":"failure","imsx_severity":"error","imsx_description":`...)
	b = appendString(b, description)
	b = append(b, `,"imsx_CodeMinor":{"imsx_codeMinorField":[{"imsx_codeMinorFieldName":"TargetEndSystem","imsx_codeMinorFieldValue":`...)
	b = appendString(b, codeMinor)
	b = append(b, `}]}}`...)
	if v == V1p1 {
		b = append(b, `]}`...)
	}
	return &reply{status: status, contentType: contentJSON, body: b}
}

// oauthError is an RFC 6749 §5.2 error reply of the token endpoint.
func oauthError(status int, code, description string) *reply {
	w := objWriter{}
	w.begin()
	w.str("error", code)
	w.opt("error_description", description)
	w.end()
	return &reply{status: status, contentType: contentJSON, body: w.buf}
}

// notFound is the plain page Go's mux sends for a path outside both trees.
func notFound() *reply {
	return &reply{status: http.StatusNotFound, contentType: contentText, body: []byte("404 page not found\n")}
}

// htmlGatewayError is the page a proxy in front of the API sends when the
// API behind it fails.
func htmlGatewayError(status int) *reply {
	title := strconv.Itoa(status) + " " + http.StatusText(status)
	body := "<html>\r\n<head><title>" + title + "</title></head>\r\n<body>\r\n<center><h1>" + title +
		"</h1></center>\r\n</body>\r\n</html>\r\n"
	return &reply{status: status, contentType: contentHTML, body: []byte(body)}
}
