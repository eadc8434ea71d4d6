package preflight_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/rosterd/rosterd/preflight"
	"github.com/rosterd/rosterd/roster"
)

func TestOptions_Validate(t *testing.T) {
	tests := []struct {
		name    string
		opts    preflight.Options
		wantErr error
		names   string // what the message must name
	}{
		{name: "zero options"},
		{name: "defaults", opts: preflight.Options{Required: preflight.DefaultRequired()}},
		{name: "ext field", opts: preflight.Options{Required: map[roster.Entity][]string{"section": {"ext.consent"}}}},
		{name: "every severity", opts: preflight.Options{Severity: map[string]preflight.Severity{
			"section.unknown_school": "warning", "student.unknown_other_school": "ignore", "contact.unknown_student": "error",
		}}},
		{
			name:    "unknown entity",
			opts:    preflight.Options{Required: map[roster.Entity][]string{"pupil": {"name"}}},
			wantErr: preflight.ErrUnknownEntity, names: `"pupil"`,
		},
		{
			name:    "unknown field",
			opts:    preflight.Options{Required: map[roster.Entity][]string{"student": {"name.first", "nmae.last"}}},
			wantErr: preflight.ErrUnknownField, names: `"nmae.last"`,
		},
		{
			name:    "unknown code",
			opts:    preflight.Options{Severity: map[string]preflight.Severity{"section.unknown_room": "warning"}},
			wantErr: preflight.ErrUnknownCode, names: `"section.unknown_room"`,
		},
		{
			name:    "unknown severity",
			opts:    preflight.Options{Severity: map[string]preflight.Severity{"section.unknown_school": "fatal"}},
			wantErr: preflight.ErrUnknownSeverity, names: `severity.section.unknown_school: unknown severity "fatal"`,
		},
		{
			name:    "negative homeroom limit",
			opts:    preflight.Options{MaxHomeroomsPerStudent: -1},
			wantErr: preflight.ErrNegativeLimit, names: "max_homerooms_per_student",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.opts.Validate()
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Validate = %v, want %v", err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.names) {
				t.Errorf("Validate = %q, does not name %s", err, tt.names)
			}
		})
	}
}

// Ensure every default required field exists, so that the defaults pass
// Validate and a change to the model cannot silently drop one.
func TestDefaultRequired(t *testing.T) {
	for e, paths := range preflight.DefaultRequired() {
		for _, p := range paths {
			if _, err := roster.LookupField(e, p); err != nil {
				t.Errorf("default required %s.%s: %v", e, p, err)
			}
		}
	}
	a := preflight.DefaultRequired()
	a[roster.EntityStudent] = nil
	if len(preflight.DefaultRequired()[roster.EntityStudent]) == 0 {
		t.Error("changing one DefaultRequired map changed the next")
	}
}

// Ensure every code is documented with a default severity, a description
// and a hint, and that the codes the brief promises exist.
func TestCodes(t *testing.T) {
	codes := preflight.Codes()
	for _, c := range codes {
		info, ok := preflight.DescribeCode(c)
		if !ok || info.Code != c {
			t.Errorf("DescribeCode(%q) = %+v, %v", c, info, ok)
			continue
		}
		if info.Severity != preflight.SeverityError && info.Severity != preflight.SeverityWarning {
			t.Errorf("%s: default severity %q", c, info.Severity)
		}
		if info.Description == "" || info.Hint == "" || strings.Contains(info.Description+info.Hint, "{") {
			t.Errorf("%s: description %q, hint %q", c, info.Description, info.Hint)
		}
	}
	want := map[string]preflight.Severity{
		"section.duplicate_id": "error", "student.duplicate_id": "error", "student.missing_field": "error",
		"term.invalid_field": "error", "section.unknown_school": "error", "section.unknown_course": "error",
		"section.unknown_term": "error", "section.unknown_teacher": "error", "section.unknown_student": "error",
		"student.unknown_school": "error", "teacher.unknown_school": "error",
		"student.unknown_other_school": "warning", "teacher.unknown_other_school": "warning",
		"contact.unknown_student": "warning", "student.multiple_homerooms": "error",
	}
	for c, sev := range want {
		if info, ok := preflight.DescribeCode(c); !ok || info.Severity != sev {
			t.Errorf("DescribeCode(%q) = %+v, %v; want severity %s", c, info, ok, sev)
		}
	}
	if _, ok := preflight.DescribeCode("section.unknown_room"); ok {
		t.Error("DescribeCode accepts an unknown code")
	}
}
