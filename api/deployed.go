package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sort"

	"github.com/driftwatch/driftwatch/config"
	"github.com/driftwatch/driftwatch/diff"
	"github.com/driftwatch/driftwatch/lockfile"
	"github.com/driftwatch/driftwatch/providers"
	"github.com/driftwatch/driftwatch/providers/polite"
	"github.com/driftwatch/driftwatch/providers/sourcetype"
	"github.com/driftwatch/driftwatch/watcher"
)

// DeployedVersion is a version `check --lockfile` judged a releases source
// at, instead of the configured one.
type DeployedVersion struct {
	Source  string `json:"source"`
	Package string `json:"package"`
	Version string `json:"version"`
}

// judgeDeployed re-judges the releases sources whose package the
// proposed versions name (package -> version, as a lockfile pins them),
// with that version as the deployed one, against the stored snapshots
// (the tenant's included), storing nothing. The stored findings of those
// sources give way to the new judgement's; a new finding that matches an
// acknowledged one stays acknowledged. A source with no snapshot yet is
// stale: it cannot be judged.
func (l *Local) judgeDeployed(ctx context.Context, cfg *config.Config, q CheckQuery, fs []watcher.Finding) (
	[]watcher.Finding, []DeployedVersion, []StaleSource, error) {
	only := map[string]bool{}
	for _, s := range q.Sources {
		only[s] = true
	}
	peers := watcher.NewPeers(ctx, l.db, providers.Describe(cfg))
	deps := providers.Deps{HTTP: polite.NewClient(nil, 0), Logger: slog.New(slog.DiscardHandler)}
	rejudged := map[string]bool{}
	var versions []DeployedVersion
	var add []watcher.Finding
	var stale []StaleSource
	for i := range cfg.Sources {
		src := &cfg.Sources[i]
		pin, pinned := src.Settings.(sourcetype.Pinned)
		if !pinned || (len(only) > 0 && !only[src.Name]) {
			continue
		}
		m, ok := lockfile.Lookup(q.Deployed, pin.LockfileNames()...)
		if !ok {
			continue
		}
		versions = append(versions, DeployedVersion{Source: src.Name, Package: m.Name, Version: m.Version})
		snap, err := l.db.LatestSnapshot(ctx, src.Name)
		if errors.Is(err, watcher.ErrNotFound) {
			stale = append(stale, StaleSource{Source: src.Name})
			continue
		}
		if err != nil {
			return nil, nil, nil, err
		}
		stored, err := diff.Decode(snap.Body)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("source %q: stored snapshot: %w", src.Name, err)
		}
		proposed, _ := diff.Decode(snap.Body)
		if d, ok := proposed.(map[string]any); ok {
			d["deployed"] = m.Version
		}
		rt, err := providers.Runtime(cfg, src, deps)
		if err != nil {
			return nil, nil, nil, errorf(Invalid, "source %q: %v", src.Name, err)
		}
		known, err := l.db.Findings(ctx, watcher.FindingFilter{Sources: []string{src.Name}, States: []watcher.State{watcher.Open, watcher.Acked}})
		if err != nil {
			return nil, nil, nil, err
		}
		byPrint := map[string]watcher.Finding{}
		for _, f := range known {
			byPrint[f.Fingerprint()] = f
		}
		j := &watcher.Judgement{Source: rt.Source, Old: stored, New: proposed, Open: known, Now: l.Now().UTC(), Peers: peers}
		seen := map[string]bool{}
		for _, r := range rt.Rules {
			for _, f := range r.Judge(j) {
				f.Source = src.Name
				fp := f.Fingerprint()
				if seen[fp] || f.Severity < q.FailOn {
					continue
				}
				seen[fp] = true
				if k, ok := byPrint[fp]; ok {
					if k.State == watcher.Acked {
						continue
					}
					f.ID, f.DetectedAt, f.SnapshotID = k.ID, k.DetectedAt, k.SnapshotID
				}
				f.State = watcher.Open
				add = append(add, f)
			}
		}
		rejudged[src.Name] = true
	}
	out := make([]watcher.Finding, 0, len(fs)+len(add))
	for _, f := range fs {
		if !rejudged[f.Source] {
			out = append(out, f)
		}
	}
	out = append(out, add...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Severity > out[j].Severity })
	return out, versions, stale, nil
}

// checkBody is POST /api/v1/check's body: the versions a lockfile pins,
// by package name. The query parameters are GET's.
type checkBody struct {
	Deployed map[string]string `json:"deployed"`
}

// checkDeployed answers POST /api/v1/check: the check of GET, with the
// releases sources judged at the versions the body names.
func (s *Server) checkDeployed(_ http.ResponseWriter, r *http.Request) (any, error) {
	var b checkBody
	if err := decode(r, &b); err != nil {
		return nil, err
	}
	if len(b.Deployed) == 0 {
		return nil, errorf(Invalid, "POST /api/v1/check: the body names no deployed versions ({\"deployed\": {\"package\": \"version\"}})")
	}
	for name, v := range b.Deployed {
		if name == "" || len(name) > 300 || len(v) > 200 {
			return nil, errorf(Invalid, "deployed: a package name or version is empty or too long")
		}
	}
	return s.checkWith(r, b.Deployed)
}
