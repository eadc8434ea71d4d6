package notify_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rs/zerolog"

	"github.com/rosterd/rosterd/notify"
	"github.com/rosterd/rosterd/preflight"
)

// sent lists what a hook received as "event connection run_id" lines.
func sent(t *testing.T, h *hook) []string {
	t.Helper()
	var out []string
	for _, m := range h.received(t) {
		out = append(out, fmt.Sprintf("%v %v %v", m["event"], m["connection"], m["run_id"]))
	}
	return out
}

func TestNotifier_RunFinished(t *testing.T) {
	// Ensure each event reaches the webhooks whose connection and event
	// filters match it, once, and only those.
	t.Run("Filters", func(t *testing.T) {
		all, north, held, south, slack := newHook(t, nil), newHook(t, nil), newHook(t, nil), newHook(t, nil), newHook(t, nil)
		n := notify.New(fast(zerolog.New(zerolog.NewTestWriter(t)),
			notify.Webhook{URL: all.url()},
			notify.Webhook{URL: north.url(), Format: "json", Connections: []string{"north"}},
			notify.Webhook{URL: held.url(), Events: []string{"held"}},
			notify.Webhook{URL: south.url(), Connections: []string{"south"}, Events: []string{"failed", "recovered"}},
			notify.Webhook{URL: slack.url(), Format: "slack"},
		))

		passed := report("south", 10, preflight.VerdictPassed)
		passed.Mode = "preflight"
		workbench := report("north", 12, preflight.VerdictRefused)
		workbench.Mode = "rules-test"
		for _, rep := range []*preflight.Report{
			report("north", 1, preflight.VerdictCommitted), // plain success: nothing
			report("north", 2, preflight.VerdictRefused),
			report("north", 3, preflight.VerdictFailed),
			report("north", 4, preflight.VerdictCommitted), // recovered
			report("north", 5, preflight.VerdictCommitted), // nothing
			report("north", 6, preflight.VerdictHeld),
			report("north", 7, preflight.VerdictCommitted), // nothing after held
			report("south", 8, preflight.VerdictFailed),
			report("south", 9, preflight.VerdictPaused), // nothing, remembers the failure
			passed, // recovered
			report("south", 11, preflight.VerdictRefused),
			workbench, // ignored
			report("south", 13, preflight.VerdictRejected), // nothing
			nil,
		} {
			n.RunFinished(t.Context(), rep)
		}
		mustClose(t, n)

		for _, tt := range []struct {
			name string
			hook *hook
			want []string
		}{
			{"all", all, []string{"refused north 2", "failed north 3", "recovered north 4", "held north 6", "failed south 8", "recovered south 10", "refused south 11"}},
			{"north", north, []string{"refused north 2", "failed north 3", "recovered north 4", "held north 6"}},
			{"held", held, []string{"held north 6"}},
			{"south failed or recovered", south, []string{"failed south 8", "recovered south 10"}},
		} {
			if diff := cmp.Diff(tt.want, sent(t, tt.hook)); diff != "" {
				t.Errorf("%s webhook received (-want +got):\n%s", tt.name, diff)
			}
		}
		var texts []string
		for _, m := range slack.received(t) {
			text, _ := m["text"].(string)
			texts = append(texts, strings.Fields(text)[1]) // "[event]*"
		}
		want := []string{"[refused]*", "[failed]*", "[recovered]*", "[held]*", "[failed]*", "[recovered]*", "[refused]*"}
		if diff := cmp.Diff(want, texts); diff != "" {
			t.Errorf("slack webhook received (-want +got):\n%s", diff)
		}
	})

	// Ensure a success after failures is a recovery, a success after a
	// success is not, and the count of failures is in the text.
	t.Run("RecoveredAfterFailed", func(t *testing.T) {
		h := newHook(t, nil)
		n := notify.New(fast(zerolog.Nop(), notify.Webhook{URL: h.url()}))
		n.RunFinished(t.Context(), report("north", 1, preflight.VerdictFailed))
		n.RunFinished(t.Context(), report("north", 2, preflight.VerdictRefused))
		n.RunFinished(t.Context(), report("south", 3, preflight.VerdictCommitted))
		n.RunFinished(t.Context(), report("north", 4, preflight.VerdictCommitted))
		n.RunFinished(t.Context(), report("north", 5, preflight.VerdictCommitted))
		mustClose(t, n)

		got := h.received(t)
		if diff := cmp.Diff([]string{"failed north 1", "refused north 2", "recovered north 4"}, sent(t, h)); diff != "" {
			t.Fatalf("received (-want +got):\n%s", diff)
		}
		if text := got[2]["text"].(string); !strings.Contains(text, "after 2 unsuccessful runs") {
			t.Errorf("recovery text %q does not count the 2 unsuccessful runs", text)
		}
	})

	// Ensure a success never notifies when nothing went wrong before it,
	// and that an approved held run is no recovery.
	t.Run("NoneAfterSuccess", func(t *testing.T) {
		h := newHook(t, nil)
		n := notify.New(fast(zerolog.Nop(), notify.Webhook{URL: h.url(), Events: []string{"recovered"}}))
		n.RunFinished(t.Context(), report("north", 1, preflight.VerdictCommitted))
		n.RunFinished(t.Context(), report("north", 2, preflight.VerdictPassed))
		n.RunFinished(t.Context(), report("north", 3, preflight.VerdictFailed))
		n.RunFinished(t.Context(), report("north", 4, preflight.VerdictHeld))
		n.RunFinished(t.Context(), report("north", 5, preflight.VerdictCommitted))
		mustClose(t, n)
		if got := h.count(); got != 0 {
			t.Errorf("received %d notifications, want none", got)
		}
	})

	// Ensure a slow webhook does not hold up the caller.
	t.Run("Async", func(t *testing.T) {
		release := make(chan struct{})
		h := newHook(t, func(_ int, w http.ResponseWriter, r *http.Request) {
			select {
			case <-release:
			case <-r.Context().Done():
			}
		})
		n := notify.New(fast(zerolog.Nop(), notify.Webhook{URL: h.url()}))
		start := time.Now()
		for i := range 5 {
			n.RunFinished(t.Context(), report("north", uint64(i+1), preflight.VerdictFailed))
		}
		if took := time.Since(start); took > 500*time.Millisecond {
			t.Errorf("RunFinished took %v with a hung webhook", took)
		}
		close(release)
		mustClose(t, n)
		if got := h.count(); got != 5 {
			t.Errorf("received %d notifications, want 5", got)
		}
	})

	// Ensure a full queue drops the notification with a warning, and a
	// closed notifier drops it too.
	t.Run("QueueFull", func(t *testing.T) {
		release, first := make(chan struct{}), make(chan struct{})
		h := newHook(t, func(n int, w http.ResponseWriter, r *http.Request) {
			if n == 0 {
				close(first)
				<-release
			}
		})
		var logs logBuffer
		opts := fast(logs.logger(), notify.Webhook{URL: h.url()})
		opts.QueueSize = 1
		n := notify.New(opts)
		n.RunFinished(t.Context(), report("north", 1, preflight.VerdictFailed))
		<-first                                                                 // the worker holds run 1
		n.RunFinished(t.Context(), report("north", 2, preflight.VerdictFailed)) // queued
		n.RunFinished(t.Context(), report("north", 3, preflight.VerdictFailed)) // dropped
		close(release)
		mustClose(t, n)
		n.RunFinished(t.Context(), report("north", 4, preflight.VerdictFailed)) // closed

		if diff := cmp.Diff([]string{"failed north 1", "failed north 2"}, sent(t, h)); diff != "" {
			t.Errorf("received (-want +got):\n%s", diff)
		}
		for _, want := range []string{`"run_id":3,"webhook":"http://127.0.0.1`, `"message":"webhook queue full; notification dropped"`, `"run_id":4,"message":"notifier closed; notification dropped"`} {
			if !strings.Contains(logs.String(), want) {
				t.Errorf("logs lack %s:\n%s", want, logs.String())
			}
		}
	})
}

// Ensure the zero Options, but for a webhook, work: default client,
// retries and timeout, and a zero Logger that discards.
func TestNew_Defaults(t *testing.T) {
	h := newHook(t, nil)
	n := notify.New(notify.Options{Webhooks: []notify.Webhook{{URL: h.url()}}})
	n.RunFinished(t.Context(), report("north", 1, preflight.VerdictFailed))
	mustClose(t, n)
	if got := h.count(); got != 1 {
		t.Errorf("received %d notifications, want 1", got)
	}
	mustClose(t, notify.New(notify.Options{}))
}

func TestNotifier_Close(t *testing.T) {
	// Ensure Close waits until every queued notification is delivered.
	t.Run("OK", func(t *testing.T) {
		h := newHook(t, func(int, http.ResponseWriter, *http.Request) { time.Sleep(20 * time.Millisecond) })
		n := notify.New(fast(zerolog.Nop(), notify.Webhook{URL: h.url()}, notify.Webhook{URL: h.url()}))
		for i := range 4 {
			n.RunFinished(t.Context(), report("north", uint64(i+1), preflight.VerdictRefused))
		}
		mustClose(t, n)
		if got := h.count(); got != 8 {
			t.Errorf("received %d notifications, want 8", got)
		}
		// Ensure a second Close returns at once.
		if err := n.Close(t.Context()); err != nil {
			t.Errorf("second Close: %v", err)
		}
	})

	// Ensure Close gives up when its context ends, abandoning the queue
	// and cutting the delivery under way.
	t.Run("Deadline", func(t *testing.T) {
		h := newHook(t, func(_ int, w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
		var logs logBuffer
		opts := fast(logs.logger(), notify.Webhook{URL: h.url()})
		opts.Timeout = time.Minute
		n := notify.New(opts)
		for i := range 3 {
			n.RunFinished(t.Context(), report("north", uint64(i+1), preflight.VerdictRefused))
		}
		ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
		defer cancel()
		start := time.Now()
		if err := n.Close(ctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Close = %v, want %v", err, context.DeadlineExceeded)
		}
		if took := time.Since(start); took > 2*time.Second {
			t.Errorf("Close took %v", took)
		}
		if !strings.Contains(logs.String(), `"abandoned":2`) {
			t.Errorf("logs do not say 2 notifications were abandoned:\n%s", logs.String())
		}
	})
}
