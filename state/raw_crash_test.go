package state_test

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/rosterd/rosterd/roster"
	"github.com/rosterd/rosterd/state"
)

// rawCrashChildEnv, when set to a state file path, makes the test binary
// run rawCrashChild instead of the tests (see TestMain).
const rawCrashChildEnv = "ROSTERD_STATE_RAW_CRASH_CHILD"

// rawCrashRoster returns raw roster A or B: the same bulky district but
// for one field of one student.
func rawCrashRoster(which string) *roster.Roster {
	r := makeBulkyRoster(3_000)
	if which == "B" {
		r.Users[1_500].Name.Last = "Changed"
	}
	return r
}

// rawCrashWhich is the roster the child's save i saves: A, A, B, B, A,
// A, ... so that saves alternate between writing a roster whole and
// finding it unchanged from the kept one.
func rawCrashWhich(i int) string { return [...]string{"A", "B"}[i/2%2] }

// rawCrashFetched is the fetched time of the child's save i, which tells
// in the store which save it holds.
func rawCrashFetched(i int) time.Time { return fetchedAt.Add(time.Duration(i) * time.Minute) }

// rawCrashChild saves raw rosters in a loop until it is killed, saying on
// stdout which save it is in, and how long each took. It runs in a child
// process, outside any test, so it reports failures on stderr and in its
// exit code.
func rawCrashChild(path string) int {
	fail := func(err error) int {
		fmt.Fprintln(os.Stderr, "raw crash child:", err)
		return 2
	}
	s, err := state.Open(path, state.Options{})
	if err != nil {
		return fail(err)
	}
	// Every save that writes the roster whole writes it over several
	// transactions (raw_pending.go), so kills land between them too.
	state.SetRawChunking(s, testRawChunk, testRawWriteEvery)
	rosters := map[string]*roster.Roster{"A": rawCrashRoster("A"), "B": rawCrashRoster("B")}
	for i := 0; ; i++ {
		fmt.Printf("saving %d\n", i)
		start := time.Now()
		if _, err := s.SaveRaw(testConn, rosters[rawCrashWhich(i)], rawCrashFetched(i)); err != nil {
			return fail(err)
		}
		fmt.Printf("saved %d %d\n", i, time.Since(start))
	}
}

// TestStore_SaveRawCrash kills a process saving raw rosters at moments
// spread over two rounds of saves (each round writes a roster whole, over
// several transactions, then finds it unchanged), and checks that the
// store holds the raw roster of the last save begun or of the one before,
// whole, with its fetched time, and nothing of a save left pending.
func TestStore_SaveRawCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("runs child processes for a few seconds")
	}
	rosters := map[string]*roster.Roster{"A": rawCrashRoster("A"), "B": rawCrashRoster("B")}
	var took time.Duration // of the saves before the kill, on average
	for i, frac := range []float64{0, 0.3, 0.7, 1.1, 1.6, 2.2, 2.7, 3.3, 3.9} {
		delay := time.Duration(frac * float64(took))
		got := runRawCrashChild(t, delay)
		if i == 0 {
			took = got.took
			t.Logf("a save takes %v", took)
		}
		kind := "whole"
		if got.saving%2 == 1 {
			kind = "unchanged"
		}

		s := mustOpen(t, got.path)
		if hasPendingRaw(t, s, testConn) {
			t.Errorf("kill during save %d: Open for writing left the pending raw roster", got.saving)
		}
		r, info, err := s.LoadRaw(testConn)
		if err != nil {
			t.Fatalf("LoadRaw after a kill during save %d: %v", got.saving, err)
		}
		held := -1
		for _, j := range []int{got.saving, got.saving - 1} {
			if info.Fetched.Equal(rawCrashFetched(j)) {
				held = j
			}
		}
		t.Logf("killed %v into the saves, during save %d (%s, reported done: %v): the store holds save %d",
			delay, got.saving, kind, got.finished, held)
		switch {
		case held < 0:
			t.Errorf("kill during save %d: raw roster fetched at %s, from neither it nor the one before", got.saving, info.Fetched)
		case got.finished && held != got.saving:
			t.Errorf("save %d reported done, but the store holds save %d", got.saving, held)
		default:
			checkSameRoster(t, rosters[rawCrashWhich(held)], r)
		}
		if described, err := s.RawInfo(testConn); err != nil || described != info {
			t.Errorf("RawInfo = %+v, %v; LoadRaw described %+v", described, err, info)
		}
		mustClose(t, s) // runs tx.Check on the file the killed child left
	}
}

// rawCrashOutcome is where a killed raw crash child stopped.
type rawCrashOutcome struct {
	path     string
	saving   int           // the last save the child began
	finished bool          // it reported that save done
	took     time.Duration // how long the saves before the kill took, on average
}

// runRawCrashChild runs rawCrashChild on a new state file and kills it
// delay after it finishes its second save (so it has written a roster
// whole and found it unchanged once).
func runRawCrashChild(t *testing.T, delay time.Duration) rawCrashOutcome {
	t.Helper()
	out := rawCrashOutcome{path: tempPath(t)}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), rawCrashChildEnv+"="+out.path)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// The child never stops on its own.
	killed := false
	kill := func() {
		if !killed {
			killed = true
			if err := cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
				t.Fatal(err)
			}
		}
	}
	defer kill()

	lines := bufio.NewScanner(stdout)
	var (
		saved, total int
		sum          time.Duration
	)
	read := func(line string) {
		var i int
		var took int64
		if _, err := fmt.Sscanf(line, "saving %d", &i); err == nil {
			out.saving, out.finished = i, false
		} else if _, err := fmt.Sscanf(line, "saved %d %d", &i, &took); err == nil {
			out.finished, saved = true, i
			total++
			sum += time.Duration(took)
		}
	}
	for lines.Scan() {
		read(lines.Text())
		if out.finished && saved == 1 {
			break
		}
	}
	if saved != 1 {
		cmd.Wait()
		t.Fatalf("child never finished its second save; stderr:\n%s", stderr.String())
	}
	time.Sleep(delay)
	kill()
	for lines.Scan() {
		read(lines.Text())
	}
	cmd.Wait()
	if stderr.Len() > 0 {
		t.Fatalf("child failed; stderr:\n%s", stderr.String())
	}
	out.took = sum / time.Duration(total)
	return out
}
