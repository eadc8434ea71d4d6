package transport_test

import (
	"context"
	"errors"
	"net/url"
	"testing"
	"time"

	"github.com/rosterd/rosterd/internal/transport"
)

// Ensure UnwrapURLError drops net/http's *url.Error, wrapped or not, and
// leaves other errors alone.
func TestUnwrapURLError(t *testing.T) {
	cause := errors.New("connection refused")
	ue := &url.Error{Op: "Get", URL: "https://api.clever.com/v3.0/users?secret=x", Err: cause}
	tests := []struct {
		name string
		in   error
		want error
	}{
		{"URLError", ue, cause},
		{"Wrapped", errors.Join(errors.New("ctx"), ue), cause},
		{"Other", cause, cause},
		{"EmptyURLError", &url.Error{Op: "Get"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := transport.UnwrapURLError(tt.in)
			if tt.want == nil {
				if got != tt.in {
					t.Errorf("got %v, want the error unchanged", got)
				}
				return
			}
			if got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

// Ensure Sleep waits, and returns the context's error when it ends first.
func TestSleep(t *testing.T) {
	if err := transport.Sleep(t.Context(), time.Millisecond); err != nil {
		t.Errorf("Sleep: %v", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := transport.Sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Errorf("Sleep on an ended context: %v, want context.Canceled", err)
	}
}
