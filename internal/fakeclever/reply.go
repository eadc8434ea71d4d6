package fakeclever

import (
	"html"
	"net/http"

	"github.com/rosterd/rosterd/internal/fakewire"
)

// reply is a response built in full before anything is written.
type reply = fakewire.Reply

// jsonMessage is an error reply with a one-member JSON body, {key: msg}.
// Clever's API errors use "message"; its OAuth endpoints use "error".
func jsonMessage(status int, key, msg string) *reply {
	w := objWriter{}
	w.begin()
	w.str(key, msg)
	w.end()
	return fakewire.JSON(status, w.buf)
}

// htmlNotFound is the page Clever's Express front end sends for a path it
// does not route, byte for byte.
func htmlNotFound(r *http.Request) *reply {
	body := "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Error</title>\n</head>\n<body>\n<pre>Cannot " +
		html.EscapeString(r.Method+" "+r.URL.EscapedPath()) + "</pre>\n</body>\n</html>\n"
	return &reply{Status: http.StatusNotFound, ContentType: fakewire.ContentHTML, Body: []byte(body)}
}
