package gomod

import (
	"errors"
	"fmt"
	"strings"

	"golang.org/x/mod/module"

	"github.com/driftwatch/driftwatch/config"
	"github.com/driftwatch/driftwatch/lockfile"
	"github.com/driftwatch/driftwatch/providers/sourcetype"
	"github.com/driftwatch/driftwatch/watcher"
)

// Settings are the keys of a gomod [[source]].
type Settings struct {
	Module   string `toml:"module"`
	Deployed string `toml:"deployed"`
	// LockfilePath is the app's go.mod (a path or URL) the deployed
	// version is read from on each poll, instead of Deployed.
	LockfilePath string `toml:"deployed_from"`
	Proxy        string `toml:"proxy"`
}

// Validate checks the keys.
func (s *Settings) Validate(c *config.Check) {
	pathOK := false
	if c.Required("module", s.Module) {
		if err := module.CheckPath(s.Module); err != nil {
			c.Errorf("module", "module %q is not a Go module path: %v", s.Module, err)
		} else {
			pathOK = true
		}
	}
	switch v := canonical(s.Deployed); {
	case s.Deployed == "":
	case v == "":
		c.Errorf("deployed", "deployed %q is not a semantic version as Go modules use it: major, minor and patch (v1.4.0)", s.Deployed)
	case pathOK && module.Check(s.Module, v) != nil:
		// A /vN module has only vN versions; v2+ of a module without
		// the suffix only as +incompatible.
		err := module.Check(s.Module, v)
		msg := err.Error()
		var verr *module.InvalidVersionError
		if errors.As(err, &verr) {
			msg = verr.Err.Error()
		}
		c.Errorf("deployed", "deployed %q is not a version of module %s: %s", s.Deployed, s.Module, msg)
	}
	c.DeployedFrom(s.Deployed, s.LockfilePath, "")
	c.URL("proxy", s.Proxy)
}

// LockfileNames are the names `check --lockfile` looks the package up by.
func (s *Settings) LockfileNames() []string { return []string{s.Module} }

// DeployedFrom is the lockfile the source reads, "" when none.
func (s *Settings) DeployedFrom() string { return s.LockfilePath }

// Endpoints are the URLs the source reads, whose credentials are secrets.
func (s *Settings) Endpoints() []string { return []string{s.Proxy} }

// Type is the gomod source type: a Go module the app builds with.
var Type = sourcetype.Type{
	Name:      "gomod",
	Config:    func() config.SourceConfig { return &Settings{} },
	Category:  watcher.ThirdParty,
	Items:     &watcher.Items{Member: "versions", Heading: "New versions"},
	Footprint: Footprint,
	Page: func(c config.SourceConfig) string {
		// The public page of a package read from the public proxy.
		if s := c.(*Settings); s.Proxy == "" || strings.TrimSuffix(s.Proxy, "/") == strings.TrimSuffix(DefaultProxy, "/") {
			return "https://pkg.go.dev/" + s.Module
		}
		return ""
	},
	Build: func(src sourcetype.Source) (sourcetype.Built, error) {
		s := src.Settings.(*Settings)
		cfg := Config{Name: src.Name, Module: s.Module, Deployed: s.Deployed, Proxy: s.Proxy}
		if s.LockfilePath != "" {
			cfg.DeployedFrom = &lockfile.Source{Location: src.Resolve(s.LockfilePath), Package: s.Module, HTTP: src.HTTP}
		}
		p, err := New(cfg, src.HTTP, src.Logger)
		if err != nil {
			return sourcetype.Built{}, err
		}
		var link func(*watcher.Judgement, *watcher.Finding)
		if s.Proxy == "" || strings.TrimSuffix(s.Proxy, "/") == strings.TrimSuffix(DefaultProxy, "/") {
			link = Link
		}
		return sourcetype.Built{Provider: p, Rules: Rules(), Link: link}, nil
	},
}

// Footprint says which module the app builds with, by the name
// announcements use (the last path element, without a /vN suffix).
func Footprint(source string, doc any) watcher.Footprint {
	v := readView(doc)
	if v.module == "" {
		return watcher.Footprint{}
	}
	prefix, _, _ := module.SplitPathVersion(v.module)
	short := prefix[strings.LastIndexByte(prefix, '/')+1:]
	where := fmt.Sprintf("Go module %s (source %s)", v.module, source)
	if v.deployedRaw != "" {
		where += " is deployed at " + v.deployedRaw
	}
	return watcher.Footprint{Uses: []watcher.Use{{Kind: watcher.UsePackage, Name: short, Version: v.deployedRaw, Where: where}}}
}

// Link links a finding of a public module to its pkg.go.dev page.
func Link(j *watcher.Judgement, f *watcher.Finding) {
	v := readView(j.New)
	if module.CheckPath(v.module) != nil {
		return
	}
	page := "https://pkg.go.dev/" + v.module
	switch {
	case f.Rule == RuleDeployedMissing:
		page += "?tab=versions" // the version the app names has no page
	case v.deployed != "":
		page += "@" + v.deployed
	}
	f.AddLink("pkg.go.dev", page)
}
