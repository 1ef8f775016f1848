package github_test

import (
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/driftwatch/driftwatch/providers/github"
	"github.com/driftwatch/driftwatch/providers/providertest"
	"github.com/driftwatch/driftwatch/watcher"
)

// BenchmarkFetch reads 300 releases in three pages from the simulated
// GitHub: HTTP, decoding, notes classification and the document.
func BenchmarkFetch(b *testing.B) {
	// Real notes from the corpus under 300 distinct stable tags.
	var bodies []string
	for _, name := range []string{"auth0__node-auth0.md", "auth0__nextjs-auth0.md", "auth0__go-auth0.md"} {
		for _, r := range providertest.CorpusReleases(name) {
			bodies = append(bodies, r.Body)
		}
	}
	rels := make([]providertest.Release, 300)
	for i := range rels {
		rels[i] = providertest.Release{Tag: fmt.Sprintf("v1.%d.0", 300-i), Body: bodies[i%len(bodies)],
			Published: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(300-i) * time.Hour)}
	}
	g := providertest.NewGitHub("acme/auth-sdk", rels...)
	defer g.Close()
	p, err := github.New(github.Config{Repo: "acme/auth-sdk", Deployed: "1.0.0", APIURL: g.URL(), Token: "t"},
		nil, slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		g.SetRateLimit(5000, 5000, time.Now().Add(time.Hour))
		res, err := p.Fetch(b.Context(), watcher.FetchState{})
		if err != nil || len(res.Doc.(map[string]any)["releases"].(map[string]any)) != 300 {
			b.Fatalf("fetch: %v", err)
		}
	}
}

// BenchmarkRules judges a corpus document of 132 releases against an
// empty old one: every rule, every release.
func BenchmarkRules(b *testing.B) {
	g := providertest.NewGitHub("auth0/node-auth0")
	defer g.Close()
	p, _ := github.New(github.Config{Repo: "auth0/node-auth0", Deployed: "2.0.0", APIURL: g.URL()}, nil, nil)
	g.SetReleases(providertest.CorpusReleases("auth0__node-auth0.md")...)
	res, err := p.Fetch(b.Context(), watcher.FetchState{})
	if err != nil {
		b.Fatal(err)
	}
	cur := res.Doc
	old := map[string]any{"repo": "auth0/node-auth0", "deployed": "2.0.0", "releases": map[string]any{}}
	rules := github.Rules(github.RuleOptions{})
	b.ReportAllocs()
	for b.Loop() {
		if fs := judge(rules, old, cur, nil, nil); len(fs) == 0 {
			b.Fatal("no findings")
		}
	}
}
