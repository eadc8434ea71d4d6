package main

import (
	"strings"
	"testing"
)

func TestParseByteSize(t *testing.T) {
	tests := []struct {
		in      string
		want    ByteSize
		wantErr string
	}{
		{in: "1000MiB", want: 1000 << 20},
		{in: "1GiB", want: 1 << 30},
		{in: "2TiB", want: 2 << 40},
		{in: "512KiB", want: 512 << 10},
		{in: "4096B", want: 4096},
		{in: "1048576", want: 1 << 20},
		{in: "1G", wantErr: `"1G" is not a number of bytes`},
		{in: "1.5GiB", wantErr: "is not a number"},
		{in: "GiB", wantErr: "is not a number"},
		{in: "", wantErr: "is not a number"},
		{in: "-1MiB", wantErr: "is not a number"},
		{in: "+1MiB", wantErr: "is not a number"},
		{in: "off", wantErr: "is not a number"},
		{in: "9000000TiB", wantErr: "more memory than can be addressed"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseByteSize(tt.in)
			switch {
			case tt.wantErr != "":
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("parseByteSize(%q) = %d, %v; want an error saying %q", tt.in, got, err, tt.wantErr)
				}
			case err != nil || got != tt.want:
				t.Errorf("parseByteSize(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
			}
		})
	}
}
