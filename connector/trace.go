package connector

import (
	"context"

	"github.com/rosterd/rosterd/roster"
)

// A FetchTrace is how a source tells the engine what its fetch has
// finished before the fetch is over, so that the engine can start on it
// meanwhile: a crawl spends most of its time waiting on the provider's
// pace, and an XL district's users are final more than a second before
// its sections are. It travels in the fetch's context, as
// net/http/httptrace's ClientTrace does; a source that does not look for
// it simply tells the engine nothing, and a hook left nil is not called.
type FetchTrace struct {
	// UsersFinal is called once the roster's districts, schools, terms,
	// courses and users are final: from then on the fetch changes
	// neither those collections nor their records, and the roster it
	// returns holds them as they are. The fetch may still add the
	// sections, and the field errors, to r. It is called at most once
	// per fetch, before the fetch returns, on any goroutine; it must not
	// keep the fetch waiting.
	UsersFinal func(r *roster.Roster)
	// Fetched, when set, is told the size in bytes of each page of
	// records the fetch reads and keeps, a roster record for each, once
	// it has read it, so that the engine can ready room for those
	// records (see Arena.Prefault). Pages whose records are folded into
	// others, or only checked, are read with PagesNotKept and not told.
	// It may be called from several goroutines at once, before the fetch
	// returns, and must return at once.
	Fetched func(bytes int)
	// Expect holds the sizes of the roster the connection's last fetch
	// made, zero where unknown, so that a source can set aside room for
	// about that many records instead of growing its slices. It is a
	// hint: the fetch must be right whatever it says.
	Expect Sizes
}

// Sizes counts a roster's users and sections, nearly all of its records.
type Sizes struct {
	Users, Sections int
}

type fetchTraceKey struct{}

// WithFetchTrace returns a context carrying t, for the fetch it is passed
// to.
func WithFetchTrace(ctx context.Context, t *FetchTrace) context.Context {
	return context.WithValue(ctx, fetchTraceKey{}, t)
}

// ContextFetchTrace returns the trace ctx carries, or nil.
func ContextFetchTrace(ctx context.Context) *FetchTrace {
	t, _ := ctx.Value(fetchTraceKey{}).(*FetchTrace)
	return t
}

// Fetched calls the Fetched hook of the trace ctx carries, if any.
func Fetched(ctx context.Context, bytes int) {
	if t := ContextFetchTrace(ctx); t != nil && t.Fetched != nil {
		t.Fetched(bytes)
	}
}

// PagesNotKept returns ctx for reading pages whose records the roster
// does not keep one for one, such as OneRoster's enrollments, which
// become a few bytes of a section's member list each: the Fetched hook of
// its trace is not told of them. Their bytes say nothing of the room the
// kept records take, and counting them made an XL OneRoster first sync
// write 2.66 GB of zeros for an arena that took 0.75 GB.
func PagesNotKept(ctx context.Context) context.Context {
	t := ContextFetchTrace(ctx)
	if t == nil || t.Fetched == nil {
		return ctx
	}
	notKept := *t
	notKept.Fetched = nil
	return WithFetchTrace(ctx, &notKept)
}

// UsersFinal calls the UsersFinal hook of the trace ctx carries, if any.
func UsersFinal(ctx context.Context, r *roster.Roster) {
	if t := ContextFetchTrace(ctx); t != nil && t.UsersFinal != nil {
		t.UsersFinal(r)
	}
}
