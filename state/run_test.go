package state_test

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rosterd/rosterd/state"
	bolt "go.etcd.io/bbolt"
)

func TestStore_NextRunID(t *testing.T) {
	// Ensure IDs increase and are never handed out twice, even across a
	// reopen and when a run was never recorded.
	path := tempPath(t)
	s := mustOpen(t, path)
	var ids []uint64
	for range 3 {
		id, err := s.NextRunID()
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	mustClose(t, s)
	s = mustOpen(t, path)
	id, err := s.NextRunID()
	if err != nil {
		t.Fatal(err)
	}
	ids = append(ids, id)
	if diff := cmp.Diff([]uint64{1, 2, 3, 4}, ids); diff != "" {
		t.Errorf("run IDs mismatch (-want +got):\n%s", diff)
	}
}

func TestStore_RecordRun(t *testing.T) {
	// Ensure a run and its report read back as recorded, and the report
	// handed out is the caller's to keep.
	t.Run("OK", func(t *testing.T) {
		s := mustOpen(t, tempPath(t))
		want := newRun(t, s)
		want.Mode, want.Verdict, want.Error = "preflight", "refused", "2 blocking issues"
		want.Added, want.Updated, want.Deleted, want.Errors, want.Warnings = 5, 4, 3, 2, 1
		want.Started = time.Date(2025, 9, 1, 8, 0, 0, 123456789, time.FixedZone("EDT", -4*3600))
		want.Decision, want.DecidedBy = "rejected", "ops@example.org"
		want.DecidedAt = want.Started.Add(2 * time.Hour)
		want.RollbackTo = 7
		if err := s.RecordRun(want, []byte(`{"verdict":"refused"}`)); err != nil {
			t.Fatal(err)
		}
		got, err := s.Run(want.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Run mismatch (-want +got):\n%s", diff)
		}

		report, err := s.Report(want.ID)
		if err != nil {
			t.Fatal(err)
		}
		copy(report, "XXXX")
		if report, err = s.Report(want.ID); err != nil || string(report) != `{"verdict":"refused"}` {
			t.Errorf("Report = %q, %v; want the report as recorded", report, err)
		}
		if got := head(t, s, testConn); got != (state.Head{}) {
			t.Errorf("RecordRun moved the head to %+v", got)
		}
	})

	// Ensure a run recorded without a report has none.
	t.Run("NoReport", func(t *testing.T) {
		s := mustOpen(t, tempPath(t))
		run := newRun(t, s)
		if err := s.RecordRun(run, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Report(run.ID); !errors.Is(err, state.ErrNotFound) {
			t.Errorf("Report = %v, want ErrNotFound", err)
		}
	})

	// Ensure unknown runs are ErrNotFound.
	t.Run("ErrNotFound", func(t *testing.T) {
		s := mustOpen(t, tempPath(t))
		checkNotRecorded(t, s, 42)
	})

	// Ensure a run is recorded only once and only under an ID NextRunID
	// handed out, so history never loses or confuses a run.
	t.Run("ErrInvalid", func(t *testing.T) {
		s := mustOpen(t, tempPath(t))
		recorded := newRun(t, s)
		if err := s.RecordRun(recorded, []byte("first")); err != nil {
			t.Fatal(err)
		}
		for _, tt := range []struct {
			name string
			edit func(*state.Run)
			want string
		}{
			{name: "Recorded", edit: func(r *state.Run) { r.Verdict = "failed" }, want: "run already recorded"},
			{name: "Unallocated", edit: func(r *state.Run) { r.ID = 99 }, want: "run id 99 was not allocated by NextRunID"},
			{name: "EmptyConnection", edit: func(r *state.Run) { r.Connection = "" }, want: "connection name is empty"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				run := recorded
				tt.edit(&run)
				err := s.RecordRun(run, []byte("second"))
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("RecordRun = %v, want an error containing %q", err, tt.want)
				}
			})
		}
		if got, err := s.Run(recorded.ID); err != nil || got.Verdict != recorded.Verdict {
			t.Errorf("Run(%d) = %+v, %v; want the first record", recorded.ID, got, err)
		}
		if report, err := s.Report(recorded.ID); err != nil || string(report) != "first" {
			t.Errorf("Report(%d) = %q, %v; want the first report", recorded.ID, report, err)
		}
		if !errors.Is(s.RecordRun(recorded, nil), state.ErrRunRecorded) {
			t.Error("recording a run twice is not ErrRunRecorded")
		}
	})
}

func TestStore_Run(t *testing.T) {
	// Ensure a record written before runs had decisions and rollbacks
	// reads back with those fields zero, and a run without them is stored
	// without them.
	t.Run("OldRecord", func(t *testing.T) {
		path := tempPath(t)
		s := mustOpen(t, path)
		id, err := s.NextRunID()
		if err != nil {
			t.Fatal(err)
		}
		mustClose(t, s)
		old := fmt.Sprintf(`{"id":%d,"connection":"district-a","source":"clever","mode":"sync","verdict":"committed",`+
			`"started":"2025-09-01T06:00:00Z","finished":"2025-09-01T06:01:30Z","added":3,"deleted":1,"warnings":2}`, id)
		editStateFile(t, path, func(tx *bolt.Tx) error {
			return tx.Bucket([]byte("runs")).Put(binary.BigEndian.AppendUint64(nil, id), []byte(old))
		})

		s = mustOpen(t, path)
		got, err := s.Run(id)
		if err != nil {
			t.Fatal(err)
		}
		started := time.Date(2025, 9, 1, 6, 0, 0, 0, time.UTC)
		want := state.Run{
			ID: id, Connection: testConn, Source: "clever", Mode: "sync", Verdict: "committed",
			Started: started, Finished: started.Add(90 * time.Second), Added: 3, Deleted: 1, Warnings: 2,
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("old run record mismatch (-want +got):\n%s", diff)
		}

		run := newRun(t, s)
		if err := s.RecordRun(run, nil); err != nil {
			t.Fatal(err)
		}
		mustClose(t, s)
		var stored string
		editStateFile(t, path, func(tx *bolt.Tx) error {
			stored = string(tx.Bucket([]byte("runs")).Get(binary.BigEndian.AppendUint64(nil, run.ID)))
			return nil
		})
		for _, field := range []string{"decision", "decided_by", "decided_at", "rollback_to"} {
			if strings.Contains(stored, field) {
				t.Errorf("record of an undecided run holds %q: %s", field, stored)
			}
		}
	})
}

func TestStore_UpdateRun(t *testing.T) {
	// Ensure a recorded run's record and report are replaced, and nothing
	// else moves.
	t.Run("OK", func(t *testing.T) {
		s := mustOpen(t, tempPath(t))
		run := newRun(t, s)
		if err := s.RecordRun(run, []byte("before commit timing")); err != nil {
			t.Fatal(err)
		}
		run.Verdict, run.Finished = "committed", run.Started.Add(time.Minute)
		if err := s.UpdateRun(run, []byte("final")); err != nil {
			t.Fatal(err)
		}
		if got, err := s.Run(run.ID); err != nil || !cmp.Equal(run, got) {
			t.Errorf("Run = %+v, %v; want %+v", got, err, run)
		}
		if report, err := s.Report(run.ID); err != nil || string(report) != "final" {
			t.Errorf("Report = %q, %v; want the final report", report, err)
		}
		if got := head(t, s, testConn); got != (state.Head{}) {
			t.Errorf("UpdateRun moved the head to %+v", got)
		}
	})

	// Ensure only a recorded run of the same connection can be updated.
	t.Run("ErrInvalid", func(t *testing.T) {
		s := mustOpen(t, tempPath(t))
		run := newRun(t, s)
		if err := s.UpdateRun(run, []byte("x")); !errors.Is(err, state.ErrNotFound) {
			t.Errorf("UpdateRun of an unrecorded run = %v, want ErrNotFound", err)
		}
		if err := s.RecordRun(run, []byte("first")); err != nil {
			t.Fatal(err)
		}
		other := run
		other.Connection = "other"
		if err := s.UpdateRun(other, []byte("x")); err == nil || !strings.Contains(err.Error(), "belongs to connection") {
			t.Errorf("UpdateRun across connections = %v", err)
		}
		if report, _ := s.Report(run.ID); string(report) != "first" {
			t.Errorf("report %q after refused updates, want first", report)
		}
	})
}

func TestStore_Runs(t *testing.T) {
	s := mustOpen(t, tempPath(t))
	// Runs 1..5 alternate between two connections; run 6 is allocated but
	// never recorded.
	conns := []string{"a", "b", "a", "b", "a"}
	for _, conn := range conns {
		run := newRun(t, s)
		run.Connection = conn
		if err := s.RecordRun(run, nil); err != nil {
			t.Fatal(err)
		}
	}
	newRun(t, s)

	// Ensure runs come newest first, filtered by connection, then limited.
	for _, tt := range []struct {
		name   string
		filter state.RunFilter
		want   []uint64
	}{
		{name: "All", filter: state.RunFilter{}, want: []uint64{5, 4, 3, 2, 1}},
		{name: "Connection", filter: state.RunFilter{Connection: "a"}, want: []uint64{5, 3, 1}},
		{name: "Limit", filter: state.RunFilter{Limit: 2}, want: []uint64{5, 4}},
		{name: "ConnectionLimit", filter: state.RunFilter{Connection: "b", Limit: 1}, want: []uint64{4}},
		{name: "LimitAboveCount", filter: state.RunFilter{Connection: "b", Limit: 10}, want: []uint64{4, 2}},
		{name: "UnknownConnection", filter: state.RunFilter{Connection: "c"}, want: nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			runs, err := s.Runs(tt.filter)
			if err != nil {
				t.Fatal(err)
			}
			var got []uint64
			for _, r := range runs {
				got = append(got, r.ID)
				if want := conns[r.ID-1]; r.Connection != want {
					t.Errorf("run %d has connection %q, want %q", r.ID, r.Connection, want)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("run IDs mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
