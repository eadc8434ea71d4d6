// Package server is rosterd's HTTP API and web dashboard, served by the
// daemon: the connections and their state, the run history and every
// run's report (JSON, CSV, HTML), triggering a sync, approving or
// rejecting a held run, and a paged read API of the committed rosters.
//
// # Endpoints
//
//	GET  /healthz                                     public: "ok" while the process serves
//	GET  /readyz                                      viewer: 200, or 503 with why not
//	GET  /metrics                                     viewer: Options.Metrics, when set
//	GET  /api/v1/whoami                               viewer: {name, role} of the token
//	GET  /api/v1/connections                          viewer
//	GET  /api/v1/runs?connection=&verdict=&limit=     viewer: newest first
//	GET  /api/v1/runs/{id}                            viewer: the report (rosterd.report/v1)
//	GET  /api/v1/runs/{id}/report.csv                 viewer
//	GET  /api/v1/runs/{id}/report.html                viewer
//	POST /api/v1/connections/{name}/sync              operator: 202, or 409 when one runs
//	POST /api/v1/runs/{id}/approve                    operator: the updated report, or 409
//	POST /api/v1/runs/{id}/reject                     operator
//	GET  /api/v1/connections/{name}/sections          admin: paged, each with its students
//	GET  /api/v1/connections/{name}/sections/{id}     admin
//	GET  /api/v1/connections/{name}/students          admin: paged, each with its sections
//	GET  /api/v1/connections/{name}/students/{id}     admin
//	GET  /, /ui/...                                   public: the dashboard's files (no data)
//
// Errors are JSON, {"error": "..."}, with the status that fits: 400 for
// a bad parameter, 401 (with WWW-Authenticate: Bearer) for no or an
// unknown token, 403 for a role that may not, 404, 409 for a conflict
// (a sync already running, a run not held, a roster moved).
//
// # Authentication
//
// A client sends "Authorization: Bearer <secret>" (the dashboard too:
// it keeps the token in sessionStorage, never in a cookie, so no other
// site can make a browser send it). The secret is compared, as a SHA-256
// digest in constant time, with every configured token. Every endpoint
// but /healthz needs a token. A server without tokens (which New accepts
// only on a loopback address) therefore serves /healthz alone, answers
// only requests naming a loopback host (against DNS rebinding), and
// refuses cross-origin browser requests that change state.
//
// Every state-changing request (trigger, approve, reject), allowed or
// not, logs one audit line: "audit": true, the token's name, the method,
// path, status, outcome and remote address. No secret, Authorization
// header or query string is ever logged or put in a response.
//
// # Paging
//
// The roster read API pages in ID order: "after" is the last ID of the
// previous page, "limit" defaults to 500 (at most 5,000). Every page
// says the head it was read from (the run whose commit last changed the
// roster) and "next", the cursor of the next page, absent on the last.
// A client passes head back with each page and gets 409 once the roster
// has been committed since, so that a paged read is one commit, never a
// mix of two. Students carry the IDs of their sections from an index
// built once per head (see indexCache).
//
// # Imports
//
// The package declares the Backend it serves (the daemon implements it)
// and imports preflight (reports and their renderings), roster (kinds)
// and internal/codec (the store's record format); never state or
// connector.
package server
