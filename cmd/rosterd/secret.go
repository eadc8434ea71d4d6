package main

import (
	"errors"
	"fmt"
	"os"
	"strings"
)

// secret is a credential read from a file or the environment. It prints as
// a mask so that a stray %v in a log line or error cannot leak it.
type secret string

const secretMask = "[redacted]"

func (s secret) String() string   { return secretMask }
func (s secret) GoString() string { return secretMask }

// MarshalText keeps secrets out of JSON and YAML dumps too.
func (s secret) MarshalText() ([]byte, error) { return []byte(secretMask), nil }

// reveal returns the credential itself, for the one place that sends it.
func (s secret) reveal() string { return string(s) }

// readSecret loads a credential from file (resolved against the config's
// directory) or from the environment variable env; exactly one is set.
// Errors name the file or variable, never the value.
func (c *Config) readSecret(key, file, env string) (secret, error) {
	if file != "" {
		path := c.path(file)
		data, err := os.ReadFile(path)
		if err != nil {
			return "", &ConfigError{key + "_file", fmt.Errorf("read %s: %w", path, errors.Unwrap(err))}
		}
		v := strings.TrimSpace(string(data))
		if v == "" {
			return "", &ConfigError{key + "_file", fmt.Errorf("%s is empty", path)}
		}
		return secret(v), nil
	}
	v := strings.TrimSpace(os.Getenv(env))
	if v == "" {
		return "", &ConfigError{key + "_env", fmt.Errorf("environment variable %s is not set", env)}
	}
	return secret(v), nil
}
