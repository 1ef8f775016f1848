// Package config loads driftwatch's TOML file strictly: an unknown key, a
// bad schedule or an unset secret variable is an error naming the file and
// line, found before any network call. Secrets never stand in the file; a
// key ending in _env names the environment variable that holds the value.
// Only this package and cmd read files and the environment.
package config

import (
	"fmt"
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Config is a loaded, validated configuration.
type Config struct {
	// File is the path the configuration was read from; Dir its folder,
	// against which relative paths inside it are resolved.
	File string `toml:"-"`
	Dir  string `toml:"-"`

	Store   Store    `toml:"store"`
	Notify  Notify   `toml:"notify"`
	Digest  Digest   `toml:"digest"`
	Server  Server   `toml:"server"`
	Sources []Source `toml:"source"`
	Expects []Expect `toml:"expect"`
	// Receivers are the [[receiver]] tables; LegacySlack is the one
	// [notify.slack] stands for when used instead (see AllReceivers).
	Receivers   []Receiver `toml:"receiver"`
	Routes      []Route    `toml:"route"`
	LegacySlack *Receiver  `toml:"-"`

	// Hints are advice that is not an error (a deprecated table), for
	// validate to print.
	Hints []string `toml:"-"`
	// Warnings are valid settings that likely do not do what was meant
	// (a digest that goes to no one), for validate to print.
	Warnings []string `toml:"-"`

	// sourceSecrets are the sources' secrets as their types resolved
	// them (Check.Secret), for the commands that check or fill them.
	sourceSecrets []secretSlot
}

// Store is the [store] table.
type Store struct {
	// Path is the SQLite file, resolved against the config's folder.
	Path string `toml:"path"`
	// KeepSnapshots bounds the snapshots kept per source (the newest N,
	// plus those open findings point to), so a source that changes every
	// poll cannot grow the store without end; 0, the default, keeps all.
	KeepSnapshots int `toml:"keep_snapshots"`
}

// Notify is the [notify] table.
type Notify struct {
	// Slack is nil when [notify.slack] is absent: notices then go to stdout.
	Slack *Slack `toml:"slack"`
}

// Slack is the [notify.slack] table.
type Slack struct {
	WebhookURLEnv  string `toml:"webhook_url_env"`
	WebhookURLFile string `toml:"webhook_url_file"`
	TokenEnv       string `toml:"token_env"`
	TokenFile      string `toml:"token_file"`
	Channel        string `toml:"channel"`
	APIURL         string `toml:"api_url"`
	MinSeverity    string `toml:"min_severity"`
	SendResolved   *bool  `toml:"send_resolved"`

	// WebhookURL and Token are the resolved secrets.
	WebhookURL Secret `toml:"-"`
	Token      Secret `toml:"-"`
}

// Digest is the [digest] table.
type Digest struct {
	Schedule string `toml:"schedule"`
	Channel  string `toml:"channel"`
}

// Server is the [server] table.
type Server struct {
	Listen string `toml:"listen"`
	// The API's bearer tokens (server.go): read, and a separate one for
	// acks and silences; each from an environment variable or a file.
	APITokenEnv       string `toml:"api_token_env"`
	APITokenFile      string `toml:"api_token_file"`
	APIWriteTokenEnv  string `toml:"api_write_token_env"`
	APIWriteTokenFile string `toml:"api_write_token_file"`
	// PublicURL is where people reach the web view; notices link to it.
	PublicURL string `toml:"public_url"`

	APIToken      Secret `toml:"-"`
	APIWriteToken Secret `toml:"-"`
}

// Source is one [[source]] table: the keys every type shares, and the
// type's own keys in Settings.
type Source struct {
	Name     string   `toml:"name"`
	Type     string   `toml:"type"`
	Schedule string   `toml:"schedule"`
	Ignore   []string `toml:"ignore"`
	// Labels describe the source for routing (team = "identity").
	Labels Labels `toml:"labels,omitempty"`
	// Timeout bounds one fetch of the source, every page, retry and wait
	// included: a Go duration such as "90s" or "5m" (DefaultTimeout).
	Timeout string `toml:"timeout"`

	// Settings holds the keys of the source's type, decoded into the
	// config struct its type registered (see RegisterType).
	Settings SourceConfig `toml:"-"`

	// Line is where the source is declared, for messages.
	Line int `toml:"-"`
}

// Threshold is one [[source.threshold]]: a number in the document that
// must stay above or below a limit.
type Threshold struct {
	Path     string   `toml:"path"`
	Above    *float64 `toml:"above"`
	Below    *float64 `toml:"below"`
	Severity string   `toml:"severity"`
	Category string   `toml:"category"`
}

// Expect is one [[expect]]: what the deployed app relies on.
type Expect struct {
	Source   string `toml:"source"`
	Path     string `toml:"path"`
	Contains any    `toml:"contains"`
	Equals   any    `toml:"equals"`
	Present  *bool  `toml:"present"`
	Absent   *bool  `toml:"absent"`
	Semver   string `toml:"semver"`
	Severity string `toml:"severity"`
	Note     string `toml:"note"`

	// Line is where the expectation is declared.
	Line int `toml:"-"`
}

// Kind returns which check the expectation makes: contains, equals,
// present, absent or semver.
func (e *Expect) Kind() string {
	switch {
	case e.Contains != nil:
		return "contains"
	case e.Equals != nil:
		return "equals"
	case e.Present != nil:
		return "present"
	case e.Absent != nil:
		return "absent"
	case e.Semver != "":
		return "semver"
	}
	return ""
}

// Defaults for keys left out.
const (
	DefaultStorePath      = "driftwatch.db"
	DefaultSchedule       = "@every 1h"
	DefaultDigestSchedule = "0 9 * * MON"
	DefaultListen         = "127.0.0.1:9464"
	DefaultMinSeverity    = "warning"
	DefaultTimeout        = 5 * time.Minute
)

// FetchTimeout is the source's timeout, DefaultTimeout when unset.
func (s *Source) FetchTimeout() time.Duration {
	if d, err := time.ParseDuration(s.Timeout); err == nil && d > 0 {
		return d
	}
	return DefaultTimeout
}

// StorePath returns the SQLite file's path, resolved against the config's
// folder.
func (c *Config) StorePath() string {
	p := c.Store.Path
	if p == "" {
		p = DefaultStorePath
	}
	if filepath.IsAbs(p) || c.Dir == "" {
		return p
	}
	return filepath.Join(c.Dir, p)
}

// Source returns the source of that name.
func (c *Config) Source(name string) (*Source, bool) {
	for i := range c.Sources {
		if c.Sources[i].Name == name {
			return &c.Sources[i], true
		}
	}
	return nil, false
}

// AllReceivers returns the configured receivers: the [[receiver]] tables,
// or the one [notify.slack] stands for; none means notices go to stdout.
func (c *Config) AllReceivers() []Receiver {
	if c.LegacySlack != nil {
		return []Receiver{*c.LegacySlack}
	}
	return c.Receivers
}

// ExpectsFor returns the expectations about one source.
func (c *Config) ExpectsFor(source string) []Expect {
	var out []Expect
	for _, e := range c.Expects {
		if e.Source == source {
			out = append(out, e)
		}
	}
	return out
}

// Secret is a value read from the environment. It prints, logs and
// marshals as "[redacted]"; Reveal gives the value to the one place that
// sends it. The value sits behind a pointer: fmt prints a wrong verb's
// operand (%s of a struct holding a *Slack, %d) without calling String,
// and then shows an address instead of the value.
type Secret struct{ v *string }

// NewSecret wraps a value.
func NewSecret(v string) Secret { return Secret{v: &v} }

// Reveal returns the secret's value; "" when none was set.
func (s Secret) Reveal() string {
	if s.v == nil {
		return ""
	}
	return *s.v
}

// Equal reports whether two secrets hold the same value (for go-cmp).
func (s Secret) Equal(o Secret) bool { return s.Reveal() == o.Reveal() }

// String hides the value from fmt.
func (s Secret) String() string { return "[redacted]" }

// GoString hides the value from %#v.
func (s Secret) GoString() string { return `"[redacted]"` }

// MarshalText hides the value from encoders.
func (s Secret) MarshalText() ([]byte, error) { return []byte("[redacted]"), nil }

// LogValue hides the value from slog.
func (s Secret) LogValue() slog.Value { return slog.StringValue("[redacted]") }

// Error is one problem in a config file, at a line when known.
type Error struct {
	File string
	Line int
	Msg  string
}

// Error is one line: control characters that a message quotes from the
// file (a TOML parser message echoes a bad escape, a path may hold "\n")
// are shown escaped, so each problem stays one line of output.
func (e *Error) Error() string {
	msg := escapeControl(e.Msg)
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, msg)
	}
	return fmt.Sprintf("%s: %s", e.File, msg)
}

func escapeControl(s string) string {
	if !strings.ContainsFunc(s, unicode.IsControl) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if unicode.IsControl(r) {
			q := strconv.QuoteRune(r) // '\n'
			b.WriteString(q[1 : len(q)-1])
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
