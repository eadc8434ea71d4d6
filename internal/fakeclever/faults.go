package fakeclever

import (
	"fmt"
	"net/http"
	"time"

	"github.com/rosterd/rosterd/internal/fakewire"
)

// FaultKind is what an injected fault does to a request.
type FaultKind int

// The fault kinds.
const (
	// FaultStatus answers Status (default 503) with a JSON {"message"} body.
	FaultStatus FaultKind = iota + 1
	// FaultRateLimit answers 429 with an empty body, X-RateLimit-Remaining 0
	// and a reset one second away, so retry tests stay quick.
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
	// FaultLoop answers a list request as if it asked for the first page,
	// whatever its starting_after says: the next link of every page then
	// leads to the same second page, as a broken cursor does.
	FaultLoop
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
	case FaultLoop:
		return "loop"
	}
	return fmt.Sprintf("FaultKind(%d)", int(k))
}

// Fault is a failure to inject into the requests matching Path.
type Fault struct {
	// Path is the URL path prefix the fault applies to, such as
	// "/v3.0/users"; "" matches every API path (not the token listing).
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
	// After is how many matching requests to let through first, as when
	// failing the third page of users.
	After int
}

// Inject queues f. A request is affected by the first queued fault it
// matches; later faults for the same requests wait until that one is used
// up. It panics on an unknown Kind, a mistake in the calling test.
func (s *Server) Inject(f Fault) {
	if f.Kind < FaultStatus || f.Kind > FaultLoop {
		panic(fmt.Sprintf("fakeclever: Inject: unknown fault kind %v", f.Kind))
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
	s.faults.Push(f)
}

// scheduleOf is how a fakewire.FaultQueue reads a Fault's schedule.
func scheduleOf(f *Fault) (path string, after, times *int) { return f.Path, &f.After, &f.Times }

// withFaults answers r with answer unless a queued fault says otherwise.
// api is whether r is for an API path.
func (s *Server) withFaults(h http.Header, r *http.Request, api bool, answer func(*http.Request) *reply) *reply {
	f, faulted := s.faults.Take(r.URL.Path, api)
	if faulted {
		rep, proceed := s.applyFault(f, h, r)
		if !proceed {
			return rep
		}
	}
	if faulted && f.Kind == FaultLoop {
		q := r.URL.Query()
		q.Del("starting_after")
		r = r.Clone(r.Context())
		r.URL.RawQuery = q.Encode()
	}
	rep := answer(r)
	rep.Truncate = faulted && f.Kind == FaultTruncate
	return rep
}

// applyFault answers r as f says. proceed is true when the request should
// then be answered normally (a slow or truncating fault).
func (s *Server) applyFault(f Fault, h http.Header, r *http.Request) (rep *reply, proceed bool) {
	switch f.Kind {
	case FaultStatus:
		msg := fmt.Sprintf("%s (injected fault)", http.StatusText(f.Status))
		return jsonMessage(f.Status, "message", msg), false
	case FaultRateLimit:
		limit := s.opts.RateLimit
		if limit < 0 {
			limit = DefaultRateLimit
		}
		setRateHeaders(h, limit, 0, time.Unix(s.opts.Now().Unix()+1, 0))
		return &reply{Status: http.StatusTooManyRequests}, false
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
	return nil, true // FaultTruncate and FaultLoop: the normal reply, altered
}
