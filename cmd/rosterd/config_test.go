package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rosterd/rosterd/preflight"
	"github.com/rosterd/rosterd/roster"
)

// Ensure the shipped example config is valid and says what it claims.
func TestConfigExample(t *testing.T) {
	cfg, err := ReadConfigFile("../../config.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if got := len(cfg.Connections); got != 3 {
		t.Fatalf("example has %d connections, want 3 (clever, oneroster, csv)", got)
	}
	if or := cfg.Connections[1].Source.OneRoster; or == nil || or.Version != "1.2" || or.Auth != "oauth2" || !or.Delta.Enabled || or.PageSize != 1000 {
		t.Errorf("oneroster source = %+v", or)
	}
	if csv := cfg.Connections[2].Source.CSV; csv == nil || csv.Format != "auto" || csv.Settle != 2*time.Minute {
		t.Errorf("csv source = %+v", csv)
	}
	c := cfg.Connections[0]
	cl := c.Source.Clever
	if cl == nil || cl.TokenFile != "secrets/springfield.token" || cl.PageSize != 10000 || cl.Timeout != 2*time.Minute {
		t.Errorf("clever source = %+v", cl)
	}
	if cl != nil && (!cl.Events.Enabled || cl.Events.FullEvery != 24*time.Hour) {
		t.Errorf("clever events = %+v, want enabled with a full crawl every 24h", cl.Events)
	}
	if cfg.State.Path != "/var/lib/rosterd/rosterd.db" || cfg.State.LockTimeout != 5*time.Second {
		t.Errorf("state = %+v", cfg.State)
	}
	opts, err := c.Preflight.options()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"sis_id", "name.first", "name.last", "school", "grade"}, opts.Required[roster.EntityStudent]); diff != "" {
		t.Errorf("student required fields (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(preflight.DefaultRequired()[roster.EntitySection], opts.Required[roster.EntitySection]); diff != "" {
		t.Errorf("unlisted entities must keep their defaults (-want +got):\n%s", diff)
	}
	if opts.Severity["section.unknown_term"] != preflight.SeverityWarning || opts.MaxHomeroomsPerStudent != 1 {
		t.Errorf("preflight options = %+v", opts)
	}
	if c.location == nil || c.location.String() != "America/Chicago" || !c.keepRaw() {
		t.Errorf("timezone %v, keep_raw_roster %v", c.location, c.keepRaw())
	}
	want := []string{
		`schools.exclude[0] {name="*Test School*"}`,
		`students.exclude[0] {ext.photo_consent="N"}`,
		`sections.include[0] {name="Class *, Homeroom*", subject="homeroom/advisory"}`,
		`sections.exclude[0] {name="/(?i)sandbox|test section/"}`,
		`one_section_per_student.prefer[0] {term="current"}`,
		`one_section_per_student.prefer[1] lowest period`,
	}
	if diff := cmp.Diff(want, c.rules.Describe()); diff != "" {
		t.Errorf("example sharing rules (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(preflight.DefaultGuards(), opts.Guards); diff != "" {
		t.Errorf("the example's guards are not the defaults it claims (-want +got):\n%s", diff)
	}
	if len(c.pauses) != 1 || c.pauses[0].Name != "summer rollover" || c.pauses[0].From.String() != "2027-06-20" {
		t.Errorf("pauses %+v", c.pauses)
	}
	if cfg.MemoryLimit != 950<<20 {
		t.Errorf("memory_limit = %d bytes, want 950 MiB", cfg.MemoryLimit)
	}
	if runs, age := cfg.History.keep(); runs != 1000 || age != 365*24*time.Hour {
		t.Errorf("history keeps %d runs for %s", runs, age)
	}
	if s := cfg.Server; s.Listen != "127.0.0.1:8080" || len(s.Tokens) != 2 || s.Tokens[1].Role != "operator" || s.ShutdownTimeout != 5*time.Minute {
		t.Errorf("server = %+v", s)
	}
	if c.Schedule != "CRON_TZ=America/Chicago 15 5 * * *" || c.Jitter != 10*time.Minute || len(c.Notify) != 1 || c.Notify[0].Format != "slack" {
		t.Errorf("schedule %q, jitter %s, notify %+v", c.Schedule, c.Jitter, c.Notify)
	}
}

// Ensure a minimal config gets safe defaults and relative paths resolve
// against the config file's directory.
func TestParseConfig_Defaults(t *testing.T) {
	cfg, err := ParseConfig(strings.NewReader("connections:\n  - name: a\n    source: {clever: {token_file: tok}}\n"), "/etc/rosterd")
	if err != nil {
		t.Fatal(err)
	}
	want := CleverConfig{
		APIURL: defaultCleverAPIURL, AuthURL: defaultCleverAuthURL, TokenFile: "tok",
		PageSize: 10000, RequestsPerMinute: 1100, Retries: 5, Timeout: 2 * time.Minute,
		RetryWaitMin: time.Second, RetryWaitMax: 30 * time.Second,
	}
	if diff := cmp.Diff(want, *cfg.Connections[0].Source.Clever); diff != "" {
		t.Errorf("clever defaults (-want +got):\n%s", diff)
	}
	if got := cfg.path(cfg.State.Path); got != "/etc/rosterd/rosterd.db" {
		t.Errorf("state path = %q", got)
	}
	if cfg.Log.Level != "info" || cfg.Log.Format != "json" {
		t.Errorf("log = %+v", cfg.Log)
	}
	if cfg.MemoryLimit != 0 {
		t.Errorf("memory_limit = %d without config, want none", cfg.MemoryLimit)
	}
	if cfg.Connections[0].Preflight.RequiredFields != nil {
		t.Error("required fields set without config")
	}
}

// Ensure every invalid config is refused with an error naming the key.
func TestParseConfig_Invalid(t *testing.T) {
	tests := map[string][]string{
		"invalid-unknown-key.yaml":           {"line 7", `unknown key "tokn_file"`},
		"invalid-no-connections.yaml":        {"connections", "at least one"},
		"invalid-no-source.yaml":             {"connections[0].source", "exactly one source"},
		"invalid-token-and-credentials.yaml": {"connections[0].source.clever", "not both"},
		"invalid-token-file-and-env.yaml":    {"connections[0].source.clever", "token_file or token_env, not both"},
		"invalid-no-credentials.yaml":        {"connections[0].source.clever", "are required"},
		"invalid-missing-district.yaml":      {"connections[0].source.clever.district_id"},
		"invalid-page-size.yaml":             {"connections[0].source.clever.page_size", "20000"},
		"invalid-role.yaml":                  {"connections[0].source.clever.roles[1]", "janitor"},
		"invalid-duplicate-name.yaml":        {"connections[1].name", "used by another"},
		"invalid-name.yaml":                  {"connections[0].name", "Spring Field"},
		"invalid-log-format.yaml":            {"log.format", "xml"},
		"invalid-required-field.yaml":        {"connections[0].preflight", "shoe_size"},
		"invalid-required-entity.yaml":       {"connections[0].preflight", "robot"},
		"invalid-severity-code.yaml":         {"connections[0].preflight", "section.no_such_code"},
		"invalid-severity-value.yaml":        {"connections[0].preflight", "shrug"},
		"invalid-api-url.yaml":               {"connections[0].source.clever.api_url"},
		"invalid-duration.yaml":              {"line 2", "soon"},

		"invalid-sharing-field.yaml":                 {"connections[0].sharing.sections.exclude[0].nmae", "unknown field"},
		"invalid-sharing-regex.yaml":                 {"connections[0].sharing.sections.include[0].name", "regular expression"},
		"invalid-sharing-empty-matcher.yaml":         {"connections[0].sharing.schools.include[0]", "no field"},
		"invalid-sharing-unknown-key.yaml":           {"line 6", `unknown key "requried"`},
		"invalid-sharing-fields-required.yaml":       {"connections[0].sharing.fields.student", "drops school"},
		"invalid-sharing-matcher-dropped-field.yaml": {"connections[0].sharing.students.exclude[0].ext.consent", "sharing.fields"},
		"invalid-sharing-lowest-period.yaml":         {"line 7", "lowest_period", "maybe"},
		"invalid-timezone.yaml":                      {"connections[0].timezone", "America/Springfield"},
		"invalid-guard-action.yaml":                  {"connections[0].preflight", "guards[0]", "purge"},
		"invalid-pause-order.yaml":                   {"connections[0].pause[0]", "before it starts"},
		"invalid-pause-date.yaml":                    {"connections[0].pause[0].from", "6/20/2027"},
		"invalid-history.yaml":                       {"history", "negative"},
		"invalid-memory-limit-unit.yaml":             {"line 1", `"1G" is not a number of bytes`},
		"invalid-memory-limit-small.yaml":            {"memory_limit", "16 MiB is below the 64 MiB"},
		"invalid-server-public-no-tokens.yaml":       {"server.listen", "needs API tokens"},
		"invalid-token-role.yaml":                    {"server.tokens[0].role", "superuser"},
		"invalid-schedule.yaml":                      {"connections[0].schedule", "every day at five"},
		"invalid-notify-format.yaml":                 {"connections[0].notify[0].format", "teams"},
		"invalid-oneroster-version.yaml":             {"connections[0].source.oneroster.version", "1.3"},
		"invalid-oneroster-token-url.yaml":           {"connections[0].source.oneroster.token_url"},
		"invalid-two-sources.yaml":                   {"connections[0].source", "exactly one source"},
		"invalid-csv-without-raw.yaml":               {"connections[0].keep_raw_roster", "delta package"},
		"invalid-clever-events-without-raw.yaml":     {"connections[0].keep_raw_roster", "clever events"},
		"invalid-clever-events-full-every.yaml":      {"connections[0].source.clever.events.full_every", "negative"},
	}
	files, err := filepath.Glob("testdata/config/invalid-*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != len(tests) {
		t.Errorf("%d invalid configs in testdata, %d in the table", len(files), len(tests))
	}
	for name, wants := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := ReadConfigFile(filepath.Join("testdata/config", name))
			if err == nil {
				t.Fatal("config accepted")
			}
			if !errors.Is(err, ErrConfig) {
				t.Errorf("error does not wrap ErrConfig: %v", err)
			}
			for _, want := range wants {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not mention %q", err, want)
				}
			}
		})
	}
}

// Ensure secrets load from files and the environment, and that errors name
// where they looked, never the value.
func TestReadSecret(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "tok"), []byte("s3cret-token\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "empty"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := &Config{dir: dir}
	got, err := cfg.readSecret("k", "tok", "")
	if err != nil || got.reveal() != "s3cret-token" {
		t.Fatalf("from file: %v, %v", got.reveal(), err)
	}
	t.Setenv("ROSTERD_TEST_TOKEN", "env-token")
	if got, err := cfg.readSecret("k", "", "ROSTERD_TEST_TOKEN"); err != nil || got.reveal() != "env-token" {
		t.Fatalf("from env: %v, %v", got.reveal(), err)
	}
	for _, tt := range []struct{ file, env, want string }{
		{"missing", "", "k_file"},
		{"empty", "", "is empty"},
		{"", "ROSTERD_TEST_UNSET", "ROSTERD_TEST_UNSET is not set"},
	} {
		_, err := cfg.readSecret("k", tt.file, tt.env)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("readSecret(%q, %q) error %v, want %q", tt.file, tt.env, err, tt.want)
		}
	}
	for _, s := range []string{fmt.Sprint(got), fmt.Sprintf("%v %s %+v %#v", got, got, got, got)} {
		if strings.Contains(s, "s3cret") {
			t.Errorf("secret printed: %s", s)
		}
	}
}
