package auth0

import (
	"strings"

	"github.com/driftwatch/driftwatch/config"
	"github.com/driftwatch/driftwatch/providers/sourcetype"
	"github.com/driftwatch/driftwatch/watcher"
)

// Settings are the keys of an auth0 [[source]].
type Settings struct {
	Domain           string `toml:"domain"`
	ClientIDEnv      string `toml:"client_id_env"`
	ClientIDFile     string `toml:"client_id_file"`
	ClientSecretEnv  string `toml:"client_secret_env"`
	ClientSecretFile string `toml:"client_secret_file"`
	BaseURL          string `toml:"base_url"`

	// The resolved secrets.
	ClientID     config.Secret `toml:"-"`
	ClientSecret config.Secret `toml:"-"`
}

// Validate checks the keys and resolves the client credentials.
func (s *Settings) Validate(c *config.Check) {
	c.Required("domain", s.Domain)
	if s.ClientIDFile == "" {
		c.Required("client_id_env", s.ClientIDEnv)
	}
	if s.ClientSecretFile == "" {
		c.Required("client_secret_env", s.ClientSecretEnv)
	}
	if strings.Contains(s.Domain, "/") || strings.Contains(s.Domain, ":") {
		c.Errorf("domain", "domain %q: want a host name such as acme.eu.auth0.com, without scheme", s.Domain)
	}
	c.URL("base_url", s.BaseURL)
	c.Secret("client_id", s.ClientIDEnv, s.ClientIDFile, &s.ClientID)
	c.Secret("client_secret", s.ClientSecretEnv, s.ClientSecretFile, &s.ClientSecret)
}

// Secrets are the values the scrubber keeps out of every message: the
// client secret (a client id is an identifier, shown in links).
func (s *Settings) Secrets() []config.Secret { return []config.Secret{s.ClientSecret} }

// Endpoints are the URLs the source reads, whose credentials are secrets.
func (s *Settings) Endpoints() []string { return []string{s.BaseURL} }

// Type is the auth0 source type: what a team configured in its tenant.
var Type = sourcetype.Type{
	Name:      "auth0",
	Config:    func() config.SourceConfig { return &Settings{} },
	Category:  watcher.Configuration,
	Sets:      Sets,
	Footprint: Footprint,
	Page:      func(s config.SourceConfig) string { return Dashboard(s.(*Settings).Domain) },
	Build: func(src sourcetype.Source) (sourcetype.Built, error) {
		s := src.Settings.(*Settings)
		p, err := New(Config{Name: src.Name, Domain: s.Domain, BaseURL: s.BaseURL,
			ClientID: s.ClientID.Reveal(), ClientSecret: s.ClientSecret.Reveal(), Scrubber: src.Scrubber}, src.HTTP, src.Logger)
		if err != nil {
			return sourcetype.Built{}, err
		}
		return sourcetype.Built{Provider: p, Rules: Rules(RuleOptions{Expected: src.Expected}), Link: Link(s.Domain)}, nil
	},
}
