package slack_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/driftwatch/driftwatch/diff"
	"github.com/driftwatch/driftwatch/providers/providertest"
	"github.com/driftwatch/driftwatch/watcher"
)

// injection is upstream text that would ping everyone, a user and show a
// disguised link if it reached Slack unescaped.
const injection = "Heads up <!channel>: ask <@U123> or <https://evil.example/upgrade|click here> & <!here>"

var detected = time.Date(2026, 8, 3, 9, 0, 0, 0, time.UTC)

// goAuth0V3Notes is the real "BREAKING CHANGES" part of go-auth0's v3.0.0
// changelog entry, from the corpus.
func goAuth0V3Notes() string {
	log := string(providertest.MustRead("changelogs/auth0__go-auth0.md"))
	start := strings.Index(log, "**⚠️ BREAKING CHANGES**")
	end := strings.Index(log[start:], "**Added**")
	return strings.TrimSpace(log[start : start+end])
}

// breakingConfig is an expectation violated by configuration drift.
func breakingConfig() *watcher.Finding {
	return &watcher.Finding{
		ID: 42, Source: "auth0-prod", Rule: "expect.contains",
		Severity: watcher.Breaking, Category: watcher.Configuration,
		Path:    "/clients/Acme Web/callbacks",
		Subject: "https://app.acme.com/callback",
		Title:   `Callback URL https://app.acme.com/callback no longer in client "Acme Web"`,
		Old:     `["https://app.acme.com/callback","https://staging.acme.com/callback"]`,
		New:     `["https://staging.acme.com/callback"]`,
		Note:    "login redirect of the web app",
		Detail:  "callbacks lost https://app.acme.com/callback",
		State:   watcher.Open, DetectedAt: detected, SnapshotID: 7,
	}
}

// releaseFinding is a major release whose notes carry an injection
// attempt after the real changelog text.
func releaseFinding() *watcher.Finding {
	return &watcher.Finding{
		ID: 43, Source: "go-auth0", Rule: "release.breaking_notes",
		Severity: watcher.Warning, Category: watcher.ThirdParty,
		Path: "/releases/v3.0.0", Subject: "v3.0.0",
		Title:   "go-auth0 v3.0.0 has breaking changes (deployed v2.14.0)",
		Old:     "v2.14.0",
		New:     "v3.0.0",
		Excerpt: injection + "\n\n" + goAuth0V3Notes(),
		State:   watcher.Open, DetectedAt: detected, SnapshotID: 9,
	}
}

// resolvedURL is a removed URL that came back.
func resolvedURL() *watcher.Finding {
	at := detected.Add(26 * time.Hour)
	return &watcher.Finding{
		ID: 41, Source: "auth0-prod", Rule: "auth0.url_removed",
		Severity: watcher.Warning, Category: watcher.Configuration,
		Path: "/clients/Acme Web/allowed_logout_urls", Subject: "https://app.acme.com/",
		Title: `Logout URL https://app.acme.com/ removed from client "Acme Web"`,
		Old:   "https://app.acme.com/", State: watcher.Resolved,
		DetectedAt: detected, ResolvedAt: &at, SnapshotID: 8,
	}
}

func notice(id int64, kind watcher.NoticeKind, f *watcher.Finding) watcher.Notice {
	return watcher.Notice{ID: id, Kind: kind, Source: f.Source, Group: f.Source + "/1", Finding: f, CreatedAt: detected}
}

// digest is a week with two busy sources and a quiet one.
func digest() *watcher.Digest {
	res := *resolvedURL()
	return &watcher.Digest{
		Since: detected.Add(-7 * 24 * time.Hour), Until: detected,
		Sources: []watcher.DigestSource{
			{
				Name: "auth0-prod", Type: "auth0", Snapshots: 3,
				Changes: []diff.Change{
					{Path: "/clients/Acme Web/callbacks", Op: diff.Removed},
					{Path: "/tenant/session_lifetime", Op: diff.Changed},
					{Path: "/connections/google-oauth2", Op: diff.Added},
				},
				ChangesTotal: 5,
				Opened:       []watcher.Finding{*breakingConfig()},
				Resolved:     []watcher.Finding{res},
			},
			{
				Name: "go-auth0", Type: "github_releases", NewHeading: "New releases", Snapshots: 2,
				New: []watcher.DigestItem{
					{Key: "v3.1.0", Title: "v3.1.0", URL: "https://github.com/auth0/go-auth0/releases/tag/v3.1.0"},
					{Key: "v3.0.0", Title: "v3.0.0 <!here> read me", URL: "https://github.com/auth0/go-auth0/releases/tag/v3.0.0"},
				},
				StillOpen: []watcher.Finding{*releaseFinding()},
			},
			{Name: "orders-db", Type: "http_json"},
		},
	}
}

// manyFindings returns n open findings of one source with distinct
// titles, of every severity and category.
func manyFindings(n int) []watcher.Notice {
	sev := []watcher.Severity{watcher.Info, watcher.Warning, watcher.Breaking}
	cat := []watcher.Category{watcher.ThirdParty, watcher.Configuration, watcher.Infrastructure, watcher.UsageGrowth}
	kinds := []watcher.NoticeKind{watcher.NoticeOpened, watcher.NoticeReopened, watcher.NoticeEscalated, watcher.NoticeResolved}
	out := make([]watcher.Notice, n)
	for i := range out {
		f := &watcher.Finding{
			ID: int64(1000 + i), Source: "auth0-prod", Rule: "auth0.url_removed",
			Severity: sev[i%3], Category: cat[i%4],
			Path:  fmt.Sprintf("/clients/App %d/callbacks", i),
			Title: fmt.Sprintf("Callback URL https://app%d.acme.com/cb removed from client \"App %d\"", i, i),
			Old:   fmt.Sprintf("https://app%d.acme.com/cb", i), Note: "login redirect",
		}
		if i%5 == 0 {
			f.Excerpt = goAuth0V3Notes()
		}
		out[i] = notice(int64(i+1), kinds[i%4], f)
	}
	return out
}

// batches splits notices the way the engine does, by MaxBatch.
func batches(ns []watcher.Notice, size int) [][]watcher.Notice {
	var out [][]watcher.Notice
	for len(ns) > size {
		out = append(out, ns[:size])
		ns = ns[size:]
	}
	return append(out, ns)
}
