package connector_test

import (
	"context"
	"testing"

	"github.com/rosterd/rosterd/connector"
	"github.com/rosterd/rosterd/roster"
)

// Ensure pages read with PagesNotKept are not told to Fetched, while the
// trace's other hooks, the original context's own pages and its
// cancellation are as they were.
func TestPagesNotKept(t *testing.T) {
	var told, final int
	trace := &connector.FetchTrace{
		Fetched:    func(n int) { told += n },
		UsersFinal: func(*roster.Roster) { final++ },
		Expect:     connector.Sizes{Users: 7},
	}
	parent, cancel := context.WithCancel(connector.WithFetchTrace(context.Background(), trace))
	notKept := connector.PagesNotKept(parent)

	connector.Fetched(notKept, 100)
	connector.UsersFinal(notKept, &roster.Roster{})
	connector.Fetched(parent, 5)
	if told != 5 || final != 1 {
		t.Errorf("told %d bytes and UsersFinal %d times; want the 5 bytes of the kept page only, and UsersFinal once", told, final)
	}
	if got := connector.ContextFetchTrace(notKept); got == nil || got.Expect != trace.Expect || got.UsersFinal == nil {
		t.Errorf("the trace without Fetched is %+v; want the other fields kept", got)
	}
	if trace.Fetched == nil {
		t.Error("PagesNotKept changed the caller's trace")
	}
	cancel()
	if notKept.Err() == nil {
		t.Error("cancelling the fetch's context did not cancel the pages not kept")
	}

	// Without a trace, or without a Fetched hook, there is nothing to drop.
	bare := context.Background()
	if connector.PagesNotKept(bare) != bare {
		t.Error("PagesNotKept made a new context for one without a trace")
	}
	noHook := connector.WithFetchTrace(bare, &connector.FetchTrace{UsersFinal: trace.UsersFinal})
	if connector.PagesNotKept(noHook) != noHook {
		t.Error("PagesNotKept made a new context for a trace without Fetched")
	}
}
