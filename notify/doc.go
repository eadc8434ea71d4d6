// Package notify tells someone when a connection's sync needs attention:
// it POSTs a notification to webhooks when a run is refused, held or
// failed, and when a connection recovers.
//
// # Events
//
// RunFinished decides the event from the run's report and the outcome of
// the connection's previous runs, which the Notifier remembers in memory:
//
//	refused    verdict refused: preflight found errors
//	held       verdict held: the change tripped a guard and waits for
//	           "rosterd approve RUN_ID"
//	failed     verdict failed: the run did not complete
//	recovered  verdict committed or passed, after one or more refused or
//	           failed runs of the connection (not after a held run)
//
// A plain success raises nothing, nor do paused and rejected runs (which
// also leave the remembered outcome as it was) or the rules workbench's
// reports. After a restart the memory is empty, so the first success is
// not reported as a recovery.
//
// Each webhook receives the events it asks for (Webhook.Events, empty for
// all) of the connections it asks for (Webhook.Connections, empty for
// all), once each.
//
// # Delivery
//
// Delivery never delays a run: RunFinished queues the notification for
// each webhook and returns. Each webhook has one goroutine delivering its
// queue in order and a queue of Options.QueueSize; a notification that
// finds the queue full is dropped with a warning. Each attempt is bounded
// by Options.Timeout. Connection errors, 429 and 5xx (but 501) are
// retried Options.Retries times with exponential backoff, or after what a
// Retry-After header asks; other statuses are not, and anything but 2xx
// is a failure, logged as a warning. Close stops accepting notifications
// and drains the queues until its context is done.
//
// # Secrets
//
// A webhook URL is a credential (Slack puts the secret in the path, others
// in a token query parameter), so it is never logged nor put in an error:
// logs and errors name a webhook by scheme and host, and its index in
// Options.Webhooks. go-retryablehttp's own logging, which prints URLs, is
// off; net/http's errors, which do too, are unwrapped and scrubbed.
//
// # Personal data
//
// A notification carries IDs and counts only: no record of the roster, no
// issue (issues name records), only the issue counts by code. The one
// free text from the report is a failed run's error, which the engine
// builds from source and store errors.
//
// # The JSON payload
//
// A "json" webhook receives one object, Content-Type application/json,
// with these fields in this order, all always present except "error".
// Later versions of v1 only add fields; readers ignore those they do not
// know.
//
//	schema      "rosterd.notification/v1"
//	event       "refused", "held", "failed" or "recovered"
//	connection  the configured connection name
//	run_id      the run's number ("rosterd report RUN_ID"); 0 when the run
//	            was not recorded
//	mode        "sync" or "preflight" (a dry run)
//	verdict     the report's verdict: "refused", "held", "failed",
//	            "committed" or "passed"
//	source      the source kind ("clever", "oneroster", ...)
//	started     RFC 3339 timestamp
//	finished    RFC 3339 timestamp
//	error       failed only: why the run failed, on one line, cut to 2,000
//	            characters
//	counts      {added, updated, deleted}: the diff's totals over every
//	            entity
//	summary     {errors, warnings, by_code: [{code, severity, count}]}:
//	            the report's issue counts, errors first, then by code
//	guards      [{entity, action, count, committed, percent, limit}]: the
//	            guards the change tripped (a held run has one or more;
//	            otherwise usually []); percent is count of committed, 0-100
//	text        one line for people, as below
//
// For example:
//
//	{
//	  "schema": "rosterd.notification/v1",
//	  "event": "held",
//	  "connection": "north",
//	  "run_id": 12,
//	  "mode": "sync",
//	  "verdict": "held",
//	  "source": "clever",
//	  "started": "2025-09-01T06:00:00Z",
//	  "finished": "2025-09-01T06:02:00Z",
//	  "counts": {"added": 3, "updated": 20, "deleted": 150},
//	  "summary": {"errors": 0, "warnings": 1, "by_code": [{"code": "student.missing_field", "severity": "warning", "count": 1}]},
//	  "guards": [{"entity": "student", "action": "delete", "count": 150, "committed": 1000, "percent": 15, "limit": "more than 10% of the 1000 committed student records"}],
//	  "text": "rosterd [held] connection \"north\": sync run 12 is held for approval (verdict \"held\"): the change would delete 150 of 1000 student records (15.0%, tripping the guard on more than 10% of the 1000 committed student records). Nothing is committed until an operator approves it. Run \"rosterd approve 12\" to commit the change, or \"rosterd reject 12\" to drop it."
//	}
//
// The text names the connection, the event, the verdict, why, and what to
// do: "rosterd approve RUN_ID" (or reject) for a held run, "rosterd report
// RUN_ID" otherwise.
//
// # The Slack payload
//
// A "slack" webhook receives what Slack's incoming webhooks take, and
// Mattermost's and the like, which read "text" and ignore "blocks":
//
//	{
//	  "text": "*rosterd [held]* connection *north*: sync run 12 is held for approval (verdict `held`): ... Run `rosterd approve 12` to commit the change, or `rosterd reject 12` to drop it.",
//	  "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "(the same text)"}}]
//	}
//
// The text is the JSON payload's, in mrkdwn: commands and codes in code
// spans, the connection in bold, and &, < and > escaped.
//
// The package imports preflight, internal/transport (for Retry-After and
// backoff), go-retryablehttp and zerolog.
package notify
