package main

import (
	"runtime/debug"
	"testing"
)

// Ensure rosterd collects at its own target unless GOGC sets one.
func TestTuneGC(t *testing.T) {
	tests := []struct {
		name string
		gogc string
		want int
	}{
		{name: "GOGC unset", gogc: "", want: defaultGCPercent},
		{name: "GOGC set", gogc: "200", want: 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := debug.SetGCPercent(100)
			defer debug.SetGCPercent(before)
			tuneGC(func(key string) string {
				if key == "GOGC" {
					return tt.gogc
				}
				return ""
			}, defaultGCPercent)
			if got := debug.SetGCPercent(100); got != tt.want {
				t.Errorf("GC percent = %d, want %d", got, tt.want)
			}
		})
	}
}
