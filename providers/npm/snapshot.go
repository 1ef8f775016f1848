package npm

import (
	"errors"
	"sort"
	"time"

	"github.com/Masterminds/semver/v3"

	"github.com/driftwatch/driftwatch/rules"
)

// snapshot builds the document (see README, "npm"):
//
//	{"package", "deployed", "latest", "dist_tags": {"<tag>": "<version>"},
//	 "versions": {"<version>": {"published", "deprecated", "insecure"}}}
//
// versions holds the deployed version and every newer one (prereleases
// only when a dist-tag points at them), the newest MaxVersions of them;
// without a deployed version, the newest MaxVersions. "deprecated" is
// present only on deprecated versions, capped at MaxMessage runes;
// "insecure" (true) only when the whole message says the version is
// unsafe and the cut one no longer shows it.
func snapshot(cfg Config, p *packument) (map[string]any, error) {
	if len(p.Versions) == 0 {
		if p.Unpublished {
			return nil, errors.New("the package was unpublished: the registry lists no versions")
		}
		return nil, errors.New("the registry lists no versions")
	}
	deployed, _ := semver.NewVersion(cfg.Deployed)
	tagged := map[string]bool{}
	tags := map[string]any{}
	for tag, v := range p.DistTags {
		tagged[v] = true
		tags[tag] = v
	}
	type ver struct {
		raw string
		v   *semver.Version
	}
	var keep []ver
	for raw := range p.Versions {
		v, err := semver.StrictNewVersion(raw)
		if err != nil {
			continue
		}
		isDeployed := deployed != nil && v.Equal(deployed)
		if deployed != nil && v.LessThan(deployed) {
			continue
		}
		if v.Prerelease() != "" && !tagged[raw] && !isDeployed {
			continue
		}
		keep = append(keep, ver{raw, v})
	}
	sort.Slice(keep, func(i, j int) bool { return keep[i].v.GreaterThan(keep[j].v) })
	if len(keep) > MaxVersions {
		last := keep[MaxVersions-1]
		keep = keep[:MaxVersions]
		// The deployed version is the oldest kept: keep it in the last slot.
		if deployed != nil && !last.v.Equal(deployed) {
			for raw := range p.Versions {
				if v, err := semver.StrictNewVersion(raw); err == nil && v.Equal(deployed) {
					keep[MaxVersions-1] = ver{raw, v}
				}
			}
		}
	}
	versions := make(map[string]any, len(keep))
	for _, k := range keep {
		entry := map[string]any{}
		if t, ok := published(p.Time[k.raw]); ok {
			entry["published"] = t
		}
		if msg := p.Versions[k.raw]; msg != "" {
			entry["deprecated"] = msg
			if p.Insecure[k.raw] && !rules.MentionsSecurity(msg) {
				entry["insecure"] = true
			}
		}
		versions[k.raw] = entry
	}
	doc := map[string]any{
		"package":   p.nameOr(cfg.Package),
		"dist_tags": tags,
		"versions":  versions,
	}
	if cfg.Deployed != "" {
		doc["deployed"] = cfg.Deployed
	}
	if l, ok := p.DistTags["latest"]; ok {
		doc["latest"] = l
	}
	return doc, nil
}

func (p *packument) nameOr(configured string) string {
	if p.Name != "" {
		return p.Name
	}
	return configured
}

// published normalises a registry time ("2023-01-10T14:18:00.375Z") to
// RFC 3339 UTC, seconds precision.
func published(s string) (string, bool) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return "", false
	}
	return t.UTC().Format(time.RFC3339), true
}
