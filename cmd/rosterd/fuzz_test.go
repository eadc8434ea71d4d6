package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParseConfig parses arbitrary bytes as a config: it must load or be
// refused with an error, never panic. The seeds are the example config and
// every invalid config of the table test.
func FuzzParseConfig(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/config/*.yaml")
	for _, path := range append(seeds, "../../config.example.yaml") {
		if data, err := os.ReadFile(path); err == nil {
			f.Add(data)
		}
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := ParseConfig(bytes.NewReader(data), dir)
		if err == nil && cfg == nil {
			t.Fatal("no config and no error")
		}
	})
}
