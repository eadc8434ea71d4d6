package sharing_test

import (
	"testing"
	"time"

	"github.com/rosterd/rosterd/roster"
	"github.com/rosterd/rosterd/sharing"
)

// Ensure Day is now's date where the rules are, which is what decides the
// current term: 03:00 UTC on 2 December is still 1 December in Chicago.
func TestRules_Day(t *testing.T) {
	chicago, err := time.LoadLocation("America/Chicago")
	if err != nil {
		t.Skipf("no time zone data: %v", err)
	}
	now := time.Date(2026, 12, 2, 3, 0, 0, 0, time.UTC)
	local := now.In(time.Local)
	for _, tt := range []struct {
		name  string
		rules *sharing.Rules
		want  roster.Date
	}{
		{"Chicago", compileIn(t, chicago, sharing.Config{}), roster.Date{Year: 2026, Month: 12, Day: 1}},
		{"UTC", compileIn(t, time.UTC, sharing.Config{}), roster.Date{Year: 2026, Month: 12, Day: 2}},
		{"NoRules", nil, roster.Date{Year: int16(local.Year()), Month: uint8(local.Month()), Day: uint8(local.Day())}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.rules.Day(now); got != tt.want {
				t.Errorf("Day(%s) = %s, want %s", now, got, tt.want)
			}
		})
	}
}

// Ensure Apply judges the current term on Day: a term that ends on 1
// December is current at 03:00 UTC on 2 December for a Chicago district,
// and over for a district on UTC.
func TestApply_CurrentTermOnDay(t *testing.T) {
	chicago, err := time.LoadLocation("America/Chicago")
	if err != nil {
		t.Skipf("no time zone data: %v", err)
	}
	now := time.Date(2026, 12, 2, 3, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		loc  *time.Location
		kept int
	}{{chicago, 1}, {time.UTC, 0}} {
		rules := compileIn(t, tt.loc, sharing.Config{
			Sections:          sharing.Filter{Include: []sharing.Matcher{{"term": {"current"}}}},
			KeepEmptySections: true,
		})
		r := &roster.Roster{
			Terms:    []roster.Term{{ID: "fall", StartDate: roster.Date{Year: 2026, Month: 8, Day: 20}, EndDate: roster.Date{Year: 2026, Month: 12, Day: 1}}},
			Sections: []roster.Section{{ID: "sec1", Term: "fall"}},
		}
		rules.Apply(r, sharing.ApplyOptions{Now: now})
		if len(r.Sections) != tt.kept {
			t.Errorf("in %s, %d sections kept, want %d", tt.loc, len(r.Sections), tt.kept)
		}
	}
}

// compileIn compiles cfg for a district in loc.
func compileIn(t *testing.T, loc *time.Location, cfg sharing.Config) *sharing.Rules {
	t.Helper()
	cfg.Location = loc
	rules, err := sharing.Compile(cfg)
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	return rules
}
