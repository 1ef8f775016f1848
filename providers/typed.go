package providers

import (
	"fmt"
	"log/slog"

	"github.com/driftwatch/driftwatch/config"
	"github.com/driftwatch/driftwatch/diff"
	"github.com/driftwatch/driftwatch/providers/auth0"
	"github.com/driftwatch/driftwatch/providers/feed"
	"github.com/driftwatch/driftwatch/providers/github"
	"github.com/driftwatch/driftwatch/watcher"
)

type built struct {
	Provider watcher.Provider
	Rules    []watcher.Rule
	// Link adds the pages of a finding its rule did not link.
	Link func(j *watcher.Judgement, f *watcher.Finding)
}

// typed builds the provider types that live in their own packages, with
// their rules and the category their expectations fall in.
func typed(cfg *config.Config, src *config.Source, exps []config.Expect, deps Deps, logger *slog.Logger) (built, watcher.Category, error) {
	hc := deps.HTTP
	switch src.Type {
	case config.TypeAuth0:
		p, err := auth0.New(auth0.Config{Name: src.Name, Domain: src.Domain, BaseURL: src.BaseURL,
			ClientID: src.ClientID.Reveal(), ClientSecret: src.ClientSecret.Reveal(), Scrubber: deps.Scrubber}, hc, logger)
		if err != nil {
			return built{}, "", err
		}
		return built{Provider: p, Rules: auth0.Rules(auth0.RuleOptions{Expected: expectedBy(exps)}),
			Link: auth0.Link(src.Domain)}, watcher.Configuration, nil
	case config.TypeGitHubReleases:
		p, err := github.New(github.Config{Name: src.Name, Repo: src.Repo, Deployed: src.Deployed,
			DeployedFrom:       deployedFrom(cfg, src, hc),
			IncludePrereleases: src.IncludePrereleases, Token: src.Token.Reveal(), APIURL: src.APIURL}, hc, logger)
		if err != nil {
			return built{}, "", err
		}
		return built{Provider: p, Rules: github.Rules(github.RuleOptions{}), Link: github.Link}, watcher.ThirdParty, nil
	case config.TypeFeed:
		p, err := feed.New(feed.Config{Name: src.Name, URL: src.URL}, hc, logger)
		if err != nil {
			return built{}, "", err
		}
		return built{Provider: p, Rules: feed.Rules(feed.RuleOptions{}), Link: feed.Link}, watcher.ThirdParty, nil
	}
	return built{}, "", fmt.Errorf("source type %q is not available yet", src.Type)
}

func setsOf(typ string) []diff.Pattern {
	switch typ {
	case config.TypeAuth0:
		return auth0.Sets
	case config.TypeGitHubReleases:
		return github.Sets
	}
	return nil
}
