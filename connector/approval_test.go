package connector_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rosterd/rosterd/connector"
	"github.com/rosterd/rosterd/preflight"
	"github.com/rosterd/rosterd/roster"
)

// bigDistrict is a valid roster of n sections of one student each.
func bigDistrict(n int) *roster.Roster {
	r := district()
	r.Sections = nil
	r.Users = r.Users[:1] // the teacher
	for i := range n {
		id := fmt.Sprintf("u%03d", i)
		r.Users = append(r.Users, roster.User{ID: id, District: "d1", Name: roster.Name{First: "F", Last: "L"},
			Roles: roster.Roles{Student: &roster.Student{SISID: "s" + id, School: "s1", Schools: []string{"s1"}}}})
		r.Sections = append(r.Sections, roster.Section{ID: fmt.Sprintf("x%03d", i), District: "d1", School: "s1", Name: "Section",
			Teachers: []string{"t1"}, Students: []string{id}})
	}
	return r
}

// shrink drops the last share of sections and their students.
func shrink(r *roster.Roster, share float64) *roster.Roster {
	c := *r
	keep := len(r.Sections) - int(share*float64(len(r.Sections)))
	c.Sections = append([]roster.Section(nil), r.Sections[:keep]...)
	c.Users = append([]roster.User(nil), r.Users[:keep+1]...)
	return &c
}

func runSync(t *testing.T, eng *connector.Engine, conn *connector.Connection) *preflight.Report {
	t.Helper()
	rep, err := eng.Run(context.Background(), conn, connector.RunOptions{Mode: connector.ModeSync})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// Ensure a change that trips a guard is held with nothing committed, that
// approving it commits exactly the staged change, and that rejecting one
// drops it.
func TestEngine_HeldApproveReject(t *testing.T) {
	store := newMemStore()
	eng := newEngine(t, store)
	src := &fakeSource{roster: bigDistrict(50)}
	conn := &connector.Connection{Name: "c", Source: src}
	if rep := runSync(t, eng, conn); rep.Verdict != preflight.VerdictCommitted {
		t.Fatalf("first sync %s", rep.Verdict)
	}
	before := store.snapshot("c")

	src.roster = shrink(bigDistrict(50), 0.6)
	held := runSync(t, eng, conn)
	if held.Verdict != preflight.VerdictHeld || len(held.Guards) == 0 {
		t.Fatalf("verdict %s, guards %+v", held.Verdict, held.Guards)
	}
	g := held.Guards[0]
	if g.Entity != roster.EntitySection || g.Action != "delete" || g.Count != 30 || g.Committed != 50 || g.Percent != 60 {
		t.Errorf("guard trip %+v", g)
	}
	if diff := cmp.Diff(before, store.snapshot("c")); diff != "" {
		t.Fatalf("a held run changed the roster (-before +after):\n%s", diff)
	}

	rep, err := eng.Approve(held.RunID, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if rep.Verdict != preflight.VerdictCommitted || rep.Decision.By != "alice" || rep.Decision.Action != "approved" {
		t.Errorf("approved report %+v", rep.Decision)
	}
	if got := len(store.snapshot("c")[roster.KindSections]); got != 20 {
		t.Errorf("%d sections committed after approval, want 20", got)
	}
	if rec := store.runs[held.RunID]; rec.Verdict != preflight.VerdictCommitted || rec.DecidedBy != "alice" {
		t.Errorf("history record %+v", rec)
	}
	if _, err := eng.Approve(held.RunID, "alice"); !errors.Is(err, connector.ErrNotHeld) {
		t.Errorf("second approval = %v, want ErrNotHeld", err)
	}

	// A held run rejected leaves the roster as it is.
	src.roster = shrink(bigDistrict(50), 0.9)
	held = runSync(t, eng, conn)
	before = store.snapshot("c")
	if _, err := eng.Reject(held.RunID, "bob"); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(before, store.snapshot("c")); diff != "" {
		t.Errorf("a rejection changed the roster (-before +after):\n%s", diff)
	}
	if rec := store.runs[held.RunID]; rec.Verdict != preflight.VerdictRejected || rec.DecidedBy != "bob" || rec.Decision != "rejected" {
		t.Errorf("history record %+v", rec)
	}
}

// Ensure an approval refuses when the committed roster moved after the
// held run, and commits nothing.
func TestEngine_StaleApproval(t *testing.T) {
	store := newMemStore()
	eng := newEngine(t, store)
	src := &fakeSource{roster: bigDistrict(50)}
	conn := &connector.Connection{Name: "c", Source: src}
	runSync(t, eng, conn)
	src.roster = shrink(bigDistrict(50), 0.6)
	held := runSync(t, eng, conn)

	// An unrelated commit moves the head.
	src.roster = bigDistrict(50)
	src.roster.Sections[0].Name = "Renamed"
	if rep := runSync(t, eng, conn); rep.Verdict != preflight.VerdictCommitted {
		t.Fatalf("unrelated sync %s", rep.Verdict)
	}
	before := store.snapshot("c")
	if _, err := eng.Approve(held.RunID, "alice"); !errors.Is(err, errConflict) {
		t.Fatalf("stale approval = %v, want the store's conflict", err)
	}
	if diff := cmp.Diff(before, store.snapshot("c")); diff != "" {
		t.Errorf("a stale approval changed the roster (-before +after):\n%s", diff)
	}
}

// Ensure a sync inside a pause window preflights but does not commit,
// unless forced.
func TestEngine_Pause(t *testing.T) {
	store := newMemStore()
	eng := newEngine(t, store)
	today := time.Now()
	day := func(t time.Time) roster.Date {
		return roster.Date{Year: int16(t.Year()), Month: uint8(t.Month()), Day: uint8(t.Day())}
	}
	conn := &connector.Connection{Name: "c", Source: &fakeSource{roster: district()},
		Pauses: []connector.Pause{{Name: "summer", From: day(today.AddDate(0, 0, -1)), To: day(today.AddDate(0, 0, 1))}}}
	rep := runSync(t, eng, conn)
	if rep.Verdict != preflight.VerdictPaused || rep.Pause == "" || store.commits != 0 {
		t.Fatalf("verdict %s, pause %q, %d commits", rep.Verdict, rep.Pause, store.commits)
	}
	rep, err := eng.Run(context.Background(), conn, connector.RunOptions{Mode: connector.ModeSync, Force: true})
	if err != nil || rep.Verdict != preflight.VerdictCommitted || store.commits != 1 {
		t.Fatalf("forced: %v, verdict %s, %d commits", err, rep.Verdict, store.commits)
	}
	conn.Pauses[0].To = day(today.AddDate(0, 0, -1))
	if rep := runSync(t, eng, conn); rep.Verdict != preflight.VerdictCommitted {
		t.Errorf("after the window: verdict %s", rep.Verdict)
	}
}

// Ensure a rollback restores what an earlier run committed, through the
// guards, as a run of its own.
func TestEngine_Rollback(t *testing.T) {
	store := newMemStore()
	eng := newEngine(t, store)
	src := &fakeSource{roster: bigDistrict(50)}
	conn := &connector.Connection{Name: "c", Source: src}
	first := runSync(t, eng, conn)
	want := store.snapshot("c")
	src.roster = bigDistrict(50)
	src.roster.Sections[3].Name = "Changed"
	src.roster.Sections = src.roster.Sections[:48]
	if rep := runSync(t, eng, conn); rep.Verdict != preflight.VerdictCommitted {
		t.Fatalf("second sync %s", rep.Verdict)
	}
	rep, err := eng.Rollback(context.Background(), conn, first.RunID)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Verdict != preflight.VerdictCommitted || rep.RollbackTo != first.RunID || rep.Source != "rollback" {
		t.Fatalf("rollback report: verdict %s, rollback_to %d, source %s", rep.Verdict, rep.RollbackTo, rep.Source)
	}
	if diff := cmp.Diff(want, store.snapshot("c")); diff != "" {
		t.Errorf("rolled-back roster (-want +got):\n%s", diff)
	}
	if rec := store.runs[rep.RunID]; rec.RollbackTo != first.RunID {
		t.Errorf("history record %+v", rec)
	}
}
