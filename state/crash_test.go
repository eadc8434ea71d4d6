package state_test

import (
	"bufio"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rosterd/rosterd/roster"
	"github.com/rosterd/rosterd/state"
)

// crashChildEnv, when set to a state file path, makes the test binary run
// crashChild instead of the tests (see TestMain).
const crashChildEnv = "ROSTERD_STATE_CRASH_CHILD"

// crashPauseEnv, when set to a batch number or "last", makes crashChild
// announce each batch of commit B and stop after that one, for the parent
// to kill it there: between batches, or after the last batch and before
// the swap.
const crashPauseEnv = "ROSTERD_STATE_CRASH_PAUSE"

// Roster A is small; roster B replaces it with a large one: it rewrites
// half of A's users, deletes the other half and A's only school, and adds
// crashUsersB-crashUsersA users and a school. Any mix of the two is
// visible as an "A" record next to a "B" record.
const (
	crashUsersA = 2_000
	crashUsersB = 200_000
)

func TestMain(m *testing.M) {
	if path := os.Getenv(crashChildEnv); path != "" {
		os.Exit(crashChild(path))
	}
	if path := os.Getenv(rawCrashChildEnv); path != "" {
		os.Exit(rawCrashChild(path))
	}
	os.Exit(m.Run())
}

// crashChild commits roster A, then roster B, saying on stdout where it
// is, for the parent to kill it at a chosen moment. It runs in a child
// process, outside any test, so it reports failures on stderr and in its
// exit code.
func crashChild(path string) int {
	fail := func(err error) int {
		fmt.Fprintln(os.Stderr, "crash child:", err)
		return 2
	}
	s, err := state.Open(path, state.Options{})
	if err != nil {
		return fail(err)
	}
	idA, err := s.NextRunID()
	if err != nil {
		return fail(err)
	}
	runA := state.Run{ID: idA, Connection: testConn, Mode: "sync", Verdict: "committed", Finished: time.Now()}
	if err := s.Commit(testConn, 0, crashChange("A"), []byte("cursor-A"), runA, []byte("report-A")); err != nil {
		return fail(err)
	}
	fmt.Printf("committed A %d\n", idA)

	changeB := crashChange("B")
	idB, err := s.NextRunID()
	if err != nil {
		return fail(err)
	}
	runB := state.Run{ID: idB, Connection: testConn, Mode: "sync", Verdict: "committed", Finished: time.Now()}
	if pause := os.Getenv(crashPauseEnv); pause != "" {
		state.SetAfterBatch(s, func(n int, last bool) error {
			fmt.Printf("batch %d\n", n)
			if pause == strconv.Itoa(n) || (pause == "last" && last) {
				fmt.Println("paused")
				time.Sleep(time.Hour) // until the parent kills the process
			}
			return nil
		})
	}
	fmt.Printf("committing B %d\n", idB)
	start := time.Now()
	if err := s.Commit(testConn, idA, changeB, []byte("cursor-B"), runB, []byte("report-B")); err != nil {
		return fail(err)
	}
	fmt.Printf("committed B %d\n", time.Since(start))
	if err := s.Close(); err != nil {
		return fail(err)
	}
	return 0
}

// crashChange returns the change that commits roster A onto an empty
// store, or roster B onto roster A.
func crashChange(which string) *roster.Change {
	var c roster.Change
	switch which {
	case "A":
		c.AddPut(roster.KindSchools, crashSchool("A"))
		for i := range crashUsersA {
			c.AddPut(roster.KindUsers, crashUser("A", i))
		}
	case "B":
		c.AddDelete(roster.KindSchools, "school-A")
		c.AddPut(roster.KindSchools, crashSchool("B"))
		for i := range crashUsersA / 2 {
			c.AddDelete(roster.KindUsers, crashUser("A", i).ID)
		}
		for i := crashUsersA / 2; i < crashUsersB; i++ {
			c.AddPut(roster.KindUsers, crashUser("B", i))
		}
	}
	return &c
}

func crashSchool(which string) roster.Record {
	return roster.Record{ID: "school-" + which, Data: fmt.Appendf(nil, `{"id":"school-%s"}`, which)}
}

func crashUser(which string, i int) roster.Record {
	id := fmt.Sprintf("u%07d", i)
	return roster.Record{ID: id, Data: fmt.Appendf(nil, `{"id":"%s","roster":"%s","pad":"%0300d"}`, id, which, i)}
}

// crashRoster returns what the roster holds once A, or A then B, is
// committed, in the form dump returns.
func crashRoster(which string) map[roster.Kind]map[string]string {
	users := make(map[string]string)
	from, to := 0, crashUsersA
	if which == "B" {
		from, to = crashUsersA/2, crashUsersB
	}
	for i := from; i < to; i++ {
		rec := crashUser(which, i)
		users[rec.ID] = string(rec.Data)
	}
	school := crashSchool(which)
	return map[roster.Kind]map[string]string{
		roster.KindSchools: {school.ID: string(school.Data)},
		roster.KindUsers:   users,
	}
}

// TestStore_CommitCrash kills a process in the middle of committing a
// large roster and checks the file holds exactly the old roster or
// exactly the new one, with the run record, report, cursor, head and
// undo log of the same one. SIGKILL ends the process, not the machine: what the
// kernel already holds still reaches the disk, so this proves bbolt's
// commit protocol as rosterd drives it, not power-loss durability.
func TestStore_CommitCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("runs child processes for a few seconds")
	}
	rosters := map[string]map[roster.Kind]map[string]string{"A": crashRoster("A"), "B": crashRoster("B")}

	// Calibrate: one child runs to the end, showing how long commit B
	// takes here and that a completed commit holds B.
	got := runCrashChild(t, rosters, -1, "")
	if got.which != "B" {
		t.Fatalf("uninterrupted child left roster %s, want B", got.which)
	}
	took := got.commitTook
	t.Logf("commit of roster B takes %v", took)

	// Kill at points spread over the commit, then once just past it.
	for _, frac := range []float64{0, 0.1, 0.3, 0.5, 0.7, 0.85, 0.95, 1.0, 1.1} {
		delay := time.Duration(frac * float64(took))
		got := runCrashChild(t, rosters, delay, "")
		t.Logf("killed %v after commit began: roster %s (child finished: %v)", delay, got.which, got.finished)
		if got.finished && got.which != "B" {
			t.Errorf("kill at %v: child reported commit B done, but the store holds roster %s", delay, got.which)
		}
		// A kill at 0 lands before the commit can have written anything:
		// the commit takes hundreds of milliseconds.
		if delay == 0 && !got.finished && got.which != "A" {
			t.Errorf("kill at 0: store holds roster %s, want A", got.which)
		}
	}
}

// TestStore_CommitCrashBatches kills a process between the batches of a
// large commit, and after its last batch but before the swap, and checks
// that a read-only Open of what it left sees the old roster, beside a
// shadow it leaves alone, and that Open for writing deletes the shadow.
func TestStore_CommitCrashBatches(t *testing.T) {
	if testing.Short() {
		t.Skip("runs child processes")
	}
	rosters := map[string]map[roster.Kind]map[string]string{"A": crashRoster("A"), "B": crashRoster("B")}
	for _, pause := range []string{"1", "2", "last"} {
		t.Run("Batch="+pause, func(t *testing.T) {
			got := runCrashChild(t, rosters, 0, pause)
			if got.which != "A" {
				t.Errorf("killed before the swap, the store holds roster %s, want A", got.which)
			}
			// Stopping at the last batch shows commit B ran in several.
			switch want, _ := strconv.Atoi(pause); {
			case pause == "last" && got.batches < 2:
				t.Errorf("commit B ran %d batches in all, want several", got.batches)
			case pause != "last" && got.batches != want:
				t.Errorf("the child stopped after batch %d, want %d", got.batches, want)
			}
		})
	}
}

// crashOutcome is what a killed child left behind.
type crashOutcome struct {
	which      string        // "A" or "B": the roster the store holds
	finished   bool          // the child reported commit B done before it died
	commitTook time.Duration // how long commit B took, when finished
	batches    int           // the batches of commit B the child announced
}

// runCrashChild runs crashChild on a new state file, kills it delay after
// it announces commit B (never, when delay < 0), or, with pause set, once
// it stops at batch pause of commit B (see crashPauseEnv), and checks that
// the file holds one of rosters.
func runCrashChild(t *testing.T, rosters map[string]map[roster.Kind]map[string]string, delay time.Duration, pause string) crashOutcome {
	t.Helper()
	path := tempPath(t)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+path, crashPauseEnv+"="+pause)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(stdout)
	var idA, idB uint64
	for lines.Scan() {
		if _, err := fmt.Sscanf(lines.Text(), "committed A %d", &idA); err == nil {
			continue
		}
		if _, err := fmt.Sscanf(lines.Text(), "committing B %d", &idB); err == nil {
			break
		}
	}
	if idA == 0 || idB == 0 {
		cmd.Wait()
		t.Fatalf("child never began commit B; stderr:\n%s", stderr.String())
	}
	var out crashOutcome
	if pause != "" {
		for lines.Scan() && lines.Text() != "paused" {
			var n int
			if _, err := fmt.Sscanf(lines.Text(), "batch %d", &n); err == nil {
				out.batches = n
			}
		}
	}
	if delay >= 0 {
		time.Sleep(delay)
		if err := cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
			t.Fatal(err)
		}
	}
	for lines.Scan() {
		var took int64
		if _, err := fmt.Sscanf(lines.Text(), "committed B %d", &took); err == nil {
			out.finished, out.commitTook = true, time.Duration(took)
		}
	}
	waitErr := cmd.Wait()
	// A killed child exits with an error and says nothing; one that
	// failed on its own leaves its reason on stderr.
	if (delay < 0 && waitErr != nil) || stderr.Len() > 0 {
		t.Fatalf("child: %v; stderr:\n%s", waitErr, stderr.String())
	}

	if pause != "" {
		// The child died between transactions of commit B: a reader opening
		// the file as it is sees the old roster and must not trip over the
		// shadow, which only a writer may delete.
		ro, err := state.Open(path, state.Options{ReadOnly: true})
		if err != nil {
			t.Fatalf("read-only Open after the kill: %v", err)
		}
		if which := checkCrashState(t, ro, rosters, idA, idB); which != "A" {
			t.Errorf("read-only Open after the kill sees roster %s, want A", which)
		}
		if shadowOf(mustTree(t, ro)) == nil {
			t.Error("no shadow left by the killed commit, or a read-only Open deleted it")
		}
		mustClose(t, ro)
	}

	s := mustOpen(t, path)
	if shadowOf(mustTree(t, s)) != nil {
		t.Error("Open for writing left the shadow of the killed commit")
	}
	out.which = checkCrashState(t, s, rosters, idA, idB)
	mustClose(t, s) // runs tx.Check on the file the killed child left
	return out
}

// checkCrashState fails unless the store holds exactly roster A or
// exactly roster B, with that run's head, cursor, run record and report,
// and returns which.
func checkCrashState(t *testing.T, s *state.Store, rosters map[string]map[roster.Kind]map[string]string, idA, idB uint64) string {
	t.Helper()
	records := dump(t, s, testConn)
	var which string
	switch {
	case maps.EqualFunc(records, rosters["A"], maps.Equal):
		which = "A"
	case maps.EqualFunc(records, rosters["B"], maps.Equal):
		which = "B"
	default:
		t.Fatalf("store holds neither roster A nor roster B: %d schools, %d users", len(records[roster.KindSchools]), len(records[roster.KindUsers]))
	}
	wantHead := map[string]uint64{"A": idA, "B": idB}[which]
	if got := head(t, s, testConn).RunID; got != wantHead {
		t.Errorf("roster %s with head run %d, want %d", which, got, wantHead)
	}
	checkCursor(t, s, "cursor-"+which)
	_, runErr := s.Run(idB)
	report, reportErr := s.Report(idB)
	switch which {
	case "A":
		if !errors.Is(runErr, state.ErrNotFound) || !errors.Is(reportErr, state.ErrNotFound) {
			t.Errorf("roster A, but run B is recorded (run: %v, report: %v)", runErr, reportErr)
		}
	case "B":
		if runErr != nil || string(report) != "report-B" {
			t.Errorf("roster B, but run B reads back as run: %v, report: %q, %v", runErr, report, reportErr)
		}
	}
	// Commit B's undo log landed with it, or not at all: roster A reads
	// back at run A either way.
	at, err := s.RosterAt(testConn, idA)
	if err != nil {
		t.Fatalf("roster %s, but RosterAt(run A): %v", which, err)
	}
	gotIDs := map[roster.Kind][]string{}
	for _, sc := range at.Schools {
		gotIDs[roster.KindSchools] = append(gotIDs[roster.KindSchools], sc.ID)
	}
	for _, u := range at.Users {
		gotIDs[roster.KindUsers] = append(gotIDs[roster.KindUsers], u.ID)
	}
	wantIDs := map[roster.Kind][]string{}
	for _, kind := range []roster.Kind{roster.KindSchools, roster.KindUsers} {
		wantIDs[kind] = slices.Sorted(maps.Keys(rosters["A"][kind]))
	}
	if !maps.EqualFunc(wantIDs, gotIDs, slices.Equal) {
		t.Errorf("roster %s, but RosterAt(run A) holds %d schools and %d users, not roster A",
			which, len(at.Schools), len(at.Users))
	}
	return which
}
