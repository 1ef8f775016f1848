package providers

import (
	"testing"

	"github.com/driftwatch/driftwatch/config"
	"github.com/driftwatch/driftwatch/providers/auth0"
	"github.com/driftwatch/driftwatch/providers/feed"
	"github.com/driftwatch/driftwatch/providers/github"
	"github.com/driftwatch/driftwatch/providers/httpjson"
)

// TestSourcePageOfAFailingSource: a source's own page is its upstream page
// when it has one, else the daemon's page of it when server.public_url is
// set, else its configured URL without credentials, query or fragment.
func TestSourcePageOfAFailingSource(t *testing.T) {
	withPublic := &config.Config{Server: config.Server{PublicURL: "https://driftwatch.acme.io/"}}
	none := &config.Config{}
	src := func(name, typ string, settings config.SourceConfig) config.Source {
		return config.Source{Name: name, Type: typ, Settings: settings}
	}
	for _, c := range []struct {
		cfg  *config.Config
		src  config.Source
		want string
	}{
		{withPublic, src("auth0-prod", "auth0", &auth0.Settings{Domain: "acme.eu.auth0.com"}), "https://manage.auth0.com/dashboard/eu/acme"},
		{withPublic, src("go-auth0", "github_releases", &github.Settings{Repo: "auth0/go-auth0"}), "https://github.com/auth0/go-auth0/releases"},
		{withPublic, src("orders db", "http_json", &httpjson.Settings{URL: "https://u:p@status.acme.io/db?key=k"}), "https://driftwatch.acme.io/sources/orders%20db"},
		{withPublic, src("login", "auth0", &auth0.Settings{Domain: "login.acme.io"}), "https://driftwatch.acme.io/sources/login"},
		{none, src("orders", "http_json", &httpjson.Settings{URL: "https://u:p@status.acme.io/db?key=k#f"}), "https://status.acme.io/db"},
		{none, src("changelog", "feed", &feed.Settings{URL: "https://auth0.com/changelog/rss?token=t"}), "https://auth0.com/changelog/rss"},
		{none, src("ghes", "github_releases", &github.Settings{Repo: "acme/app", APIURL: "https://ghe.acme.io/api/v3"}), "https://ghe.acme.io/api/v3"},
	} {
		typ, ok := Lookup(c.src.Type)
		if !ok {
			t.Fatalf("type %q not registered", c.src.Type)
		}
		if got := sourcePage(c.cfg, &c.src, typ); got != c.want {
			t.Errorf("%s: page %q, want %q", c.src.Name, got, c.want)
		}
	}
}
