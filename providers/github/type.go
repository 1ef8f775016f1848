package github

import (
	"regexp"

	"github.com/Masterminds/semver/v3"

	"github.com/driftwatch/driftwatch/config"
	"github.com/driftwatch/driftwatch/lockfile"
	"github.com/driftwatch/driftwatch/providers/sourcetype"
	"github.com/driftwatch/driftwatch/watcher"
)

var repoRE = regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$`)

// Settings are the keys of a github_releases [[source]].
type Settings struct {
	Repo     string `toml:"repo"`
	Deployed string `toml:"deployed"`
	// LockfilePath is a lockfile path or URL the deployed version is read
	// from on each poll; Package the name to look up in it.
	LockfilePath       string `toml:"deployed_from"`
	Package            string `toml:"package"`
	IncludePrereleases bool   `toml:"include_prereleases"`
	TokenEnv           string `toml:"token_env"`
	TokenFile          string `toml:"token_file"`
	APIURL             string `toml:"api_url"`

	// Token is the resolved token, if any.
	Token config.Secret `toml:"-"`
}

// Validate checks the keys and resolves the token.
func (s *Settings) Validate(c *config.Check) {
	if c.Required("repo", s.Repo) && !repoRE.MatchString(s.Repo) {
		c.Errorf("repo", "repo %q: want owner/name", s.Repo)
	}
	if s.Deployed != "" {
		if _, err := semver.NewVersion(s.Deployed); err != nil {
			c.Errorf("deployed", "deployed %q is not a semantic version", s.Deployed)
		}
	}
	c.URL("api_url", s.APIURL)
	c.DeployedFrom(s.Deployed, s.LockfilePath, s.Package)
	c.Secret("token", s.TokenEnv, s.TokenFile, &s.Token)
}

// DeployedFrom is the lockfile the source reads, "" when none.
func (s *Settings) DeployedFrom() string { return s.LockfilePath }

// Secrets are the values the scrubber keeps out of every message.
func (s *Settings) Secrets() []config.Secret { return []config.Secret{s.Token} }

// LockfileNames are the names the package may have in a lockfile.
func (s *Settings) LockfileNames() []string {
	return append(lockfile.Names(s.Package, s.Repo, lockfile.NPM), lockfile.Names(s.Package, s.Repo, lockfile.GoMod)...)
}

// Endpoints are the URLs the source reads, whose credentials are secrets.
func (s *Settings) Endpoints() []string { return []string{s.APIURL} }

// Type is the github_releases source type: what a library publishes.
var Type = sourcetype.Type{
	Name:      "github_releases",
	Config:    func() config.SourceConfig { return &Settings{} },
	Category:  watcher.ThirdParty,
	Sets:      Sets,
	Items:     &watcher.Items{Member: "releases", Heading: "New releases"},
	Footprint: Footprint,
	Page: func(c config.SourceConfig) string {
		// A public repository's releases; an Enterprise host is not known.
		if s := c.(*Settings); s.APIURL == "" && repoRE.MatchString(s.Repo) {
			return "https://github.com/" + s.Repo + "/releases"
		}
		return ""
	},
	Build: func(src sourcetype.Source) (sourcetype.Built, error) {
		s := src.Settings.(*Settings)
		var from *lockfile.Source
		if s.LockfilePath != "" {
			from = &lockfile.Source{Location: src.Resolve(s.LockfilePath), Package: s.Package, Repo: s.Repo, HTTP: src.HTTP}
		}
		p, err := New(Config{Name: src.Name, Repo: s.Repo, Deployed: s.Deployed, DeployedFrom: from,
			IncludePrereleases: s.IncludePrereleases, Token: s.Token.Reveal(), APIURL: s.APIURL}, src.HTTP, src.Logger)
		if err != nil {
			return sourcetype.Built{}, err
		}
		return sourcetype.Built{Provider: p, Rules: Rules(RuleOptions{}), Link: Link}, nil
	},
}
