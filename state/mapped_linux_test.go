package state_test

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rosterd/rosterd/roster"
	"github.com/rosterd/rosterd/state"
)

// Ensure reading every committed record through a Snapshot does not keep
// the state file resident: the diff of an XL district reads the whole
// 1.3 GB file, which otherwise counts in the process's RSS beside the
// fetched roster. The control, which never releases, shows the
// measurement sees the pages it reads.
func TestSnapshot_ReleasesMappedPages(t *testing.T) {
	const records, size = 4000, 4 << 10 // 16 MiB of records
	tests := []struct {
		name         string
		releaseEvery int
		wantBelow    float64 // share of the file resident at the end, at most
		wantAbove    float64 // and at least
	}{
		{"released", 1 << 20, 0.25, 0},
		{"kept", math.MaxInt, 1, 0.5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer state.SetReleaseEvery(tt.releaseEvery)()
			path := tempPath(t)
			s := mustOpen(t, path)
			var c roster.Change
			for i := range records {
				data := fmt.Appendf(nil, `{"id":"u%05d","pad":"%s"}`, i, strings.Repeat("x", size))
				c.AddPut(roster.KindUsers, roster.Record{ID: fmt.Sprintf("u%05d", i), Data: data})
			}
			mustCommit(t, s, 0, &c, nil)
			mustClose(t, s)
			s = mustOpen(t, path) // a fresh mapping, nothing of it resident

			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			var got, resident int
			err = s.View(testConn, func(sn *state.Snapshot) error {
				err := sn.ForEach(roster.KindUsers, func(id, data []byte) error {
					if sn.Get(roster.KindUsers, string(id)) == nil {
						return fmt.Errorf("get %s: not found", id)
					}
					got++
					return nil
				})
				resident = mappedRSS(t, path)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if got != records {
				t.Fatalf("read %d records, want %d", got, records)
			}
			share := float64(resident) / float64(fi.Size())
			t.Logf("%d KiB of the %d KiB file resident", resident>>10, fi.Size()>>10)
			if share > tt.wantBelow || share < tt.wantAbove {
				t.Errorf("%d KiB of the %d KiB file resident (%.2f); want between %.2f and %.2f",
					resident>>10, fi.Size()>>10, share, tt.wantAbove, tt.wantBelow)
			}
		})
	}
}

// mappedRSS returns the resident bytes of this process's mappings of
// path, from /proc/self/smaps.
func mappedRSS(t *testing.T, path string) int {
	t.Helper()
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Skipf("no smaps: %v", err)
	}
	defer f.Close()
	want, err := filepath.EvalSymlinks(path)
	if err != nil {
		t.Fatal(err)
	}
	var total int
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		fields := strings.Fields(line)
		if len(fields) >= 5 && strings.Contains(fields[0], "-") {
			in = len(fields) >= 6 && fields[len(fields)-1] == want
			continue
		}
		if in && len(fields) == 3 && fields[0] == "Rss:" {
			kb, err := strconv.Atoi(fields[1])
			if err != nil {
				t.Fatal(err)
			}
			total += kb << 10
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return total
}

// Ensure reading the kept raw roster's chunks, to check them when the same
// roster is saved again or to load it, does not leave them resident: at XL
// they are about 80 MB, read while the fetched roster is held.
func TestRaw_ReleasesMappedPages(t *testing.T) {
	path := tempPath(t)
	s := mustOpen(t, path)
	r := bulkyRoster(t, 40_000)
	info, err := s.SaveRaw(testConn, r, fetchedAt)
	if err != nil {
		t.Fatal(err)
	}
	mustClose(t, s)
	for name, read := range map[string]func(*state.Store) error{
		"save again": func(s *state.Store) error {
			again, err := s.SaveRaw(testConn, r, fetchedAt.Add(time.Hour))
			if err == nil && again.Bytes != info.Bytes {
				err = fmt.Errorf("the same roster saved again is %d bytes, not %d", again.Bytes, info.Bytes)
			}
			return err
		},
		"load": func(s *state.Store) error {
			_, _, err := s.LoadRaw(testConn)
			return err
		},
		// While the chunks are read, too: a release once they all are
		// would leave the peak as high.
		"while reading": func(s *state.Store) error {
			peak, err := s.RawChunksReadPeak(testConn, func() int { return mappedRSS(t, path) })
			t.Logf("at most %d KiB of the file resident while the chunks were read", peak>>10)
			if err == nil && int64(peak) > info.Bytes/2 {
				err = fmt.Errorf("%d KiB of the file resident while %d KiB of chunks were read; want at most half", peak>>10, info.Bytes>>10)
			}
			return err
		},
	} {
		t.Run(name, func(t *testing.T) {
			s := mustOpen(t, path) // a fresh mapping, nothing of it resident
			defer mustClose(t, s)
			if err := read(s); err != nil {
				t.Fatal(err)
			}
			resident := mappedRSS(t, path)
			t.Logf("%d KiB of the file resident after reading %d KiB of chunks", resident>>10, info.Bytes>>10)
			if int64(resident) > info.Bytes/4 {
				t.Errorf("%d KiB of the file resident after reading %d KiB of chunks; want them released", resident>>10, info.Bytes>>10)
			}
		})
	}
}
