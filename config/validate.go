package config

import (
	"fmt"
	"math"
	"net"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/Masterminds/semver/v3"

	"github.com/driftwatch/driftwatch/diff"
	"github.com/driftwatch/driftwatch/watcher"
)

var nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`)

func (l *loader) validate(c *Config) {
	if k := c.Store.KeepSnapshots; k < 0 || k == 1 {
		l.errorAt("store.keep_snapshots", fmt.Sprintf("store: keep_snapshots = %d: want 0 (keep all) or at least 2 (the newest and the one before it, which diff compares)", k))
	}
	if s := c.Notify.Slack; s != nil {
		l.validateSlack(c, s)
	}
	if c.Digest.Schedule == "" {
		c.Digest.Schedule = DefaultDigestSchedule
	} else if err := checkSchedule(c.Digest.Schedule); err != nil {
		l.errorAt("digest.schedule", "digest: "+err.Error())
	}
	if c.Digest.Channel != "" && c.Notify.Slack != nil && c.Notify.Slack.TokenEnv == "" {
		l.errorAt("digest.channel", "digest: channel needs [notify.slack] with token_env (bot mode); a webhook posts to its own channel")
	}
	if c.Server.Listen == "" {
		c.Server.Listen = DefaultListen
	} else if _, port, err := net.SplitHostPort(c.Server.Listen); err != nil {
		l.errorAt("server.listen", fmt.Sprintf("server: listen %q: want host:port", c.Server.Listen))
	} else if !validPort(port) {
		l.errorAt("server.listen", fmt.Sprintf("server: listen %q: the port must be a number up to 65535", c.Server.Listen))
	}
	l.validateServer(c) // server.go
	seen := map[string]int{}
	for i := range c.Sources {
		l.validateSource(i, &c.Sources[i], seen)
	}
	for i := range c.Expects {
		l.validateExpect(c, i, &c.Expects[i])
	}
	l.validateReceivers(c)
}

func (l *loader) validateSlack(c *Config, s *Slack) {
	at := "notify.slack"
	switch {
	case s.WebhookURLEnv == "" && s.TokenEnv == "":
		l.errorAt(at, "notify.slack: set webhook_url_env or token_env")
	case s.WebhookURLEnv != "" && s.TokenEnv != "":
		l.errorAt(at+".token_env", "notify.slack: set webhook_url_env or token_env, not both")
	case s.TokenEnv != "" && s.Channel == "":
		l.errorAt(at+".token_env", "notify.slack: channel is required with token_env")
	case s.WebhookURLEnv != "" && s.Channel != "":
		l.errorAt(at+".channel", "notify.slack: channel applies to token_env (bot mode) only; a webhook posts to its own channel")
	}
	if s.MinSeverity == "" {
		s.MinSeverity = DefaultMinSeverity
	} else if !validSeverity(s.MinSeverity) {
		l.errorAt(at+".min_severity", fmt.Sprintf("notify.slack: min_severity %q: want info, warning or breaking", s.MinSeverity))
	}
	if s.APIURL != "" {
		l.checkURL(at+".api_url", "notify.slack: api_url", s.APIURL)
	}
	s.WebhookURL = l.secret(at+".webhook_url_env", "webhook_url_env", s.WebhookURLEnv, "notify.slack")
	if v := s.WebhookURL.Reveal(); v != "" {
		// The value is a secret: the message names its variable only.
		if u, err := url.Parse(v); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || !validPort(u.Port()) {
			l.errorAt(at+".webhook_url_env", fmt.Sprintf("notify.slack: $%s does not hold an http(s) URL (want https://hooks.slack.com/services/...)", s.WebhookURLEnv))
		}
	}
	s.Token = l.secret(at+".token_env", "token_env", s.TokenEnv, "notify.slack")
}

func (l *loader) validateSource(i int, s *Source, seen map[string]int) {
	at := "source[" + strconv.Itoa(i) + "]"
	label := fmt.Sprintf("source %q", s.Name)
	switch {
	case s.Name == "":
		label = fmt.Sprintf("source #%d", i+1)
		l.errorAt(at, label+": name is required")
	case !nameRE.MatchString(s.Name):
		l.errorAt(at+".name", fmt.Sprintf("%s: name must match [a-z0-9][a-z0-9._-]*", label))
	default:
		if prev, dup := seen[s.Name]; dup {
			l.errorAt(at+".name", fmt.Sprintf("%s: name already used by source #%d", label, prev+1))
		}
		seen[s.Name] = i
	}
	if _, ok := typeKeys(s.Type); !ok {
		if s.Type == "" {
			l.errorAt(at, label+": type is required (one of "+strings.Join(Types(), ", ")+")")
		} else {
			l.errorAt(at+".type", fmt.Sprintf("%s: unknown type %q (want one of %s)", label, s.Type, strings.Join(Types(), ", ")))
		}
		return
	}
	if s.Schedule == "" {
		s.Schedule = DefaultSchedule
	} else if err := checkSchedule(s.Schedule); err != nil {
		l.errorAt(at+".schedule", label+": "+err.Error())
	}
	if s.Timeout != "" {
		if d, err := time.ParseDuration(s.Timeout); err != nil || d <= 0 {
			l.errorAt(at+".timeout", fmt.Sprintf("%s: timeout %q: want a positive duration such as 90s or 5m", label, s.Timeout))
		}
	}
	for _, p := range s.Ignore {
		if _, err := diff.ParsePattern(p); err != nil || p == "" {
			l.errorAt(at+".ignore", fmt.Sprintf("%s: ignore %q is not a JSON Pointer", label, p))
		}
	}
	if s.Settings == nil {
		s.Settings, _ = newTypeConfig(s.Type)
	}
	s.Settings.Validate(&Check{l: l, at: at, src: s, Label: label, Name: s.Name, Type: s.Type, Dir: l.dir})
}

func (l *loader) validateThreshold(at, label string, t *Threshold) {
	if _, err := diff.ParsePointer(t.Path); err != nil || t.Path == "" {
		l.errorAt(at+".path", fmt.Sprintf("%s: threshold path %q is not a JSON Pointer", label, t.Path))
	}
	if (t.Above == nil) == (t.Below == nil) {
		l.errorAt(at, fmt.Sprintf("%s: threshold %s needs exactly one of above or below", label, t.Path))
	}
	for key, v := range map[string]*float64{"above": t.Above, "below": t.Below} {
		if v != nil && (math.IsNaN(*v) || math.IsInf(*v, 0)) {
			l.errorAt(at+"."+key, fmt.Sprintf("%s: threshold %s: %s = %v never compares as a limit; want a finite number", label, t.Path, key, *v))
		}
	}
	if t.Severity == "" {
		t.Severity = "warning"
	} else if !validSeverity(t.Severity) {
		l.errorAt(at+".severity", fmt.Sprintf("%s: threshold severity %q: want info, warning or breaking", label, t.Severity))
	}
	switch t.Category {
	case "":
		t.Category = "infrastructure"
	case "infrastructure", "usage-growth":
	default:
		l.errorAt(at+".category", fmt.Sprintf("%s: threshold category %q: want infrastructure or usage-growth", label, t.Category))
	}
}

func (l *loader) validateExpect(c *Config, i int, e *Expect) {
	at := "expect[" + strconv.Itoa(i) + "]"
	label := fmt.Sprintf("expect #%d", i+1)
	if e.Source == "" {
		l.errorAt(at, label+": source is required")
	} else if _, ok := c.Source(e.Source); !ok {
		l.errorAt(at+".source", fmt.Sprintf("%s: unknown source %q", label, e.Source))
	}
	if _, err := diff.ParsePointer(e.Path); err != nil {
		l.errorAt(at+".path", fmt.Sprintf("%s: path %q is not a JSON Pointer", label, e.Path))
	}
	n := 0
	for _, set := range []bool{e.Contains != nil, e.Equals != nil, e.Present != nil, e.Absent != nil, e.Semver != ""} {
		if set {
			n++
		}
	}
	if n != 1 {
		l.errorAt(at, label+": set exactly one of contains, equals, present, absent or semver")
	}
	if e.Present != nil && !*e.Present {
		l.errorAt(at+".present", label+": present = false: use absent = true")
	}
	if e.Absent != nil && !*e.Absent {
		l.errorAt(at+".absent", label+": absent = false: use present = true")
	}
	if e.Semver != "" {
		if _, err := semver.NewConstraint(e.Semver); err != nil {
			l.errorAt(at+".semver", fmt.Sprintf("%s: semver constraint %q: %v", label, e.Semver, err))
		}
	}
	if e.Severity == "" {
		e.Severity = "breaking"
	} else if !validSeverity(e.Severity) {
		l.errorAt(at+".severity", fmt.Sprintf("%s: severity %q: want info, warning or breaking", label, e.Severity))
	}
}

// checkSchedule parses a schedule and checks that it fires: cron accepts
// "0 0 30 2 *" (February 30th), which would never poll or post.
func checkSchedule(spec string) error {
	s, err := watcher.ParseSchedule(spec)
	if err != nil {
		return err
	}
	// robfig/cron gives up after five years without a match: zero.
	if s.Next(time.Now()).IsZero() {
		return fmt.Errorf("schedule %q never fires (no such date within five years)", spec)
	}
	return nil
}

// checkURL checks an http(s) URL with a host and, if given, a port that
// exists.
func (l *loader) checkURL(at, label, raw string) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		l.errorAt(at, fmt.Sprintf("%s %q: want an http(s) URL", label, raw))
		return
	}
	if !validPort(u.Port()) {
		l.errorAt(at, fmt.Sprintf("%s %q: the port must be a number up to 65535", label, raw))
	}
}

// validPort accepts an empty port (the scheme's default) or a number up
// to 65535.
func validPort(p string) bool {
	if p == "" {
		return true
	}
	n, err := strconv.Atoi(p)
	return err == nil && n >= 0 && n <= 65535
}

func validSeverity(s string) bool {
	switch s {
	case "info", "warning", "breaking":
		return true
	}
	return false
}

func sortedStrings(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
