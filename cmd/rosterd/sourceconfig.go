package main

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/rosterd/rosterd/connector"
	"github.com/rosterd/rosterd/dropfolder"
	"github.com/rosterd/rosterd/internal/transport"
	"github.com/rosterd/rosterd/oneroster"
	"github.com/rs/zerolog"
)

// OneRosterConfig configures a OneRoster 1.1 or 1.2 REST source.
type OneRosterConfig struct {
	// Version is "1.1" or "1.2".
	Version string `yaml:"version"`
	// BaseURL is the service root, such as
	// https://sis.example/ims/oneroster/v1p1.
	BaseURL string `yaml:"base_url"`
	// Auth is oauth1 (the 1.1 default), oauth2 (the 1.2 default) or bearer.
	Auth string `yaml:"auth"`

	// OAuth 1.0a.
	ConsumerKey        string `yaml:"consumer_key"`
	ConsumerSecretFile string `yaml:"consumer_secret_file"`
	ConsumerSecretEnv  string `yaml:"consumer_secret_env"`
	SignatureMethod    string `yaml:"signature_method"` // HMAC-SHA256 (default) or HMAC-SHA1

	// OAuth 2 client credentials.
	TokenURL         string   `yaml:"token_url"`
	ClientID         string   `yaml:"client_id"`
	ClientSecretFile string   `yaml:"client_secret_file"`
	ClientSecretEnv  string   `yaml:"client_secret_env"`
	Scopes           []string `yaml:"scopes"`
	ClientAuth       string   `yaml:"client_auth"` // basic (default) or form

	// A static bearer token (a proxy such as ClassLink's).
	TokenFile string `yaml:"token_file"`
	TokenEnv  string `yaml:"token_env"`

	PageSize            int    `yaml:"page_size"`
	MaxInFlight         int    `yaml:"max_in_flight"`
	Demographics        bool   `yaml:"demographics"`
	StudentsAndTeachers bool   `yaml:"students_and_teachers"`
	DateOrder           string `yaml:"date_order"` // "" (ISO only), mdy or dmy

	// Delta turns on delta pulls (filter=dateLastModified>'…').
	Delta DeltaConfig `yaml:"delta"`

	Retries           int           `yaml:"retries"`
	RetryWaitMin      time.Duration `yaml:"retry_wait_min"`
	RetryWaitMax      time.Duration `yaml:"retry_wait_max"`
	RequestsPerMinute int           `yaml:"requests_per_minute"`
	Timeout           time.Duration `yaml:"timeout"`
}

// DeltaConfig configures delta pulls: after a full pull, ask only for the
// records modified since (minus Overlap), with a full pull every
// FullEvery to see the deletions a delta cannot.
type DeltaConfig struct {
	Enabled   bool          `yaml:"enabled"`
	Overlap   time.Duration `yaml:"overlap"`
	FullEvery time.Duration `yaml:"full_every"`
}

// CSVConfig configures a drop folder of CSV packages.
type CSVConfig struct {
	// Path is the folder the district's SFTP server writes packages to,
	// or one package.
	Path string `yaml:"path"`
	// Format is auto (the default), oneroster or clever.
	Format string `yaml:"format"`
	// Settle is how long a package must be left unmodified before it is
	// read; default 2m.
	Settle time.Duration `yaml:"settle"`
	// DateOrder reads OneRoster slash dates: mdy or dmy ("" refuses them).
	DateOrder string `yaml:"date_order"`
}

func (c *OneRosterConfig) applyDefaults() {
	if c.Auth == "" {
		c.Auth = oneroster.AuthOAuth1
		if c.Version == oneroster.Version12 {
			c.Auth = oneroster.AuthOAuth2
		}
	}
	if c.PageSize == 0 {
		c.PageSize = oneroster.DefaultPageSize
	}
	if c.MaxInFlight == 0 {
		c.MaxInFlight = oneroster.DefaultMaxInFlight
	}
}

func (c *OneRosterConfig) validate(key string) error {
	if c.Version != oneroster.Version11 && c.Version != oneroster.Version12 {
		return &ConfigError{key + ".version", fmt.Errorf("%q is not 1.1 or 1.2", c.Version)}
	}
	if !strings.HasPrefix(c.BaseURL, "https://") && !strings.HasPrefix(c.BaseURL, "http://") {
		return &ConfigError{key + ".base_url", fmt.Errorf("%q is not an http(s) URL", c.BaseURL)}
	}
	switch c.Auth {
	case oneroster.AuthOAuth1:
		if c.ConsumerKey == "" {
			return &ConfigError{key + ".consumer_key", errors.New("is required with auth: oauth1")}
		}
		if err := exactlyOne(key, "consumer_secret_file", c.ConsumerSecretFile, "consumer_secret_env", c.ConsumerSecretEnv); err != nil {
			return err
		}
		if c.SignatureMethod != "" && c.SignatureMethod != "HMAC-SHA256" && c.SignatureMethod != "HMAC-SHA1" {
			return &ConfigError{key + ".signature_method", fmt.Errorf("%q is not HMAC-SHA256 or HMAC-SHA1", c.SignatureMethod)}
		}
	case oneroster.AuthOAuth2:
		if !strings.HasPrefix(c.TokenURL, "https://") && !strings.HasPrefix(c.TokenURL, "http://") {
			return &ConfigError{key + ".token_url", fmt.Errorf("%q is not an http(s) URL", c.TokenURL)}
		}
		if c.ClientID == "" {
			return &ConfigError{key + ".client_id", errors.New("is required with auth: oauth2")}
		}
		if err := exactlyOne(key, "client_secret_file", c.ClientSecretFile, "client_secret_env", c.ClientSecretEnv); err != nil {
			return err
		}
		if c.ClientAuth != "" && c.ClientAuth != "basic" && c.ClientAuth != "form" {
			return &ConfigError{key + ".client_auth", fmt.Errorf("%q is not basic or form", c.ClientAuth)}
		}
	case oneroster.AuthBearer:
		if err := exactlyOne(key, "token_file", c.TokenFile, "token_env", c.TokenEnv); err != nil {
			return err
		}
	default:
		return &ConfigError{key + ".auth", fmt.Errorf("%q is not oauth1, oauth2 or bearer", c.Auth)}
	}
	if c.PageSize < 1 || c.PageSize > oneroster.MaxPageSize {
		return &ConfigError{key + ".page_size", fmt.Errorf("%d is not within 1..%d", c.PageSize, oneroster.MaxPageSize)}
	}
	if c.MaxInFlight < 1 || c.MaxInFlight > 16 {
		return &ConfigError{key + ".max_in_flight", fmt.Errorf("%d is not within 1..16", c.MaxInFlight)}
	}
	if c.Delta.Overlap < 0 || c.Delta.FullEvery < 0 {
		return &ConfigError{key + ".delta", errors.New("overlap and full_every must not be negative")}
	}
	return validDateOrder(key+".date_order", c.DateOrder)
}

func (c *CSVConfig) validate(key string) error {
	if c.Path == "" {
		return &ConfigError{key + ".path", errors.New("is required")}
	}
	if !slices.Contains([]string{"", dropfolder.FormatAuto, dropfolder.FormatOneRoster, dropfolder.FormatClever}, c.Format) {
		return &ConfigError{key + ".format", fmt.Errorf("%q is not auto, oneroster or clever", c.Format)}
	}
	if c.Settle < 0 {
		return &ConfigError{key + ".settle", errors.New("must not be negative")}
	}
	return validDateOrder(key+".date_order", c.DateOrder)
}

func validDateOrder(key, order string) error {
	if order != "" && order != string(oneroster.DateOrderMDY) && order != string(oneroster.DateOrderDMY) {
		return &ConfigError{key, fmt.Errorf("%q is not mdy or dmy", order)}
	}
	return nil
}

// oneRosterSource builds a OneRoster REST source, reading its secrets.
func (cfg *Config) oneRosterSource(name string, c *OneRosterConfig, log zerolog.Logger, obs transport.Observer) (connector.Source, error) {
	key := "connections." + name + ".source.oneroster."
	opts := oneroster.ClientOptions{
		Connection: name, Version: c.Version, BaseURL: c.BaseURL, Auth: c.Auth,
		ConsumerKey: c.ConsumerKey, SignatureMethod: c.SignatureMethod,
		TokenURL: c.TokenURL, ClientID: c.ClientID, Scopes: c.Scopes, ClientSecretInForm: c.ClientAuth == "form",
		PageSize: c.PageSize, MaxInFlight: c.MaxInFlight, Demographics: c.Demographics, StudentsAndTeachers: c.StudentsAndTeachers,
		Transport: transport.Options{
			Logger: log, Retries: c.Retries, RetryWaitMin: c.RetryWaitMin, RetryWaitMax: c.RetryWaitMax,
			RequestsPerMinute: c.RequestsPerMinute, Timeout: c.Timeout, Observer: obs,
		},
	}
	var err error
	read := func(what, file, env string) string {
		if err != nil {
			return ""
		}
		var s secret
		s, err = cfg.readSecret(key+what, file, env)
		return s.reveal()
	}
	switch c.Auth {
	case oneroster.AuthOAuth1:
		opts.ConsumerSecret = read("consumer_secret", c.ConsumerSecretFile, c.ConsumerSecretEnv)
	case oneroster.AuthOAuth2:
		opts.ClientSecret = read("client_secret", c.ClientSecretFile, c.ClientSecretEnv)
	case oneroster.AuthBearer:
		opts.Token = read("token", c.TokenFile, c.TokenEnv)
	}
	if err != nil {
		return nil, err
	}
	client, err := oneroster.NewClient(opts)
	if err != nil {
		return nil, err
	}
	src := oneroster.NewSource(client, oneroster.MapOptions{DateOrder: oneroster.DateOrder(c.DateOrder)})
	if c.Delta.Enabled {
		src = src.WithDelta(oneroster.DeltaOptions{Enabled: true, Overlap: c.Delta.Overlap, FullEvery: c.Delta.FullEvery})
	}
	return src, nil
}

// csvSource builds a drop-folder source.
func (cfg *Config) csvSource(name string, c *CSVConfig, log zerolog.Logger) (connector.Source, error) {
	return dropfolder.New(dropfolder.Options{
		Connection: name, Path: cfg.path(c.Path), Format: c.Format, Settle: c.Settle,
		Map: oneroster.MapOptions{DateOrder: oneroster.DateOrder(c.DateOrder)}, Logger: log,
	})
}

// describe says where a connection's data and credentials come from,
// never what the credentials are.
func (s *SourceConfig) describe() string {
	switch {
	case s.Clever != nil:
		return "clever " + s.Clever.APIURL + "  " + cleverAuthMode(s.Clever)
	case s.OneRoster != nil:
		o := s.OneRoster
		return fmt.Sprintf("oneroster %s %s  %s", o.Version, o.BaseURL, o.Auth)
	case s.CSV != nil:
		return "csv drop folder " + s.CSV.Path
	}
	return "no source"
}
