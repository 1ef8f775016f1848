package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/driftwatch/driftwatch/providers/providertest"
)

// demoWorld is the set of simulated upstreams `driftwatch demo` runs
// against, on loopback: an Auth0 tenant built from recorded Management API
// data, the real release history of auth0/nextjs-auth0 served as GitHub
// releases, a provider changelog feed, and Slack.
type demoWorld struct {
	auth0 *providertest.Auth0
	gh    *providertest.GitHub
	feed  *providertest.Feed
	slack *providertest.Slack
	major providertest.Release // the release that appears between polls
	count int                  // releases served at first
}

const (
	demoCallback = "https://app.acme.com/api/auth/callback"
	demoDeployed = "3.5.0"
)

func startDemoWorld() *demoWorld {
	w := &demoWorld{}
	w.auth0 = providertest.NewAuth0(providertest.Auth0Options{})
	// The web app runs nextjs-auth0 v3: its callbacks carry the /api prefix.
	w.auth0.Mutate(func(t *providertest.Auth0Tenant) {
		acme := t.Client("Acme Web")
		acme["callbacks"] = []any{demoCallback, "https://staging.acme.com/api/auth/callback"}
	})

	var initial []providertest.Release
	for _, r := range providertest.CorpusReleases("auth0__nextjs-auth0.md") {
		switch {
		case r.Tag == "v4.0.0":
			w.major = r
			w.major.Published = time.Now().UTC().Add(-time.Hour)
		case strings.HasPrefix(r.Tag, "v4."):
		default:
			initial = append(initial, r)
		}
	}
	w.count = len(initial)
	w.gh = providertest.NewGitHub("auth0/nextjs-auth0", initial...)

	w.feed = providertest.NewFeed(providertest.RSS, "Identity platform changelog",
		providertest.Entry{ID: "cl-1042", Title: "Organizations: member search in the dashboard",
			Link: "https://changelog.example.com/1042", Summary: "<p>Find organization members faster.</p>",
			Published: time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)},
		providertest.Entry{ID: "cl-1041", Title: "New log stream filters",
			Link: "https://changelog.example.com/1041", Summary: "<p>Filter log streams by event type.</p>",
			Published: time.Date(2026, 9, 15, 9, 0, 0, 0, time.UTC)})
	w.slack = providertest.NewSlack()
	return w
}

// config is the demo's driftwatch.toml.
func (w *demoWorld) config() string {
	return fmt.Sprintf(`# Written by driftwatch demo: every upstream below is simulated on loopback.
[store]
path = "driftwatch.db"

[notify.slack]
webhook_url_env = "SLACK_WEBHOOK_URL"
min_severity = "warning"

%s
%s
%s
[[expect]]
source = "auth0-prod"
path = "/clients/Acme Web/callbacks"
contains = %q
note = "login redirect of the web app"
`, w.auth0.Source("auth0-prod"), w.gh.Source("nextjs-auth0", demoDeployed), w.feed.Source("auth0-changelog"), demoCallback)
}

// env holds the secrets the demo's config names.
func (w *demoWorld) env() map[string]string {
	env := w.auth0.Env()
	env["SLACK_WEBHOOK_URL"] = w.slack.WebhookURL()
	return env
}

// change makes the upstream changes of the tour; it returns what changed,
// in words.
func (w *demoWorld) change() []string {
	w.auth0.Mutate(func(t *providertest.Auth0Tenant) {
		acme := t.Client("Acme Web")
		t.RemoveString(acme, "callbacks", demoCallback)
		// The tenant's admin log records who did it.
		id, _ := acme["client_id"].(string)
		t.AddLog(providertest.SAPIEvent(time.Now().UTC(), "alice@acme.com", "PATCH", "/api/v2/clients/"+id, "Update a client"))
	})
	w.gh.AddRelease(w.major)
	w.feed.AddEntry(providertest.Entry{ID: "cl-1043", Title: "Node 18 runtime reaches end of life for Actions",
		Link: "https://changelog.example.com/1043", Published: time.Now().UTC(),
		Summary: "<p>Actions still on <b>Node 18</b> stop running at end of life. Migrate them to Node 22.</p>"})
	return []string{
		fmt.Sprintf("Auth0: alice@acme.com removes %s from the client \"Acme Web\" in the dashboard", demoCallback),
		"GitHub: auth0/nextjs-auth0 publishes v4.0.0 (its real release notes: ⚠️ BREAKING CHANGES)",
		"Changelog feed: \"Node 18 runtime reaches end of life for Actions\"",
	}
}

func (w *demoWorld) Close() {
	w.auth0.Close()
	w.gh.Close()
	w.feed.Close()
	w.slack.Close()
}
