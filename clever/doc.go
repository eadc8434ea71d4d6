// Package clever is rosterd's adapter for the Clever Data API (v3.0 and
// v3.1): a client shaped like go-github, and a Source that crawls one
// district into a roster.Roster.
//
// The client pages every collection itself (limit, then links rel=next) and
// hands each decoded page to a callback, so no caller holds the raw pages.
// Its wire types (District, School, User, ...) decode every real body
// leniently: unknown members are ignored, dates and timestamps stay strings
// until the Source maps them, and ext stays raw JSON. A value that cannot
// be mapped becomes a roster.FieldError naming the record and field; it
// never fails a page.
//
// Failures are errors, never a short result: a non-2xx response is an
// *APIError (IsAuth, IsNotFound, IsRateLimited and IsTransient classify
// it), a body cut short is retried and then reported with ErrBodyCutShort,
// and Source.Fetch returns no roster unless every collection was read to
// the end.
//
// With WithEvents the Source is incremental (FetchSince): after a full
// crawl it applies only the Events API's events to the roster the last
// run fetched, replacing each record an event names whole, and falls back
// to a full crawl, saying why, whenever the events cannot be trusted to
// be complete.
//
// Tokens and client secrets never appear in logs or errors. Records are
// logged by ID, never by name.
//
// Within rosterd the package imports only roster, internal/transport and,
// for the interfaces it implements, connector (besides
// go-json-experiment/json, x/oauth2 and zerolog); never the store.
package clever
