package feed_test

import (
	"log/slog"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/driftwatch/driftwatch/providers/feed"
	"github.com/driftwatch/driftwatch/providers/providertest"
	"github.com/driftwatch/driftwatch/redact"
	"github.com/driftwatch/driftwatch/watcher"
)

func TestContract(t *testing.T) {
	f := providertest.NewFeed(providertest.RSS, "Changelog",
		providertest.Entry{ID: "a", Title: "Deprecation of node 16", Published: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)})
	defer f.Close()
	const key = "feedKey-0123456789abcdef"
	providertest.RunContract(t, providertest.Contract{
		Upstream: f.URL(),
		New: func(t *testing.T, origin string, hc *http.Client, logger *slog.Logger, _ *redact.Scrubber) watcher.Provider {
			u, _ := url.Parse(f.URL())
			p, err := feed.New(feed.Config{Name: "changelog", URL: origin + u.Path + "?key=" + key}, hc, logger)
			if err != nil {
				t.Fatal(err)
			}
			return p
		},
		Secrets: []string{key},
	})
}
