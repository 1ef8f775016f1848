package github_test

import (
	"strings"
	"testing"
	"time"

	"github.com/driftwatch/driftwatch/providers/github"
	"github.com/driftwatch/driftwatch/providers/providertest"
	"github.com/driftwatch/driftwatch/watcher"
)

const releasesPath = "/repos/acme/auth-sdk/releases"
const advisoriesPath = "/repos/acme/auth-sdk/security-advisories"

func TestFetchReadsEveryPageThenOneConditionalRequest(t *testing.T) {
	for _, weak := range []bool{false, true} {
		name := "StrongETag"
		if weak {
			name = "WeakETag"
		}
		t.Run(name, func(t *testing.T) {
			rels := stableReleases(250)
			rels = append([]providertest.Release{
				{Tag: "v2.0.0-rc.1", Prerelease: true, Body: "**⚠️ BREAKING CHANGES**", Published: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)},
				{Tag: "v9.9.9", Draft: true, Body: "unpublished"},
			}, rels...)
			g := providertest.NewGitHub("acme/auth-sdk", rels...)
			defer g.Close()
			g.SetWeakETags(weak)
			pl := newPoller(t, g, github.Config{Name: "auth-sdk", Deployed: "1.0.0"})

			res := pl.poll()
			if res.Unchanged || res.Doc == nil {
				t.Fatal("first poll returned no document")
			}
			if got, want := g.Requests(releasesPath), 3; got != want {
				t.Fatalf("release page requests = %d, want %d (252 releases in pages of 100)", got, want)
			}
			doc := res.Doc.(map[string]any)
			releases := doc["releases"].(map[string]any)
			if got, want := len(releases), 250; got != want {
				t.Fatalf("releases = %d, want %d (no draft, no prerelease)", got, want)
			}
			for _, tag := range []string{"v9.9.9", "v2.0.0-rc.1"} {
				if _, ok := releases[tag]; ok {
					t.Errorf("%s is in the snapshot", tag)
				}
			}
			if got, want := doc["latest"], "v1.24.9"; got != want {
				t.Errorf("latest = %v, want %v", got, want)
			}
			if got := res.Requests; got != 4 {
				t.Errorf("Result.Requests = %d, want 4 (3 pages and the advisories)", got)
			}
			for _, q := range g.Log() {
				if q.Path == releasesPath && !strings.Contains(q.Query, "per_page=100") {
					t.Errorf("page request %q is not in pages of 100", q.Query)
				}
			}

			before, loads := g.Requests(""), pl.loads
			res = pl.poll()
			if !res.Unchanged {
				t.Fatal("second poll of an unchanged repository is not Unchanged")
			}
			if got := g.Requests("") - before; got != 1 {
				t.Fatalf("unchanged poll made %d requests, want exactly 1", got)
			}
			if res.Requests != 1 {
				t.Errorf("Result.Requests = %d, want 1", res.Requests)
			}
			if pl.loads != loads {
				t.Errorf("unchanged poll loaded the stored document")
			}
			log := g.Log()
			last := log[len(log)-1]
			if last.Path != releasesPath || last.Header.Get("If-None-Match") == "" || last.Status != 304 {
				t.Fatalf("unchanged poll: %s %q If-None-Match=%q status %d; want the first page sent conditionally and a 304",
					last.Path, last.Query, last.Header.Get("If-None-Match"), last.Status)
			}
			if weak && !strings.HasPrefix(last.Header.Get("If-None-Match"), `W/"`) {
				t.Errorf("weak ETag not sent back verbatim: %q", last.Header.Get("If-None-Match"))
			}
		})
	}
}

func TestFetchIncludePrereleases(t *testing.T) {
	g := providertest.NewGitHub("acme/auth-sdk",
		providertest.Release{Tag: "v3.0.0-beta.1", Prerelease: true, Body: "beta", Published: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)},
		providertest.Release{Tag: "v2.2.0", Body: "minor", Published: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)},
	)
	defer g.Close()
	pl := newPoller(t, g, github.Config{Deployed: "2.1.3", IncludePrereleases: true})
	doc := pl.poll().Doc.(map[string]any)
	rel, ok := doc["releases"].(map[string]any)["v3.0.0-beta.1"].(map[string]any)
	if !ok || rel["prerelease"] != true {
		t.Fatalf("prerelease entry = %v, want it listed with prerelease true", rel)
	}
	if doc["latest"] != "v2.2.0" {
		t.Errorf("latest = %v, want the highest stable v2.2.0", doc["latest"])
	}
	if got := rel["published_at"]; got != "2026-02-01T00:00:00Z" {
		t.Errorf("published_at = %v", got)
	}
}

func TestFetchConfigChangeIsNotAnsweredBy304(t *testing.T) {
	g := providertest.NewGitHub("acme/auth-sdk", stableReleases(3)...)
	defer g.Close()
	pl := newPoller(t, g, github.Config{Deployed: "1.0.0"})
	pl.poll()
	// The operator upgrades the app: same upstream, new deployed version.
	p2, err := github.New(github.Config{Repo: "acme/auth-sdk", Deployed: "1.0.2", APIURL: g.URL()}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	pl.p = p2
	res := pl.poll()
	if res.Unchanged {
		t.Fatal("a changed deployed version was answered Unchanged")
	}
	if got := res.Doc.(map[string]any)["deployed"]; got != "1.0.2" {
		t.Errorf("deployed = %v, want 1.0.2", got)
	}
}

func TestFetchAdvisoriesSchedule(t *testing.T) {
	g := providertest.NewGitHub("acme/auth-sdk", stableReleases(2)...)
	defer g.Close()
	now := time.Date(2026, 8, 1, 12, 0, 0, 0, time.UTC)
	pl := newPoller(t, g, github.Config{Deployed: "1.0.0"})
	pl.p.Now = func() time.Time { return now }

	pl.poll()
	if g.Requests(advisoriesPath) != 1 {
		t.Fatalf("first poll read advisories %d times, want 1", g.Requests(advisoriesPath))
	}
	now = now.Add(5 * time.Hour)
	if res := pl.poll(); !res.Unchanged || res.Requests != 1 {
		t.Fatalf("poll within 6h: unchanged=%v requests=%d, want unchanged with 1 request", res.Unchanged, res.Requests)
	}
	now = now.Add(2 * time.Hour)
	res := pl.poll()
	if !res.Unchanged || res.Requests != 2 {
		t.Fatalf("poll after 6h with nothing new: unchanged=%v requests=%d, want unchanged after 2 requests", res.Unchanged, res.Requests)
	}
	log := g.Log()
	if q := log[len(log)-1]; q.Path != advisoriesPath || q.Header.Get("If-None-Match") == "" || q.Status != 304 {
		t.Fatalf("advisory re-read: %s If-None-Match=%q status %d, want a conditional 304", q.Path, q.Header.Get("If-None-Match"), q.Status)
	}

	// An advisory appears while the releases stay the same: the whole
	// document comes back, releases taken from the last one.
	g.AddAdvisory(providertest.Advisory{GHSA: "GHSA-2x3v-9q4m-7c5r", CVE: "CVE-2026-41234", Summary: "Open redirect in returnTo",
		Severity: "high", Package: "@acme/auth-sdk", VulnerableRange: "< 1.0.1", Patched: "1.0.1"})
	now = now.Add(7 * time.Hour)
	res = pl.poll()
	if res.Unchanged || res.Requests != 2 {
		t.Fatalf("new advisory: unchanged=%v requests=%d, want a document after 2 requests", res.Unchanged, res.Requests)
	}
	doc := res.Doc.(map[string]any)
	if n := len(doc["releases"].(map[string]any)); n != 2 {
		t.Errorf("releases = %d, want the 2 of the last document", n)
	}
	adv, ok := doc["advisories"].(map[string]any)["GHSA-2x3v-9q4m-7c5r"].(map[string]any)
	if !ok {
		t.Fatalf("advisory missing: %v", doc["advisories"])
	}
	for k, want := range map[string]string{"cve_id": "CVE-2026-41234", "severity": "high",
		"vulnerable_version_range": "< 1.0.1", "first_patched": "1.0.1", "summary": "Open redirect in returnTo"} {
		if adv[k] != want {
			t.Errorf("advisory %s = %v, want %q", k, adv[k], want)
		}
	}
	fs := judge(github.Rules(github.RuleOptions{}), pl.last, decoded(t, res.Doc), nil, nil)
	f := find(t, fs, github.RuleAdvisory, "GHSA-2x3v-9q4m-7c5r")
	if f.Severity.String() != "breaking" || !strings.Contains(f.Title, "1.0.1") || !strings.Contains(f.Title, "CVE-2026-41234") {
		t.Errorf("advisory finding %s %q: want breaking, naming the CVE and the patched version", f.Severity, f.Title)
	}
}

func TestFetchAdvisoriesUnavailableMeansNone(t *testing.T) {
	for _, code := range []int{403, 404} {
		g := providertest.NewGitHub("acme/auth-sdk", stableReleases(1)...)
		g.SetAdvisoriesStatus(code)
		pl := newPoller(t, g, github.Config{Deployed: "1.0.0"})
		doc := pl.poll().Doc.(map[string]any)
		if adv := doc["advisories"].(map[string]any); len(adv) != 0 {
			t.Errorf("HTTP %d: advisories = %v, want none", code, adv)
		}
		g.Close()
	}
}

func TestFetchBadBodiesAreErrors(t *testing.T) {
	cases := map[string]providertest.Fault{
		"MalformedJSON": providertest.MalformedJSON(),
		"HTML":          providertest.HTMLPage(),
		"ServerError":   {Status: 502, Body: "<html>Bad gateway</html>", ContentType: "text/html"},
	}
	for name, fault := range cases {
		t.Run(name, func(t *testing.T) {
			g := providertest.NewGitHub("acme/auth-sdk", stableReleases(2)...)
			defer g.Close()
			g.FailNext(fault)
			pl := newPoller(t, g, github.Config{Deployed: "1.0.0", Token: "ghp_secretsecretsecret"})
			res, err := pl.fetch()
			if err == nil {
				t.Fatalf("got a result (%v), want an error", res.Doc != nil)
			}
			if !strings.HasPrefix(err.Error(), "github: ") {
				t.Errorf("error %q lacks the github: prefix", err)
			}
			if strings.Contains(err.Error(), "secretsecret") {
				t.Errorf("error leaks the token: %q", err)
			}
		})
	}
}

func TestFetchUnknownRepo(t *testing.T) {
	g := providertest.NewGitHub("acme/auth-sdk")
	defer g.Close()
	pl := newPoller(t, g, github.Config{Repo: "acme/other", Deployed: "1.0.0"})
	if _, err := pl.fetch(); err == nil || !strings.Contains(err.Error(), "404") {
		t.Fatalf("err = %v, want a 404 error", err)
	}
}

func TestFetchSendsToken(t *testing.T) {
	g := providertest.NewGitHub("acme/auth-sdk", stableReleases(1)...)
	defer g.Close()
	pl := newPoller(t, g, github.Config{Deployed: "1.0.0", Token: "ghp_abc"})
	pl.poll()
	for _, q := range g.Log() {
		if got := q.Header.Get("Authorization"); got != "Bearer ghp_abc" {
			t.Errorf("%s: Authorization = %q", q.Path, got)
		}
	}
}

func TestNewValidates(t *testing.T) {
	for _, cfg := range []github.Config{
		{Repo: "no-slash", Deployed: "1.0.0"},
		{Repo: "a/b/c", Deployed: "1.0.0"},
		{Repo: "a/b", Deployed: "latest"},
		{Repo: "a/b", APIURL: "ftp://example.com/"},
	} {
		if _, err := github.New(cfg, nil, nil); err == nil {
			t.Errorf("New(%+v) accepted", cfg)
		}
	}
	// An API URL without its trailing slash still works.
	g := providertest.NewGitHub("acme/auth-sdk", stableReleases(1)...)
	defer g.Close()
	p, err := github.New(github.Config{Repo: "acme/auth-sdk", APIURL: strings.TrimSuffix(g.URL(), "/")}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Fetch(t.Context(), watcher.FetchState{}); err != nil {
		t.Fatalf("fetch with api_url lacking its slash: %v", err)
	}
}
