package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
	"github.com/rosterd/rosterd/connector"
	"github.com/rosterd/rosterd/preflight"
	"github.com/rosterd/rosterd/roster"
	"github.com/rosterd/rosterd/sharing"
	"go.yaml.in/yaml/v3"
)

// Config is rosterd's configuration file, decoded and validated.
type Config struct {
	State       StateConfig        `yaml:"state"`
	Log         LogConfig          `yaml:"log"`
	History     HistoryConfig      `yaml:"history"`
	Server      ServerConfig       `yaml:"server"`
	Connections []ConnectionConfig `yaml:"connections"`
	// MemoryLimit is the Go runtime's soft memory limit for the process
	// (as GOMEMLIMIT, which wins when set); 0 sets none.
	MemoryLimit ByteSize `yaml:"memory_limit"`

	// dir is the config file's directory; relative paths resolve against it.
	dir string
}

// StateConfig says where the store lives.
type StateConfig struct {
	Path        string        `yaml:"path"`
	LockTimeout time.Duration `yaml:"lock_timeout"`
}

// ServerConfig is the daemon's HTTP server: health, metrics, the API and
// the dashboard.
type ServerConfig struct {
	// Listen is the address to listen on; default 127.0.0.1:8080.
	Listen string `yaml:"listen"`
	// CertFile and KeyFile turn on TLS.
	CertFile string `yaml:"cert_file"`
	KeyFile  string `yaml:"key_file"`
	// Tokens are the API tokens, each with a role.
	Tokens []TokenConfig `yaml:"tokens"`
	// ShutdownTimeout is how long a stopping daemon lets a run under way
	// finish before cancelling it; default 5m.
	ShutdownTimeout time.Duration `yaml:"shutdown_timeout"`
}

// TokenConfig is one API token: a name (it appears in audit logs and as
// who approved a run), a role, and the secret from a file or the
// environment.
type TokenConfig struct {
	Name      string `yaml:"name"`
	Role      string `yaml:"role"`
	TokenFile string `yaml:"token_file"`
	TokenEnv  string `yaml:"token_env"`
}

// NotifyConfig is a webhook told when a run is refused, held, failed or
// recovers. Its URL often holds a secret (Slack's do), so it comes from a
// file or the environment.
type NotifyConfig struct {
	URLFile string   `yaml:"url_file"`
	URLEnv  string   `yaml:"url_env"`
	Format  string   `yaml:"format"` // json (default) or slack
	Events  []string `yaml:"events"` // default all: refused, held, failed, recovered
}

// HistoryConfig says how long runs and their reports are kept.
type HistoryConfig struct {
	// KeepRuns is the number of newest runs kept; 0 keeps every run.
	KeepRuns *int `yaml:"keep_runs"`
	// MaxAgeDays drops runs older than this many days; 0 keeps them.
	MaxAgeDays *int `yaml:"max_age_days"`
}

// keep returns the retention in force: by count and by age.
func (h HistoryConfig) keep() (runs int, age time.Duration) {
	runs, days := defaultKeepRuns, defaultMaxAgeDays
	if h.KeepRuns != nil {
		runs = *h.KeepRuns
	}
	if h.MaxAgeDays != nil {
		days = *h.MaxAgeDays
	}
	return runs, time.Duration(days) * 24 * time.Hour
}

// LogConfig sets up logging.
type LogConfig struct {
	Level  string `yaml:"level"`
	Format string `yaml:"format"`
}

// ConnectionConfig is one district source and how its runs are checked.
type ConnectionConfig struct {
	Name string `yaml:"name"`
	// TimeZone is the district's IANA time zone ("America/Chicago"), for
	// the term "current"; empty means the machine's.
	TimeZone  string          `yaml:"timezone"`
	Source    SourceConfig    `yaml:"source"`
	Sharing   *SharingConfig  `yaml:"sharing"`
	Preflight PreflightConfig `yaml:"preflight"`
	// KeepRawRoster keeps the last fetched roster (after data
	// minimisation) in the state file, for "rosterd rules test" and for
	// reusing an unchanged roster's result; default true.
	KeepRawRoster *bool `yaml:"keep_raw_roster"`
	// Pause lists date ranges in which syncs do not commit.
	Pause []PauseConfig `yaml:"pause"`
	// Schedule is when "rosterd run" syncs the connection: a cron
	// expression (minute hour day month weekday) or a descriptor such as
	// "@hourly" or "@every 30m", optionally prefixed with CRON_TZ=Zone.
	// Empty: only when triggered.
	Schedule string `yaml:"schedule"`
	// Jitter delays each scheduled run by up to this much.
	Jitter time.Duration `yaml:"jitter"`
	// RunAtStart syncs the connection when the daemon starts.
	RunAtStart bool `yaml:"run_at_start"`
	// Notify lists the webhooks told about this connection's runs.
	Notify []NotifyConfig `yaml:"notify"`

	// Set by validate.
	location *time.Location
	rules    *sharing.Rules
	pauses   []connector.Pause
}

// keepRaw reports whether runs of c keep their fetched roster.
func (c *ConnectionConfig) keepRaw() bool { return c.KeepRawRoster == nil || *c.KeepRawRoster }

// SourceConfig holds exactly one source.
type SourceConfig struct {
	Clever    *CleverConfig    `yaml:"clever"`
	OneRoster *OneRosterConfig `yaml:"oneroster"`
	CSV       *CSVConfig       `yaml:"csv"`
}

// CleverConfig configures a Clever Data API source.
type CleverConfig struct {
	APIURL  string `yaml:"api_url"`
	AuthURL string `yaml:"auth_url"`

	// A district-app bearer token, from a file or an environment variable.
	TokenFile string `yaml:"token_file"`
	TokenEnv  string `yaml:"token_env"`

	// Or the app's client credentials, to find the district's token.
	ClientID         string `yaml:"client_id"`
	ClientSecretFile string `yaml:"client_secret_file"`
	ClientSecretEnv  string `yaml:"client_secret_env"`
	DistrictID       string `yaml:"district_id"`

	PageSize          int           `yaml:"page_size"`
	RequestsPerMinute int           `yaml:"requests_per_minute"`
	Retries           int           `yaml:"retries"`
	RetryWaitMin      time.Duration `yaml:"retry_wait_min"`
	RetryWaitMax      time.Duration `yaml:"retry_wait_max"`
	Timeout           time.Duration `yaml:"timeout"`
	Roles             []string      `yaml:"roles"`

	// Events turns on incremental syncs from Clever's Events API.
	Events CleverEventsConfig `yaml:"events"`
}

// CleverEventsConfig configures incremental syncs: after a full crawl,
// apply only the district's events to the last run's roster, with a full
// crawl every FullEvery (default 24h) to reconcile what events miss.
type CleverEventsConfig struct {
	Enabled   bool          `yaml:"enabled"`
	FullEvery time.Duration `yaml:"full_every"`
}

// PauseConfig is a pause window: from and to are dates (YYYY-MM-DD), both
// included, in the connection's time zone.
type PauseConfig struct {
	Name string `yaml:"name"`
	From string `yaml:"from"`
	To   string `yaml:"to"`
}

// PreflightConfig is the YAML form of preflight.Options.
type PreflightConfig struct {
	RequiredFields         map[string][]string `yaml:"required_fields"`
	Severity               map[string]string   `yaml:"severity"`
	MaxHomeroomsPerStudent int                 `yaml:"max_homerooms_per_student"`
	// Guards replace the default mass-change guards when set; an empty
	// list turns them off.
	Guards *[]GuardConfig `yaml:"guards"`
}

// GuardConfig is a mass-change guard: an entity ("" or absent for every
// entity), an action (add, update or delete) and the limit.
type GuardConfig struct {
	Entity     string  `yaml:"entity"`
	Action     string  `yaml:"action"`
	MaxCount   int     `yaml:"max_count"`
	MaxPercent float64 `yaml:"max_percent"`
}

// Defaults for values the file leaves out.
const (
	defaultStatePath         = "rosterd.db"
	defaultLockTimeout       = 5 * time.Second
	defaultCleverAPIURL      = "https://api.clever.com/v3.0"
	defaultCleverAuthURL     = "https://clever.com"
	defaultPageSize          = 10000
	maxPageSize              = 10000
	defaultRequestsPerMinute = 1100
	cleverRequestsPerMinute  = 1200
	defaultRetries           = 5
	defaultRetryWaitMin      = time.Second
	defaultRetryWaitMax      = 30 * time.Second
	defaultTimeout           = 2 * time.Minute
	defaultListen            = "127.0.0.1:8080"
	defaultShutdownTimeout   = 5 * time.Minute
	defaultKeepRuns          = 1000
	defaultMaxAgeDays        = 365
)

// ErrConfig marks every configuration error.
var ErrConfig = errors.New("invalid configuration")

// ConfigError names the key that is wrong and why.
type ConfigError struct {
	Key string // e.g. "connections[0].source.clever.token_file"
	Err error
}

func (e *ConfigError) Error() string { return e.Key + ": " + e.Err.Error() }

// Unwrap lets errors.Is match ErrConfig as well as the cause.
func (e *ConfigError) Unwrap() []error { return []error{ErrConfig, e.Err} }

// ReadConfigFile reads and validates the config file at path.
func ReadConfigFile(path string) (*Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	defer f.Close()
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	cfg, err := ParseConfig(f, filepath.Dir(abs))
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	return cfg, nil
}

// ParseConfig decodes a config, applies defaults and validates it.
// Relative paths in it resolve against dir.
func ParseConfig(r io.Reader, dir string) (*Config, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read: %w", err)
	}
	var cfg Config
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%w: %s", ErrConfig, yamlMessage(err))
	}
	cfg.dir = dir
	cfg.applyDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &cfg, nil
}

var yamlUnknownField = regexp.MustCompile(`field (\S+) not found in type \S+`)

// yamlMessage rewords yaml's decode errors for people who write YAML, not
// Go: "line 7: field tokn_file not found in type main.CleverConfig"
// becomes "line 7: unknown key "tokn_file"".
func yamlMessage(err error) string {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	msg = strings.TrimPrefix(msg, "unmarshal errors:\n")
	msg = yamlUnknownField.ReplaceAllString(msg, `unknown key "$1"`)
	lines := strings.Split(msg, "\n")
	for i := range lines {
		lines[i] = strings.TrimSpace(lines[i])
	}
	return strings.Join(lines, "; ")
}

func (c *Config) applyDefaults() {
	if c.State.Path == "" {
		c.State.Path = defaultStatePath
	}
	if c.State.LockTimeout == 0 {
		c.State.LockTimeout = defaultLockTimeout
	}
	if c.Log.Level == "" {
		c.Log.Level = "info"
	}
	if c.Log.Format == "" {
		c.Log.Format = "json"
	}
	if c.Server.Listen == "" {
		c.Server.Listen = defaultListen
	}
	if c.Server.ShutdownTimeout == 0 {
		c.Server.ShutdownTimeout = defaultShutdownTimeout
	}

	for i := range c.Connections {
		if cl := c.Connections[i].Source.Clever; cl != nil {
			cl.applyDefaults()
		}
		if or := c.Connections[i].Source.OneRoster; or != nil {
			or.applyDefaults()
		}
	}
}

func (c *CleverConfig) applyDefaults() {
	if c.APIURL == "" {
		c.APIURL = defaultCleverAPIURL
	}
	if c.AuthURL == "" {
		c.AuthURL = defaultCleverAuthURL
	}
	if c.PageSize == 0 {
		c.PageSize = defaultPageSize
	}
	if c.RequestsPerMinute == 0 {
		c.RequestsPerMinute = defaultRequestsPerMinute
	}
	if c.Retries == 0 {
		c.Retries = defaultRetries
	}
	if c.RetryWaitMin == 0 {
		c.RetryWaitMin = defaultRetryWaitMin
	}
	if c.RetryWaitMax == 0 {
		c.RetryWaitMax = defaultRetryWaitMax
	}
	if c.Timeout == 0 {
		c.Timeout = defaultTimeout
	}
}

// Validate reports the first problem in c, naming its key.
func (c *Config) Validate() error {
	if c.State.LockTimeout < 0 {
		return &ConfigError{"state.lock_timeout", errors.New("must not be negative")}
	}
	switch c.Log.Level {
	case "trace", "debug", "info", "warn", "error":
	default:
		return &ConfigError{"log.level", fmt.Errorf("%q is not one of trace, debug, info, warn, error", c.Log.Level)}
	}
	switch c.Log.Format {
	case "json", "console":
	default:
		return &ConfigError{"log.format", fmt.Errorf("%q is not one of json, console", c.Log.Format)}
	}
	if c.MemoryLimit != 0 && c.MemoryLimit < minMemoryLimit {
		return &ConfigError{"memory_limit", fmt.Errorf("%d MiB is below the %d MiB a run needs to do more than collect garbage", c.MemoryLimit>>20, minMemoryLimit>>20)}
	}
	if runs, age := c.History.keep(); runs < 0 || age < 0 {
		return &ConfigError{"history", errors.New("keep_runs and max_age_days must not be negative")}
	}
	if err := c.Server.validate(); err != nil {
		return err
	}
	if len(c.Connections) == 0 {
		return &ConfigError{"connections", errors.New("at least one connection is required")}
	}
	seen := make(map[string]bool)
	for i := range c.Connections {
		conn := &c.Connections[i]
		key := fmt.Sprintf("connections[%d]", i)
		if err := validName(conn.Name); err != nil {
			return &ConfigError{key + ".name", err}
		}
		if seen[conn.Name] {
			return &ConfigError{key + ".name", fmt.Errorf("%q is used by another connection", conn.Name)}
		}
		seen[conn.Name] = true
		if err := conn.validate(key); err != nil {
			return err
		}
	}
	return nil
}

var namePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]{0,62}$`)

func validName(name string) error {
	if name == "" {
		return errors.New("is required")
	}
	if !namePattern.MatchString(name) {
		return fmt.Errorf("%q must be 1-63 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit", name)
	}
	return nil
}

func (c *ConnectionConfig) validate(key string) error {
	n := 0
	for _, set := range []bool{c.Source.Clever != nil, c.Source.OneRoster != nil, c.Source.CSV != nil} {
		if set {
			n++
		}
	}
	if n != 1 {
		return &ConfigError{key + ".source", errors.New("exactly one source is required (clever, oneroster or csv)")}
	}
	switch {
	case c.Source.Clever != nil:
		if err := c.Source.Clever.validate(key + ".source.clever"); err != nil {
			return err
		}
		if c.Source.Clever.Events.Enabled && !c.keepRaw() {
			return &ConfigError{key + ".keep_raw_roster", errors.New("clever events need it: events apply to the roster the last run fetched")}
		}
	case c.Source.OneRoster != nil:
		if err := c.Source.OneRoster.validate(key + ".source.oneroster"); err != nil {
			return err
		}
	case c.Source.CSV != nil:
		if err := c.Source.CSV.validate(key + ".source.csv"); err != nil {
			return err
		}
		if !c.keepRaw() {
			return &ConfigError{key + ".keep_raw_roster", errors.New("a csv source needs it: a delta package applies to the roster the last package gave")}
		}
	}
	opts, err := c.Preflight.options()
	if err != nil {
		return &ConfigError{key + ".preflight", err}
	}
	c.location = time.Local
	if c.TimeZone != "" {
		loc, err := time.LoadLocation(c.TimeZone)
		if err != nil {
			return &ConfigError{key + ".timezone", fmt.Errorf("%q is not an IANA time zone such as America/Chicago", c.TimeZone)}
		}
		c.location = loc
	}
	if c.rules, err = c.Sharing.rules(c.location, opts); err != nil {
		return sharingError(key, err)
	}
	if c.Schedule != "" {
		if _, err := cron.ParseStandard(c.Schedule); err != nil {
			return &ConfigError{key + ".schedule", fmt.Errorf("%q: %w (want five cron fields, or a descriptor such as @hourly or \"@every 30m\")", c.Schedule, err)}
		}
	}
	if c.Jitter < 0 {
		return &ConfigError{key + ".jitter", errors.New("must not be negative")}
	}
	for i, n := range c.Notify {
		nk := fmt.Sprintf("%s.notify[%d]", key, i)
		if err := exactlyOne(nk, "url_file", n.URLFile, "url_env", n.URLEnv); err != nil {
			return err
		}
		if n.Format != "" && n.Format != "json" && n.Format != "slack" {
			return &ConfigError{nk + ".format", fmt.Errorf("%q is not json or slack", n.Format)}
		}
		for j, ev := range n.Events {
			if !slices.Contains(notifyEvents, ev) {
				return &ConfigError{fmt.Sprintf("%s.events[%d]", nk, j), fmt.Errorf("%q is not one of %s", ev, strings.Join(notifyEvents, ", "))}
			}
		}
	}
	for i, p := range c.Pause {
		pk := fmt.Sprintf("%s.pause[%d]", key, i)
		from, err := parseDay(p.From)
		if err != nil {
			return &ConfigError{pk + ".from", err}
		}
		to, err := parseDay(p.To)
		if err != nil {
			return &ConfigError{pk + ".to", err}
		}
		if to.Before(from) {
			return &ConfigError{pk, fmt.Errorf("ends (%s) before it starts (%s)", p.To, p.From)}
		}
		c.pauses = append(c.pauses, connector.Pause{Name: p.Name, From: from, To: to})
	}
	return nil
}

// notifyEvents are the run outcomes a webhook can be told of.
var notifyEvents = []string{"refused", "held", "failed", "recovered"}

// apiRoles are the roles an API token can have.
var apiRoles = []string{"viewer", "operator", "admin"}

func (s *ServerConfig) validate() error {
	host, _, err := net.SplitHostPort(s.Listen)
	if err != nil {
		return &ConfigError{"server.listen", fmt.Errorf("%q is not host:port: %w", s.Listen, err)}
	}
	if (s.CertFile == "") != (s.KeyFile == "") {
		return &ConfigError{"server", errors.New("cert_file and key_file go together")}
	}
	if s.ShutdownTimeout < 0 {
		return &ConfigError{"server.shutdown_timeout", errors.New("must not be negative")}
	}
	names := map[string]bool{}
	for i, t := range s.Tokens {
		key := fmt.Sprintf("server.tokens[%d]", i)
		if t.Name == "" || names[t.Name] {
			return &ConfigError{key + ".name", errors.New("is required and must be unique: it names who acted in the audit log")}
		}
		names[t.Name] = true
		if !slices.Contains(apiRoles, t.Role) {
			return &ConfigError{key + ".role", fmt.Errorf("%q is not one of viewer, operator, admin", t.Role)}
		}
		if err := exactlyOne(key, "token_file", t.TokenFile, "token_env", t.TokenEnv); err != nil {
			return err
		}
	}
	if len(s.Tokens) == 0 && !isLoopback(host) {
		return &ConfigError{"server.listen", fmt.Errorf("%s is reachable from other machines, so it needs API tokens (server.tokens): the API serves student records", s.Listen)}
	}
	return nil
}

// isLoopback reports whether host names only this machine.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// parseDay reads a pause window's date.
func parseDay(s string) (roster.Date, error) {
	if len(s) != len("2006-01-02") {
		return roster.Date{}, fmt.Errorf("%q is not a date in YYYY-MM-DD form", s)
	}
	d, err := roster.ParseDate(s)
	if err != nil || d.IsZero() {
		return roster.Date{}, fmt.Errorf("%q is not a date in YYYY-MM-DD form", s)
	}
	return d, nil
}

func (c *CleverConfig) validate(key string) error {
	for name, u := range map[string]string{"api_url": c.APIURL, "auth_url": c.AuthURL} {
		if !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") {
			return &ConfigError{key + "." + name, fmt.Errorf("%q is not an http(s) URL", u)}
		}
	}
	tokenSet := c.TokenFile != "" || c.TokenEnv != ""
	credsSet := c.ClientID != "" || c.ClientSecretFile != "" || c.ClientSecretEnv != "" || c.DistrictID != ""
	switch {
	case tokenSet && credsSet:
		return &ConfigError{key, errors.New("use either a token (token_file or token_env) or client credentials (client_id, client_secret_file or client_secret_env, district_id), not both")}
	case !tokenSet && !credsSet:
		return &ConfigError{key, errors.New("a token (token_file or token_env) or client credentials (client_id, client_secret_file or client_secret_env, district_id) are required")}
	case tokenSet:
		if err := exactlyOne(key, "token_file", c.TokenFile, "token_env", c.TokenEnv); err != nil {
			return err
		}
	default:
		if c.ClientID == "" {
			return &ConfigError{key + ".client_id", errors.New("is required with client credentials")}
		}
		if c.DistrictID == "" {
			return &ConfigError{key + ".district_id", errors.New("is required with client credentials: it picks the district's token")}
		}
		if err := exactlyOne(key, "client_secret_file", c.ClientSecretFile, "client_secret_env", c.ClientSecretEnv); err != nil {
			return err
		}
	}
	if c.PageSize < 1 || c.PageSize > maxPageSize {
		return &ConfigError{key + ".page_size", fmt.Errorf("%d is not within 1..%d (Clever refuses larger pages)", c.PageSize, maxPageSize)}
	}
	if c.RequestsPerMinute < 1 || c.RequestsPerMinute > cleverRequestsPerMinute {
		return &ConfigError{key + ".requests_per_minute", fmt.Errorf("%d is not within 1..%d (Clever's limit per token)", c.RequestsPerMinute, cleverRequestsPerMinute)}
	}
	if c.Retries < 0 {
		return &ConfigError{key + ".retries", errors.New("must not be negative")}
	}
	if c.RetryWaitMin < 0 || c.RetryWaitMax < c.RetryWaitMin {
		return &ConfigError{key + ".retry_wait_max", fmt.Errorf("retry waits must satisfy 0 <= retry_wait_min (%s) <= retry_wait_max (%s)", c.RetryWaitMin, c.RetryWaitMax)}
	}
	if c.Timeout < 0 {
		return &ConfigError{key + ".timeout", errors.New("must not be negative")}
	}
	if c.Events.FullEvery < 0 {
		return &ConfigError{key + ".events.full_every", errors.New("must not be negative")}
	}
	for i, r := range c.Roles {
		role, ok := roster.ParseRole(r)
		if !ok || role == roster.RoleStudent || role == roster.RoleTeacher {
			return &ConfigError{fmt.Sprintf("%s.roles[%d]", key, i), fmt.Errorf("%q is not one of staff, district_admin, contact (students and teachers are always fetched)", r)}
		}
	}
	return nil
}

func exactlyOne(key, aName, a, bName, b string) error {
	if a != "" && b != "" {
		return &ConfigError{key, fmt.Errorf("set %s or %s, not both", aName, bName)}
	}
	if a == "" && b == "" {
		return &ConfigError{key, fmt.Errorf("%s or %s is required", aName, bName)}
	}
	return nil
}

// options converts the YAML form into preflight.Options and validates it.
func (p PreflightConfig) options() (preflight.Options, error) {
	opts := preflight.Options{MaxHomeroomsPerStudent: p.MaxHomeroomsPerStudent}
	if p.MaxHomeroomsPerStudent < 0 {
		return opts, errors.New("max_homerooms_per_student must not be negative")
	}
	if p.RequiredFields != nil {
		// Entities the file leaves out keep their default required fields.
		opts.Required = preflight.DefaultRequired()
		for name, fields := range p.RequiredFields {
			e, ok := roster.ParseEntity(name)
			if !ok {
				return opts, fmt.Errorf("required_fields: unknown entity %q", name)
			}
			opts.Required[e] = fields
		}
	}
	if len(p.Severity) > 0 {
		opts.Severity = make(map[string]preflight.Severity, len(p.Severity))
		for code, sev := range p.Severity {
			opts.Severity[code] = preflight.Severity(sev)
		}
	}
	if p.Guards != nil {
		opts.Guards = []preflight.Guard{}
		for _, g := range *p.Guards {
			opts.Guards = append(opts.Guards, preflight.Guard{
				Entity: roster.Entity(g.Entity), Action: g.Action, MaxCount: g.MaxCount, MaxPercent: g.MaxPercent,
			})
		}
	}
	if err := opts.Validate(); err != nil {
		return opts, err
	}
	return opts, nil
}

// path resolves p against the config file's directory.
func (c *Config) path(p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(c.dir, p)
}

// Connection returns the connection named name.
func (c *Config) Connection(name string) (*ConnectionConfig, error) {
	for i := range c.Connections {
		if c.Connections[i].Name == name {
			return &c.Connections[i], nil
		}
	}
	names := make([]string, len(c.Connections))
	for i := range c.Connections {
		names[i] = c.Connections[i].Name
	}
	return nil, fmt.Errorf("no connection named %q (configured: %s)", name, strings.Join(names, ", "))
}
