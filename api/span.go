package api

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// longestSpan bounds the spans the console takes: a century, far from
// where a time.Duration wraps round to a negative span.
const longestSpan = 100 * 365 * 24 * time.Hour

// ParseDuration reads the span --since, --max-age and --for take: a Go
// duration, whole days ("7d"), or both ("1d12h"). It is positive and at
// most a century.
func ParseDuration(s string) (time.Duration, error) {
	bad := fmt.Errorf("%q: want a positive duration such as 24h, 7d or 1d12h (at most %dd)", s, int(longestSpan/(24*time.Hour)))
	rest := strings.TrimSpace(s)
	var d time.Duration
	if i := strings.IndexByte(rest, 'd'); i > 0 {
		days, err := strconv.ParseInt(rest[:i], 10, 64)
		if err != nil || days < 0 || days > int64(longestSpan/(24*time.Hour)) {
			return 0, bad
		}
		d, rest = time.Duration(days)*24*time.Hour, rest[i+1:]
	}
	if rest != "" {
		more, err := time.ParseDuration(rest)
		if err != nil || more < 0 {
			return 0, bad
		}
		d += more
	}
	if d <= 0 || d > longestSpan {
		return 0, bad
	}
	return d, nil
}

// FormatDuration prints a span as a person writes it and ParseDuration
// reads it back: "7d", "24h", "1h30m", "90s" — not "1h0m0s".
func FormatDuration(d time.Duration) string {
	const day = 24 * time.Hour
	if d >= 2*day && d%day == 0 {
		return strconv.FormatInt(int64(d/day), 10) + "d"
	}
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
