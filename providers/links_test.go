package providers

import (
	"testing"

	"github.com/driftwatch/driftwatch/config"
	"github.com/driftwatch/driftwatch/watcher"
)

// An http_json finding links its endpoint, never the credentials or query
// string the configured URL may carry.
func TestEndpointLink(t *testing.T) {
	f := watcher.Finding{}
	endpointLink("https://user:pw@status.example.com/api/db/orders?api_key=k#x")(&watcher.Judgement{}, &f)
	if f.URL != "https://status.example.com/api/db/orders" {
		t.Errorf("url %q", f.URL)
	}
	if endpointLink("ftp://example.com/x") != nil {
		t.Error("a non-web URL is linked")
	}
}

// TestSourcePageOfAFailingSource: a source's own page is its upstream page
// when it has one, else the daemon's page of it when server.public_url is
// set, else its configured URL without credentials, query or fragment.
func TestSourcePageOfAFailingSource(t *testing.T) {
	withPublic := &config.Config{Server: config.Server{PublicURL: "https://driftwatch.acme.io/"}}
	none := &config.Config{}
	for _, c := range []struct {
		cfg  *config.Config
		src  config.Source
		want string
	}{
		{withPublic, config.Source{Name: "auth0-prod", Type: config.TypeAuth0, Domain: "acme.eu.auth0.com"}, "https://manage.auth0.com/dashboard/eu/acme"},
		{withPublic, config.Source{Name: "go-auth0", Type: config.TypeGitHubReleases, Repo: "auth0/go-auth0"}, "https://github.com/auth0/go-auth0/releases"},
		{withPublic, config.Source{Name: "orders db", Type: config.TypeHTTPJSON, URL: "https://u:p@status.acme.io/db?key=k"}, "https://driftwatch.acme.io/sources/orders%20db"},
		{withPublic, config.Source{Name: "login", Type: config.TypeAuth0, Domain: "login.acme.io"}, "https://driftwatch.acme.io/sources/login"},
		{none, config.Source{Name: "orders", Type: config.TypeHTTPJSON, URL: "https://u:p@status.acme.io/db?key=k#f"}, "https://status.acme.io/db"},
		{none, config.Source{Name: "changelog", Type: config.TypeFeed, URL: "https://auth0.com/changelog/rss?token=t"}, "https://auth0.com/changelog/rss"},
		{none, config.Source{Name: "ghes", Type: config.TypeGitHubReleases, Repo: "acme/app", APIURL: "https://ghe.acme.io/api/v3"}, "https://ghe.acme.io/api/v3"},
	} {
		if got := sourcePage(c.cfg, &c.src); got != c.want {
			t.Errorf("%s: page %q, want %q", c.src.Name, got, c.want)
		}
	}
}
