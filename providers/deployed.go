package providers

import (
	"net/http"

	"github.com/driftwatch/driftwatch/config"
	"github.com/driftwatch/driftwatch/lockfile"
)

// deployedFrom is the lockfile a source reads its deployed version from,
// nil when it names none. Any source type that tracks a package the app
// depends on can take it.
func deployedFrom(cfg *config.Config, src *config.Source, hc *http.Client) *lockfile.Source {
	if src.DeployedFrom == "" {
		return nil
	}
	return &lockfile.Source{Location: cfg.Resolve(src.DeployedFrom), Package: src.Package, Repo: src.Repo, HTTP: hc}
}
