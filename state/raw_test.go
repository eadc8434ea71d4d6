package state_test

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cespare/xxhash/v2"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/klauspost/compress/s2"
	"github.com/klauspost/compress/zstd"
	"github.com/rosterd/rosterd/internal/codec"
	"github.com/rosterd/rosterd/internal/synth"
	"github.com/rosterd/rosterd/roster"
	"github.com/rosterd/rosterd/state"
	bolt "go.etcd.io/bbolt"
)

// fetchedAt is when the tests' source fetches finish.
var fetchedAt = time.Date(2025, 9, 2, 5, 58, 12, 345678901, time.UTC)

func TestStore_SaveRaw(t *testing.T) {
	// Ensure a roster touching every collection and role reads back as
	// saved, in the order saved, after the store is reopened, and that
	// SaveRaw left its argument as it was.
	t.Run("OK", func(t *testing.T) {
		path := tempPath(t)
		s := mustOpen(t, path)
		r := rawRoster()
		info, err := s.SaveRaw(testConn, r, fetchedAt)
		if err != nil {
			t.Fatalf("SaveRaw: %v", err)
		}
		if diff := cmp.Diff(rawRoster(), r); diff != "" {
			t.Errorf("SaveRaw changed its roster (-before +after):\n%s", diff)
		}
		if info.Records != 16 || info.Bytes <= 0 || !info.Fetched.Equal(fetchedAt) {
			t.Errorf("SaveRaw = %+v, want 16 records of more than 0 bytes fetched at %s", info, fetchedAt)
		}
		if info.Users != len(r.Users) || info.Sections != len(r.Sections) || info.Users == 0 || info.Sections == 0 {
			t.Errorf("SaveRaw counts %d users and %d sections, want %d and %d", info.Users, info.Sections, len(r.Users), len(r.Sections))
		}
		mustClose(t, s)

		s = mustOpen(t, path)
		got, gotInfo, err := s.LoadRaw(testConn)
		if err != nil {
			t.Fatalf("LoadRaw: %v", err)
		}
		if diff := cmp.Diff(rawRoster(), got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("raw roster mismatch (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(info, gotInfo); diff != "" {
			t.Errorf("LoadRaw info mismatch (-SaveRaw +LoadRaw):\n%s", diff)
		}
		if described, err := s.RawInfo(testConn); err != nil {
			t.Errorf("RawInfo: %v", err)
		} else if diff := cmp.Diff(info, described); diff != "" {
			t.Errorf("RawInfo mismatch (-SaveRaw +RawInfo):\n%s", diff)
		}
	})

	// Ensure a roster with no records round-trips as an empty one.
	t.Run("Empty", func(t *testing.T) {
		s := mustOpen(t, tempPath(t))
		if _, err := s.SaveRaw(testConn, &roster.Roster{}, fetchedAt); err != nil {
			t.Fatalf("SaveRaw: %v", err)
		}
		got, info, err := s.LoadRaw(testConn)
		if err != nil {
			t.Fatalf("LoadRaw: %v", err)
		}
		if diff := cmp.Diff(&roster.Roster{}, got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("raw roster mismatch (-want +got):\n%s", diff)
		}
		if info.Records != 0 {
			t.Errorf("LoadRaw info = %+v, want 0 records", info)
		}
	})

	// Ensure a second save replaces the first whole: a smaller roster
	// leaves none of the larger one's chunks behind.
	t.Run("Replace", func(t *testing.T) {
		path := tempPath(t)
		s := mustOpen(t, path)
		big := bulkyRoster(t, 3_000)
		bigInfo, err := s.SaveRaw(testConn, big, fetchedAt)
		if err != nil {
			t.Fatalf("SaveRaw big: %v", err)
		}
		mustClose(t, s)
		if n, size := rawChunks(t, path, testConn); n < 3 || size != bigInfo.Bytes {
			t.Fatalf("big roster stored in %d chunks of %d bytes, want 3 or more of %d (SaveRaw's Bytes)", n, size, bigInfo.Bytes)
		}

		s = mustOpen(t, path)
		if got, _, err := s.LoadRaw(testConn); err != nil {
			t.Fatalf("LoadRaw big: %v", err)
		} else {
			checkSameRoster(t, big, got)
		}
		later := fetchedAt.Add(24 * time.Hour)
		smallInfo, err := s.SaveRaw(testConn, rawRoster(), later)
		if err != nil {
			t.Fatalf("SaveRaw small: %v", err)
		}
		got, gotInfo, err := s.LoadRaw(testConn)
		if err != nil {
			t.Fatalf("LoadRaw small: %v", err)
		}
		if diff := cmp.Diff(rawRoster(), got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("small raw roster mismatch (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(smallInfo, gotInfo); diff != "" {
			t.Errorf("LoadRaw info mismatch (-SaveRaw +LoadRaw):\n%s", diff)
		}
		if !gotInfo.Fetched.Equal(later) || gotInfo.Bytes >= bigInfo.Bytes {
			t.Errorf("info after replacing = %+v, want fetched at %s and under %d bytes", gotInfo, later, bigInfo.Bytes)
		}
		mustClose(t, s)
		if n, size := rawChunks(t, path, testConn); n != 1 || size != smallInfo.Bytes {
			t.Errorf("small roster stored in %d chunks of %d bytes, want 1 of %d", n, size, smallInfo.Bytes)
		}
	})

	// Ensure SaveRaw leaves the committed roster, its head, the cursor and
	// the run history exactly as they were, and gives a connection never
	// committed no head.
	t.Run("LeavesCommitted", func(t *testing.T) {
		path := tempPath(t)
		s := mustOpen(t, path)
		run := mustCommit(t, s, 0, encodeRoster(t, testRoster()), []byte("event-1"))
		wantRecords := dump(t, s, testConn)
		wantRuns, err := s.Runs(state.RunFilter{})
		if err != nil {
			t.Fatal(err)
		}
		mustClose(t, s)
		wantRoot, wantKinds := rosterRoot(t, path, testConn)

		s = mustOpen(t, path)
		if _, err := s.SaveRaw(testConn, bulkyRoster(t, 100), fetchedAt); err != nil {
			t.Fatalf("SaveRaw: %v", err)
		}
		if _, err := s.SaveRaw("fresh", rawRoster(), fetchedAt); err != nil {
			t.Fatalf("SaveRaw to a new connection: %v", err)
		}
		if diff := cmp.Diff(wantRecords, dump(t, s, testConn)); diff != "" {
			t.Errorf("committed records mismatch (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(state.Head{RunID: run.ID, CommittedAt: run.Finished}, head(t, s, testConn)); diff != "" {
			t.Errorf("head mismatch (-want +got):\n%s", diff)
		}
		var cursor string
		if err := s.View(testConn, func(sn *state.Snapshot) error { cursor = string(sn.Cursor()); return nil }); err != nil {
			t.Fatal(err)
		}
		if cursor != "event-1" {
			t.Errorf("cursor = %q, want %q", cursor, "event-1")
		}
		if got, err := s.Runs(state.RunFilter{}); err != nil {
			t.Error(err)
		} else if diff := cmp.Diff(wantRuns, got); diff != "" {
			t.Errorf("runs mismatch (-want +got):\n%s", diff)
		}
		if got := head(t, s, "fresh"); got != (state.Head{}) {
			t.Errorf("head of a connection only SaveRaw wrote = %+v, want none", got)
		}
		if got, err := s.Connections(); err != nil {
			t.Error(err)
		} else if diff := cmp.Diff([]string{testConn}, got); diff != "" {
			t.Errorf("Connections mismatch (-want +got):\n%s", diff)
		}
		// A commit after SaveRaw sees the head SaveRaw left alone.
		mustCommit(t, s, run.ID, &roster.Change{}, []byte("event-2"))
		mustClose(t, s)
		gotRoot, gotKinds := rosterRoot(t, path, testConn)
		if gotRoot != wantRoot {
			t.Errorf("roster bucket moved from page %d to %d: SaveRaw rewrote the committed roster", wantRoot, gotRoot)
		}
		if diff := cmp.Diff(wantKinds, gotKinds); diff != "" {
			t.Errorf("kind roots mismatch (-want +got):\n%s", diff)
		}
	})

	// Ensure a district, whose collections span many batches of records
	// (and change between batches), reads back in the order saved.
	t.Run("ManyBatches", func(t *testing.T) {
		s := mustOpen(t, tempPath(t))
		p, ok := synth.ProfileByName("small")
		if !ok {
			t.Fatal("no synth profile small")
		}
		r, _ := synth.Generate(p)
		r.FieldErrors = rawRoster().FieldErrors
		info, err := s.SaveRaw(testConn, r, fetchedAt)
		if err != nil {
			t.Fatalf("SaveRaw: %v", err)
		}
		if want := len(r.Districts) + len(r.Schools) + len(r.Terms) + len(r.Courses) + len(r.Sections) + len(r.Users); info.Records != want {
			t.Errorf("SaveRaw stored %d records, want %d", info.Records, want)
		}
		got, _, err := s.LoadRaw(testConn)
		if err != nil {
			t.Fatalf("LoadRaw: %v", err)
		}
		checkSameRoster(t, r, got)
	})

	// Ensure a district whose stream is compressed in several parts, each
	// an S2 stream, reads back as saved.
	t.Run("ManyFrames", func(t *testing.T) {
		path := tempPath(t)
		s := mustOpen(t, path)
		p, ok := synth.ProfileByName("small")
		if !ok {
			t.Fatal("no synth profile small")
		}
		r, _ := synth.Generate(p)
		if _, err := s.SaveRaw(testConn, r, fetchedAt); err != nil {
			t.Fatalf("SaveRaw: %v", err)
		}
		mustClose(t, s)
		if n := s2Streams(t, rawStored(t, path, testConn)); n < 2 {
			t.Fatalf("stream stored in %d S2 streams, want several", n)
		}

		s = mustOpen(t, path)
		got, _, err := s.LoadRaw(testConn)
		if err != nil {
			t.Fatalf("LoadRaw: %v", err)
		}
		if diff := cmp.Diff(r, got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("raw roster mismatch (-want +got):\n%s", diff)
		}
	})

	// Ensure a connection without a raw roster is ErrNotFound, whether it
	// was never written or only committed.
	t.Run("ErrNotFound", func(t *testing.T) {
		s := mustOpen(t, tempPath(t))
		mustCommit(t, s, 0, encodeRoster(t, testRoster()), nil)
		for _, conn := range []string{"nowhere", testConn} {
			if _, _, err := s.LoadRaw(conn); !errors.Is(err, state.ErrNotFound) {
				t.Errorf("LoadRaw(%s) = %v, want ErrNotFound", conn, err)
			}
			if _, err := s.RawInfo(conn); !errors.Is(err, state.ErrNotFound) {
				t.Errorf("RawInfo(%s) = %v, want ErrNotFound", conn, err)
			}
		}
	})

	// Ensure SaveRaw refuses what it cannot store, writing nothing.
	t.Run("ErrInvalid", func(t *testing.T) {
		s := mustOpen(t, tempPath(t))
		for _, tt := range []struct {
			name string
			conn string
			r    *roster.Roster
			want string
		}{
			{name: "EmptyConnection", conn: "", r: rawRoster(), want: "connection name is empty"},
			{name: "NilRoster", conn: testConn, r: nil, want: "roster is nil"},
			// Records are encoded in parallel batches: the first bad one
			// in roster order is named, wherever the other is.
			{name: "BadRecord", conn: testConn, r: badRoster(t, 700, 2_500), want: "users[700]"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				_, err := s.SaveRaw(tt.conn, tt.r, fetchedAt)
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("SaveRaw = %v, want an error containing %q", err, tt.want)
				}
			})
		}
		if _, err := s.RawInfo(testConn); !errors.Is(err, state.ErrNotFound) {
			t.Errorf("RawInfo after refused saves = %v, want ErrNotFound", err)
		}
	})
}

// Ensure students with equal demographics share one copy once loaded, as
// they do when a source maps them.
func TestStore_LoadRawSharesRepeatedValues(t *testing.T) {
	s := mustOpen(t, tempPath(t))
	defer mustClose(t, s)
	student := func(id, gender, school string) roster.User {
		return roster.User{ID: id, Roles: roster.Roles{Student: &roster.Student{
			School: school, Schools: []string{school},
			Demographics: &roster.Demographics{Gender: gender, HomeLanguage: "English"},
		}}}
	}
	r := &roster.Roster{Users: []roster.User{student("u1", "F", "s1"), student("u2", "F", "s1"), student("u3", "M", "s2")}}
	if _, err := s.SaveRaw(testConn, r, fetchedAt); err != nil {
		t.Fatal(err)
	}
	got, _, err := s.LoadRaw(testConn)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(r, got); diff != "" {
		t.Fatalf("raw roster mismatch (-want +got):\n%s", diff)
	}
	d := func(i int) *roster.Demographics { return got.Users[i].Roles.Student.Demographics }
	if d(0) != d(1) || d(0) == d(2) {
		t.Errorf("demographics pointers %p %p %p: want the first two shared, the third apart", d(0), d(1), d(2))
	}
	schools := func(i int) *string { return &got.Users[i].Roles.Student.Schools[0] }
	if schools(0) != schools(1) || schools(0) == schools(2) {
		t.Errorf("school lists at %p %p %p: want the first two shared, the third apart", schools(0), schools(1), schools(2))
	}
}

func TestStore_LoadRaw(t *testing.T) {
	// Ensure a raw roster stored as an older rosterd stored them reads
	// back as saved: in parts each compressed into a zstd frame of its own
	// (before S2), or as one zstd frame (before parts).
	for _, tt := range []struct {
		name     string
		store    func(tb testing.TB, raw *bolt.Bucket, info map[string]any)
		oneFrame bool
	}{
		{name: "OneFrame", store: oneFrame, oneFrame: true},
		{name: "ZstdParts", store: zstdParts},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := tempPath(t)
			s := mustOpen(t, path)
			r := bulkyRoster(t, 3_000)
			info, err := s.SaveRaw(testConn, r, fetchedAt)
			if err != nil {
				t.Fatalf("SaveRaw: %v", err)
			}
			mustClose(t, s)
			damageRaw(t, path, testConn, tt.store)
			stored := rawStored(t, path, testConn)
			if n := zstdFrames(t, stored); (n == 1) != tt.oneFrame {
				t.Fatalf("stream stored in %d zstd frames, want one: %v", n, tt.oneFrame)
			}
			info.Bytes = int64(len(stored))

			s = mustOpen(t, path)
			checkRaw(t, s, r, info)
		})
	}

	// Ensure a damaged raw roster, or one in a format this code does not
	// read, is an error naming the connection and what is wrong, not a
	// panic and not ErrNotFound.
	t.Run("ErrDamaged", func(t *testing.T) {
		for _, tt := range []struct {
			name   string
			damage func(tb testing.TB, raw *bolt.Bucket, info map[string]any)
			want   string
		}{
			{name: "FlippedByte", want: "raw roster is damaged", damage: func(tb testing.TB, raw *bolt.Bucket, _ map[string]any) {
				chunk := slices.Clone(raw.Get(chunkKey(1)))
				chunk[len(chunk)/2] ^= 0x55
				mustPut(tb, raw, chunkKey(1), chunk)
			}},
			{name: "MissingLastChunk", want: "raw info says", damage: func(tb testing.TB, raw *bolt.Bucket, _ map[string]any) {
				last, _ := raw.Cursor().Last()
				mustDelete(tb, raw, last)
			}},
			{name: "MissingChunk", want: "where chunk 1 belongs", damage: func(tb testing.TB, raw *bolt.Bucket, _ map[string]any) {
				mustDelete(tb, raw, chunkKey(1))
			}},
			{name: "MissingFirstChunk", want: "where chunk 0 belongs", damage: func(tb testing.TB, raw *bolt.Bucket, _ map[string]any) {
				mustDelete(tb, raw, chunkKey(0))
			}},
			{name: "Truncated", want: "raw roster is damaged", damage: func(tb testing.TB, raw *bolt.Bucket, info map[string]any) {
				replaceStream(tb, raw, info, streamPrefix(tb, 1000))
			}},
			{name: "TrailingData", want: "data after the end marker", damage: func(tb testing.TB, raw *bolt.Bucket, info map[string]any) {
				replaceStream(tb, raw, info, append(streamPrefix(tb, -1), 0))
			}},
			{name: "NotRaw", want: "not a raw roster header", damage: func(tb testing.TB, raw *bolt.Bucket, info map[string]any) {
				replaceStream(tb, raw, info, []byte(`{"districts":[]}`))
			}},
			{name: "NotZstd", want: "raw roster is damaged", damage: func(tb testing.TB, raw *bolt.Bucket, info map[string]any) {
				setChunks(tb, raw, info, []byte("RRAW\x01 plain bytes"))
			}},
			{name: "StreamFormat", want: "stream is in format 2", damage: func(tb testing.TB, raw *bolt.Bucket, info map[string]any) {
				replaceStream(tb, raw, info, []byte("RRAW\x02"))
			}},
			{name: "UnknownTag", want: "unknown tag 9", damage: func(tb testing.TB, raw *bolt.Bucket, info map[string]any) {
				replaceStream(tb, raw, info, []byte("RRAW\x01\x09\x02{}\x00\x01"))
			}},
			{name: "HugeRecord", want: "claims 9223372036854775807 bytes", damage: func(tb testing.TB, raw *bolt.Bucket, info map[string]any) {
				stream := binary.AppendUvarint([]byte("RRAW\x01\x06"), 1<<63-1)
				replaceStream(tb, raw, info, stream)
			}},
			{name: "BadRecord", want: "record 0 (districts)", damage: func(tb testing.TB, raw *bolt.Bucket, info map[string]any) {
				replaceStream(tb, raw, info, []byte("RRAW\x01\x01\x02{]\x00\x01"))
			}},
			// Records are decoded in parallel batches while the stream is
			// read on: what is wrong first in the stream is what is named.
			{name: "BadRecordThenTruncated", want: "record 600 (users)", damage: func(tb testing.TB, raw *bolt.Bucket, info map[string]any) {
				stream := []byte("RRAW\x01")
				for range 600 {
					stream = append(stream, "\x06\x02{}"...)
				}
				stream = append(stream, "\x06\x02{]"...)
				for range 600 {
					stream = append(stream, "\x06\x02{}"...)
				}
				replaceStream(tb, raw, info, append(stream, "\x06\x05{}"...))
			}},
			{name: "CountMismatch", want: "raw info says 10", damage: func(tb testing.TB, _ *bolt.Bucket, info map[string]any) {
				info["counts"] = map[string]any{"users": 10}
			}},
			{name: "InfoFormat", want: "format 99", damage: func(tb testing.TB, _ *bolt.Bucket, info map[string]any) {
				info["format"] = 99
			}},
			{name: "InfoCompression", want: `compressed as "lz4"`, damage: func(tb testing.TB, _ *bolt.Bucket, info map[string]any) {
				info["compression"] = "lz4"
			}},
			{name: "ZstdNamedS2", want: "raw roster is damaged", damage: func(tb testing.TB, raw *bolt.Bucket, info map[string]any) {
				zstdParts(tb, raw, info)
				info["compression"] = "s2"
			}},
			{name: "HugeCounts", want: "raw info says", damage: func(tb testing.TB, _ *bolt.Bucket, info map[string]any) {
				info["counts"] = map[string]any{"users": 1 << 40, "sections": 1 << 40}
			}},
		} {
			t.Run(tt.name, func(t *testing.T) {
				path := tempPath(t)
				s := mustOpen(t, path)
				if _, err := s.SaveRaw(testConn, bulkyRoster(t, 3_000), fetchedAt); err != nil {
					t.Fatalf("SaveRaw: %v", err)
				}
				mustClose(t, s)
				damageRaw(t, path, testConn, tt.damage)

				s = mustOpen(t, path)
				_, _, err := s.LoadRaw(testConn)
				if err == nil || !strings.Contains(err.Error(), testConn) || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("LoadRaw = %v, want an error naming %s and containing %q", err, testConn, tt.want)
				}
				if errors.Is(err, state.ErrNotFound) {
					t.Errorf("LoadRaw = %v, is ErrNotFound", err)
				}
			})
		}
	})
}

// rawRoster is testRoster, reordered so that no collection is in ID order,
// with every role (a user holding three), ext values of every JSON type
// and field errors.
func rawRoster() *roster.Roster {
	r := testRoster()
	slices.Reverse(r.Users)
	slices.Reverse(r.Sections)
	slices.Reverse(r.Schools)
	r.Districts[0].Ext = roster.ExtOf(map[string]json.RawMessage{
		"tier":    json.RawMessage(`3`),
		"flags":   json.RawMessage(`{"pilot":true,"cohort":["a","b"]}`),
		"nothing": json.RawMessage(`null`),
		"label":   json.RawMessage(`"Ünïcode \"quoted\""`),
	})
	r.Sections[0].Ext = roster.ExtStrings(map[string]string{"room": "B12", "block": "A"})
	r.Sections[1].LastModified = time.Date(2025, 8, 21, 9, 0, 0, 1, time.UTC)
	r.Users = append(r.Users,
		roster.User{ID: "u30", District: "d1", Name: roster.Name{First: "Gus", Middle: "H", Last: "Admin"}, Email: "gus@example.org",
			Roles: roster.Roles{
				Teacher:       &roster.Teacher{SISID: "T30", Title: "Coach", School: "s2", Schools: []string{"s2"}, Ext: roster.ExtStrings(map[string]string{"union": "y"})},
				Staff:         &roster.Staff{StaffID: "S30", Title: "Principal", Department: "Admin", Schools: []string{"s2", "s1"}},
				DistrictAdmin: &roster.DistrictAdmin{Title: "Superintendent"},
			}},
		roster.User{ID: "u00", District: "d1", Name: roster.Name{First: "Ida"}, Roles: roster.Roles{Student: &roster.Student{
			Demographics: &roster.Demographics{Gender: "X", GraduationYear: "2038", Race: "Asian", HispanicEthnicity: "N", ELLStatus: "Y", HomeLanguage: "Tagalog"},
			SISID:        "9000", StudentNumber: "42", StateID: "IL-9", Username: "ida", Grade: "Kindergarten", School: "s1", Schools: []string{"s1"},
			Programs: &roster.Programs{IEPStatus: "N", Section504Status: "Y", FRLStatus: "Free", GiftedStatus: "N"}}}},
	)
	r.FieldErrors = []roster.FieldError{
		{Entity: roster.EntityStudent, ID: "u02", SISID: "9002", Field: "dob", Message: "date in no known format"},
		{Entity: roster.EntityTerm, ID: "t1", Field: "end_date", Message: "date before the start date"},
	}
	return r
}

// bulkyRoster is a district of n students whose records carry 2 KiB of
// random hex each, so that even compressed they fill several chunks
// (3,000 of them make about 3 MiB).
func bulkyRoster(tb testing.TB, n int) *roster.Roster {
	tb.Helper()
	return makeBulkyRoster(n)
}

// makeBulkyRoster is bulkyRoster, for a crash child, which has no
// testing.TB.
func makeBulkyRoster(n int) *roster.Roster {
	rng := rand.New(rand.NewPCG(7, uint64(n)))
	noise := make([]byte, 1024)
	r := &roster.Roster{
		Districts: []roster.District{{ID: "d1", Name: "Bulky District"}},
		Schools:   []roster.School{{ID: "s1", District: "d1", Name: "Only School"}},
		Sections:  []roster.Section{{ID: "x1", District: "d1", School: "s1", Name: "Everyone"}},
	}
	for i := range n {
		for j := range noise {
			noise[j] = byte(rng.Uint32())
		}
		id := fmt.Sprintf("u%06d", i)
		r.Users = append(r.Users, roster.User{ID: id, District: "d1", Name: roster.Name{First: "First", Last: fmt.Sprint("Last", i)},
			Roles: roster.Roles{Student: &roster.Student{SISID: fmt.Sprint(100000 + i), School: "s1",
				Ext: roster.ExtStrings(map[string]string{"noise": hex.EncodeToString(noise)})}}})
		r.Sections[0].Students = append(r.Sections[0].Students, id)
	}
	return r
}

// badRoster is a bulkyRoster whose students at the indexes bad have an
// ext value that is not JSON, so that SaveRaw cannot encode them.
func badRoster(tb testing.TB, bad ...int) *roster.Roster {
	tb.Helper()
	r := bulkyRoster(tb, 3_000)
	for _, i := range bad {
		r.Users[i].Roles.Student.Ext = roster.ExtOf(map[string]json.RawMessage{"broken": json.RawMessage(`{]`)})
	}
	return r
}

// checkSameRoster compares two large rosters. cmp walks the random hex
// of bulkyRoster byte by byte, which takes seconds, so it first compares
// their JSON (which, like cmpopts.EquateEmpty, does not tell a nil slice
// from an empty one), and runs cmp only to show a difference.
func checkSameRoster(t *testing.T, want, got *roster.Roster) {
	t.Helper()
	wantJSON, err := codec.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	gotJSON, err := codec.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(wantJSON, gotJSON) {
		return
	}
	t.Errorf("raw roster mismatch (-want +got):\n%s", cmp.Diff(want, got, cmpopts.EquateEmpty()))
}

// rawChunks returns the number of chunks of conn's raw roster and their
// total size, reading the closed state file with bbolt directly.
func rawChunks(tb testing.TB, path, conn string) (n int, size int64) {
	tb.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	err = db.View(func(tx *bolt.Tx) error {
		rb := tx.Bucket([]byte("connections")).Bucket([]byte(conn)).Bucket([]byte("raw"))
		if rb == nil {
			return fmt.Errorf("connection %s has no raw bucket", conn)
		}
		return rb.ForEach(func(k, v []byte) error {
			n++
			size += int64(len(v))
			return nil
		})
	})
	if err != nil {
		tb.Fatal(err)
	}
	return n, size
}

// damageRaw lets damage change conn's raw chunks and its raw_info, decoded
// as a JSON object, in the closed state file, and writes both back.
func damageRaw(tb testing.TB, path, conn string, damage func(tb testing.TB, raw *bolt.Bucket, info map[string]any)) {
	tb.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	err = db.Update(func(tx *bolt.Tx) error {
		cb := tx.Bucket([]byte("connections")).Bucket([]byte(conn))
		var info map[string]any
		if err := json.Unmarshal(cb.Get([]byte("raw_info")), &info); err != nil {
			return err
		}
		damage(tb, cb.Bucket([]byte("raw")), info)
		data, err := json.Marshal(info)
		if err != nil {
			return err
		}
		return cb.Put([]byte("raw_info"), data)
	})
	if err != nil {
		tb.Fatal(err)
	}
}

func chunkKey(n uint64) []byte { return binary.BigEndian.AppendUint64(nil, n) }

func mustPut(tb testing.TB, b *bolt.Bucket, k, v []byte) {
	tb.Helper()
	if err := b.Put(k, v); err != nil {
		tb.Fatal(err)
	}
}

func mustDelete(tb testing.TB, b *bolt.Bucket, k []byte) {
	tb.Helper()
	if err := b.Delete(k); err != nil {
		tb.Fatal(err)
	}
}

// setChunks replaces every chunk with chunks and makes info describe
// them, so only the stream inside is wrong.
func setChunks(tb testing.TB, raw *bolt.Bucket, info map[string]any, chunks ...[]byte) {
	tb.Helper()
	var keys [][]byte
	if err := raw.ForEach(func(k, _ []byte) error { keys = append(keys, slices.Clone(k)); return nil }); err != nil {
		tb.Fatal(err)
	}
	for _, k := range keys {
		mustDelete(tb, raw, k)
	}
	size := 0
	for i, chunk := range chunks {
		mustPut(tb, raw, chunkKey(uint64(i)), chunk)
		size += len(chunk)
	}
	info["chunks"] = len(chunks)
	info["bytes"] = size
}

// oneFrame stores the stream again as rosterd stored it before it
// compressed the stream in parts: as one zstd frame, written by a zstd
// stream encoder at SpeedFastest, in chunks of 1 MiB, and described by a
// raw_info without a chunk hash or a compression.
func oneFrame(tb testing.TB, raw *bolt.Bucket, info map[string]any) {
	tb.Helper()
	stream := storedStream(tb, raw, info)
	var buf bytes.Buffer
	zw, err := zstd.NewWriter(&buf, zstd.WithEncoderLevel(zstd.SpeedFastest))
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := zw.Write(stream); err != nil {
		tb.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	setChunks(tb, raw, info, slices.Collect(slices.Chunk(buf.Bytes(), 1<<20))...)
	delete(info, "chunks_hash")
	delete(info, "compression")
}

// zstdParts stores the stream again as rosterd stored it before S2: in
// parts of 1 MiB, each compressed into a zstd frame of its own at
// SpeedFastest, cut into chunks of 1 MiB, and described by a raw_info
// with their chunk hash but no compression.
func zstdParts(tb testing.TB, raw *bolt.Bucket, info map[string]any) {
	tb.Helper()
	stream := storedStream(tb, raw, info)
	zw, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithWindowSize(1<<20))
	if err != nil {
		tb.Fatal(err)
	}
	var compressed []byte
	for part := range slices.Chunk(stream, 1<<20) {
		compressed = zw.EncodeAll(part, compressed)
	}
	setChunks(tb, raw, info, slices.Collect(slices.Chunk(compressed, 1<<20))...)
	info["chunks_hash"] = fmt.Sprintf("xxh64:%016x", xxhash.Sum64(compressed))
	delete(info, "compression")
}

// storedStream returns the stream the chunks of raw hold, decompressed
// as info says.
func storedStream(tb testing.TB, raw *bolt.Bucket, info map[string]any) []byte {
	tb.Helper()
	var compressed []byte
	err := raw.ForEach(func(_, v []byte) error { compressed = append(compressed, v...); return nil })
	if err != nil {
		tb.Fatal(err)
	}
	return decompress(tb, compressed, info["compression"])
}

// decompress returns the stream compressed holds, compressed as
// compression says: "s2", or zstd when it is absent.
func decompress(tb testing.TB, compressed []byte, compression any) []byte {
	tb.Helper()
	var r io.Reader
	switch compression {
	case "s2":
		r = s2.NewReader(bytes.NewReader(compressed))
	case nil:
		zr, err := zstd.NewReader(bytes.NewReader(compressed))
		if err != nil {
			tb.Fatal(err)
		}
		defer zr.Close()
		r = zr
	default:
		tb.Fatalf("stream compressed as %v", compression)
	}
	stream, err := io.ReadAll(r)
	if err != nil {
		tb.Fatal(err)
	}
	return stream
}

// replaceStream replaces the stored stream with stream, compressed as
// SaveRaw compresses it.
func replaceStream(tb testing.TB, raw *bolt.Bucket, info map[string]any, stream []byte) {
	tb.Helper()
	var buf bytes.Buffer
	w := s2.NewWriter(&buf, s2.WriterBlockSize(1<<20))
	if _, err := w.Write(stream); err != nil {
		tb.Fatal(err)
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	setChunks(tb, raw, info, buf.Bytes())
	info["stream_bytes"] = len(stream)
	info["compression"] = "s2"
}

// streamPrefix returns the first n bytes of the stream of rawRoster, as
// SaveRaw writes it, or all of it when n is negative.
func streamPrefix(tb testing.TB, n int) []byte {
	tb.Helper()
	path := tempPath(tb)
	s := mustOpen(tb, path)
	if _, err := s.SaveRaw(testConn, rawRoster(), fetchedAt); err != nil {
		tb.Fatal(err)
	}
	mustClose(tb, s)
	stream := decompress(tb, rawStored(tb, path, testConn), "s2")
	if n >= 0 {
		if n >= len(stream) {
			tb.Fatalf("stream of %d bytes has no prefix of %d", len(stream), n)
		}
		stream = stream[:n]
	}
	return stream
}

// rawStored returns conn's raw chunks one after another, reading the
// closed state file with bbolt directly.
func rawStored(tb testing.TB, path, conn string) []byte {
	tb.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	var stored []byte
	err = db.View(func(tx *bolt.Tx) error {
		rb := tx.Bucket([]byte("connections")).Bucket([]byte(conn)).Bucket([]byte("raw"))
		return rb.ForEach(func(_, v []byte) error { stored = append(stored, v...); return nil })
	})
	if err != nil {
		tb.Fatal(err)
	}
	return stored
}

// zstdFrames returns how many zstd frames data holds, one after
// another, reading only their frame and block headers.
func zstdFrames(tb testing.TB, data []byte) int {
	tb.Helper()
	n := 0
	for ; len(data) > 0; n++ {
		var h zstd.Header
		if err := h.Decode(data); err != nil {
			tb.Fatalf("zstd frame %d: %v", n, err)
		}
		if h.Skippable || h.HeaderSize > len(data) {
			tb.Fatalf("zstd frame %d is skippable, or cut short", n)
		}
		data = data[h.HeaderSize:]
		for last := false; !last; {
			if len(data) < 3 {
				tb.Fatalf("zstd frame %d is cut short", n)
			}
			block := uint32(data[0]) | uint32(data[1])<<8 | uint32(data[2])<<16
			last = block&1 == 1
			size := int(block >> 3)
			if block>>1&3 == 1 { // RLE: one byte, repeated size times
				size = 1
			}
			if len(data) < 3+size {
				tb.Fatalf("zstd frame %d is cut short", n)
			}
			data = data[3+size:]
		}
		if h.HasCheckSum {
			if len(data) < 4 {
				tb.Fatalf("zstd frame %d is cut short", n)
			}
			data = data[4:]
		}
	}
	return n
}

// s2Streams returns how many S2 streams data holds, one after another,
// counting their stream identifiers: each chunk of the framing format is
// a type byte and a 3-byte little-endian length, then its body.
func s2Streams(tb testing.TB, data []byte) int {
	tb.Helper()
	n := 0
	for len(data) > 0 {
		if len(data) < 4 {
			tb.Fatalf("S2 chunk header cut short")
		}
		size := int(data[1]) | int(data[2])<<8 | int(data[3])<<16
		if len(data) < 4+size {
			tb.Fatalf("S2 chunk of type %#x cut short", data[0])
		}
		if data[0] == 0xff {
			if string(data[4:4+size]) != "S2sTwO" {
				tb.Fatalf("S2 stream identifier %q", data[4:4+size])
			}
			n++
		}
		data = data[4+size:]
	}
	return n
}

// BenchmarkSaveRaw measures saving a synthetic district's raw roster,
// fsync included, onto a store that keeps
//
//   - unchanged: the same roster: one pass encoding and hashing, and a
//     transaction rewriting raw_info;
//   - first-user, last-user: the roster but for one field of its first or
//     last user: a first pass that stops at the first checkpoint after
//     the change, then encoding, compression and the write transaction;
//   - one-more-user: the roster less its last user, so the counts differ
//     and there is no first pass (what every save cost before the
//     fingerprint, plus hashing).
//
// Every iteration but for unchanged saves the other of two rosters.
// MB/s is over the records' JSON; compressed/MB is the stored size.
//
// Set ROSTERD_BENCH_PROFILE=large (or a comma-separated list of synth
// profiles) to measure others instead of medium, or ROSTERD_BENCH_XL=1
// to add the xl district (1.1M students; the generated roster alone
// takes about 2 GB).
func BenchmarkSaveRaw(b *testing.B) {
	for _, name := range benchRawProfiles() {
		r, size := benchRawRoster(b, name)
		last := len(r.Users) - 1
		withUser := func(i int) *roster.Roster {
			other := *r
			other.Users = slices.Clone(r.Users)
			other.Users[i].Name.Last += "-changed"
			return &other
		}
		fewer := *r
		fewer.Users = r.Users[:last]
		for _, tt := range []struct {
			change string
			other  *roster.Roster // saved every other iteration
		}{
			{change: "unchanged", other: r},
			{change: "first-user", other: withUser(0)},
			{change: "last-user", other: withUser(last)},
			{change: "one-more-user", other: &fewer},
		} {
			b.Run("profile="+name+"/change="+tt.change, func(b *testing.B) {
				s := mustOpen(b, tempPath(b))
				rosters := [2]*roster.Roster{r, tt.other}
				if _, err := s.SaveRaw(testConn, tt.other, fetchedAt); err != nil {
					b.Fatal(err)
				}
				b.SetBytes(size)
				b.ReportAllocs()
				var info state.RawInfo
				i := 0
				for b.Loop() {
					var err error
					if info, err = s.SaveRaw(testConn, rosters[i%2], fetchedAt.Add(time.Duration(i)*time.Minute)); err != nil {
						b.Fatal(err)
					}
					i++
				}
				b.ReportMetric(float64(info.Records), "records")
				b.ReportMetric(float64(info.Bytes)/1e6, "compressed/MB")
				b.ReportMetric(float64(size)/float64(info.Bytes), "ratio")
			})
		}
	}
}

// BenchmarkLoadRaw measures reading a raw roster back: one read
// transaction copying the chunks, then decompression and decoding. MB/s
// is over the records' JSON.
func BenchmarkLoadRaw(b *testing.B) {
	for _, name := range benchRawProfiles() {
		b.Run("profile="+name, func(b *testing.B) {
			r, size := benchRawRoster(b, name)
			s := mustOpen(b, tempPath(b))
			if _, err := s.SaveRaw(testConn, r, fetchedAt); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(size)
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := s.LoadRaw(testConn); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// benchRawProfiles returns the synth profiles to measure: those named,
// comma-separated, in ROSTERD_BENCH_PROFILE (as in sharing's benchmarks),
// or else medium, and xl too when ROSTERD_BENCH_XL is set.
func benchRawProfiles() []string {
	if names := os.Getenv("ROSTERD_BENCH_PROFILE"); names != "" {
		return strings.Split(names, ",")
	}
	names := []string{"medium"}
	if os.Getenv("ROSTERD_BENCH_XL") != "" {
		names = append(names, "xl")
	}
	return names
}

// benchRawRoster generates the district of profile name and returns it
// with the size of its records' JSON.
func benchRawRoster(b *testing.B, name string) (*roster.Roster, int64) {
	b.Helper()
	p, ok := synth.ProfileByName(name)
	if !ok {
		b.Fatalf("no synth profile %q", name)
	}
	r, _ := synth.Generate(p)
	var size int64
	add := func(rec any) {
		data, err := codec.Marshal(rec)
		if err != nil {
			b.Fatal(err)
		}
		size += int64(len(data))
	}
	for i := range r.Districts {
		add(&r.Districts[i])
	}
	for i := range r.Schools {
		add(&r.Schools[i])
	}
	for i := range r.Terms {
		add(&r.Terms[i])
	}
	for i := range r.Courses {
		add(&r.Courses[i])
	}
	for i := range r.Sections {
		add(&r.Sections[i])
	}
	for i := range r.Users {
		add(&r.Users[i])
	}
	return r, size
}
