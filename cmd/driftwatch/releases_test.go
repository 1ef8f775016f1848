package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/driftwatch/driftwatch/providers/providertest"
)

func releases(n int) []providertest.Release {
	var out []providertest.Release
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		out = append(out, providertest.Release{
			Tag: fmt.Sprintf("v2.%d.%d", i/10, i%10), Published: start.Add(time.Duration(i) * 24 * time.Hour),
			Body: "**Fixed**\n- fix: a small thing",
		})
	}
	return out
}

func TestReleasesAndFeed(t *testing.T) {
	gh := providertest.NewGitHub("acme/auth-sdk", releases(150)...)
	defer gh.Close()
	feed := providertest.NewFeed(providertest.RSS, "Identity platform changelog", providertest.Entry{
		ID: "entry-1", Title: "New dashboard colours", Link: "https://changelog.example.com/1",
		Summary: "<p>We refreshed the dashboard.</p>", Published: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC),
	})
	defer feed.Close()
	sim := providertest.NewAuth0(providertest.Auth0Options{})
	defer sim.Close()

	c := newCLI(t, `
[store]
path = "dw.db"

`+auth0Source(sim)+`
[[source]]
name = "auth-sdk"
type = "github_releases"
repo = "acme/auth-sdk"
deployed = "2.1.3"
api_url = "`+gh.URL()+`"

[[source]]
name = "idp-changelog"
type = "feed"
url = "`+feed.URL()+`"
`)
	c.useAuth0(sim)
	releasesPath := "/repos/acme/auth-sdk/releases"

	c.mustRun(0, "poll")
	if n := gh.Requests(releasesPath); n != 2 {
		t.Fatalf("first poll read %d release pages, want 2 (150 releases, pages of 100)", n)
	}
	before := len(gh.Log())
	c.mustRun(0, "poll")
	log := gh.Log()[before:]
	var releaseRequests int
	for _, r := range log {
		if r.Path == releasesPath {
			releaseRequests++
			if r.Header.Get("If-None-Match") == "" || r.Status != 304 {
				t.Errorf("unchanged poll: %s without If-None-Match or not 304 (status %d)", r.Path, r.Status)
			}
		}
	}
	if len(log) != 1 || releaseRequests != 1 {
		t.Fatalf("an unchanged poll made %d GitHub requests, want exactly 1", len(log))
	}
	for _, s := range []string{"auth-sdk", "idp-changelog"} {
		if n := c.snapshots(s); n != 1 {
			t.Fatalf("%s: %d snapshots after an unchanged poll, want 1", s, n)
		}
	}

	// A prerelease: nothing by default.
	gh.AddRelease(providertest.Release{Tag: "v3.0.0-beta.1", Prerelease: true, Published: time.Now().Add(-time.Hour),
		Body: "**⚠️ BREAKING CHANGES**\n- everything changes"})
	c.mustRun(0, "poll")
	if fs := decode[findingsJSON](t, c.mustRun(0, "findings", "--source", "auth-sdk", "--format", "json").stdout).Findings; len(fs) != 0 {
		t.Fatalf("a prerelease raised findings: %+v", fs)
	}

	// v3.0.0 with a BREAKING section above deployed 2.1.3: one finding.
	gh.AddRelease(providertest.Release{Tag: "v3.0.0", Name: "v3.0.0", Published: time.Now(), Body: strings.Join([]string{
		"**⚠️ BREAKING CHANGES**",
		"- `loginWithPopup()` now rejects when the popup is closed",
		"- Removed `buildAuthorizeUrl()`; use `loginWithRedirect({ openUrl })`",
	}, "\n")})
	// The provider announces the end of a runtime the tenant's actions use.
	feed.AddEntry(providertest.Entry{ID: "entry-2", Title: "Node 18 runtime reaches end of life for Actions",
		Link: "https://changelog.example.com/2", Published: time.Now(),
		Summary: "<p>Actions still running on <b>Node 18</b> will stop executing; migrate to Node 22.</p>"})
	r := c.mustRun(0, "poll")
	rel := decode[findingsJSON](t, c.mustRun(0, "findings", "--source", "auth-sdk", "--format", "json").stdout).Findings
	if len(rel) != 1 || rel[0].Rule != "release.major_available" || rel[0].Title != "acme/auth-sdk v3.0.0: major release above deployed 2.1.3" ||
		rel[0].Category != "third-party" {
		t.Fatalf("release findings = %+v, want one major_available", rel)
	}
	fd := decode[findingsJSON](t, c.mustRun(0, "findings", "--source", "idp-changelog", "--format", "json").stdout).Findings
	if len(fd) != 1 || fd[0].Rule != "feed.deprecation_notice" || fd[0].Severity != "warning" || !strings.Contains(fd[0].Title+fd[0].Detail, "action") {
		t.Fatalf("feed findings = %+v, want one warning naming the action", fd)
	}
	if !strings.Contains(r.stdout, "major release above deployed 2.1.3") || !strings.Contains(r.stdout, "Node 18") {
		t.Fatalf("notices not printed:\n%s", r.stdout)
	}
	t.Logf("feed finding: %s", fd[0].Title)
}
