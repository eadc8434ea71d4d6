package connector_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rosterd/rosterd/connector"
	"github.com/rosterd/rosterd/preflight"
	"github.com/rosterd/rosterd/roster"
)

// fakeArena keeps appended records on the heap and counts what the engine
// asks of it.
type fakeArena struct {
	appended   int
	sealed     int
	sealErr    error
	releases   atomic.Int32
	discarded  int
	prefaulted atomic.Int64 // the highest Prefault asked for
	closed     bool
}

func (a *fakeArena) Append(b []byte) []byte { a.appended++; return append([]byte(nil), b...) }
func (a *fakeArena) Seal() error            { a.sealed++; return a.sealErr }
func (a *fakeArena) ReleaseAll()            { a.releases.Add(1) }
func (a *fakeArena) Discard([]byte)         { a.discarded++ }
func (a *fakeArena) Prefault(n int64) {
	for cur := a.prefaulted.Load(); n > cur && !a.prefaulted.CompareAndSwap(cur, n); cur = a.prefaulted.Load() {
	}
}
func (a *fakeArena) Close() error { a.closed = true; return nil }

// Ensure a run keeps its change in the arena the engine was given, lets
// the arena's pages go while the store reads the change, frees each
// record the store has written, and closes it
// when the run ends; and that a run whose arena cannot be had keeps its
// change on the heap and still commits.
func TestEngine_KeepChangesIn(t *testing.T) {
	t.Run("Arena", func(t *testing.T) {
		store := newMemStore()
		// A commit slow enough for the release ticker to fire.
		store.beforeCommit = func(*memStore) { time.Sleep(3 * time.Second / 10) }
		arena := &fakeArena{}
		eng := newEngine(t, store).KeepChangesIn(func() (connector.Arena, error) { return arena, nil })
		rep := runSync(t, eng, &connector.Connection{Name: "c", Source: &fakeSource{roster: district()}})
		if rep.Verdict != preflight.VerdictCommitted {
			t.Fatalf("verdict %s", rep.Verdict)
		}
		d := district()
		if want := len(d.Districts) + len(d.Schools) + len(d.Terms) + len(d.Courses) + len(d.Sections) + len(d.Users); arena.appended != want {
			t.Errorf("%d records appended to the arena, want every record of a first sync, %d", arena.appended, want)
		}
		if arena.sealed == 0 {
			t.Error("the arena was never sealed before the change was read")
		}
		if arena.releases.Load() == 0 {
			t.Error("the arena was never released while the store read the change")
		}
		if arena.discarded != arena.appended {
			t.Errorf("%d records discarded from the arena once the store wrote them, want all %d", arena.discarded, arena.appended)
		}
		if !arena.closed {
			t.Error("the arena was not closed when the run ended")
		}
		got, err := store.RosterAt("c", rep.RunID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Users) != len(district().Users) {
			t.Errorf("committed %d users, want %d", len(got.Users), len(district().Users))
		}
	})
	t.Run("SealFails", func(t *testing.T) {
		store := newMemStore()
		arena := &fakeArena{sealErr: errors.New("write spill file: input/output error")}
		eng := newEngine(t, store).KeepChangesIn(func() (connector.Arena, error) { return arena, nil })
		rep, err := eng.Run(t.Context(), &connector.Connection{Name: "c", Source: &fakeSource{roster: district()}}, connector.RunOptions{Mode: connector.ModeSync})
		if err == nil || rep.Verdict != preflight.VerdictFailed || !strings.Contains(rep.Error, "input/output error") {
			t.Fatalf("verdict %s (%q, %v), want failed naming the write", rep.Verdict, rep.Error, err)
		}
		if got := store.snapshot("c"); len(got) != 0 {
			t.Errorf("a run whose change could not be kept committed %d kinds", len(got))
		}
		if !arena.closed {
			t.Error("the arena was not closed when the run failed")
		}
	})
	t.Run("NoArena", func(t *testing.T) {
		store := newMemStore()
		eng := newEngine(t, store).KeepChangesIn(func() (connector.Arena, error) { return nil, errors.New("disk full") })
		if rep := runSync(t, eng, &connector.Connection{Name: "c", Source: &fakeSource{roster: district()}}); rep.Verdict != preflight.VerdictCommitted {
			t.Fatalf("verdict %s", rep.Verdict)
		}
	})
}

// Ensure a run collects the fetch's garbage once the roster is in, and
// hands the heap's free pages back after preflight, once the roster is
// let go, before the store writes the change.
func TestEngine_MemoryAroundPhases(t *testing.T) {
	store := newMemStore()
	var events []string
	store.beforeCommit = func(*memStore) { events = append(events, "commit") }
	eng := newEngine(t, store).MemoryWith(
		func() { events = append(events, "collect") },
		func() { events = append(events, "release") },
	)
	src := &recordingSource{fakeSource: fakeSource{roster: district()}, events: &events}
	if rep := runSync(t, eng, &connector.Connection{Name: "c", Source: src}); rep.Verdict != preflight.VerdictCommitted {
		t.Fatalf("verdict %s", rep.Verdict)
	}
	if diff := cmp.Diff([]string{"fetch", "collect", "release", "commit"}, events); diff != "" {
		t.Errorf("memory events mismatch (-want +got):\n%s", diff)
	}
}

// recordingSource is a fakeSource that notes each fetch in events.
type recordingSource struct {
	fakeSource
	events *[]string
}

func (s *recordingSource) Fetch(ctx context.Context) (*roster.Roster, error) {
	*s.events = append(*s.events, "fetch")
	return s.fakeSource.Fetch(ctx)
}

// pagingSource tells the fetch trace of pages of the given sizes before
// it returns its roster, as a crawl does: the users' pages, then that
// the users are final, then the sections' pages.
type pagingSource struct {
	fakeSource
	userPages, sectionPages []int
}

func (s *pagingSource) Fetch(ctx context.Context) (*roster.Roster, error) {
	ro, err := s.fakeSource.Fetch(ctx)
	if err != nil {
		return nil, err
	}
	for _, n := range s.userPages {
		connector.Fetched(ctx, n)
	}
	connector.UsersFinal(ctx, ro)
	for _, n := range s.sectionPages {
		connector.Fetched(ctx, n)
	}
	return ro, nil
}

// Ensure a first sync opens its change's arena before the fetch and has
// it ready room for every byte fetched while the users are listed and,
// after, for three quarters of every byte fetched once that is more, then
// keeps its change there; and that a resync, whose change is small,
// readies nothing.
func TestEngine_PrefaultsAFirstSyncsArena(t *testing.T) {
	tests := []struct {
		name                    string
		userPages, sectionPages []int
		want                    int64
	}{
		{"the users' bytes cover the share", []int{4000, 4000}, []int{2000}, 8000},
		{"the share outgrows the users' bytes", []int{4000}, []int{2000, 8000}, 10500},
		{"no sections", []int{4000, 2000}, nil, 6000},
	}
	for _, tt := range tests {
		for _, keepRaw := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/KeepRaw=%v", tt.name, keepRaw), func(t *testing.T) {
				store := newMemStore()
				var arenas []*fakeArena
				eng := newEngine(t, store).KeepChangesIn(func() (connector.Arena, error) {
					arenas = append(arenas, &fakeArena{})
					return arenas[len(arenas)-1], nil
				})
				src := &pagingSource{fakeSource: fakeSource{roster: district()}, userPages: tt.userPages, sectionPages: tt.sectionPages}
				conn := &connector.Connection{Name: "c", Source: src, KeepRaw: keepRaw}
				if rep := runSync(t, eng, conn); rep.Verdict != preflight.VerdictCommitted {
					t.Fatalf("first sync: verdict %s", rep.Verdict)
				}
				if len(arenas) != 1 {
					t.Fatalf("the first sync opened %d arenas, want one, prefaulted and then filled", len(arenas))
				}
				first := arenas[0]
				if got := first.prefaulted.Load(); got != tt.want {
					t.Errorf("the first sync's arena readied %d bytes, want %d", got, tt.want)
				}
				if first.appended == 0 || !first.closed {
					t.Errorf("the prefaulted arena holds %d records and closed=%v; want the change in it, closed", first.appended, first.closed)
				}

				changed := district()
				changed.Users[0].Name.First = "Renamed"
				src.roster = changed
				if rep := runSync(t, eng, conn); rep.Verdict != preflight.VerdictCommitted {
					t.Fatalf("resync: verdict %s", rep.Verdict)
				}
				for _, a := range arenas[1:] {
					if a.prefaulted.Load() != 0 {
						t.Errorf("a resync readied %d bytes; want none, its change is small", a.prefaulted.Load())
					}
				}
			})
		}
	}
}
