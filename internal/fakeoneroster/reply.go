package fakeoneroster

import (
	"net/http"

	"github.com/rosterd/rosterd/internal/fakewire"
)

// reply is a response built in full before anything is written.
type reply = fakewire.Reply

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
	b = fakewire.AppendString(b, description)
	b = append(b, `,"imsx_CodeMinor":{"imsx_codeMinorField":[{"imsx_codeMinorFieldName":"TargetEndSystem","imsx_codeMinorFieldValue":`...)
	b = fakewire.AppendString(b, codeMinor)
	b = append(b, `}]}}`...)
	if v == V1p1 {
		b = append(b, `]}`...)
	}
	return fakewire.JSON(status, b)
}

// oauthError is an RFC 6749 §5.2 error reply of the token endpoint.
func oauthError(status int, code, description string) *reply {
	w := objWriter{}
	w.begin()
	w.str("error", code)
	w.opt("error_description", description)
	w.end()
	return fakewire.JSON(status, w.buf)
}

// notFound is the plain page Go's mux sends for a path outside both trees.
func notFound() *reply {
	return &reply{Status: http.StatusNotFound, ContentType: fakewire.ContentText, Body: []byte("404 page not found\n")}
}
