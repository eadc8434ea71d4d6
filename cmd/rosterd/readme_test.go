package main

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/rosterd/rosterd/preflight"
)

const (
	readmePath       = "../../README.md"
	readmeCodesBegin = "<!-- issue codes:"
	readmeCodesEnd   = "<!-- end of issue codes -->"
)

// Ensure the README's table of issue codes lists every code preflight can
// report, with its default severity, so operators can look up what the
// config example points them to. ROSTERD_UPDATE_README=1 rewrites it.
func TestREADME_IssueCodes(t *testing.T) {
	data, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	begin := strings.Index(text, readmeCodesBegin)
	end := strings.Index(text, readmeCodesEnd)
	if begin < 0 || end < begin {
		t.Fatalf("README has no issue code table between %q and %q", readmeCodesBegin, readmeCodesEnd)
	}
	begin += strings.Index(text[begin:], "\n") + 1

	var b strings.Builder
	b.WriteString("| code | default | what it finds |\n|---|---|---|\n")
	for _, code := range preflight.Codes() {
		info, _ := preflight.DescribeCode(code)
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", code, info.Severity, info.Description)
	}
	want := b.String()
	if got := text[begin:end]; got != want {
		if os.Getenv("ROSTERD_UPDATE_README") == "1" {
			if err := os.WriteFile(readmePath, []byte(text[:begin]+want+text[end:]), 0o644); err != nil {
				t.Fatal(err)
			}
			return
		}
		t.Errorf("README's issue code table is out of date; run ROSTERD_UPDATE_README=1 go test ./cmd/rosterd -run TestREADME\nwant:\n%s", want)
	}
}
