package main

import (
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rosterd/rosterd/internal/fakeclever"
	"github.com/rosterd/rosterd/internal/synth"
	"github.com/rosterd/rosterd/preflight"
	"github.com/rosterd/rosterd/roster"
	"github.com/rosterd/rosterd/state"
)

// withoutSections returns r with the given share of its sections removed.
func withoutSections(t *testing.T, r *roster.Roster, share float64) *roster.Roster {
	t.Helper()
	c := cloneRoster(t, r)
	keep := len(c.Sections) - int(share*float64(len(c.Sections)))
	c.Sections = c.Sections[:keep]
	return c
}

// Ensure a run that deletes 60 % of the sections is held with nothing
// committed and exit 4, and that approving it commits exactly its change.
func TestSync_HeldThenApproved(t *testing.T) {
	district, _ := generated(t, "small", 31, synth.Defects{})
	h := newHarness(t, fakeclever.FromRoster(district), "")
	if r := h.rosterd("sync"); r.code != exitOK {
		t.Fatalf("first sync exit %d\n%s", r.code, r.stderr)
	}
	shrunk := withoutSections(t, district, 0.6)
	h.fake.SetDataset(fakeclever.FromRoster(shrunk))

	r, rep := h.syncJSON("sync")
	if r.code != exitHeld || rep.Verdict != preflight.VerdictHeld {
		t.Fatalf("sync exit %d verdict %s, want %d held\n%s", r.code, rep.Verdict, exitHeld, r.stderr)
	}
	if len(rep.Guards) == 0 || rep.Guards[0].Entity != roster.EntitySection || rep.Guards[0].Action != "delete" || rep.Guards[0].Percent < 59 {
		t.Errorf("guards %+v", rep.Guards)
	}
	if diff := rosterDiff(district, h.committed()); diff != "" {
		t.Fatalf("a held run changed the committed roster (-want +got):\n%s", diff)
	}
	text := h.rosterd("report", strconv.FormatUint(rep.RunID, 10))
	if !strings.Contains(text.stdout, "HELD") || !strings.Contains(text.stdout, "more than 10% of the") {
		t.Errorf("the report does not say which guard held the run:\n%s", text.stdout)
	}

	r = h.rosterd("approve", strconv.FormatUint(rep.RunID, 10))
	if r.code != exitOK || !strings.Contains(r.stdout, "approved by") {
		t.Fatalf("approve exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if diff := rosterDiff(shrunk, h.committed()); diff != "" {
		t.Errorf("the approved roster differs from the held change (-want +got):\n%s", diff)
	}
	runs := h.rosterd("runs")
	if !strings.Contains(runs.stdout, "approved by "+operator()) {
		t.Errorf("runs does not show the approval:\n%s", runs.stdout)
	}
	if r := h.rosterd("approve", strconv.FormatUint(rep.RunID, 10)); r.code != exitFailure || !strings.Contains(r.stderr, "not held") {
		t.Errorf("a second approval: exit %d\n%s", r.code, r.stderr)
	}
}

// Ensure an approval refuses, committing nothing, when another commit
// moved the roster after the held run; and a rejection drops the change.
func TestSync_StaleApprovalAndReject(t *testing.T) {
	district, _ := generated(t, "small", 32, synth.Defects{})
	h := newHarness(t, fakeclever.FromRoster(district), "")
	h.rosterd("sync")
	h.fake.SetDataset(fakeclever.FromRoster(withoutSections(t, district, 0.6)))
	_, held := h.syncJSON("sync")
	if held.Verdict != preflight.VerdictHeld {
		t.Fatalf("verdict %s", held.Verdict)
	}

	// An unrelated change commits first.
	renamed := cloneRoster(t, district)
	renamed.Sections[0].Name = "Renamed"
	h.fake.SetDataset(fakeclever.FromRoster(renamed))
	if r := h.rosterd("sync"); r.code != exitOK {
		t.Fatalf("unrelated sync exit %d\n%s", r.code, r.stderr)
	}
	id := strconv.FormatUint(held.RunID, 10)
	r := h.rosterd("approve", id)
	if r.code != exitFailure || !strings.Contains(r.stderr, "run \"rosterd sync\" again") {
		t.Fatalf("stale approval: exit %d\n%s", r.code, r.stderr)
	}
	if diff := rosterDiff(renamed, h.committed()); diff != "" {
		t.Errorf("a stale approval changed the committed roster (-want +got):\n%s", diff)
	}

	if r := h.rosterd("reject", id); r.code != exitOK {
		t.Fatalf("reject exit %d\n%s", r.code, r.stderr)
	}
	if diff := rosterDiff(renamed, h.committed()); diff != "" {
		t.Errorf("a rejection changed the committed roster (-want +got):\n%s", diff)
	}
	st := h.openStore()
	defer st.Close()
	run, err := st.Run(held.RunID)
	if err != nil || run.Verdict != "rejected" || run.DecidedBy != operator() || run.DecidedAt.IsZero() {
		t.Errorf("rejected run %+v, %v", run, err)
	}
	if _, err := st.Staged(held.RunID); err == nil {
		t.Error("the rejected change is still staged")
	}
}

// Ensure a rollback restores exactly the roster the target run committed,
// as a new run in the history.
func TestRollback(t *testing.T) {
	district, _ := generated(t, "small", 33, synth.Defects{})
	h := newHarness(t, fakeclever.FromRoster(district), "")
	_, first := h.syncJSON("sync")
	want := h.committed()

	changed := cloneRoster(t, district)
	changed.Sections[1].Name = "Changed"
	changed.Sections = changed.Sections[:len(changed.Sections)-3]
	changed.Users[5].Name.Last = "Changed"
	h.fake.SetDataset(fakeclever.FromRoster(changed))
	if r := h.rosterd("sync"); r.code != exitOK {
		t.Fatalf("second sync exit %d\n%s", r.code, r.stderr)
	}

	r := h.rosterd("rollback", "--to", strconv.FormatUint(first.RunID, 10), "--format", "json")
	if r.code != exitOK {
		t.Fatalf("rollback exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	rep, err := preflight.ReadReportJSON([]byte(r.stdout))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Verdict != preflight.VerdictCommitted || rep.RollbackTo != first.RunID || rep.Source != "rollback" {
		t.Errorf("rollback report: verdict %s, rollback_to %d, source %s", rep.Verdict, rep.RollbackTo, rep.Source)
	}
	if diff := cmp.Diff(want, h.committed()); diff != "" {
		t.Errorf("rolled-back roster (-want +got):\n%s", diff)
	}
	runs := h.rosterd("runs")
	if !strings.Contains(runs.stdout, "rollback to "+strconv.FormatUint(first.RunID, 10)) {
		t.Errorf("runs does not show the rollback:\n%s", runs.stdout)
	}
}

// Ensure a sync inside a pause window preflights, reports the window and
// commits nothing, and that --force commits.
func TestSync_PauseWindow(t *testing.T) {
	district, _ := generated(t, "tiny", 34, synth.Defects{})
	today := time.Now().Format("2006-01-02")
	h := newHarness(t, fakeclever.FromRoster(district), "    pause:\n      - {name: rollover, from: "+today+", to: "+today+"}\n")
	r, rep := h.syncJSON("sync")
	if r.code != exitOK || rep.Verdict != preflight.VerdictPaused || !strings.Contains(rep.Pause, "rollover") {
		t.Fatalf("sync exit %d verdict %s pause %q\n%s", r.code, rep.Verdict, rep.Pause, r.stderr)
	}
	h.view(func(sn *state.Snapshot) {
		if n := sn.Count(roster.KindUsers); n != 0 {
			t.Errorf("a paused run committed %d users", n)
		}
	})
	r, rep = h.syncJSON("sync", "--force")
	if r.code != exitOK || rep.Verdict != preflight.VerdictCommitted {
		t.Fatalf("sync --force exit %d verdict %s\n%s", r.code, rep.Verdict, r.stderr)
	}
}

// Ensure the history keeps only history.keep_runs runs, and always the
// run the committed roster comes from.
func TestSync_HistoryRetention(t *testing.T) {
	district, _ := generated(t, "tiny", 35, synth.Defects{})
	h := newHarness(t, fakeclever.FromRoster(district), "")
	cfg, err := os.ReadFile(h.configPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(h.configPath, append([]byte("history: {keep_runs: 2, max_age_days: 0}\n"), cfg...), 0o600); err != nil {
		t.Fatal(err)
	}
	_, first := h.syncJSON("sync")
	for range 4 {
		h.rosterd("preflight")
	}
	st := h.openStore()
	defer st.Close()
	runs, err := st.Runs(state.RunFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var ids []uint64
	for _, r := range runs {
		ids = append(ids, r.ID)
	}
	if diff := cmp.Diff([]uint64{5, 4, first.RunID}, ids); diff != "" {
		t.Errorf("runs kept (-want +got):\n%s", diff)
	}
}
