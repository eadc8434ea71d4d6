package roster

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Date is a calendar day without a time zone: a birth date or a term's
// first day. The zero Date is absent.
type Date struct {
	Year  int16
	Month uint8
	Day   uint8
}

// ErrDate reports a value that is not a date in any accepted form.
var ErrDate = errors.New("not a date in YYYY-MM-DD, RFC 3339 or M/D/YYYY form")

// ParseDate reads a date written as YYYY-MM-DD, as an RFC 3339 timestamp
// (its date part, as written), as "YYYY-MM-DD hh:mm:ss" or as M/D/YYYY.
// Sources send all of these, sometimes within one district; "" is the zero
// Date.
func ParseDate(s string) (Date, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Date{}, nil
	}
	var y, m, d int
	var err error
	switch {
	case strings.Contains(s, "/"):
		// Cut, not Split: a million birth dates are a million slices.
		month, rest, _ := strings.Cut(s, "/")
		day, year, ok := strings.Cut(rest, "/")
		if !ok || len(year) != 4 {
			return Date{}, ErrDate
		}
		m, err = atoiN(month, 1, 2)
		if err == nil {
			d, err = atoiN(day, 1, 2)
		}
		if err == nil {
			y, err = atoiN(year, 4, 4)
		}
	case len(s) >= 10 && s[4] == '-' && s[7] == '-':
		if len(s) > 10 && s[10] != 'T' && s[10] != ' ' && s[10] != 't' {
			return Date{}, ErrDate
		}
		y, err = atoiN(s[0:4], 4, 4)
		if err == nil {
			m, err = atoiN(s[5:7], 2, 2)
		}
		if err == nil {
			d, err = atoiN(s[8:10], 2, 2)
		}
	default:
		return Date{}, ErrDate
	}
	if err != nil {
		return Date{}, ErrDate
	}
	if m < 1 || m > 12 || d < 1 || d > daysIn(m, y) || y < 1 {
		return Date{}, ErrDate
	}
	return Date{Year: int16(y), Month: uint8(m), Day: uint8(d)}, nil
}

// MustDate is ParseDate for literals in tests and generators; it panics on
// a bad date.
func MustDate(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(fmt.Sprintf("roster.MustDate(%q): %v", s, err))
	}
	return d
}

func atoiN(s string, minLen, maxLen int) (int, error) {
	if len(s) < minLen || len(s) > maxLen {
		return 0, ErrDate
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, ErrDate
		}
	}
	return strconv.Atoi(s)
}

func daysIn(m, y int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// IsZero reports whether d is absent.
func (d Date) IsZero() bool { return d == Date{} }

// Before reports whether d is an earlier day than e.
func (d Date) Before(e Date) bool {
	if d.Year != e.Year {
		return d.Year < e.Year
	}
	if d.Month != e.Month {
		return d.Month < e.Month
	}
	return d.Day < e.Day
}

// String returns d as YYYY-MM-DD, or "" when d is absent.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day)
}

// MarshalText writes d as YYYY-MM-DD.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads any form ParseDate accepts.
func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}
