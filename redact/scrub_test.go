package redact_test

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"testing"

	"github.com/driftwatch/driftwatch/redact"
)

func TestScrubber(t *testing.T) {
	const webhook = "https://hooks.slack.com/services/T0AAAA1111/B0BBBB2222/zXcVbNmAsDfGhJkL0123"
	s := redact.NewScrubber("Sup3rS3cret!value", "ab") // "ab" is too short to scrub safely
	s.AddURL(webhook)
	s.AddObtained("at-9f8e7d6c5b4a")
	s.AddObtained("Bearer ghs_abcdefghij0123456789")
	var nilS *redact.Scrubber
	for _, c := range []struct{ in, leak string }{
		{"secret=Sup3rS3cret!value", "Sup3rS3cret"},
		{"form: client_secret=" + url.QueryEscape("Sup3rS3cret!value"), "Sup3rS3cret"},
		{`json: {"k":"` + strings.Trim(fmt.Sprintf("%q", "Sup3rS3cret!value"), `"`) + `"}`, "Sup3rS3cret"},
		{"Post \"" + webhook + "\": dial tcp: refused", "zXcVbNmAsDfGhJkL0123"},
		{"referer " + url.QueryEscape(webhook), "zXcVbNmAsDfGhJkL0123"},
		{"path /services/T0AAAA1111/B0BBBB2222/zXcVbNmAsDfGhJkL0123", "zXcVbNmAsDfGhJkL0123"},
		{"just the key zXcVbNmAsDfGhJkL0123 alone", "zXcVbNmAsDfGhJkL0123"},
		{"401: invalid token at-9f8e7d6c5b4a", "at-9f8e7d6c5b4a"},
		{"echo: ghs_abcdefghij0123456789", "ghs_abcdefghij0123456789"},
	} {
		got := s.Scrub(c.in)
		if strings.Contains(got, c.leak) || !strings.Contains(got, redact.Marker) {
			t.Errorf("Scrub(%q) = %q: leaks %q or has no marker", c.in, got, c.leak)
		}
	}
	if got := s.Scrub("about services and absent keys"); got != "about services and absent keys" {
		t.Errorf("plain text changed: %q", got)
	}
	if got := nilS.Scrub("Bearer abcdefgh1234"); got != "Bearer [redacted]" {
		t.Errorf("nil scrubber = %q", got)
	}
}

func TestHandler(t *testing.T) {
	s := redact.NewScrubber("tok-1234567890")
	for _, format := range []string{"text", "json"} {
		var buf bytes.Buffer
		var h slog.Handler = slog.NewTextHandler(&buf, nil)
		if format == "json" {
			h = slog.NewJSONHandler(&buf, nil)
		}
		log := slog.New(redact.Handler(h, s)).With("base", "x tok-1234567890")
		log.Info("got tok-1234567890", "error", errors.New("HTTP 401: tok-1234567890"),
			slog.Group("g", "v", "tok-1234567890"), "any", []string{"tok-1234567890"}, "n", 3)
		out := buf.String()
		if strings.Contains(out, "tok-1234567890") || strings.Count(out, redact.Marker) != 5 {
			t.Errorf("%s log: %s", format, out)
		}
	}
}
