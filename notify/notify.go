// Package notify holds what every notifier needs: making untrusted upstream
// text safe to show (control characters, ANSI escapes, Slack mrkdwn),
// shortening it on rune boundaries, and keeping secrets such as a webhook
// URL out of errors. The notifiers themselves live in slack/ and console/.
package notify

import (
	"context"
	"errors"
	"net"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Ellipsis marks text that was cut.
const Ellipsis = "…"

// Truncate shortens s to at most n runes, ending with an ellipsis when it
// cut anything. It never splits a rune.
func Truncate(s string, n int) string {
	if n <= 0 {
		return ""
	}
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i, count := 0, 0
	for i = range s {
		if count == n-1 {
			break
		}
		count++
	}
	return s[:i] + Ellipsis
}

// Clip cuts s to at most n bytes on a rune boundary, ending with an
// ellipsis when it cut. It bounds the work of cleaning and escaping huge
// upstream text (a 100 KB release body) of which only a few hundred
// characters will be shown.
func Clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	if n <= 0 {
		return ""
	}
	i := n
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + Ellipsis
}

var mrkdwnEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// EscapeMrkdwn escapes the three characters Slack treats as control
// characters, and nothing else, so upstream text cannot mention
// <!channel>, a user or a group, nor disguise a link.
func EscapeMrkdwn(s string) string { return mrkdwnEscaper.Replace(s) }

// EscapeCap escapes s for mrkdwn and keeps the result within n runes: it
// cuts the raw text on a rune boundary before escaping, so no entity is
// ever split, and measures after escaping, so "&" counting five runes
// cannot push a message over Slack's limits.
func EscapeCap(s string, n int) string {
	if n <= 0 {
		return ""
	}
	width := 0
	for _, r := range s {
		width += escapedWidth(r)
	}
	if width <= n {
		return EscapeMrkdwn(s)
	}
	var b strings.Builder
	width = 0
	for _, r := range s {
		w := escapedWidth(r)
		if width+w > n-1 { // leave room for the ellipsis
			break
		}
		width += w
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		default:
			b.WriteRune(r)
		}
	}
	b.WriteString(Ellipsis)
	return b.String()
}

func escapedWidth(r rune) int {
	switch r {
	case '&':
		return 5
	case '<', '>':
		return 4
	}
	return 1
}

// Clean makes untrusted text safe to print: invalid UTF-8 is replaced, ANSI
// escape sequences and control characters are dropped (newlines and tabs
// are kept, carriage returns become newlines), and so are the bidirectional
// overrides that can make a terminal or chat show text in a different order
// from what it says.
func Clean(s string) string {
	if isClean(s) {
		return s
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == 0x1b { // ESC: skip the whole sequence
			i += escapeLen(s[i:])
			continue
		}
		i += size
		switch {
		case r == '\n' || r == '\t':
			b.WriteRune(r)
		case r == '\r':
			b.WriteByte('\n')
		case r < 0x20 || (r >= 0x7f && r < 0xa0):
		case isBidi(r):
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func isClean(s string) bool {
	for _, r := range s {
		if r == utf8.RuneError || (r < 0x20 && r != '\n' && r != '\t') || (r >= 0x7f && r < 0xa0) || isBidi(r) {
			return false
		}
	}
	return true
}

func isBidi(r rune) bool {
	return (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069)
}

// escapeLen returns the length of the escape sequence at the start of s,
// which begins with ESC: CSI (ESC [ ... final byte), OSC and the other
// string sequences (ESC ] ... BEL or ESC \), or a two-byte escape.
func escapeLen(s string) int {
	if len(s) < 2 {
		return len(s)
	}
	switch s[1] {
	case '[':
		for i := 2; i < len(s); i++ {
			if s[i] >= 0x40 && s[i] <= 0x7e {
				return i + 1
			}
		}
		return len(s)
	case ']', 'P', '^', '_', 'X':
		for i := 2; i < len(s); i++ {
			if s[i] == 0x07 {
				return i + 1
			}
			if s[i] == 0x1b && i+1 < len(s) && s[i+1] == '\\' {
				return i + 2
			}
		}
		return len(s)
	}
	_, size := utf8.DecodeRuneInString(s[1:])
	return 1 + size
}

// OneLine cleans s and folds all its whitespace, newlines included, into
// single spaces: for titles and values shown on one line.
func OneLine(s string) string {
	return strings.Join(strings.Fields(Clean(s)), " ")
}

// Redact returns err with every non-empty secret replaced by "[redacted]"
// in its message. When a secret occurs, the returned error no longer wraps
// err (a wrapped *url.Error would still hold the secret); it keeps only
// context cancellation and timeouts, which callers test for.
func Redact(err error, secrets ...string) error {
	if err == nil {
		return nil
	}
	msg, hit := scrub(err.Error(), secrets)
	if !hit {
		return err
	}
	r := &redactedError{msg: msg}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		r.cause = context.DeadlineExceeded
	case errors.Is(err, context.Canceled):
		r.cause = context.Canceled
	}
	var ne net.Error
	r.timeout = errors.As(err, &ne) && ne.Timeout()
	return r
}

// scrub replaces every non-empty secret in msg with "[redacted]", the
// longest first (one secret may hold another); hit says whether any was.
func scrub(msg string, secrets []string) (string, bool) {
	var hit []string
	for _, s := range secrets {
		if s != "" && strings.Contains(msg, s) {
			hit = append(hit, s)
		}
	}
	sort.Slice(hit, func(i, j int) bool { return len(hit[i]) > len(hit[j]) })
	for _, s := range hit {
		msg = strings.ReplaceAll(msg, s, "[redacted]")
	}
	return msg, len(hit) > 0
}

// RedactURL is Redact for a secret URL, such as a Slack webhook: it also
// hides the URL's path and query in whatever form a client library quoted
// or escaped them.
func RedactURL(err error, secretURL string) error {
	if secretURL == "" {
		return err
	}
	return Redact(err, urlSecrets(secretURL)...)
}

// urlSecrets lists the forms a secret URL may be quoted in: whole, quoted,
// and its path and query, raw or escaped.
func urlSecrets(secretURL string) []string {
	if secretURL == "" {
		return nil
	}
	secrets := []string{secretURL, strings.Trim(strconv.Quote(secretURL), `"`)}
	if u, perr := url.Parse(secretURL); perr == nil {
		for _, p := range []string{u.Path, u.RawPath, u.EscapedPath(), u.RawQuery, u.Redacted()} {
			if len(p) > 1 {
				secrets = append(secrets, p)
			}
		}
	}
	return secrets
}

type redactedError struct {
	msg     string
	cause   error
	timeout bool
}

func (e *redactedError) Error() string { return e.msg }

func (e *redactedError) Unwrap() error { return e.cause }

// Timeout lets callers that check net.Error-style timeouts keep working.
func (e *redactedError) Timeout() bool { return e.timeout }
