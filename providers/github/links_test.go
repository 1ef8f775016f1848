package github_test

import (
	"testing"

	"github.com/driftwatch/driftwatch/diff"
	"github.com/driftwatch/driftwatch/providers/github"
	"github.com/driftwatch/driftwatch/watcher"
)

func TestLinkReleaseAndCompare(t *testing.T) {
	doc, err := diff.Decode([]byte(`{"repo": "auth0/nextjs-auth0", "deployed": "3.5.0", "latest": "v4.0.0", "releases": {
		"v3.5.0": {"url": "https://github.com/auth0/nextjs-auth0/releases/tag/v3.5.0"},
		"v4.0.0": {"url": "https://github.com/auth0/nextjs-auth0/releases/tag/v4.0.0"},
		"v4.1.0": {"url": "javascript:alert(1)"}},
		"advisories": {"GHSA-x": {"url": "https://github.com/advisories/GHSA-x"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	j := &watcher.Judgement{New: doc}
	cases := []struct {
		f         watcher.Finding
		url, link string
	}{
		{watcher.Finding{Path: "/releases", New: "v4.0.0"}, "https://github.com/auth0/nextjs-auth0/releases/tag/v4.0.0",
			"https://github.com/auth0/nextjs-auth0/compare/v3.5.0...v4.0.0"},
		{watcher.Finding{Path: "/releases/v4.0.0"}, "https://github.com/auth0/nextjs-auth0/releases/tag/v4.0.0",
			"https://github.com/auth0/nextjs-auth0/compare/v3.5.0...v4.0.0"},
		// An upstream URL that is no web link is never shown; the
		// compare view on the configured repository still is.
		{watcher.Finding{Path: "/releases/v4.1.0"}, "https://github.com/auth0/nextjs-auth0/compare/v3.5.0...v4.1.0", ""},
		{watcher.Finding{Path: "/advisories/GHSA-x"}, "https://github.com/advisories/GHSA-x", ""},
		// The deployed release itself: no compare view of a version with itself.
		{watcher.Finding{Path: "/releases/v3.5.0"}, "https://github.com/auth0/nextjs-auth0/releases/tag/v3.5.0", ""},
		{watcher.Finding{Path: "/latest"}, "https://github.com/auth0/nextjs-auth0/releases", ""},
	}
	for _, c := range cases {
		f := c.f
		github.Link(j, &f)
		link := ""
		if len(f.Links) > 0 {
			link = f.Links[0].URL
		}
		if f.URL != c.url || link != c.link {
			t.Errorf("%s: url %q link %q; want %q %q", c.f.Path, f.URL, link, c.url, c.link)
		}
	}
}
