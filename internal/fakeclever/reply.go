package fakeclever

import (
	"bytes"
	"html"
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
)

// pagePool recycles page buffers: a page of 10,000 users is about 9 MB,
// and an XL sync asks for 120 of them.
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

// writeTo sends the reply and returns the number of body bytes written.
// A truncated reply still declares its full length, as a connection cut
// mid-body does.
func (rep *reply) writeTo(w http.ResponseWriter) int {
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
	n, _ := w.Write(body)
	if rep.pooled != nil {
		rep.pooled.Reset()
		pagePool.Put(rep.pooled)
		rep.pooled, rep.body = nil, nil
	}
	return n
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

// jsonMessage is an error reply with a one-member JSON body, {key: msg}.
// Clever's API errors use "message"; its OAuth endpoints use "error".
func jsonMessage(status int, key, msg string) *reply {
	w := objWriter{}
	w.begin()
	w.str(key, msg)
	w.end()
	return &reply{status: status, contentType: contentJSON, body: w.buf}
}

// htmlNotFound is the page Clever's Express front end sends for a path it
// does not route, byte for byte.
func htmlNotFound(r *http.Request) *reply {
	body := "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Error</title>\n</head>\n<body>\n<pre>Cannot " +
		html.EscapeString(r.Method+" "+r.URL.EscapedPath()) + "</pre>\n</body>\n</html>\n"
	return &reply{status: http.StatusNotFound, contentType: contentHTML, body: []byte(body)}
}

// htmlGatewayError is the page a proxy in front of the API sends when the
// API behind it fails.
func htmlGatewayError(status int) *reply {
	title := strconv.Itoa(status) + " " + http.StatusText(status)
	body := "<html>\r\n<head><title>" + title + "</title></head>\r\n<body>\r\n<center><h1>" + title +
		"</h1></center>\r\n</body>\r\n</html>\r\n"
	return &reply{status: status, contentType: contentHTML, body: []byte(body)}
}
