package notify

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/rosterd/rosterd/preflight"
)

// Schema identifies the JSON payload. It changes only when a reader of the
// old form would misread the new one; v1 only ever gains fields.
const Schema = "rosterd.notification/v1"

// Payload is the JSON form of a notification, as the package documentation
// describes it. It carries IDs and counts only, never a roster record's
// personal data nor the report's issues.
type Payload struct {
	Schema     string            `json:"schema"`
	Event      Event             `json:"event"`
	Connection string            `json:"connection"`
	RunID      uint64            `json:"run_id"`
	Mode       string            `json:"mode"`
	Verdict    preflight.Verdict `json:"verdict"`
	Source     string            `json:"source"`
	Started    time.Time         `json:"started"`
	Finished   time.Time         `json:"finished"`
	// Error is why a failed run failed, cut to MaxErrorLength; absent for
	// other events.
	Error   string  `json:"error,omitempty"`
	Counts  Counts  `json:"counts"`
	Summary Summary `json:"summary"`
	Guards  []Guard `json:"guards"`
	Text    string  `json:"text"`
}

// Counts are a run's diff totals over every entity.
type Counts struct {
	Added   int `json:"added"`
	Updated int `json:"updated"`
	Deleted int `json:"deleted"`
}

// Summary counts a run's issues.
type Summary struct {
	Errors   int         `json:"errors"`
	Warnings int         `json:"warnings"`
	ByCode   []CodeCount `json:"by_code"`
}

// CodeCount is the number of issues of one code.
type CodeCount struct {
	Code     string `json:"code"`
	Severity string `json:"severity"`
	Count    int    `json:"count"`
}

// Guard is a mass-change guard the change tripped.
type Guard struct {
	Entity    string  `json:"entity"`
	Action    string  `json:"action"`
	Count     int     `json:"count"`
	Committed int     `json:"committed"`
	Percent   float64 `json:"percent"`
	Limit     string  `json:"limit"`
}

// MaxErrorLength caps, in characters, a failed run's error in the JSON
// payload.
const MaxErrorLength = 2000

// maxTextError caps the part of the error the human text quotes, so that
// a chat message stays short.
const maxTextError = 300

// newPayload is the JSON payload of ev about rep. after is, for a recovery,
// how many unsuccessful runs preceded it.
func newPayload(ev Event, rep *preflight.Report, after int) Payload {
	p := Payload{
		Schema:     Schema,
		Event:      ev,
		Connection: rep.Connection,
		RunID:      rep.RunID,
		Mode:       rep.Mode,
		Verdict:    rep.Verdict,
		Source:     rep.Source,
		Started:    rep.Started,
		Finished:   rep.Finished,
		Summary: Summary{
			Errors:   rep.Summary.Errors,
			Warnings: rep.Summary.Warnings,
			ByCode:   []CodeCount{},
		},
		Guards: []Guard{},
		Text:   message(ev, rep, after, plain),
	}
	if ev == EventFailed {
		p.Error = cut(oneLine(rep.Error), MaxErrorLength)
	}
	for _, c := range rep.Counts {
		p.Counts.Added += c.Added
		p.Counts.Updated += c.Updated
		p.Counts.Deleted += c.Deleted
	}
	for _, c := range rep.Summary.ByCode {
		p.Summary.ByCode = append(p.Summary.ByCode, CodeCount{Code: c.Code, Severity: string(c.Severity), Count: c.Count})
	}
	for _, g := range rep.Guards {
		p.Guards = append(p.Guards, Guard{
			Entity: string(g.Entity), Action: g.Action, Count: g.Count,
			Committed: g.Committed, Percent: g.Percent, Limit: g.Limit,
		})
	}
	return p
}

// slackMessage is the payload of a "slack" webhook: what Slack's incoming
// webhooks take, and Mattermost's and others that read "text" and ignore
// what they do not know.
type slackMessage struct {
	Text   string       `json:"text"`
	Blocks []slackBlock `json:"blocks"`
}

// slackBlock is a Block Kit block; only sections are sent.
type slackBlock struct {
	Type string     `json:"type"`
	Text *slackText `json:"text,omitempty"`
}

// slackText is a Block Kit text object.
type slackText struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

// newSlackMessage is the Slack payload of ev about rep.
func newSlackMessage(ev Event, rep *preflight.Report, after int) slackMessage {
	text := message(ev, rep, after, mrkdwn)
	return slackMessage{
		Text:   text,
		Blocks: []slackBlock{{Type: "section", Text: &slackText{Type: "mrkdwn", Text: text}}},
	}
}

// encode is the body sent to a webhook of format.
func encode(format string, ev Event, rep *preflight.Report, after int) ([]byte, error) {
	var v any
	switch format {
	case FormatSlack:
		v = newSlackMessage(ev, rep, after)
	default:
		v = newPayload(ev, rep, after)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encode %s notification: %w", format, err)
	}
	return buf.Bytes(), nil
}

// markup renders the human text: plain for the JSON payload, Slack
// mrkdwn for Slack.
type markup struct {
	code   func(string) string // a command or a code
	strong func(string) string
	quote  func(string) string // a name from the configuration
	escape func(string) string // any other text from the report
}

var (
	plain = markup{
		code:   func(s string) string { return `"` + s + `"` },
		strong: func(s string) string { return s },
		quote:  strconv.Quote,
		escape: func(s string) string { return s },
	}
	mrkdwn = markup{
		code:   func(s string) string { return "`" + slackEscape(s) + "`" },
		strong: func(s string) string { return "*" + slackEscape(s) + "*" },
		quote:  func(s string) string { return "*" + slackEscape(s) + "*" },
		escape: slackEscape,
	}
)

// slackEscape escapes the three characters Slack reads as markup.
var slackEscape = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace

// message is the short human text of a notification: the connection, the
// event, the verdict, why, and what to do.
func message(ev Event, rep *preflight.Report, after int, m markup) string {
	kind := "sync"
	if rep.Mode == "preflight" {
		kind = "preflight"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s connection %s: %s run %d ", m.strong("rosterd ["+string(ev)+"]"), m.quote(oneLine(rep.Connection)), kind, rep.RunID)
	verdict := m.code(string(rep.Verdict))
	switch ev {
	case EventRefused:
		fmt.Fprintf(&b, "was refused (verdict %s): preflight found %s and %s", verdict,
			plural(rep.Summary.Errors, "error"), plural(rep.Summary.Warnings, "warning"))
		if codes := topErrorCodes(rep.Summary.ByCode, 3, m); codes != "" {
			b.WriteString(" (" + codes + ")")
		}
		b.WriteString(". Nothing was committed.")
	case EventHeld:
		fmt.Fprintf(&b, "is held for approval (verdict %s)", verdict)
		if len(rep.Guards) > 0 {
			b.WriteString(": the change would ")
			for i, g := range rep.Guards {
				if i > 0 {
					b.WriteString("; and ")
				}
				fmt.Fprintf(&b, "%s %d of %d %s records (%.1f%%, tripping the guard on %s)",
					m.escape(oneLine(g.Action)), g.Count, g.Committed, m.escape(oneLine(string(g.Entity))), g.Percent, m.escape(oneLine(g.Limit)))
			}
		}
		b.WriteString(". Nothing is committed until an operator approves it.")
	case EventFailed:
		fmt.Fprintf(&b, "failed (verdict %s)", verdict)
		if e := cut(oneLine(rep.Error), maxTextError); e != "" {
			b.WriteString(": " + m.escape(e))
		}
		b.WriteString(". Nothing was committed.")
	case EventRecovered:
		did := "was committed"
		if rep.Verdict == preflight.VerdictPassed {
			did = "passed"
		}
		fmt.Fprintf(&b, "recovered (verdict %s): it %s after %s.", verdict, did, plural(after, "unsuccessful run"))
	}
	b.WriteString(" ")
	switch {
	case rep.RunID == 0:
		b.WriteString("See the rosterd log for details.")
	case ev == EventHeld:
		id := strconv.FormatUint(rep.RunID, 10)
		fmt.Fprintf(&b, "Run %s to commit the change, or %s to drop it.", m.code("rosterd approve "+id), m.code("rosterd reject "+id))
	default:
		fmt.Fprintf(&b, "Run %s for details.", m.code("rosterd report "+strconv.FormatUint(rep.RunID, 10)))
	}
	return b.String()
}

// topErrorCodes lists the n most frequent error codes, "2 student.x, 1
// section.y", with how many more codes there are.
func topErrorCodes(byCode []preflight.CodeCount, n int, m markup) string {
	var errs []preflight.CodeCount
	for _, c := range byCode {
		if c.Severity == preflight.SeverityError {
			errs = append(errs, c)
		}
	}
	slices.SortStableFunc(errs, func(a, b preflight.CodeCount) int { return cmp.Compare(b.Count, a.Count) })
	var parts []string
	for _, c := range errs[:min(n, len(errs))] {
		parts = append(parts, strconv.Itoa(c.Count)+" "+m.code(oneLine(c.Code)))
	}
	if more := len(errs) - n; more > 0 {
		parts = append(parts, plural(more, "more code"))
	}
	return strings.Join(parts, ", ")
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// oneLine replaces control characters and runs of spaces with one space,
// and invalid UTF-8 with U+FFFD, so that text from a report cannot break
// the layout of a chat message.
func oneLine(s string) string {
	s = strings.ToValidUTF8(s, string(utf8.RuneError))
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }), " ")
}

// cut shortens s to at most n characters, ending it with "…" when cut.
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}
