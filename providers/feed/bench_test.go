package feed_test

import (
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/driftwatch/driftwatch/providers/feed"
	"github.com/driftwatch/driftwatch/providers/providertest"
)

// bigFeed renders an RSS feed of n entries with HTML summaries.
func bigFeed(b *testing.B, n int) []byte {
	f := providertest.NewFeed(providertest.RSS, "Changelog")
	defer f.Close()
	for i := 0; i < n; i++ {
		f.AddEntry(providertest.Entry{ID: fmt.Sprintf("entry-%d", i), Title: fmt.Sprintf("Change %d: Node %d runtime deprecation", i, 12+i%12),
			Link: fmt.Sprintf("https://example.com/changelog/%d", i), Published: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Hour),
			Summary: "<p>Actions on <b>Node 18</b> will no longer run after <em>1 May</em>; migrate to Node 22. " +
				"Apps using the implicit grant must move to authorization code with PKCE.</p><ul><li>Rules</li><li>Hooks</li></ul>"})
	}
	resp, err := http.Get(f.URL())
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return body
}

// BenchmarkParse parses a 500-entry RSS feed into a snapshot document.
func BenchmarkParse(b *testing.B) {
	body := bigFeed(b, 500)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := feed.Parse(body); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDeprecationNotice judges 500 new entries against a tenant.
func BenchmarkDeprecationNotice(b *testing.B) {
	doc, err := feed.Parse(bigFeed(b, 500))
	if err != nil {
		b.Fatal(err)
	}
	ps := newPeers().add(b, "auth0-prod", "auth0", tenant())
	old := map[string]any{"title": "Changelog", "entries": map[string]any{}}
	b.ReportAllocs()
	for b.Loop() {
		if fs := judge(old, doc, nil, ps); len(fs) != 500 {
			b.Fatalf("%d findings", len(fs))
		}
	}
}
