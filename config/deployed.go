package config

import (
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
)

// validateDeployedFrom checks deployed_from and package: the deployed
// version comes either from the file or from the configuration, never
// both, so a stale hand-typed value cannot hide a lockfile's.
func (l *loader) validateDeployedFrom(at, label string, s *Source) {
	if s.DeployedFrom == "" {
		if s.Package != "" {
			l.errorAt(at+".package", label+": package applies to deployed_from: name the lockfile to look it up in")
		}
		return
	}
	if s.Deployed != "" {
		l.errorAt(at+".deployed_from", label+": deployed and deployed_from are mutually exclusive: keep one")
	}
	if u, err := url.Parse(s.DeployedFrom); err == nil && u.Scheme != "" && len(u.Scheme) > 1 {
		if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			l.errorAt(at+".deployed_from", fmt.Sprintf("%s: deployed_from %q: want a file path or an http(s) URL", label, redactURL(s.DeployedFrom)))
		}
	}
	if strings.ContainsAny(s.Package, " \t\n") {
		l.errorAt(at+".package", fmt.Sprintf("%s: package %q: want a package name or module path", label, s.Package))
	}
}

// redactURL drops what may carry a token from a URL shown in a message.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	u.User, u.RawQuery, u.Fragment = nil, "", ""
	return u.String()
}

// Resolve returns a path from the config, resolved against the config's
// folder; URLs and absolute paths are returned as they are.
func (c *Config) Resolve(p string) string {
	if p == "" || filepath.IsAbs(p) || c.Dir == "" {
		return p
	}
	if u, err := url.Parse(p); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
		return p
	}
	return filepath.Join(c.Dir, p)
}
