package main

import (
	"testing"

	"github.com/rosterd/rosterd/preflight"
)

// Ensure a run that reused an earlier result is counted as such, and one
// that computed its own is not.
func TestMetrics_Reused(t *testing.T) {
	m := newMetrics()
	m.runFinished(&preflight.Report{Connection: "district", Verdict: preflight.VerdictCommitted})
	m.runFinished(&preflight.Report{Connection: "district", Verdict: preflight.VerdictCommitted, ReusedFrom: 1})
	m.runFinished(&preflight.Report{Connection: "district", Verdict: preflight.VerdictPassed, ReusedFrom: 1})
	families, err := m.registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, f := range families {
		for _, metric := range f.GetMetric() {
			got[f.GetName()] += metric.GetCounter().GetValue()
		}
	}
	if got["rosterd_runs_reused_total"] != 2 || got["rosterd_runs_total"] != 3 {
		t.Errorf("rosterd_runs_reused_total = %v of rosterd_runs_total = %v, want 2 of 3",
			got["rosterd_runs_reused_total"], got["rosterd_runs_total"])
	}
}
