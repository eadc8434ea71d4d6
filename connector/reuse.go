package connector

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/rosterd/rosterd/preflight"
	"github.com/rosterd/rosterd/roster"
)

// A run's rules and preflight result are a function of four things: the
// fetched roster (minimised, as kept), the connection's Fingerprint (its
// rules, its preflight options and the rosterd build), the Day the rules
// judge terms current on, and the committed roster it is checked
// against. A run that commits leaves a note naming the first three, as a
// key, and the head the commit left. A later run whose key and head are
// the note's would compute exactly the note's run's result against a
// committed roster that is that run's result: no change, and the same
// issues. It reuses them instead of running the rules and preflight,
// which are most of what a resync costs when nothing changed.

// reuseNote is what a committed run leaves for the runs after it.
type reuseNote struct {
	Key  string `json:"key"`
	Head uint64 `json:"head"` // the connection's head once Run committed
	Run  uint64 `json:"run"`
}

// keyOf returns the key of a run that fetched a roster with the given
// fingerprint and applies the rules on day, or "" when the run cannot
// reuse or be reused.
func (r *run) keyOf(rawFingerprint string, day roster.Date) string {
	if r.conn.Fingerprint == "" || rawFingerprint == "" || r.report.RollbackTo != 0 {
		return ""
	}
	h := sha256.New()
	fmt.Fprintf(h, "rosterd reuse 1\x00%s\x00%s\x00%s\x00%s", r.conn.Name, r.conn.Fingerprint, rawFingerprint, day)
	return hex.EncodeToString(h.Sum(nil))
}

// reusable returns the report of the committed run whose result a run
// with key may reuse, and the head that run left, which is the head now.
// Anything that does not hold (no note, another key, a head that moved,
// a report pruned or unreadable) means computing the result.
func (r *run) reusable(key string) (*preflight.Report, uint64, bool) {
	if key == "" || r.recheck {
		return nil, 0, false
	}
	data, err := r.engine.store.Reuse(r.conn.Name)
	if err != nil {
		r.log.Warn().Err(err).Msg("could not read the reuse note; running the rules and preflight")
		return nil, 0, false
	}
	var note reuseNote
	if data == nil || json.Unmarshal(data, &note) != nil || note.Key != key {
		return nil, 0, false
	}
	var head uint64
	err = r.engine.store.ReadCommitted(r.conn.Name, func(c Committed) error {
		head = c.HeadRunID()
		return nil
	})
	if err != nil || head != note.Head {
		return nil, 0, false
	}
	data, err = r.engine.store.Report(note.Run)
	if err != nil {
		return nil, 0, false
	}
	prev, err := preflight.ReadReportJSON(data)
	if err != nil || prev.RunID != note.Run || prev.Verdict != preflight.VerdictCommitted {
		return nil, 0, false
	}
	return prev, head, true
}

// reuse concludes the run with prev's result: prev's issues, rule counts
// and placement, and no change.
func (r *run) reuse(prev *preflight.Report, base uint64, nFetched map[roster.Entity]int, cursor []byte) (*preflight.Report, error) {
	r.log.Info().Uint64("reused_from", prev.RunID).
		Msg("same roster, configuration, build and day as a committed run, against the roster it committed: reusing its rules and preflight result")
	res := &preflight.Result{
		Issues:  prev.Issues,
		Counts:  make(map[roster.Entity]*preflight.Counts, len(prev.Counts)),
		Changes: preflight.NoChanges(),
		Guards:  []preflight.GuardTrip{}, // no change trips none
	}
	for _, c := range prev.Counts {
		res.Counts[c.Entity] = &preflight.Counts{Kept: c.Kept}
	}
	r.fillResult(nFetched, res)
	r.report.Rules = prev.Rules
	r.report.Placement = prev.Placement
	r.report.ReusedFrom = prev.RunID
	return r.conclude(base, res, cursor, nil)
}

// noteReuse leaves the note of a run that computed its result and
// committed it onto base. Failing to only costs the next run its reuse.
func (r *run) noteReuse(base uint64, changed bool) {
	if r.reuseKey == "" || r.report.ReusedFrom != 0 {
		return
	}
	head := base
	if changed {
		head = r.report.RunID
	}
	data, err := json.Marshal(reuseNote{Key: r.reuseKey, Head: head, Run: r.report.RunID})
	if err == nil {
		err = r.engine.store.SaveReuse(r.conn.Name, data)
	}
	if err != nil {
		r.log.Warn().Err(err).Msg("could not leave the reuse note; the next run computes its result")
	}
}
