package main

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rosterd/rosterd/internal/fakeclever"
	"github.com/rosterd/rosterd/internal/synth"
)

// Ensure "rosterd report" renders a kept report in each format, to
// standard output or to a file created 0600.
func TestReport_Formats(t *testing.T) {
	district, _ := generated(t, "tiny", 3, synth.Defects{})
	h := newHarness(t, fakeclever.FromRoster(district), "")
	if r := h.rosterd("sync"); r.code != exitOK {
		t.Fatalf("sync exit %d\n%s", r.code, r.stderr)
	}

	tests := []struct {
		format string
		starts string
		has    string
	}{
		{"text", "Run:", "COMMITTED"},
		{"json", "{", `"verdict": "committed"`},
		{"csv", "\xEF\xBB\xBFseverity,code,entity,id,sis_id,field,message,hint\r\n", ""},
		{"html", "<!DOCTYPE html>", "<strong>COMMITTED</strong>"},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			r := h.rosterd("report", "1", "--format", tt.format)
			if r.code != exitOK || !strings.HasPrefix(r.stdout, tt.starts) || !strings.Contains(r.stdout, tt.has) {
				t.Fatalf("report --format %s exit %d\nstdout:\n%.300s\nstderr:\n%s", tt.format, r.code, r.stdout, r.stderr)
			}

			out := filepath.Join(t.TempDir(), "report."+tt.format)
			if r := h.rosterd("report", "1", "--format", tt.format, "--out", out); r.code != exitOK || r.stdout != "" {
				t.Fatalf("report --out exit %d, stdout %q\n%s", r.code, r.stdout, r.stderr)
			}
			data, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(data, []byte(r.stdout)) {
				t.Error("the file differs from the report on standard output")
			}
			if fi, _ := os.Stat(out); fi.Mode().Perm() != 0o600 {
				t.Errorf("report file mode %v, want 0600", fi.Mode().Perm())
			}
			if tt.format == "csv" {
				rows, err := csv.NewReader(bytes.NewReader(data[3:])).ReadAll()
				if err != nil || len(rows) < 1 {
					t.Errorf("CSV report does not parse: %v", err)
				}
			}
		})
	}

	if r := h.rosterd("report", "1", "--format", "html", "--out", filepath.Join(h.dir, "missing", "r.html")); r.code != exitFailure || !strings.Contains(r.stderr, "write report") {
		t.Errorf("report to a missing directory: exit %d\n%s", r.code, r.stderr)
	}
}
