package slack_test

import (
	"strings"
	"testing"

	"github.com/driftwatch/driftwatch/notify/slack"
	"github.com/driftwatch/driftwatch/watcher"
)

// A finding's url is a link in its notice; anything but a plain http(s)
// URL, or one that would close the link markup, is never a link.
func TestWebLink(t *testing.T) {
	for in, want := range map[string]string{
		"https://github.com/auth0/nextjs-auth0/compare/v3.5.0...v4.0.0": "<https://github.com/auth0/nextjs-auth0/compare/v3.5.0...v4.0.0|Open>",
		"https://example.com/a?x=1&y=<b>|c":                             "<https://example.com/a?x=1&amp;y=%3Cb%3E%7Cc|Open>",
		"javascript:alert(1)":                                           "",
		"https://":                                                      "",
		"ftp://example.com/x":                                           "",
		"<!channel>":                                                    "",
	} {
		if got := slack.WebLink(in, "Open"); got != want {
			t.Errorf("WebLink(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNoticeCarriesTheURLAndEveryRule(t *testing.T) {
	f := &watcher.Finding{ID: 7, Source: "auth0-prod", Rule: "expect.contains", Also: []string{"auth0.url_removed"},
		Severity: watcher.Breaking, Category: watcher.Configuration, Path: "/clients/Acme Web/callbacks",
		Title: `Callback URL https://app.acme.com/callback removed from client "Acme Web" (login redirect)`,
		URL:   "https://manage.auth0.com/dashboard/eu/acme/applications/abc/settings"}
	m := slack.RenderNotices([]watcher.Notice{{ID: 1, Kind: watcher.NoticeOpened, Source: "auth0-prod", Finding: f}})
	b := slack.Text(m)
	for _, want := range []string{"<https://manage.auth0.com/dashboard/eu/acme/applications/abc/settings|Open ↗>",
		"expect.contains + auth0.url_removed"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("message lacks %q:\n%s", want, b)
		}
	}
}
