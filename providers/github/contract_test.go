package github_test

import (
	"context"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/driftwatch/driftwatch/providers/github"
	"github.com/driftwatch/driftwatch/providers/providertest"
	"github.com/driftwatch/driftwatch/redact"
	"github.com/driftwatch/driftwatch/watcher"
)

func TestContract(t *testing.T) {
	const token = "ghp_SimulatedContractToken0123456789abcd"
	day := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	g := providertest.NewGitHub("acme/auth-sdk",
		providertest.Release{Tag: "v2.0.0", Name: "v2.0.0", Body: "Breaking: drops node 16", Published: day},
		providertest.Release{Tag: "v1.9.0", Name: "v1.9.0", Body: "fixes", Published: day.AddDate(0, -1, 0)})
	defer g.Close()
	providertest.RunContract(t, providertest.Contract{
		Upstream: g.URL(),
		New: func(t *testing.T, origin string, hc *http.Client, logger *slog.Logger, _ *redact.Scrubber) watcher.Provider {
			p, err := github.New(github.Config{Name: "sdk", Repo: "acme/auth-sdk", Deployed: "1.9.0", Token: token,
				APIURL: origin + g.URL()[len(origin):]}, hc, logger)
			if err != nil {
				t.Fatal(err)
			}
			p.Sleep = func(context.Context, time.Duration) error { return nil }
			return p
		},
		Secrets: []string{token},
	})
}
