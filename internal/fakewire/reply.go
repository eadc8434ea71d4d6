package fakewire

import (
	"bytes"
	"net/http"
	"strconv"
	"sync"
)

// Reply is a response built in full before anything is written.
type Reply struct {
	Status      int
	ContentType string
	Body        []byte
	// Truncate sends half the body, still declaring its full length, as a
	// connection cut mid-body does.
	Truncate bool
	// pooled holds Body when it was built in a Buffer; it goes back to the
	// pool once the body is written.
	pooled *bytes.Buffer
}

// The content types the fakes send.
const (
	ContentJSON = "application/json; charset=utf-8"
	ContentHTML = "text/html; charset=utf-8"
	ContentText = "text/plain; charset=utf-8"
)

// pagePool recycles page buffers: a page of 10,000 users is about 9 MB,
// and an XL sync asks for over a hundred of them.
var pagePool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// Buffer returns an empty buffer to build a page in; PooledReply gives it
// back once the page is sent.
func Buffer() *bytes.Buffer { return pagePool.Get().(*bytes.Buffer) }

// PooledReply is a JSON reply whose body is buf, a Buffer.
func PooledReply(status int, buf *bytes.Buffer) *Reply {
	return &Reply{Status: status, ContentType: ContentJSON, Body: buf.Bytes(), pooled: buf}
}

// JSON is a JSON reply of body.
func JSON(status int, body []byte) *Reply {
	return &Reply{Status: status, ContentType: ContentJSON, Body: body}
}

// SentLen is the number of body bytes Send writes: half the body of a
// reply cut short.
func (rep *Reply) SentLen() int {
	if rep.Truncate {
		return len(rep.Body) / 2
	}
	return len(rep.Body)
}

// Send writes the reply and returns the number of body bytes written.
func (rep *Reply) Send(w http.ResponseWriter) int {
	h := w.Header()
	if rep.ContentType != "" {
		h.Set("Content-Type", rep.ContentType)
	}
	h.Set("Content-Length", strconv.Itoa(len(rep.Body)))
	w.WriteHeader(rep.Status)
	n, _ := w.Write(rep.Body[:rep.SentLen()])
	if rep.pooled != nil {
		rep.pooled.Reset()
		pagePool.Put(rep.pooled)
		rep.pooled, rep.Body = nil, nil
	}
	return n
}

// AbortConnection pushes out what was written and closes the connection
// under it, so the client reads a body shorter than its Content-Length.
func AbortConnection(w http.ResponseWriter) {
	rc := http.NewResponseController(w)
	_ = rc.Flush()
	conn, _, err := rc.Hijack()
	if err != nil {
		// HTTP/2 cannot be hijacked; aborting the handler resets the stream.
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
}

// HTMLGatewayError is the page a proxy in front of an API sends when the
// API behind it fails.
func HTMLGatewayError(status int) *Reply {
	title := strconv.Itoa(status) + " " + http.StatusText(status)
	body := "<html>\r\n<head><title>" + title + "</title></head>\r\n<body>\r\n<center><h1>" + title +
		"</h1></center>\r\n</body>\r\n</html>\r\n"
	return &Reply{Status: status, ContentType: ContentHTML, Body: []byte(body)}
}
