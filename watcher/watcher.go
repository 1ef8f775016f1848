// Package watcher is driftwatch's domain core: sources, snapshots, findings,
// notices, the interfaces the outside packages implement, and the engine that
// runs a poll cycle. It imports only the standard library, diff and cron, so
// every other package can depend on it without cycles.
package watcher

import (
	"fmt"
	"strings"
)

// Severity orders findings: a pipeline fails on breaking drift and a
// notifier can skip what is below its threshold.
type Severity int

// The severities, lowest first; their order is what --fail-on compares.
const (
	Info Severity = iota + 1
	Warning
	Breaking
)

// String returns the contract's lower-case name.
func (s Severity) String() string {
	switch s {
	case Info:
		return "info"
	case Warning:
		return "warning"
	case Breaking:
		return "breaking"
	}
	return fmt.Sprintf("severity(%d)", int(s))
}

// MarshalText lets a Severity appear in JSON as its name.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText parses a severity name.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// ParseSeverity reads "info", "warning" or "breaking".
func ParseSeverity(s string) (Severity, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "info":
		return Info, nil
	case "warning":
		return Warning, nil
	case "breaking":
		return Breaking, nil
	}
	return 0, fmt.Errorf("unknown severity %q (want info, warning or breaking)", s)
}

// Category says what kind of problem a finding is, so nobody mistakes an
// upstream change for a code defect.
type Category string

// The four categories of the contract.
const (
	ThirdParty     Category = "third-party"
	Configuration  Category = "configuration"
	Infrastructure Category = "infrastructure"
	UsageGrowth    Category = "usage-growth"
)

// Valid reports whether c is one of the four categories.
func (c Category) Valid() bool {
	switch c {
	case ThirdParty, Configuration, Infrastructure, UsageGrowth:
		return true
	}
	return false
}

// Plain names the category in words a person reads in a notice.
func (c Category) Plain() string {
	switch c {
	case ThirdParty:
		return "Third-party change — not a code defect"
	case Configuration:
		return "Configuration drift"
	case Infrastructure:
		return "Infrastructure limit"
	case UsageGrowth:
		return "Usage growth"
	}
	return string(c)
}
