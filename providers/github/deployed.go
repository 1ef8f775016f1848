package github

import (
	"context"
	"fmt"
)

// deployed returns the version the app runs: read from its lockfile when
// the source names one, else as configured. A lockfile that cannot be
// read, or does not name the package with a version, fails the fetch: a
// stale version would judge the wrong release.
func (p *Provider) deployed(ctx context.Context) (string, error) {
	if p.cfg.DeployedFrom == nil {
		return p.cfg.Deployed, nil
	}
	m, err := p.cfg.DeployedFrom.Version(ctx)
	if err != nil {
		return "", fmt.Errorf("github: %s: %w", p.cfg.Repo, err)
	}
	if _, ok := ParseVersion(m.Version); !ok {
		return "", fmt.Errorf("github: %s: deployed_from %s: %s is at %q, not a semantic version",
			p.cfg.Repo, p.cfg.DeployedFrom.Display(), m.Name, clean(m.Version, 100))
	}
	return m.Version, nil
}
