package main

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// ByteSize is an amount of memory written as GOMEMLIMIT is: a whole
// number of bytes, or with a unit B, KiB, MiB, GiB or TiB ("1000MiB").
type ByteSize int64

var byteUnits = []struct {
	suffix string
	shift  uint
}{{"TiB", 40}, {"GiB", 30}, {"MiB", 20}, {"KiB", 10}, {"B", 0}}

// parseByteSize reads s as GOMEMLIMIT does, less its "off".
func parseByteSize(s string) (ByteSize, error) {
	digits, shift := s, uint(0)
	for _, u := range byteUnits {
		if rest, ok := strings.CutSuffix(s, u.suffix); ok {
			digits, shift = rest, u.shift
			break
		}
	}
	n, err := strconv.ParseUint(digits, 10, 63)
	if err != nil || digits == "" || digits[0] == '+' {
		return 0, fmt.Errorf("%q is not a number of bytes, or one with a unit B, KiB, MiB, GiB or TiB", s)
	}
	if n > math.MaxInt64>>shift {
		return 0, fmt.Errorf("%q is more memory than can be addressed", s)
	}
	return ByteSize(n << shift), nil
}

// UnmarshalYAML reads a size written as GOMEMLIMIT is.
func (b *ByteSize) UnmarshalYAML(node *yaml.Node) error {
	var s string
	if err := node.Decode(&s); err != nil {
		return err
	}
	n, err := parseByteSize(s)
	if err != nil {
		return fmt.Errorf("line %d: %w", node.Line, err)
	}
	*b = n
	return nil
}
