package main

import (
	"bufio"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rosterd/rosterd/internal/fakeclever"
	"github.com/rosterd/rosterd/internal/synth"
	"github.com/rosterd/rosterd/roster"
	"github.com/rosterd/rosterd/state"
)

// crashKills is how many syncs the crash test kills.
const crashKills = 50

// Ensure a sync killed (SIGKILL) at any moment, in the fetch, the
// preflight or the commit, leaves a store that opens, passes bbolt's
// consistency check and holds exactly the roster of the last completed
// commit, never a mix; and that the next sync completes.
func TestCrash_KilledSyncs(t *testing.T) {
	if testing.Short() {
		t.Skip("the crash suite runs a hundred syncs")
	}
	t.Parallel() // mostly waiting on the source's rate limit
	// Big enough that each phase takes a few milliseconds to kill in, small
	// enough for a hundred syncs.
	a, _ := synth.Generate(synth.Profile{Name: "crash", Seed: 51, Schools: 3, Students: 1000, Staff: 5, DistrictAdmins: 1})
	a.Districts[0].Name = "District A"
	b := cloneRoster(t, a)
	b.Districts = []roster.District{a.Districts[0]}
	b.Districts[0].Name = "District B"
	for i := range b.Sections[:len(b.Sections)/20] { // 5%: under the guards
		b.Sections[i].Name += " (B)"
	}
	b.Sections = b.Sections[:len(b.Sections)-len(b.Sections)/20]
	datasets := map[string]*fakeclever.Dataset{"A": fakeclever.FromRoster(a), "B": fakeclever.FromRoster(b)}
	rosters := map[string]*roster.Roster{"A": a, "B": b}

	h := newHarness(t, datasets["A"], "")
	if r := h.rosterd("sync"); r.code != exitOK {
		t.Fatalf("first sync exit %d\n%s", r.code, r.stderr)
	}
	committed := "A"

	rng := rand.New(rand.NewPCG(51, 51))
	var killedBeforeCommit, killedAfterCommit int
	kills := map[string]int{}
	for i := range crashKills {
		next := map[string]string{"A": "B", "B": "A"}[committed]
		h.fake.SetDataset(datasets[next])

		// Kill in each phase in turn: the child logs (at debug level) the
		// end of each phase, so the kill waits for the phase before the
		// one it aims at, then a random moment more.
		aim := []string{"fetch", "rules", "preflight", "commit"}[i%4]
		after := map[string]string{"fetch": "", "rules": `"phase":"fetch"`, "preflight": `"phase":"rules"`, "commit": `"phase":"preflight"`}[aim]
		kills[aim]++
		cmd := exec.Command(os.Args[0], "sync", "--config", h.configPath)
		cmd.Env = append(os.Environ(), runAsMainEnv+"=1")
		stderr, err := cmd.StderrPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(stderr)
		for after != "" && sc.Scan() {
			if strings.Contains(sc.Text(), after) {
				break
			}
		}
		go io.Copy(io.Discard, stderr)
		time.Sleep(time.Duration(rng.Int64N(int64(map[string]time.Duration{"fetch": 120, "rules": 3, "preflight": 10, "commit": 15}[aim] * time.Millisecond))))
		cmd.Process.Kill()
		cmd.Wait()

		got := h.checkedRoster(t)
		switch {
		case rosterDiff(rosters[committed], got) == "":
			killedBeforeCommit++
		case rosterDiff(rosters[next], got) == "":
			killedAfterCommit++
			committed = next
		default:
			t.Fatalf("kill %d: the committed roster is neither %s (before) nor %s (after); against %s:\n%s", i, committed, next, committed, rosterDiff(rosters[committed], got))
		}

		if r := h.rosterd("sync"); r.code != exitOK {
			t.Fatalf("kill %d: the next sync exit %d\n%s", i, r.code, r.stderr)
		}
		if diff := rosterDiff(rosters[next], h.checkedRoster(t)); diff != "" {
			t.Fatalf("kill %d: after the next sync (-want +got):\n%s", i, diff)
		}
		committed = next
	}
	t.Logf("%d kills (aimed at %v): %d left the previous roster, %d the new one, 0 rosters lost",
		crashKills, kills, killedBeforeCommit, killedAfterCommit)
	if killedBeforeCommit == 0 || killedAfterCommit == 0 {
		t.Error("the kills did not land both before and after a commit: they do not cover the run")
	}
}

// checkedRoster opens the state file, runs bbolt's consistency check and
// returns the committed roster.
func (h *harness) checkedRoster(t *testing.T) *roster.Roster {
	t.Helper()
	st, err := state.Open(filepath.Join(h.dir, "state.db"), state.Options{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatalf("the store does not open: %v", err)
	}
	defer st.Close()
	if err := st.Check(); err != nil {
		t.Fatalf("the store is inconsistent: %v", err)
	}
	var r *roster.Roster
	err = st.View("district", func(sn *state.Snapshot) error {
		var err error
		r, err = sn.Roster()
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return r
}
