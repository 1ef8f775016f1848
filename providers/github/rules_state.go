package github

import (
	"fmt"
	"sort"
	"strings"

	"github.com/Masterminds/semver/v3"

	"github.com/driftwatch/driftwatch/diff"
	"github.com/driftwatch/driftwatch/watcher"
)

// affected reports whether a GitHub vulnerable_version_range (">= 1.0.0,
// < 1.2.3", several joined with "||") contains v. Ranges that do not parse
// count as not containing it.
func affected(rng string, v *semver.Version) bool {
	for _, part := range strings.Split(rng, "||") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		c, err := semver.NewConstraint(part)
		if err == nil && c.Check(v) {
			return true
		}
	}
	return false
}

// advisory is a state rule: a repository advisory whose vulnerable range
// contains the deployed version.
func advisory(j *watcher.Judgement) []watcher.Finding {
	v := readView(j.New)
	if v.deployed == nil {
		return nil
	}
	ids := make([]string, 0, len(v.advisories))
	for id := range v.advisories {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var out []watcher.Finding
	for _, id := range ids {
		a := v.advisories[id]
		rng := str(a, "vulnerable_version_range")
		if !affected(rng, v.deployed) {
			continue
		}
		name := id
		if cve := str(a, "cve_id"); cve != "" {
			name += " (" + cve + ")"
		}
		fix := "no patched version yet"
		if p := str(a, "first_patched"); p != "" {
			fix = "first patched in " + p
		}
		sev := str(a, "severity")
		if sev == "" {
			sev = "unrated"
		}
		out = append(out, watcher.Finding{
			Rule: RuleAdvisory, Severity: watcher.Breaking, Category: watcher.ThirdParty,
			Path: diff.Pointer([]string{"advisories", id}), Subject: id,
			Title: fmt.Sprintf("%s: deployed %s is affected by %s, %s", v.repo, v.deployedRaw, name, fix),
			Detail: detail(
				fmt.Sprintf("%s, severity %s: %s", name, sev, str(a, "summary")),
				fmt.Sprintf("Vulnerable versions: %s; the app runs %s; %s.", rng, v.deployedRaw, fix),
				str(a, "url")),
			Old: v.deployedRaw, New: str(a, "first_patched"),
			Excerpt: str(a, "summary"),
		})
	}
	return out
}

// findVersion returns the tag of the release with version want.
func findVersion(v view, want *semver.Version) (release, bool) {
	var found release
	ok := false
	for _, t := range v.tags() {
		r := v.releases[t]
		if r.version != nil && r.version.Equal(want) {
			if !ok || strings.TrimPrefix(strings.ToLower(t), "v") == want.String() {
				found, ok = r, true
			}
		}
	}
	return found, ok
}

// agedOut reports whether a release left the snapshot only because newer
// ones pushed it past the newest maxReleases.
func agedOut(v view, r release) bool {
	if len(v.releases) < maxReleases {
		return false
	}
	oldest := ""
	for _, x := range v.releases {
		if x.published != "" && (oldest == "" || x.published < oldest) {
			oldest = x.published
		}
	}
	return r.published != "" && r.published < oldest
}

// deployedMissing flags the deployed version's release vanishing from
// GitHub (withdrawn, or its tag renamed): it was in the old document and is
// gone from the new one. The finding is carried forward while the release
// stays missing and the deployed version is the same.
func deployedMissing(j *watcher.Judgement) []watcher.Finding {
	nv := readView(j.New)
	if j.Baseline || nv.deployed == nil {
		return nil
	}
	if _, ok := findVersion(nv, nv.deployed); ok {
		return nil
	}
	mk := func(r release) watcher.Finding {
		return watcher.Finding{
			Rule: RuleDeployedMissing, Severity: watcher.Warning, Category: watcher.ThirdParty,
			Path: diff.Pointer([]string{"releases", r.tag}), Subject: r.tag,
			Title: fmt.Sprintf("%s %s: the release of deployed %s is gone from GitHub", nv.repo, r.tag, nv.deployedRaw),
			Detail: detail(
				published(r),
				"It was listed before and is missing now: it may have been withdrawn (a broken or compromised release) or its tag renamed. Check the repository before the next deploy."),
			Old: r.tag,
		}
	}
	ov := readView(j.Old)
	if r, ok := findVersion(ov, nv.deployed); ok && !agedOut(nv, r) {
		return []watcher.Finding{mk(r)}
	}
	var out []watcher.Finding
	for _, f := range j.OpenOf(RuleDeployedMissing) {
		if v, ok := ParseVersion(f.Subject); ok && v.Equal(nv.deployed) {
			g := mk(release{tag: f.Subject})
			g.Detail = f.Detail // what was known of the release when it vanished
			out = append(out, g)
		}
	}
	return out
}
