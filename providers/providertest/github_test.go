package providertest_test

import (
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	gh "github.com/google/go-github/v60/github"

	"github.com/driftwatch/driftwatch/providers/providertest"
)

func get(t *testing.T, url string, header map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

func TestReleasesFromChangelogCorpus(t *testing.T) {
	heading := regexp.MustCompile(`(?m)^## \[`)
	files, _ := fs.Glob(providertest.Corpus, "corpus/changelogs/*.md")
	if len(files) != 5 {
		t.Fatalf("changelogs: %v", files)
	}
	for _, f := range files {
		name := strings.TrimPrefix(f, "corpus/changelogs/")
		rs := providertest.CorpusReleases(name)
		if want := len(heading.FindAll(providertest.MustRead("changelogs/"+name), -1)); len(rs) != want {
			t.Errorf("%s: %d releases, %d headings", name, len(rs), want)
		}
		for _, r := range rs {
			if r.Published.IsZero() || r.Tag == "" || strings.Contains(r.Body, "\n## [") {
				t.Errorf("%s %s: bad release %+v", name, r.Tag, r.Published)
			}
			if r.Prerelease != strings.Contains(r.Tag, "-") {
				t.Errorf("%s %s: prerelease %v", name, r.Tag, r.Prerelease)
			}
		}
	}
	spa := providertest.CorpusReleases("auth0__auth0-spa-js.md")
	if spa[0].Tag != "v2.24.1" || !strings.Contains(spa[0].Body, "converge MRRT cache") || strings.Contains(spa[0].Body, "granular passkey") {
		t.Errorf("first spa-js release %s: %q", spa[0].Tag, spa[0].Body)
	}
	if _, err := providertest.ReleasesFromChangelog([]byte("# Change Log\n\nnothing")); err == nil {
		t.Error("a changelog without releases parsed")
	}
}

func TestGitHubReleasesWireFormat(t *testing.T) {
	rels := providertest.CorpusReleases("auth0__auth0-react.md") // 59 releases
	rels = append(rels, providertest.Release{Tag: "v9.0.0", Draft: true})
	g := providertest.NewGitHub("auth0/auth0-react", rels...)
	defer g.Close()
	url := g.URL() + "repos/auth0/auth0-react/releases?per_page=25&page=2"
	resp, body := get(t, url, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	link := resp.Header.Get("Link")
	for _, want := range []string{`page=3>; rel="next"`, `page=3>; rel="last"`, `page=1>; rel="prev"`, `page=1>; rel="first"`, "/api/v3/repos/auth0/auth0-react/releases?per_page=25"} {
		if !strings.Contains(link, want) {
			t.Errorf("Link %q lacks %q", link, want)
		}
	}
	var page []*gh.RepositoryRelease
	if err := json.Unmarshal(body, &page); err != nil || len(page) != 25 {
		t.Fatalf("page 2: %d releases, %v", len(page), err)
	}
	if page[0].GetTagName() != rels[25].Tag || page[0].GetBody() != rels[25].Body || page[0].GetPublishedAt().IsZero() {
		t.Errorf("page 2 starts with %s, want %s with body and date", page[0].GetTagName(), rels[25].Tag)
	}

	// Every key of the recorded octokit release is served.
	var recorded, served map[string]any
	_ = json.Unmarshal(providertest.MustRead("github/release_by_tag.octokit-fixtures.json"), &recorded)
	var raw []map[string]any
	_ = json.Unmarshal(body, &raw)
	served = raw[0]
	for k := range recorded {
		if _, ok := served[k]; !ok {
			t.Errorf("served release lacks key %q", k)
		}
	}

	// The last page carries the draft, with a null published_at.
	_, body = get(t, g.URL()+"repos/auth0/auth0-react/releases?per_page=100&page=1", nil)
	_ = json.Unmarshal(body, &raw)
	if len(raw) != 60 || raw[59]["draft"] != true || raw[59]["published_at"] != nil {
		t.Errorf("draft: %d releases, last %v", len(raw), raw[len(raw)-1]["draft"])
	}
}

func TestGitHubConditionalAndRateHeaders(t *testing.T) {
	g := providertest.NewGitHub("acme/sdk", providertest.Release{Tag: "v1.0.0", Published: time.Now()})
	defer g.Close()
	url := g.URL() + "repos/acme/sdk/releases?per_page=100&page=1"
	resp, _ := get(t, url, nil)
	etag := resp.Header.Get("ETag")
	if !strings.HasPrefix(etag, `"`) || resp.Header.Get("X-RateLimit-Remaining") != "59" || resp.Header.Get("X-RateLimit-Limit") != "60" {
		t.Fatalf("ETag %q, remaining %q", etag, resp.Header.Get("X-RateLimit-Remaining"))
	}
	// Unauthenticated, a 304 still costs a request; authorized, it does not.
	resp, _ = get(t, url, map[string]string{"If-None-Match": etag})
	if resp.StatusCode != 304 || resp.Header.Get("X-RateLimit-Remaining") != "58" {
		t.Errorf("304 unauthenticated: %d remaining %s", resp.StatusCode, resp.Header.Get("X-RateLimit-Remaining"))
	}
	resp, _ = get(t, url, map[string]string{"If-None-Match": "W/" + etag, "Authorization": "Bearer x"})
	if resp.StatusCode != 304 || resp.Header.Get("X-RateLimit-Remaining") != "58" {
		t.Errorf("weak-compared 304 with a token: %d remaining %s", resp.StatusCode, resp.Header.Get("X-RateLimit-Remaining"))
	}
	g.AddRelease(providertest.Release{Tag: "v1.1.0", Published: time.Now()})
	if resp, _ = get(t, url, map[string]string{"If-None-Match": etag}); resp.StatusCode != 200 {
		t.Errorf("changed list answered %d", resp.StatusCode)
	}
	if g.Requests("/repos/acme/sdk/releases") != 4 || g.Log()[1].Header.Get("If-None-Match") != etag {
		t.Errorf("request log: %d requests", g.Requests("/repos/acme/sdk/releases"))
	}

	g.SetRateLimit(60, 0, time.Now().Add(time.Hour))
	resp, body := get(t, url, nil)
	if resp.StatusCode != 403 || resp.Header.Get("X-RateLimit-Remaining") != "0" || !strings.Contains(string(body), "rate limit exceeded") {
		t.Errorf("exhausted: %d %s", resp.StatusCode, body)
	}
	if resp, _ := get(t, g.URL()+"repos/acme/other/releases", nil); resp.StatusCode == 200 {
		t.Error("unknown repository served")
	}
	if resp, _ := get(t, strings.Replace(g.URL(), "/api/v3/", "/", 1)+"repos/acme/sdk/releases", nil); resp.StatusCode != 404 {
		t.Errorf("path outside the API prefix answered %d", resp.StatusCode)
	}
}

func TestGitHubFaultsAndAdvisories(t *testing.T) {
	g := providertest.NewGitHub("acme/sdk")
	defer g.Close()
	g.AddAdvisory(providertest.Advisory{GHSA: "GHSA-2x3v-9q4m-7c5r", CVE: "CVE-2026-1", Summary: "s", Severity: "high",
		Package: "@acme/sdk", VulnerableRange: "< 1.0.1", Patched: "1.0.1"})
	g.FailNext(providertest.SecondaryLimit("5"), providertest.TooManyRequests(""))
	url := g.URL() + "repos/acme/sdk/security-advisories"
	resp, body := get(t, url, nil)
	if resp.StatusCode != 403 || resp.Header.Get("Retry-After") != "5" || !strings.Contains(string(body), "secondary-rate-limits") {
		t.Errorf("secondary: %d %q %s", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
	if resp, _ = get(t, url, nil); resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "" {
		t.Errorf("429: %d", resp.StatusCode)
	}
	_, body = get(t, url, nil)
	var advs []*gh.SecurityAdvisory
	if err := json.Unmarshal(body, &advs); err != nil || len(advs) != 1 {
		t.Fatalf("advisories %v: %s", err, body)
	}
	v := advs[0].Vulnerabilities[0]
	if advs[0].GetGHSAID() != "GHSA-2x3v-9q4m-7c5r" || v.GetVulnerableVersionRange() != "< 1.0.1" || v.GetPatchedVersions() != "1.0.1" {
		t.Errorf("advisory decoded as %+v", advs[0])
	}
	g.SetAdvisoriesStatus(404)
	if resp, _ = get(t, url, nil); resp.StatusCode != 404 {
		t.Errorf("advisories off: %d", resp.StatusCode)
	}
	statuses := []int{}
	for _, q := range g.Log() {
		statuses = append(statuses, q.Status)
	}
	if !slices.Equal(statuses, []int{403, 429, 200, 404}) {
		t.Errorf("logged statuses %v", statuses)
	}
}
