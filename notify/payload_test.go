package notify_test

import (
	"maps"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rs/zerolog"

	"github.com/rosterd/rosterd/notify"
	"github.com/rosterd/rosterd/preflight"
)

// Ensure both payloads are exactly as the package documentation says,
// and carry no personal data.
func TestPayload(t *testing.T) {
	jsonHook, slackHook := newHook(t, nil), newHook(t, nil)
	n := notify.New(fast(zerolog.New(zerolog.NewTestWriter(t)),
		notify.Webhook{URL: jsonHook.url()},
		notify.Webhook{URL: slackHook.url(), Format: "slack"},
	))
	for _, rep := range []*preflight.Report{
		report("north", 2, preflight.VerdictRefused),
		report("north", 3, preflight.VerdictFailed),
		report("north", 4, preflight.VerdictCommitted),
		report("north", 12, preflight.VerdictHeld),
	} {
		n.RunFinished(t.Context(), rep)
	}
	mustClose(t, n)

	// JSON numbers decode as float64.
	base := map[string]any{
		"schema":     "rosterd.notification/v1",
		"connection": "north",
		"mode":       "sync",
		"source":     "clever",
		"started":    "2025-09-01T06:00:00Z",
		"finished":   "2025-09-01T06:02:00Z",
		"counts":     map[string]any{"added": 3.0, "updated": 20.0, "deleted": 150.0},
		"summary": map[string]any{"errors": 0.0, "warnings": 1.0, "by_code": []any{
			map[string]any{"code": "student.missing_field", "severity": "warning", "count": 1.0},
		}},
		"guards": []any{},
	}
	with := func(fields map[string]any) map[string]any {
		m := maps.Clone(base)
		maps.Copy(m, fields)
		return m
	}
	wantJSON := []map[string]any{
		with(map[string]any{
			"event": "refused", "run_id": 2.0, "verdict": "refused",
			"summary": map[string]any{"errors": 3.0, "warnings": 1.0, "by_code": []any{
				map[string]any{"code": "section.unknown_teacher", "severity": "error", "count": 1.0},
				map[string]any{"code": "student.multiple_sections", "severity": "error", "count": 2.0},
				map[string]any{"code": "student.missing_field", "severity": "warning", "count": 1.0},
			}},
			"text": `rosterd [refused] connection "north": sync run 2 was refused (verdict "refused"): preflight found 3 errors and 1 warning (2 "student.multiple_sections", 1 "section.unknown_teacher"). Nothing was committed. Run "rosterd report 2" for details.`,
		}),
		with(map[string]any{
			"event": "failed", "run_id": 3.0, "verdict": "failed",
			"error":   "fetch students: status 503 <Service Unavailable> after 6 attempts",
			"counts":  map[string]any{"added": 0.0, "updated": 0.0, "deleted": 0.0},
			"summary": map[string]any{"errors": 0.0, "warnings": 0.0, "by_code": []any{}},
			"text":    `rosterd [failed] connection "north": sync run 3 failed (verdict "failed"): fetch students: status 503 <Service Unavailable> after 6 attempts. Nothing was committed. Run "rosterd report 3" for details.`,
		}),
		with(map[string]any{
			"event": "recovered", "run_id": 4.0, "verdict": "committed",
			"text": `rosterd [recovered] connection "north": sync run 4 recovered (verdict "committed"): it was committed after 2 unsuccessful runs. Run "rosterd report 4" for details.`,
		}),
		with(map[string]any{
			"event": "held", "run_id": 12.0, "verdict": "held",
			"guards": []any{map[string]any{
				"entity": "student", "action": "delete", "count": 150.0, "committed": 1000.0, "percent": 15.0,
				"limit": "more than 10% of the 1000 committed student records",
			}},
			"text": `rosterd [held] connection "north": sync run 12 is held for approval (verdict "held"): the change would delete 150 of 1000 student records (15.0%, tripping the guard on more than 10% of the 1000 committed student records). Nothing is committed until an operator approves it. Run "rosterd approve 12" to commit the change, or "rosterd reject 12" to drop it.`,
		}),
	}
	if diff := cmp.Diff(wantJSON, jsonHook.received(t)); diff != "" {
		t.Errorf("JSON payloads (-want +got):\n%s", diff)
	}

	slack := func(text string) map[string]any {
		return map[string]any{
			"text":   text,
			"blocks": []any{map[string]any{"type": "section", "text": map[string]any{"type": "mrkdwn", "text": text}}},
		}
	}
	wantSlack := []map[string]any{
		slack("*rosterd [refused]* connection *north*: sync run 2 was refused (verdict `refused`): preflight found 3 errors and 1 warning (2 `student.multiple_sections`, 1 `section.unknown_teacher`). Nothing was committed. Run `rosterd report 2` for details."),
		slack("*rosterd [failed]* connection *north*: sync run 3 failed (verdict `failed`): fetch students: status 503 &lt;Service Unavailable&gt; after 6 attempts. Nothing was committed. Run `rosterd report 3` for details."),
		slack("*rosterd [recovered]* connection *north*: sync run 4 recovered (verdict `committed`): it was committed after 2 unsuccessful runs. Run `rosterd report 4` for details."),
		slack("*rosterd [held]* connection *north*: sync run 12 is held for approval (verdict `held`): the change would delete 150 of 1000 student records (15.0%, tripping the guard on more than 10% of the 1000 committed student records). Nothing is committed until an operator approves it. Run `rosterd approve 12` to commit the change, or `rosterd reject 12` to drop it."),
	}
	if diff := cmp.Diff(wantSlack, slackHook.received(t)); diff != "" {
		t.Errorf("Slack payloads (-want +got):\n%s", diff)
	}

	// The reports' issues and changes name a student and IDs; none of it
	// may leave.
	for _, h := range []*hook{jsonHook, slackHook} {
		for _, b := range h.raw() {
			for _, s := range []string{"Zelda", "Quixote", `"s-17"`, `"s-18"`, "issues", "changes"} {
				if strings.Contains(string(b), s) {
					t.Errorf("payload %s contains %q", b, s)
				}
			}
		}
	}
}

// Ensure the text of a preflight dry run and of a run without an ID say
// so, and that a long error is cut.
func TestPayload_Text(t *testing.T) {
	passed := report("south", 7, preflight.VerdictPassed)
	passed.Mode = "preflight"
	if got, want := notify.NewPayload(notify.EventRecovered, passed, 1).Text,
		`rosterd [recovered] connection "south": preflight run 7 recovered (verdict "passed"): it passed after 1 unsuccessful run. Run "rosterd report 7" for details.`; got != want {
		t.Errorf("text = %q, want %q", got, want)
	}

	failed := report("south", 0, preflight.VerdictFailed)
	failed.Error = strings.Repeat("x", 5000)
	p := notify.NewPayload(notify.EventFailed, failed, 0)
	if got := len([]rune(p.Error)); got != notify.MaxErrorLength {
		t.Errorf("error is %d characters, want %d", got, notify.MaxErrorLength)
	}
	if !strings.HasSuffix(p.Text, "…. Nothing was committed. See the rosterd log for details.") || len(p.Text) > 500 {
		t.Errorf("text = %q, want a cut error and a pointer to the log", p.Text)
	}
}
