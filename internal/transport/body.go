package transport

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

var (
	// ErrBodyCutShort reports a response body that ended before its
	// Content-Length on every attempt.
	ErrBodyCutShort = errors.New("response body cut short")
	// ErrBodyTooLarge reports a response body over the caller's limit.
	ErrBodyTooLarge = errors.New("response body too large")
)

// WholeBody says how ReadWhole reads a response.
type WholeBody struct {
	// Limit is the largest body accepted, in bytes.
	Limit int64
	// Retry bounds the attempts at a body cut short, as it does the
	// transport's retries.
	Retry Options
	// Status returns the error a response that is not 2xx reports; it
	// need not close the body.
	Status func(*http.Response) error
	// Retrying, if set, is told of each body cut short that is fetched
	// again, and how long until then.
	Retrying func(err error, wait time.Duration)
}

// ReadWhole sends req with hc and reads the whole 2xx body into buf,
// returning the response (its body read and closed). A body cut short is
// fetched again, up to w.Retry's retry count and with its backoff: the
// retrying transport hands over a response once its headers arrive, so
// it never sees a body break off. Errors are bare, for the caller to name
// its API and request: the Status error, ErrBodyTooLarge, a cancelled
// ctx, or ErrBodyCutShort wrapping the last read's error.
func ReadWhole(hc *http.Client, req *http.Request, buf *bytes.Buffer, w WholeBody) (*http.Response, error) {
	o := w.Retry
	ctx := req.Context()
	for attempt := 0; ; attempt++ {
		resp, err := hc.Do(req.Clone(ctx))
		if err != nil {
			return nil, UnwrapURLError(err)
		}
		if resp.StatusCode < 200 || resp.StatusCode > 299 {
			err := w.Status(resp)
			resp.Body.Close()
			return nil, err
		}
		err = readBody(buf, resp, w.Limit)
		switch {
		case err == nil:
			return resp, nil
		case ctx.Err() != nil:
			return nil, ctx.Err()
		case errors.Is(err, ErrBodyTooLarge):
			return nil, err
		case attempt < o.RetryCount():
			wait := ExponentialBackoff(o.RetryWaitMin, o.RetryWaitMax, attempt)
			if w.Retrying != nil {
				w.Retrying(err, wait)
			}
			if err := Sleep(ctx, wait); err != nil {
				return nil, err
			}
		default:
			return nil, fmt.Errorf("%w after %d attempts: %w", ErrBodyCutShort, attempt+1, err)
		}
	}
}

// readBody reads resp's whole body into buf and closes it. A body shorter
// than its Content-Length is io.ErrUnexpectedEOF.
func readBody(buf *bytes.Buffer, resp *http.Response, limit int64) error {
	defer resp.Body.Close()
	buf.Reset()
	if resp.ContentLength > limit {
		return fmt.Errorf("%w: over %d MiB", ErrBodyTooLarge, limit>>20)
	}
	if resp.ContentLength > 0 {
		// Room for the final empty read too, or ReadFrom doubles the buffer.
		buf.Grow(int(resp.ContentLength) + bytes.MinRead)
	}
	if _, err := buf.ReadFrom(io.LimitReader(resp.Body, limit+1)); err != nil {
		return err
	}
	if int64(buf.Len()) > limit {
		return fmt.Errorf("%w: over %d MiB", ErrBodyTooLarge, limit>>20)
	}
	if resp.ContentLength >= 0 && int64(buf.Len()) != resp.ContentLength {
		return io.ErrUnexpectedEOF
	}
	return nil
}
