package github_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/driftwatch/driftwatch/providers/github"
	"github.com/driftwatch/driftwatch/providers/providertest"
)

// A new major with a BREAKING section lands above the deployed 2.1.3: the
// release source raises a major-release finding and a breaking-notes
// finding; a prerelease after it changes nothing by default.
func TestNewMajorWithBreakingNotes(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 7, d, 9, 0, 0, 0, time.UTC) }
	g := providertest.NewGitHub("acme/auth-sdk",
		providertest.Release{Tag: "v2.2.0", Name: "v2.2.0", Body: "**Added**\n- feat: passkeys", Published: day(2)},
		providertest.Release{Tag: "v2.1.3", Name: "v2.1.3", Body: "**Fixed**\n- fix: cache", Published: day(1)},
	)
	defer g.Close()
	rules := github.Rules(github.RuleOptions{})
	pl := newPoller(t, g, github.Config{Name: "auth-sdk", Repo: "acme/auth-sdk", Deployed: "2.1.3"})

	pl.poll()
	if fs := judge(rules, nil, pl.last, nil, nil); len(fs) != 0 {
		t.Fatalf("baseline findings: %v", keys(fs))
	}
	old := pl.last

	g.AddRelease(providertest.Release{Tag: "v3.0.0", Name: "v3.0.0", Published: day(20), Body: strings.Join([]string{
		"[Full Changelog](https://github.com/acme/auth-sdk/compare/v2.2.0...v3.0.0)",
		"",
		"**⚠️ BREAKING CHANGES**",
		"- `loginWithPopup()` now rejects when the popup is closed",
		"- Removed `buildAuthorizeUrl()`; use `loginWithRedirect({ openUrl })`",
		"",
		"**Added**",
		"- feat: refresh token rotation by default",
	}, "\n")})
	if res := pl.poll(); res.Unchanged {
		t.Fatal("new release answered Unchanged")
	}
	fs := judge(rules, old, pl.last, nil, nil)
	// One new major, one finding: its breaking notes go with it.
	if got, want := keys(fs), []string{
		"release.major_available /releases 3",
	}; !slices.Equal(got, want) {
		t.Fatalf("findings %v, want %v", got, want)
	}
	major := find(t, fs, github.RuleMajorAvailable, "3")
	if want := "acme/auth-sdk v3.0.0: major release above deployed 2.1.3"; major.Title != want {
		t.Errorf("title %q, want %q", major.Title, want)
	}
	if !strings.Contains(major.Detail, "whose notes announce breaking changes: v3.0.0") {
		t.Errorf("detail does not say the notes announce breaking changes: %q", major.Detail)
	}
	for _, f := range fs {
		if f.Severity.String() != "warning" || f.Category != "third-party" {
			t.Errorf("%s: %s/%s, want warning/third-party", f.Rule, f.Severity, f.Category)
		}
		if !strings.Contains(f.Excerpt, "BREAKING CHANGES") || !strings.Contains(f.Excerpt, "buildAuthorizeUrl") {
			t.Errorf("%s excerpt lacks the breaking lines: %q", f.Rule, f.Excerpt)
		}
		if !strings.Contains(f.Detail, "https://github.com/acme/auth-sdk/releases/tag/v3.0.0") {
			t.Errorf("%s detail lacks the release URL: %q", f.Rule, f.Detail)
		}
	}

	// A prerelease with alarming notes: not in the snapshot by default, so
	// nothing new is judged.
	prev := pl.last
	g.AddRelease(providertest.Release{Tag: "v4.0.0-beta.1", Prerelease: true, Published: day(25),
		Body: "**⚠️ BREAKING CHANGES**\n- everything\n- Fixes CVE-2026-99999"})
	pl.poll()
	if _, ok := pl.last.(map[string]any)["releases"].(map[string]any)["v4.0.0-beta.1"]; ok {
		t.Fatal("prerelease in the snapshot without include_prereleases")
	}
	again := judge(rules, prev, pl.last, fs, nil)
	if !slices.Equal(keys(again), keys(fs)) {
		t.Fatalf("after a prerelease: %v, want the same findings %v", keys(again), keys(fs))
	}
}

// A patch whose notes fill a release template with nothing ("### Breaking
// Changes\nNone", "### Security\n- None") opens no finding; the next
// patch, with a real item under the same heading, opens one.
func TestEmptyTemplateSectionsOpenNothing(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 7, d, 9, 0, 0, 0, time.UTC) }
	g := providertest.NewGitHub("acme/auth-sdk",
		providertest.Release{Tag: "v1.0.0", Name: "v1.0.0", Body: "### Added\n- first release", Published: day(1)},
	)
	defer g.Close()
	rules := github.Rules(github.RuleOptions{})
	pl := newPoller(t, g, github.Config{Name: "auth-sdk", Repo: "acme/auth-sdk", Deployed: "1.0.0"})
	pl.poll()
	if fs := judge(rules, nil, pl.last, nil, nil); len(fs) != 0 {
		t.Fatalf("baseline findings: %v", keys(fs))
	}

	old := pl.last
	g.AddRelease(providertest.Release{Tag: "v1.0.1", Name: "v1.0.1", Published: day(2),
		Body: "### Breaking Changes\nNone\n### Security\n- None\n### Fixed\n- typo"})
	pl.poll()
	fs := judge(rules, old, pl.last, nil, nil)
	if len(fs) != 0 {
		t.Fatalf("empty template sections opened %v", keys(fs))
	}

	// More ways to say nothing, as one release: labels, negations, a
	// comment placeholder, a heading followed directly by the next one.
	old = pl.last
	g.AddRelease(providertest.Release{Tag: "v1.0.2", Name: "v1.0.2", Published: day(3), Body: strings.Join([]string{
		"Breaking changes: N/A",
		"**Security:** no known issues",
		"",
		"## Breaking Changes",
		"<!-- describe breaking changes -->",
		"## Deprecations",
		"_No deprecations in this release_",
		"## Security",
		"- n/a",
		"## Fixed",
		"- Fix a typo in the README; this is a non-breaking change",
	}, "\n")})
	pl.poll()
	if fs := judge(rules, old, pl.last, fs, nil); len(fs) != 0 {
		t.Fatalf("notes that say nothing opened %v", keys(fs))
	}

	old = pl.last
	g.AddRelease(providertest.Release{Tag: "v1.0.3", Name: "v1.0.3", Published: day(4),
		Body: "### Breaking Changes\n- Removed `foo()`\n### Security\n- None\n### Fixed\n- typo"})
	pl.poll()
	fs = judge(rules, old, pl.last, nil, nil)
	if got, want := keys(fs), []string{"release.breaking_notes /releases/v1.0.3 v1.0.3"}; !slices.Equal(got, want) {
		t.Fatalf("findings %v, want %v", got, want)
	}
	f := find(t, fs, github.RuleBreakingNotes, "v1.0.3")
	if !strings.Contains(f.Excerpt, "### Breaking Changes") || !strings.Contains(f.Excerpt, "Removed `foo()`") {
		t.Errorf("excerpt lacks the heading and its item: %q", f.Excerpt)
	}
	if strings.Contains(f.Excerpt, "None") {
		t.Errorf("excerpt carries the empty security section: %q", f.Excerpt)
	}
}
