package fakeoneroster

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/rosterd/rosterd/internal/fakewire"
)

// FaultKind is what an injected fault does to a request.
type FaultKind int

// The fault kinds.
const (
	// FaultStatus answers Status (default 503) with an imsx status body:
	// codeMinor server_busy for 503, internal_server_error otherwise.
	FaultStatus FaultKind = iota + 1
	// FaultRateLimit answers 429 with Retry-After (RetryAfter, default one
	// second, so retry tests stay quick) and a server_busy body.
	FaultRateLimit
	// FaultSlow waits Delay, or until the client gives up, then answers
	// normally.
	FaultSlow
	// FaultTruncate declares the full Content-Length, sends about half the
	// body and closes the connection: the client reads io.ErrUnexpectedEOF.
	FaultTruncate
	// FaultHTML answers Status (default 502) with a proxy's text/html error
	// page.
	FaultHTML
)

func (k FaultKind) String() string {
	switch k {
	case FaultStatus:
		return "status"
	case FaultRateLimit:
		return "rate-limit"
	case FaultSlow:
		return "slow"
	case FaultTruncate:
		return "truncate"
	case FaultHTML:
		return "html"
	}
	return fmt.Sprintf("FaultKind(%d)", int(k))
}

// Fault is a failure to inject into the requests matching Path.
type Fault struct {
	// Path is the URL path prefix the fault applies to, such as
	// "/ims/oneroster/rostering/v1p2/users"; "" matches every path of both
	// trees (not the token endpoint, which a fault must name).
	Path string
	Kind FaultKind
	// Times is how many matching requests the fault affects before it is
	// used up; 0 means 1.
	Times int
	// Status is the status of FaultStatus (default 503) and FaultHTML
	// (default 502).
	Status int
	// Delay is how long FaultSlow waits before answering.
	Delay time.Duration
	// RetryAfter is the Retry-After of FaultRateLimit, in whole seconds;
	// 0 means one second.
	RetryAfter time.Duration
	// After is how many matching requests to let through first, as when
	// failing the third page of users.
	After int
}

// Inject queues f. A request is affected by the first queued fault it
// matches; later faults for the same requests wait until that one is used
// up. Faults apply to requests that passed authentication, so a retried
// OAuth 1.0a request must still carry a fresh nonce. Inject panics on an
// unknown Kind, a mistake in the calling test.
func (s *Server) Inject(f Fault) {
	if f.Kind < FaultStatus || f.Kind > FaultHTML {
		panic(fmt.Sprintf("fakeoneroster: Inject: unknown fault kind %v", f.Kind))
	}
	if f.Times <= 0 {
		f.Times = 1
	}
	switch {
	case f.Status == 0 && f.Kind == FaultStatus:
		f.Status = http.StatusServiceUnavailable
	case f.Status == 0 && f.Kind == FaultHTML:
		f.Status = http.StatusBadGateway
	}
	if f.RetryAfter <= 0 {
		f.RetryAfter = time.Second
	}
	s.faults.Push(f)
}

// scheduleOf is how a fakewire.FaultQueue reads a Fault's schedule.
func scheduleOf(f *Fault) (path string, after, times *int) { return f.Path, &f.After, &f.Times }

// withFaults answers r with answer unless a queued fault says otherwise.
// api is whether r is for a path in one of the trees.
func (s *Server) withFaults(h http.Header, r *http.Request, api bool, answer func() *reply) *reply {
	f, faulted := s.faults.Take(r.URL.Path, api)
	if faulted {
		rep, proceed := applyFault(f, h, r, api)
		if !proceed {
			return rep
		}
	}
	rep := answer()
	rep.Truncate = faulted && f.Kind == FaultTruncate
	return rep
}

// applyFault answers r as f says. proceed is true when the request should
// then be answered normally (a slow or truncating fault).
func applyFault(f Fault, h http.Header, r *http.Request, api bool) (rep *reply, proceed bool) {
	v := V1p2
	if strings.HasPrefix(r.URL.Path, BasePathV1p1+"/") {
		v = V1p1
	}
	switch f.Kind {
	case FaultStatus:
		msg := http.StatusText(f.Status) + " (injected fault)"
		if !api {
			return oauthError(f.Status, "temporarily_unavailable", msg), false
		}
		code := CodeInternalServerError
		if f.Status == http.StatusServiceUnavailable || f.Status == http.StatusTooManyRequests {
			code = CodeServerBusy
		}
		return statusInfo(v, f.Status, code, msg), false
	case FaultRateLimit:
		h.Set("Retry-After", strconv.Itoa(int((f.RetryAfter+time.Second-1)/time.Second)))
		if !api {
			return oauthError(http.StatusTooManyRequests, "temporarily_unavailable", "too many requests (injected fault)"), false
		}
		return statusInfo(v, http.StatusTooManyRequests, CodeServerBusy, "too many requests (injected fault)"), false
	case FaultSlow:
		t := time.NewTimer(f.Delay)
		defer t.Stop()
		select {
		case <-t.C:
			return nil, true
		case <-r.Context().Done():
			return nil, false
		}
	case FaultHTML:
		return fakewire.HTMLGatewayError(f.Status), false
	}
	return nil, true // FaultTruncate: the normal reply, cut short
}
