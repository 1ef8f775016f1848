package npm

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/Masterminds/semver/v3"

	"github.com/driftwatch/driftwatch/config"
	"github.com/driftwatch/driftwatch/lockfile"
	"github.com/driftwatch/driftwatch/providers/sourcetype"
	"github.com/driftwatch/driftwatch/watcher"
)

// Settings are the keys of an npm [[source]].
type Settings struct {
	Package  string `toml:"package"`
	Deployed string `toml:"deployed"`
	// LockfilePath is a lockfile path or URL the deployed version is read
	// from on each poll, instead of Deployed.
	LockfilePath string `toml:"deployed_from"`
	Registry     string `toml:"registry"`
	TokenEnv     string `toml:"token_env"`
	TokenFile    string `toml:"token_file"`

	// Token is the resolved token, if any.
	Token config.Secret `toml:"-"`
}

// Validate checks the keys and resolves the token.
func (s *Settings) Validate(c *config.Check) {
	if c.Required("package", s.Package) && !ValidName(s.Package) {
		c.Errorf("package", "package %q is not an npm package name (name or @scope/name)", s.Package)
	}
	if s.Deployed != "" {
		if _, err := semver.NewVersion(s.Deployed); err != nil {
			c.Errorf("deployed", "deployed %q is not a semantic version", s.Deployed)
		}
	}
	c.DeployedFrom(s.Deployed, s.LockfilePath, "")
	c.URL("registry", s.Registry)
	c.Secret("token", s.TokenEnv, s.TokenFile, &s.Token)
}

// Secrets are the values the scrubber keeps out of every message.
func (s *Settings) Secrets() []config.Secret { return []config.Secret{s.Token} }

// LockfileNames are the names `check --lockfile` looks the package up by.
func (s *Settings) LockfileNames() []string { return []string{s.Package} }

// DeployedFrom is the lockfile the source reads, "" when none.
func (s *Settings) DeployedFrom() string { return s.LockfilePath }

// Endpoints are the URLs the source reads, whose credentials are secrets.
func (s *Settings) Endpoints() []string { return []string{s.Registry} }

// Type is the npm source type: a package the app ships.
var Type = sourcetype.Type{
	Name:      "npm",
	Config:    func() config.SourceConfig { return &Settings{} },
	Category:  watcher.ThirdParty,
	Items:     &watcher.Items{Member: "versions", Heading: "New versions"},
	Footprint: Footprint,
	Page: func(c config.SourceConfig) string {
		// The public page of a package read from the public registry.
		if s := c.(*Settings); s.Registry == "" || strings.TrimSuffix(s.Registry, "/") == strings.TrimSuffix(DefaultRegistry, "/") {
			return "https://www.npmjs.com/package/" + s.Package
		}
		return ""
	},
	Build: func(src sourcetype.Source) (sourcetype.Built, error) {
		s := src.Settings.(*Settings)
		cfg := Config{Name: src.Name, Package: s.Package, Deployed: s.Deployed, Registry: s.Registry, Token: s.Token.Reveal()}
		if s.LockfilePath != "" {
			cfg.DeployedFrom = &lockfile.Source{Location: src.Resolve(s.LockfilePath), Package: s.Package, HTTP: src.HTTP}
		}
		p, err := New(cfg, src.HTTP, src.Logger)
		if err != nil {
			return sourcetype.Built{}, err
		}
		var link func(*watcher.Judgement, *watcher.Finding)
		if s.Registry == "" || strings.TrimSuffix(s.Registry, "/") == strings.TrimSuffix(DefaultRegistry, "/") {
			link = Link
		}
		return sourcetype.Built{Provider: p, Rules: Rules(), Link: link}, nil
	},
}

// Footprint says which package the app ships, by the name announcements
// use (without its scope), at the deployed version.
func Footprint(source string, doc any) watcher.Footprint {
	v := readView(doc)
	if v.pkg == "" {
		return watcher.Footprint{}
	}
	short := v.pkg
	if i := strings.LastIndexByte(short, '/'); i >= 0 {
		short = short[i+1:]
	}
	where := fmt.Sprintf("npm package %s (source %s)", v.pkg, source)
	if v.deployedRaw != "" {
		where += " is deployed at " + v.deployedRaw
	}
	return watcher.Footprint{Uses: []watcher.Use{{Kind: watcher.UsePackage, Name: short, Version: v.deployedRaw, Where: where}}}
}

// Link links a finding of a public package to its npmjs.com page, at the
// version the finding is about.
func Link(j *watcher.Judgement, f *watcher.Finding) {
	v := readView(j.New)
	if !ValidName(v.pkg) {
		return
	}
	page := "https://www.npmjs.com/package/" + v.pkg
	switch f.Rule {
	case RuleDeprecated:
		page += "/v/" + url.PathEscape(f.Subject)
	case RuleMajorAvailable:
		page += "/v/" + url.PathEscape(v.latest)
	}
	f.AddLink("npm", page)
}
