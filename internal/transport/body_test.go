package transport_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rosterd/rosterd/internal/transport"
)

// Ensure ReadWhole fetches a body cut short again, gives up with
// ErrBodyCutShort once the retries are spent, and does not retry what a
// second attempt cannot mend.
func TestReadWhole(t *testing.T) {
	const body = `{"data":[]}`
	tests := []struct {
		name      string
		cutShort  int // attempts whose body breaks off
		size      int // body size when not cut short; 0 means len(body)
		status    int
		retries   int
		wantErr   error
		wantBody  string
		wantTries int
		wantWaits int
	}{
		{name: "whole", wantBody: body, wantTries: 1},
		{name: "cut short once", cutShort: 1, retries: 2, wantBody: body, wantTries: 2, wantWaits: 1},
		{name: "cut short every time", cutShort: 9, retries: 2, wantErr: transport.ErrBodyCutShort, wantTries: 3, wantWaits: 2},
		{name: "never retried", cutShort: 9, retries: -1, wantErr: transport.ErrBodyCutShort, wantTries: 1},
		{name: "too large", size: 2 << 20, retries: 2, wantErr: transport.ErrBodyTooLarge, wantTries: 1},
		{name: "not 2xx", status: http.StatusForbidden, retries: 2, wantErr: errStatus, wantTries: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var tries atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				n := tries.Add(1)
				if tt.status != 0 {
					w.WriteHeader(tt.status)
					return
				}
				b := body
				if tt.size > 0 {
					b = strings.Repeat("x", tt.size)
				}
				w.Header().Set("Content-Length", fmt.Sprint(len(b)))
				if int(n) <= tt.cutShort {
					io.WriteString(w, b[:len(b)/2])
					w.(http.Flusher).Flush()
					panic(http.ErrAbortHandler) // the connection drops mid-body
				}
				io.WriteString(w, b)
			}))
			defer srv.Close()
			req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, srv.URL, nil)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			waits := 0
			resp, err := transport.ReadWhole(srv.Client(), req, &buf, transport.WholeBody{
				Limit:    1 << 20,
				Retry:    transport.Options{Retries: tt.retries, RetryWaitMin: time.Millisecond, RetryWaitMax: time.Millisecond},
				Status:   func(*http.Response) error { return errStatus },
				Retrying: func(error, time.Duration) { waits++ },
			})
			if !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if err == nil && (resp.StatusCode != http.StatusOK || buf.String() != tt.wantBody) {
				t.Errorf("got %d %q, want 200 %q", resp.StatusCode, buf.String(), tt.wantBody)
			}
			if got := int(tries.Load()); got != tt.wantTries {
				t.Errorf("server saw %d attempts, want %d", got, tt.wantTries)
			}
			if waits != tt.wantWaits {
				t.Errorf("Retrying was told of %d waits, want %d", waits, tt.wantWaits)
			}
		})
	}
}

var errStatus = errors.New("status 403")
