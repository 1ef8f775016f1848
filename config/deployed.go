package config

import (
	"net/url"
	"path/filepath"
	"strings"
)

// DeployedFrom checks deployed_from and package, the keys of a source
// that reads its deployed version from the app's lockfile: the version
// comes either from the file or from the configuration, never both, so a
// stale hand-typed value cannot hide a lockfile's.
func (c *Check) DeployedFrom(deployed, from, pkg string) {
	if from == "" {
		if pkg != "" {
			c.Errorf("package", "package applies to deployed_from: name the lockfile to look it up in")
		}
		return
	}
	if deployed != "" {
		c.Errorf("deployed_from", "deployed and deployed_from are mutually exclusive: keep one")
	}
	if u, err := url.Parse(from); err == nil && u.Scheme != "" && len(u.Scheme) > 1 {
		if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			c.Errorf("deployed_from", "deployed_from %q: want a file path or an http(s) URL", redactURL(from))
		}
	}
	if strings.ContainsAny(pkg, " \t\n") {
		c.Errorf("package", "package %q: want a package name or module path", pkg)
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

// LockfileReader is a source type's config that may read its deployed
// version from the app's lockfile (the deployed_from key).
type LockfileReader interface {
	// DeployedFrom is the lockfile's path or URL as configured; "" when
	// the source names none.
	DeployedFrom() string
}

// DeployedFrom is the source's deployed_from as configured, "" when its
// type reads no lockfile or it names none.
func (s *Source) DeployedFrom() string {
	if r, ok := s.Settings.(LockfileReader); ok {
		return r.DeployedFrom()
	}
	return ""
}
