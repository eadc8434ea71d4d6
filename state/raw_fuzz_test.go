package state

import (
	"bytes"
	"path/filepath"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"
	"github.com/rosterd/rosterd/roster"
	bolt "go.etcd.io/bbolt"
)

// FuzzDecodeRaw feeds decodeRaw compressed bytes as a damaged or foreign
// raw_info and chunks would: whatever they hold, under either compression
// it reads, it must fail with an error or give a roster, never both,
// never panic or hang. The seeds are a real raw roster's chunks, in S2 as
// SaveRaw stores them and in zstd as rosterd stored them before
// (TestDecodeRaw_Seeds checks they decode).
func FuzzDecodeRaw(f *testing.F) {
	stream, s2Chunks, counts := fuzzRawSeed(f)
	zw, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(s2Chunks, true)
	f.Add(zw.EncodeAll(stream, nil), false)
	f.Add(s2Chunks[:len(s2Chunks)/2], true)
	f.Add([]byte("\xff\x06\x00\x00S2sTwO"), true)
	f.Fuzz(func(t *testing.T, data []byte, s2 bool) {
		rec := &rawInfoRecord{Format: rawFormat, Bytes: int64(len(data)), Counts: counts}
		if s2 {
			rec.Compression = rawCompressionS2
		}
		r, err := decodeRaw(bytes.NewReader(data), rec)
		if err != nil {
			if r != nil {
				t.Errorf("decodeRaw returned a roster and the error %v", err)
			}
			return
		}
		if r == nil {
			t.Fatal("decodeRaw returned neither a roster nor an error")
		}
	})
}

func TestDecodeRaw_Seeds(t *testing.T) {
	stream, s2Chunks, counts := fuzzRawSeed(t)
	zw, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest))
	if err != nil {
		t.Fatal(err)
	}
	for name, tt := range map[string]struct {
		data        []byte
		compression string
	}{
		"s2":   {s2Chunks, rawCompressionS2},
		"zstd": {zw.EncodeAll(stream, nil), rawCompressionZstd},
	} {
		rec := &rawInfoRecord{Format: rawFormat, Compression: tt.compression, Bytes: int64(len(tt.data)), Counts: counts}
		r, err := decodeRaw(bytes.NewReader(tt.data), rec)
		if err != nil {
			t.Fatalf("%s: decodeRaw: %v", name, err)
		}
		if len(r.Users) != 3 || len(r.Sections) != 1 || r.Sections[0].Students[1] != "u3" {
			t.Errorf("%s: decoded %d users and %d sections, want 3 and 1 as saved", name, len(r.Users), len(r.Sections))
		}
	}
}

// fuzzRawSeed returns the stream of a small roster, its chunks one after
// another as SaveRaw stores them, and raw_info's counts of it.
func fuzzRawSeed(tb testing.TB) (stream, chunks []byte, counts map[string]int) {
	tb.Helper()
	s, err := Open(filepath.Join(tb.TempDir(), "state.db"), Options{})
	if err != nil {
		tb.Fatal(err)
	}
	defer s.Close()
	r := &roster.Roster{
		Districts: []roster.District{{ID: "d1", Name: "District"}},
		Schools:   []roster.School{{ID: "s1", District: "d1", Name: "School"}},
		Users: []roster.User{
			{ID: "u1", District: "d1", Roles: roster.Roles{Student: &roster.Student{School: "s1", Grade: "3"}}},
			{ID: "u2", District: "d1", Roles: roster.Roles{Teacher: &roster.Teacher{School: "s1"}}},
			{ID: "u3", District: "d1", Roles: roster.Roles{Student: &roster.Student{School: "s1"}}},
		},
		Sections: []roster.Section{{ID: "x1", District: "d1", School: "s1", Teachers: []string{"u2"}, Students: []string{"u1", "u3"}}},
	}
	if _, err := s.SaveRaw("c", r, time.Unix(0, 0)); err != nil {
		tb.Fatal(err)
	}
	var rec rawInfoRecord
	var parts [][]byte
	err = s.db.View(func(tx *bolt.Tx) error {
		if rec, err = readRawInfo(tx, "c"); err != nil {
			return err
		}
		parts, err = copyRawChunks(tx, "c", &rec)
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	chunks = bytes.Join(parts, nil)
	plain, release, err := decompressed(bytes.NewReader(chunks), rec.Compression)
	if err != nil {
		tb.Fatal(err)
	}
	defer release()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(plain); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes(), chunks, rec.Counts
}
