package roster_test

import (
	"errors"
	"testing"

	"github.com/rosterd/rosterd/roster"
)

func TestParseDate(t *testing.T) {
	tests := []struct {
		in   string
		want roster.Date
	}{
		{"", roster.Date{}},
		{"2007-02-11", roster.Date{Year: 2007, Month: 2, Day: 11}},
		{"2013-06-01T00:00:00.000Z", roster.Date{Year: 2013, Month: 6, Day: 1}},
		{"2013-06-01T23:30:00-05:00", roster.Date{Year: 2013, Month: 6, Day: 1}},
		{"2015-08-25 00:00:00.000000", roster.Date{Year: 2015, Month: 8, Day: 25}},
		{"2/11/2007", roster.Date{Year: 2007, Month: 2, Day: 11}},
		{"12/01/2012", roster.Date{Year: 2012, Month: 12, Day: 1}},
		{"2/29/2008", roster.Date{Year: 2008, Month: 2, Day: 29}},
		{" 2007-02-11 ", roster.Date{Year: 2007, Month: 2, Day: 11}},
	}
	for _, tt := range tests {
		if n := testing.AllocsPerRun(10, func() { roster.ParseDate(tt.in) }); n != 0 {
			t.Errorf("ParseDate(%q) allocates %v times; a source parses a date per student", tt.in, n)
		}
		got, err := roster.ParseDate(tt.in)
		if err != nil {
			t.Errorf("ParseDate(%q): %v", tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("ParseDate(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestParseDate_Invalid(t *testing.T) {
	for _, in := range []string{
		"yesterday", "2007-13-01", "2007-02-30", "2/29/2007", "13/1/2007",
		"1/1/07", "2007/01/01", "2007-1-1", "20070101", "2007-02-11X", "0000-01-01",
		"1/2/20/10", "1/2/2/10", "1//2010", "/1/2010", "1/2/2010/", "1/2",
	} {
		if d, err := roster.ParseDate(in); !errors.Is(err, roster.ErrDate) {
			t.Errorf("ParseDate(%q) = %v, %v; want ErrDate", in, d, err)
		}
	}
}

func TestDate_TextRoundTrip(t *testing.T) {
	d := roster.MustDate("3/4/2010")
	text, err := d.MarshalText()
	if err != nil {
		t.Fatal(err)
	}
	if string(text) != "2010-03-04" {
		t.Fatalf("MarshalText = %q", text)
	}
	var back roster.Date
	if err := back.UnmarshalText(text); err != nil || back != d {
		t.Fatalf("UnmarshalText(%q) = %v, %v", text, back, err)
	}
	if got := (roster.Date{}).String(); got != "" {
		t.Errorf("zero Date String = %q", got)
	}
}

func TestTerm_Contains(t *testing.T) {
	term := roster.Term{StartDate: roster.MustDate("2025-08-15"), EndDate: roster.MustDate("2026-06-10")}
	tests := []struct {
		day  string
		want bool
	}{
		{"2025-08-14", false},
		{"2025-08-15", true},
		{"2026-01-01", true},
		{"2026-06-10", true},
		{"2026-06-11", false},
	}
	for _, tt := range tests {
		if got := term.Contains(roster.MustDate(tt.day)); got != tt.want {
			t.Errorf("Contains(%s) = %v, want %v", tt.day, got, tt.want)
		}
	}
	if (&roster.Term{StartDate: roster.MustDate("2025-08-15")}).Contains(roster.MustDate("2025-09-01")) {
		t.Error("a term without an end date contains a day")
	}
}
