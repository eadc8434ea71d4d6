package preflight_test

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rosterd/rosterd/preflight"
)

// readCSV checks that data starts with the UTF-8 byte order mark and
// parses the rest.
func readCSV(tb testing.TB, data []byte) [][]string {
	tb.Helper()
	rest, ok := bytes.CutPrefix(data, []byte("\xEF\xBB\xBF"))
	if !ok {
		tb.Fatalf("CSV does not start with a UTF-8 byte order mark: %q", data[:min(len(data), 16)])
	}
	rows, err := csv.NewReader(bytes.NewReader(rest)).ReadAll()
	if err != nil {
		tb.Fatal(err)
	}
	return rows
}

// Ensure the CSV opens cleanly in a spreadsheet: a byte order mark, one
// header row, CRLF line ends, and a cell with commas, quotes and
// newlines that reads back as it was.
func TestReport_WriteCSV(t *testing.T) {
	tricky := "school \"s7\", or \"s8\"\nis not shared,\n\nsee \"rosterd rules explain\""
	rep := &preflight.Report{Issues: []preflight.Issue{
		{Severity: "error", Code: "student.unknown_school", Entity: "student", ID: "stu1", SISID: "sis-stu1", Field: "school", Message: tricky, Hint: "share it, or ignore it"},
		{Severity: "warning", Code: "section.no_teacher", Entity: "section", ID: "Zoë's \"Math\", 1", Message: "has no teacher"},
	}}
	var b bytes.Buffer
	if err := rep.WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(b.String(), "severity,code,entity"); got != 1 {
		t.Errorf("%d header rows, want 1", got)
	}
	if strings.Count(b.String(), "\n") != strings.Count(b.String(), "\r\n") {
		t.Errorf("not every line ends in CRLF: %q", b.String())
	}
	want := [][]string{
		{"severity", "code", "entity", "id", "sis_id", "field", "message", "hint"},
		{"error", "student.unknown_school", "student", "stu1", "sis-stu1", "school", tricky, "share it, or ignore it"},
		{"warning", "section.no_teacher", "section", "Zoë's \"Math\", 1", "", "", "has no teacher", ""},
	}
	if diff := cmp.Diff(want, readCSV(t, b.Bytes())); diff != "" {
		t.Errorf("CSV mismatch (-want +got):\n%s", diff)
	}

	// A report without issues is the header alone.
	b.Reset()
	if err := (&preflight.Report{}).WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	if got := b.String(); got != "\xEF\xBB\xBFseverity,code,entity,id,sis_id,field,message,hint\r\n" {
		t.Errorf("empty report CSV = %q", got)
	}
}

func BenchmarkWriteCSV(b *testing.B) {
	rep := manyIssuesReport(100_000)
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if err := rep.WriteCSV(&buf); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(buf.Len()), "file-bytes")
}
