package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"sync"
)

// buildID names the running rosterd build by the hash of its executable,
// or is "" when the executable cannot be read. A rebuilt rosterd may
// check or encode differently, so it must not reuse an older build's
// results.
var buildID = sync.OnceValue(func() string {
	path, err := os.Executable()
	if err != nil {
		return ""
	}
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return ""
	}
	return hex.EncodeToString(h.Sum(nil))
})

// fingerprint names what decides c's rules and preflight result besides
// the roster, the day and the committed roster (connector.Connection's
// Fingerprint): the build, the time zone, the sharing rules and the
// preflight options, as configured. It is "" when the build has no name,
// which turns reuse off.
func (c *ConnectionConfig) fingerprint() string {
	return configFingerprint(buildID(), c)
}

func configFingerprint(build string, c *ConnectionConfig) string {
	if build == "" {
		return ""
	}
	// encoding/json writes struct fields in order and map keys sorted, so
	// the same configuration always gives the same bytes.
	data, err := json.Marshal(struct {
		TimeZone  string
		Sharing   *SharingConfig
		Preflight PreflightConfig
	}{c.TimeZone, c.Sharing, c.Preflight})
	if err != nil {
		return ""
	}
	h := sha256.New()
	io.WriteString(h, build)
	h.Write([]byte{0})
	h.Write(data)
	return hex.EncodeToString(h.Sum(nil))
}
