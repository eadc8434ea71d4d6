package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rosterd/rosterd/internal/synth"
	"github.com/rosterd/rosterd/roster"
	"github.com/rosterd/rosterd/state"
)

// Ensure the demo syncs its generated district into the state file it is
// given, with every role it fetches, and prints the committed report.
func TestDemo(t *testing.T) {
	path := filepath.Join(t.TempDir(), "demo.db")
	r := runCLI("demo", "--profile", "tiny", "--state", path)
	if r.code != exitOK || !strings.Contains(r.stdout, "COMMITTED") || !strings.Contains(r.stdout, "Preflight passed") {
		t.Fatalf("demo exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	profile, _ := synth.ProfileByName("tiny")
	want, _ := synth.Generate(profile)
	st, err := state.Open(path, state.Options{Timeout: time.Second, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	err = st.View("demo", func(sn *state.Snapshot) error {
		got, err := sn.Roster()
		if err != nil {
			return err
		}
		for _, e := range []roster.Entity{roster.EntityStudent, roster.EntityTeacher, roster.EntitySection, roster.EntityStaff, roster.EntityDistrictAdmin} {
			if g, w := got.Count()[e], want.Count()[e]; g != w || g == 0 {
				t.Errorf("committed %d %s records, generated %d", g, e, w)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("state file %v, mode %v; want 0600", err, fi.Mode())
	}
}

// Ensure the demo with defects shows a refused run and exits 3.
func TestDemo_Defects(t *testing.T) {
	r := runCLI("demo", "--profile", "small", "--defects")
	if r.code != exitRefused || !strings.Contains(r.stdout, "REFUSED") || !strings.Contains(r.stdout, "duplicate_id") {
		t.Fatalf("demo --defects exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
}
