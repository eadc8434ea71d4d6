// Package transport builds the HTTP stack every rostering API client uses:
// bearer tokens on top, then retries with backoff, then a client-side rate
// limiter that also obeys the server's rate-limit headers, then the network.
//
// The stack is built once per connection (New) and shared by every request
// of that connection, so the limiter and the connection pool see all of
// them. Layers, outermost first:
//
//	oauth2.Transport (Authorization header from Options.TokenSource)
//	  → go-retryablehttp (retries connection errors, 429 and 5xx but 501;
//	    the last response is passed through so callers can read the API's
//	    error body)
//	    → pacer (client-side limiter, holds requests while the server says
//	      the rate-limit bucket is empty, bounds each attempt by Timeout)
//	      → Options.Base
//
// The retries see a response once its headers arrive, so a body that
// breaks off mid-read is not theirs to mend: ReadWhole reads a whole body
// and fetches it again when it is cut short.
//
// Nothing here logs a header or a request body, so tokens and client
// secrets never reach the logs.
//
// The package imports only the standard library, go-retryablehttp,
// x/oauth2, x/time/rate and zerolog.
package transport
