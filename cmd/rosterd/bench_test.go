package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rosterd/rosterd/internal/synth"
	"github.com/rosterd/rosterd/preflight"
	"github.com/rosterd/rosterd/roster"
	"github.com/rosterd/rosterd/state"
)

// Ensure bench measures all four passes in child processes and prints a
// figure for each; that the syncs really committed, then changed nothing,
// then exactly what the source changed; and that the committed roster is
// the changed district. The tiny district at a 10% change gets every kind
// of change.
func TestBench(t *testing.T) {
	for _, events := range []bool{false, true} {
		t.Run(fmt.Sprintf("events=%v", events), func(t *testing.T) { testBench(t, events) })
	}
}

func testBench(t *testing.T, events bool) {
	keep := t.TempDir()
	args := []string{"bench", "--profile", "tiny", "--change", "0.1", "--keep", keep}
	if events {
		args = append(args, "--events")
	}
	r := runCLI(args...)
	if r.code != exitOK {
		t.Fatalf("bench exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	rows := benchRows(r.stdout)
	for _, pass := range []string{"fetch+decode", "full sync", "no-change sync", "10% change sync"} {
		f, ok := rows["tiny/"+pass]
		if !ok {
			t.Fatalf("no row for %s in:\n%s", pass, r.stdout)
		}
		if f[4] == "0" || !strings.HasSuffix(f[6], " MB") || f[3] == "0.00s" || !strings.HasSuffix(f[3], "s") {
			t.Errorf("%s: records %s, peak RSS %s, CPU %s\n%s", pass, f[4], f[6], f[3], r.stdout)
		}
	}
	fetch, full, same, change := rows["tiny/fetch+decode"], rows["tiny/full sync"], rows["tiny/no-change sync"], rows["tiny/10% change sync"]
	if fetch[4] != full[4] {
		t.Errorf("fetch+decode read %s records, the sync %s", fetch[4], full[4])
	}
	if full[12] != full[4] || same[12] != "0" {
		t.Errorf("changed: full sync %s (want %s), no-change sync %s (want 0)", full[12], full[4], same[12])
	}
	// The source unchanged, the no-change sync reuses the full sync's
	// result; the change sync computes its own.
	if same[9] != "-" || same[10] != "-" || change[10] == "-" || !strings.Contains(r.stdout, "no-change sync takes") ||
		!regexp.MustCompile(`no-change sync takes [0-9.]+x the fetch\+decode pass\. It reused the rules and preflight result of run 1,`).MatchString(r.stdout) {
		t.Errorf("the no-change sync did not reuse the full sync's result, or the change sync did:\n%s", r.stdout)
	}

	// The change the serving child made, made again here.
	profile, _ := synth.ProfileByName("tiny")
	want, _ := synth.Generate(profile)
	sum := changeDistrict(want, 0.1, profile.Seed)
	if sum.Renamed == 0 || sum.Regraded == 0 || sum.Moved == 0 || sum.Enrolled == 0 || sum.Withdrawn == 0 || sum.Students != 6 {
		t.Errorf("the change lacks a kind: %s", sum)
	}
	if change[12] != fmt.Sprint(sum.Records) || sum.Records > sum.Students+sum.Sections+sum.Contacts {
		t.Errorf("the change sync changed %s records; the source changed %s", change[12], sum)
	}
	if !strings.Contains(r.stdout, "the source changed "+sum.String()) {
		t.Errorf("bench does not print the change %s:\n%s", sum, r.stdout)
	}

	path := filepath.Join(keep, "tiny", "bench.db")
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("state file: %v, mode %v", err, fi.Mode())
	}
	st, err := state.Open(path, state.Options{Timeout: time.Second, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	runs, err := st.Runs(state.RunFilter{Connection: "bench"})
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 3 || runs[0].Verdict != string(preflight.VerdictCommitted) || runs[0].Added+runs[0].Updated+runs[0].Deleted != sum.Records {
		t.Fatalf("runs %+v; want 3, the last committed with %d changes", runs, sum.Records)
	}
	err = st.View("bench", func(sn *state.Snapshot) error {
		if sn.Head().RunID != runs[0].ID {
			t.Errorf("head is run %d, want the change sync's run %d", sn.Head().RunID, runs[0].ID)
		}
		got, err := sn.Roster()
		if err != nil {
			return err
		}
		if diff := rosterDiff(want, got); diff != "" {
			t.Errorf("committed roster differs from the changed district (-want +got):\n%s", diff)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// With events, the syncs after the first read the event feed and
	// crawl nothing; without, each one crawls the district.
	for _, pass := range []string{"no-change-sync", "10pc-change-sync"} {
		log, err := os.ReadFile(filepath.Join(keep, "tiny", pass+".log"))
		if err != nil {
			t.Fatal(err)
		}
		if crawled := strings.Contains(string(log), "crawling the district in full"); events && crawled {
			t.Errorf("%s crawled the district in full with events on:\n%s", pass, log)
		}
	}
}

// Ensure bench takes a list of profiles and names an unknown one before
// it starts anything.
func TestBench_Profiles(t *testing.T) {
	r := runCLI("bench", "--profile", "tiny,huge")
	if r.code != exitFailure || !strings.Contains(r.stderr, `unknown profile "huge"`) {
		t.Errorf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
	r = runCLI("bench", "--profile", "tiny", "--source", "oneroster", "--events")
	if r.code != exitFailure || !strings.Contains(r.stderr, "--events") {
		t.Errorf("--events with oneroster: exit %d, stderr:\n%s", r.code, r.stderr)
	}
	r = runCLI("bench", "--profile", "tiny", "--memory-limit", "1G")
	if r.code != exitFailure || !strings.Contains(r.stderr, "--memory-limit") {
		t.Errorf("--memory-limit 1G: exit %d, stderr:\n%s", r.code, r.stderr)
	}
	r = runCLI("bench", "--profile", "tiny", "--change", "0")
	if r.code != exitFailure || !strings.Contains(r.stderr, "--change") {
		t.Errorf("--change 0: exit %d, stderr:\n%s", r.code, r.stderr)
	}
}

// benchRows returns the table rows bench printed, by "profile/pass".
func benchRows(stdout string) map[string][]string {
	rows := map[string][]string{}
	for _, line := range strings.Split(stdout, "\n") {
		f := regexp.MustCompile(`\s{2,}`).Split(strings.TrimSpace(line), -1)
		if len(f) == 14 && f[0] != "PROFILE" {
			rows[f[0]+"/"+f[1]] = f
		}
	}
	return rows
}

// Ensure the change is the same for the same seed, changes the share of
// students asked for, and leaves a district preflight's default checks
// pass: every enrolled student exists, and every student is in a section
// and in no more homerooms than before.
func TestChangeDistrict(t *testing.T) {
	profile, _ := synth.ProfileByName("small")
	before, _ := synth.Generate(profile)
	a, _ := synth.Generate(profile)
	b, _ := synth.Generate(profile)
	sa, sb := changeDistrict(a, 0.01, 1), changeDistrict(b, 0.01, 1)
	if diff := cmp.Diff(a, b); diff != "" || sa != sb {
		t.Fatalf("the same seed changed differently (-a +b):\n%s", diff)
	}
	if c, _ := synth.Generate(profile); changeDistrict(c, 0.01, 2) == sa && cmp.Equal(a, c) {
		t.Errorf("another seed made the same change")
	}
	if sa.Students != 30 || sa.Moved == 0 || sa.Withdrawn == 0 || sa.Enrolled == 0 || sa.Regraded == 0 || sa.Renamed == 0 {
		t.Errorf("1%% of 3,000 students: %s", sa)
	}
	if sa.Withdrawn*10 > sa.Students {
		t.Errorf("%d of %d changes are withdrawals", sa.Withdrawn, sa.Students)
	}

	homerooms := func(r *roster.Roster) (map[string]int, map[string]int) {
		in, hr := map[string]int{}, map[string]int{}
		for _, s := range r.Sections {
			for _, id := range s.Students {
				in[id]++
				if s.Subject == roster.SubjectHomeroom {
					hr[id]++
				}
			}
		}
		return in, hr
	}
	_, hrBefore := homerooms(before)
	in, hr := homerooms(a)
	students := map[string]bool{}
	for _, u := range a.Users {
		if u.Roles.Student != nil {
			students[u.ID] = true
		}
	}
	for _, u := range a.Users {
		if students[u.ID] && in[u.ID] == 0 {
			t.Errorf("student %s is in no section", u.ID)
		}
		if n, old := hrBefore[u.ID]; old && hr[u.ID] != n {
			t.Errorf("student %s is in %d homerooms, was in %d", u.ID, hr[u.ID], n)
		}
		if ct := u.Roles.Contact; ct != nil && !slices.ContainsFunc(ct.Relationships, func(r roster.Relationship) bool { return students[r.Student] }) {
			t.Errorf("contact %s is related to no student left", u.ID)
		}
	}
	for id := range in {
		if !students[id] {
			t.Errorf("a section lists %s, who is not a student", id)
		}
	}
	if got, want := len(students), profile.Students+sa.Enrolled-sa.Withdrawn; got != want {
		t.Errorf("%d students, want %d", got, want)
	}
}
