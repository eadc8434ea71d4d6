package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rosterd/rosterd/internal/fakeclever"
	"github.com/rosterd/rosterd/internal/synth"
	"github.com/rosterd/rosterd/preflight"
)

// Ensure a connection's fingerprint is the same for the same build and
// configuration, differs when the build, time zone, sharing rules or
// preflight options do, and is empty without a build to name.
func TestConfigFingerprint(t *testing.T) {
	const base = `connections:
  - name: district
    timezone: America/Chicago
    source:
      clever: {token_file: token}
    sharing:
      sections:
        include: [{subject: math}]
    preflight:
      severity: {section.unknown_term: warning}
`
	conn := func(t *testing.T, yaml string) *ConnectionConfig {
		t.Helper()
		cfg, err := ParseConfig(strings.NewReader(yaml), t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return &cfg.Connections[0]
	}
	want := configFingerprint("build 1", conn(t, base))
	if want == "" || configFingerprint("build 1", conn(t, base)) != want {
		t.Fatalf("fingerprint of one configuration is %q, then %q", want, configFingerprint("build 1", conn(t, base)))
	}
	for _, tt := range []struct {
		name, build, yaml string
	}{
		{"Build", "build 2", base},
		{"TimeZone", "build 1", strings.Replace(base, "America/Chicago", "America/New_York", 1)},
		{"Sharing", "build 1", strings.Replace(base, "subject: math", "subject: science", 1)},
		{"Preflight", "build 1", strings.Replace(base, "warning", "error", 1)},
	} {
		if got := configFingerprint(tt.build, conn(t, tt.yaml)); got == want {
			t.Errorf("%s changed, and the fingerprint did not", tt.name)
		}
	}
	if got := configFingerprint("", conn(t, base)); got != "" {
		t.Errorf("fingerprint without a build = %q, want none", got)
	}
	if buildID() == "" {
		t.Error("the running build has no name")
	}
}

// Ensure a sync that finds the roster unchanged reuses the last committed
// result, and one that finds it changed, or runs under changed rules,
// computes its own.
func TestSync_ReusesAnUnchangedResult(t *testing.T) {
	district, _ := generated(t, "small", 32, synth.Defects{})
	h := newHarness(t, fakeclever.FromRoster(district), "")
	sync := func() *preflight.Report {
		t.Helper()
		r, rep := h.syncJSON("sync")
		if r.code != exitOK || rep == nil {
			t.Fatalf("sync exit %d\n%s", r.code, r.stderr)
		}
		return rep
	}
	computed := func(rep *preflight.Report) bool {
		return rep.ReusedFrom == 0 && slices.ContainsFunc(rep.Timings, func(pt preflight.PhaseTiming) bool { return pt.Phase == "preflight" })
	}
	first := sync()
	if !computed(first) {
		t.Fatalf("the first sync reused run %d", first.ReusedFrom)
	}
	if rep := sync(); rep.ReusedFrom != first.RunID {
		t.Errorf("an unchanged sync reused run %d, want %d", rep.ReusedFrom, first.RunID)
	}
	text := h.rosterd("report", "2")
	if !strings.Contains(text.stdout, "Reused") || !strings.Contains(text.stdout, "run 1") {
		t.Errorf("the report of a reused run does not say so:\n%s", text.stdout)
	}

	h.fake.SetDataset(fakeclever.FromRoster(withoutSections(t, district, 0.01)))
	if rep := sync(); !computed(rep) {
		t.Errorf("a sync of a changed roster reused run %d", rep.ReusedFrom)
	}
	h.configure(`    sharing:
      sections:
        exclude: [{subject: nothing-has-this}]
`)
	if rep := sync(); !computed(rep) {
		t.Errorf("a sync under new rules reused run %d", rep.ReusedFrom)
	}
}

// Ensure a reused result is the one computing it again gives: after a
// sync that reuses, "sync --recheck" over the same roster reports the
// same issues, counts, rule counts and placement, and no change. The
// rules leave students in several sections, so there are warnings to
// carry.
func TestSync_ReusedIsRecomputed(t *testing.T) {
	district, _ := generated(t, "small", 33, synth.Defects{DoubleHomeroom: 0.05})
	h := newHarness(t, fakeclever.FromRoster(district), `    sharing:
      one_section_per_student:
        required: false
    preflight:
      max_homerooms_per_student: 1
      severity: {student.multiple_homerooms: warning}
`)
	sync := func(flags ...string) *preflight.Report {
		t.Helper()
		r, rep := h.syncJSON("sync", flags...)
		if r.code != exitOK || rep == nil {
			t.Fatalf("sync %v exit %d\n%s", flags, r.code, r.stderr)
		}
		return rep
	}
	first := sync()
	if first.Summary.Warnings == 0 {
		t.Fatalf("the first sync has no warnings to carry:\n%+v", first.Summary)
	}
	reused := sync()
	rechecked := sync("--recheck")
	if reused.ReusedFrom != first.RunID || rechecked.ReusedFrom != 0 {
		t.Fatalf("reused from %d and %d, want %d and none", reused.ReusedFrom, rechecked.ReusedFrom, first.RunID)
	}
	result := func(rep *preflight.Report) any {
		return struct {
			Counts    []preflight.EntityCounts
			Rules     []preflight.RuleCount
			Placement *preflight.Placement
			Issues    []preflight.Issue
			Summary   preflight.IssueSummary
			Changes   *preflight.ChangeDetail
			Guards    []preflight.GuardTrip
		}{rep.Counts, rep.Rules, rep.Placement, rep.Issues, rep.Summary, rep.Changes, rep.Guards}
	}
	if diff := cmp.Diff(result(rechecked), result(reused)); diff != "" {
		t.Errorf("the reused result differs from the recomputed one (-recomputed +reused):\n%s", diff)
	}
}
