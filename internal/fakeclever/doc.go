// Package fakeclever is an in-process Clever Data API server for tests,
// benchmarks and `rosterd demo`.
//
// It serves a Dataset (a roster encoded once in Clever's v3.0 wire format,
// or Clever's published demo district read as raw JSON) with the contract
// the real API publishes: bearer-token auth, range paging by ID with
// starting_after / ending_before and rel=next links, the users role filter,
// the district token listing, fixed one-minute rate-limit windows with
// Clever's X-RateLimit-* headers, and HTML 404 pages for unknown paths.
// It serves the Events API too (GET /events, /events/{id}): with
// Options.Events each SetDataset records a created, updated or deleted
// event per changed record, with the record as the list endpoints send
// it, ObjectID-like ascending IDs and a 30-day retention; a starting_after
// naming no kept event is a 404, as Clever's spec documents for /events
// (Options.ExpiredCursor picks another answer).
// Injected faults (5xx bursts, 429s, slow and truncated responses, proxy
// HTML pages) let tests drive a client's retry and abort paths.
//
// The package is deliberately independent of the clever client package:
// both are written from the published contract, so each catches the other's
// misreadings. It imports only the standard library, roster and
// go-json-experiment/json.
//
// Serving must stay cheap because benchmarks sync an XL district (1.2M
// users, ~1.1 GB of JSON) through it on a machine where the client decodes
// at the same time: every record is encoded exactly once, and a page is a
// binary search plus appending pre-encoded bytes to a pooled buffer that is
// written in one call.
package fakeclever
