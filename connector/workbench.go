package connector

import (
	"context"
	"fmt"

	"github.com/rosterd/rosterd/preflight"
	"github.com/rosterd/rosterd/roster"
	"github.com/rosterd/rosterd/sharing"
)

// ModeRulesTest marks a report the rules workbench made: it is never
// recorded and never commits.
const ModeRulesTest Mode = "rules-test"

// FetchRaw fetches c's roster and minimises it, as a run does, and keeps
// it as the connection's raw roster, without the rules, preflight or any
// record in the history.
func (e *Engine) FetchRaw(ctx context.Context, c *Connection) (*roster.Roster, error) {
	r, err := c.Source.Fetch(ctx)
	if err != nil {
		return nil, fmt.Errorf("fetch: %w", err)
	}
	c.Rules.Minimise(r)
	if _, err := e.store.SaveRaw(c.Name, r, e.now()); err != nil {
		return nil, fmt.Errorf("keep the fetched roster: %w", err)
	}
	return r, nil
}

// TryRules applies c's rules to raw, a roster fetched earlier, and
// preflights the result against the committed roster, exactly as a run
// would, but records nothing and commits nothing: the report it returns
// says what a commit would change. raw is narrowed in place. c.Source is
// not used and may be nil: the workbench works offline.
func (e *Engine) TryRules(c *Connection, raw *roster.Roster, opts sharing.ApplyOptions) (*preflight.Report, *sharing.Result, error) {
	source := "kept roster"
	if c.Source != nil {
		source = c.Source.Kind()
	}
	if opts.Now.IsZero() {
		opts.Now = e.now()
	}
	r := &run{
		engine: e,
		conn:   c,
		mode:   ModeRulesTest,
		log:    e.log.With().Str(logConnection, c.Name).Str(logMode, string(ModeRulesTest)).Logger(),
		report: &preflight.Report{
			Schema: preflight.ReportSchema, Connection: c.Name, Source: source,
			Mode: string(ModeRulesTest), Started: e.now(),
		},
	}
	counted := raw.Count()
	var ruled *sharing.Result
	_ = r.phase("rules", func() error {
		ruled = c.Rules.Apply(raw, opts)
		return nil
	})
	var result *preflight.Result
	err := r.phase("preflight", func() error {
		return e.store.ReadCommitted(c.Name, func(cm Committed) error {
			var err error
			result, err = preflight.Check(raw, cm, c.Preflight)
			return err
		})
	})
	if err != nil {
		return nil, nil, fmt.Errorf("preflight: %w", err)
	}
	result.AddIssues(c.Preflight, ruled.Issues)
	r.fillReport(counted, result, ruled)
	r.report.Verdict = preflight.VerdictPassed
	if result.Errors() > 0 {
		r.report.Verdict = preflight.VerdictRefused
	}
	r.report.Finished = e.now()
	return r.report, ruled, nil
}
