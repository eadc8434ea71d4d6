package state_test

import (
	"bytes"
	"errors"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rosterd/rosterd/roster"
	"github.com/rosterd/rosterd/state"
)

// A save begun on a roster whose sections are not fetched yet stores what
// SaveRaw stores for the whole roster, chunk for chunk, while the
// sections and field errors are added beside its passes (run with -race).
func TestRawSave_AsSaveRaw(t *testing.T) {
	fetched := time.Date(2026, 9, 1, 6, 0, 0, 0, time.UTC)
	whole := bulkyRoster(t, 3_000)
	whole.FieldErrors = rawRoster().FieldErrors

	savedPath := tempPath(t)
	saved := mustOpen(t, savedPath)
	wantInfo, err := saved.SaveRaw(testConn, whole, fetched)
	if err != nil {
		t.Fatal(err)
	}
	mustClose(t, saved)

	earlyPath := tempPath(t)
	early := mustOpen(t, earlyPath)
	r := *whole
	r.Sections, r.FieldErrors = nil, nil
	w := early.StartRaw(testConn, &r)
	r.Sections = whole.Sections
	r.FieldErrors = whole.FieldErrors
	info, err := w.Finish(&r, fetched)
	if err != nil {
		t.Fatal(err)
	}
	if info != wantInfo {
		t.Errorf("Finish = %+v, SaveRaw gave %+v", info, wantInfo)
	}
	checkRaw(t, early, whole, info)
	mustClose(t, early)
	if !bytes.Equal(rawStored(t, earlyPath, testConn), rawStored(t, savedPath, testConn)) {
		t.Error("the chunks of a save begun early differ from SaveRaw's")
	}
}

// The passes of a save compare the early collections with the kept raw
// roster while the fetch goes on, so a fetch that refetches the kept
// roster only rewrites its fetched time, and one whose sections changed
// is written whole.
func TestRawSave_Unchanged(t *testing.T) {
	first := time.Date(2026, 9, 1, 6, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name   string
		change func(r *roster.Roster)
	}{
		{name: "same roster"},
		{name: "a section renamed", change: func(r *roster.Roster) { r.Sections[0].Name = "Renamed" }},
		{name: "a section more", change: func(r *roster.Roster) {
			r.Sections = append(r.Sections, roster.Section{ID: "x2", District: "d1", School: "s1", Name: "New"})
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := tempPath(t)
			s := mustOpen(t, path)
			kept := bulkyRoster(t, 3_000)
			if _, err := s.SaveRaw(testConn, kept, first); err != nil {
				t.Fatal(err)
			}
			mustClose(t, s)
			root, _ := rawRoot(t, path, testConn)
			s = mustOpen(t, path)
			passes := recordPasses(t)

			next := bulkyRoster(t, 3_000)
			sections := next.Sections
			next.Sections = nil
			w := s.StartRaw(testConn, next)
			next.Sections = sections
			if tc.change != nil {
				tc.change(next)
			}
			info, err := w.Finish(next, first.Add(24*time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			if !info.Fetched.Equal(first.Add(24 * time.Hour)) {
				t.Errorf("fetched = %v, want the second fetch's", info.Fetched)
			}
			checkRaw(t, s, next, info)
			mustClose(t, s)

			gotRoot, _ := rawRoot(t, path, testConn)
			if tc.change == nil {
				if gotRoot != root || len(*passes) != 1 || (*passes)[0].Compressed {
					t.Errorf("passes = %+v, raw bucket moved: %v; want one hashing pass and the chunks kept", *passes, gotRoot != root)
				}
				return
			}
			if gotRoot == root {
				t.Error("the changed roster's chunks were not written")
			}
			if n := len(*passes); n != 2 || (*passes)[0].Compressed || !(*passes)[1].Compressed {
				t.Errorf("passes = %+v, want a hashing pass that stopped, then a compressed one", *passes)
			}
		})
	}
}

// A fetch that fails after the save began leaves the kept raw roster as
// it was, whether the passes were done with the early collections or
// still at them.
func TestRawSave_Abort(t *testing.T) {
	first := time.Date(2026, 9, 1, 6, 0, 0, 0, time.UTC)
	for _, wait := range []time.Duration{0, 500 * time.Millisecond} {
		t.Run(wait.String(), func(t *testing.T) {
			path := tempPath(t)
			s := mustOpen(t, path)
			kept := rawRoster()
			info, err := s.SaveRaw(testConn, kept, first)
			if err != nil {
				t.Fatal(err)
			}
			next := bulkyRoster(t, 3_000)
			next.Sections = nil
			w := s.StartRaw(testConn, next)
			time.Sleep(wait)
			w.Abort()
			w.Abort() // a second abort does nothing
			if _, err := w.Finish(next, first); err == nil || !strings.Contains(err.Error(), "already finished") {
				t.Errorf("Finish after Abort: %v, want an error", err)
			}
			checkRaw(t, s, kept, info)
		})
	}
}

// A fetch may build its users again after the save began (a source that
// starts over): Finish then saves the roster it is given, whole.
func TestRawSave_CollectionsReplaced(t *testing.T) {
	fetched := time.Date(2026, 9, 1, 6, 0, 0, 0, time.UTC)
	s := mustOpen(t, tempPath(t))
	r := bulkyRoster(t, 500)
	w := s.StartRaw(testConn, r)
	r.Users = slices.Clone(r.Users[:400])
	info, err := w.Finish(r, fetched)
	if err != nil {
		t.Fatal(err)
	}
	if info.Records != 1+1+1+400 {
		t.Errorf("records = %d, want the 403 of the roster Finish was given", info.Records)
	}
	checkRaw(t, s, r, info)
}

// A save that cannot encode the roster fails in Finish, naming the
// record, and writes nothing; so does one of no connection.
func TestRawSave_Errors(t *testing.T) {
	fetched := time.Date(2026, 9, 1, 6, 0, 0, 0, time.UTC)
	s := mustOpen(t, tempPath(t))
	bad := badRoster(t, 2_500)
	_, err := s.StartRaw(testConn, bad).Finish(bad, fetched)
	if err == nil || !strings.Contains(err.Error(), "users[2500]") {
		t.Errorf("Finish of a bad roster: %v, want an error naming users[2500]", err)
	}
	if _, _, err := s.LoadRaw(testConn); !errors.Is(err, state.ErrNotFound) {
		t.Errorf("LoadRaw after a failed save: %v, want ErrNotFound", err)
	}
	if _, err := s.StartRaw("", bad).Finish(bad, fetched); err == nil || !strings.Contains(err.Error(), "connection name is empty") {
		t.Errorf("Finish without a connection: %v", err)
	}
}

// A save that is over holds nothing of the roster: a run keeps its
// RawSave until it ends, long after it lets the fetched roster go.
func TestRawSave_LetsGoOfTheRoster(t *testing.T) {
	for _, finish := range []bool{true, false} {
		t.Run(map[bool]string{true: "finished", false: "aborted"}[finish], func(t *testing.T) {
			s := mustOpen(t, tempPath(t))
			r := bulkyRoster(t, 200)
			collected := make(chan struct{})
			runtime.AddCleanup(&r.Users[0], func(ch chan struct{}) { close(ch) }, collected)
			w := s.StartRaw(testConn, r)
			if finish {
				if _, err := w.Finish(r, time.Now()); err != nil {
					t.Fatal(err)
				}
			} else {
				w.Abort()
			}
			r = nil
			for range 20 {
				runtime.GC()
				select {
				case <-collected:
					runtime.KeepAlive(w)
					return
				case <-time.After(10 * time.Millisecond):
				}
			}
			t.Error("the roster's users were not collected while the save was held")
			runtime.KeepAlive(w)
		})
	}
}
