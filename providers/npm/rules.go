package npm

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/Masterminds/semver/v3"

	"github.com/driftwatch/driftwatch/diff"
	"github.com/driftwatch/driftwatch/rules"
	"github.com/driftwatch/driftwatch/watcher"
)

// The rules of npm sources.
const (
	RuleDeprecated      = "npm.deprecated"
	RuleMajorAvailable  = "npm.major_available"
	RuleDeployedMissing = "npm.deployed_missing"
)

// Rules returns the npm rules; all judge the document's state, so they
// speak on the baseline too.
func Rules() []watcher.Rule {
	return []watcher.Rule{watcher.RuleFunc(deprecated), watcher.RuleFunc(majorAvailable), watcher.RuleFunc(deployedMissing)}
}

// view is what the rules read of a document.
type view struct {
	pkg, deployedRaw, latest string
	deployed                 *semver.Version
	versions                 map[string]map[string]any
}

func readView(doc any) view {
	d, _ := doc.(map[string]any)
	v := view{versions: map[string]map[string]any{}}
	v.pkg, _ = d["package"].(string)
	v.deployedRaw, _ = d["deployed"].(string)
	v.latest, _ = d["latest"].(string)
	v.deployed, _ = semver.NewVersion(v.deployedRaw)
	vs, _ := d["versions"].(map[string]any)
	for k, x := range vs {
		if m, ok := x.(map[string]any); ok {
			v.versions[k] = m
		}
	}
	return v
}

// deployedKey is the document's key of the deployed version ("2.1.3" for
// a configured "v2.1.3").
func (v view) deployedKey() (string, bool) {
	if v.deployed == nil {
		return "", false
	}
	for k := range v.versions {
		if x, err := semver.NewVersion(k); err == nil && x.Equal(v.deployed) {
			return k, true
		}
	}
	return "", false
}

// deprecated: the deployed version is deprecated. Warning; breaking when
// the message says the version is insecure or vulnerable.
func deprecated(j *watcher.Judgement) []watcher.Finding {
	v := readView(j.New)
	key, ok := v.deployedKey()
	if !ok {
		return nil
	}
	msg, _ := v.versions[key]["deprecated"].(string)
	if msg == "" {
		return nil
	}
	sev := watcher.Warning
	why := "The registry marks the deployed version deprecated."
	// The stored message is capped; "insecure" keeps the judgement of
	// the whole one.
	if insecure, _ := v.versions[key]["insecure"].(bool); insecure || rules.MentionsSecurity(msg) {
		sev = watcher.Breaking
		why = "The deprecation message says the deployed version is unsafe to run."
	}
	upgrade := ""
	if v.latest != "" && v.latest != key {
		upgrade = fmt.Sprintf("The latest version is %s.", v.latest)
		if lm, _ := v.versions[v.latest]["deprecated"].(string); lm != "" {
			upgrade = fmt.Sprintf("The latest version, %s, is deprecated too.", v.latest)
		}
	}
	return []watcher.Finding{{
		Rule: RuleDeprecated, Severity: sev, Category: watcher.ThirdParty,
		Path: diff.Pointer([]string{"versions", key, "deprecated"}), Subject: key,
		Title:  fmt.Sprintf("%s %s, which the app runs, is deprecated", v.pkg, key),
		Detail: strings.TrimSpace(why + " " + upgrade),
		// A state, not a change: nothing "was", the version is deprecated.
		New: rules.Quoted("deprecated", msg, MaxMessage),
	}}
}

// majorAvailable: the latest dist-tag is a major version above the
// deployed one.
func majorAvailable(j *watcher.Judgement) []watcher.Finding {
	v := readView(j.New)
	if v.deployed == nil || v.latest == "" {
		return nil
	}
	latest, err := semver.NewVersion(v.latest)
	if err != nil || latest.Major() <= v.deployed.Major() {
		return nil
	}
	// The first release of each major above the deployed one, for the
	// detail: upgrading means reading each major's migration notes.
	var majors []uint64
	seen := map[uint64]bool{}
	for k := range v.versions {
		x, err := semver.NewVersion(k)
		if err != nil || x.Prerelease() != "" || x.Major() <= v.deployed.Major() || x.GreaterThan(latest) || seen[x.Major()] {
			continue
		}
		seen[x.Major()] = true
		majors = append(majors, x.Major())
	}
	sort.Slice(majors, func(a, b int) bool { return majors[a] < majors[b] })
	names := make([]string, len(majors))
	for i, m := range majors {
		names[i] = strconv.FormatUint(m, 10)
	}
	detail := fmt.Sprintf("The latest version is %s; the app runs %s.", v.latest, v.deployedRaw)
	if len(majors) > 1 {
		detail += " Majors between: " + strings.Join(names, ", ") + "."
	}
	return []watcher.Finding{{
		Rule: RuleMajorAvailable, Severity: watcher.Warning, Category: watcher.ThirdParty,
		Path: "/latest", Subject: strconv.FormatUint(latest.Major(), 10),
		Title:  fmt.Sprintf("%s %s: major release above deployed %s", v.pkg, v.latest, v.deployedRaw),
		Detail: detail,
		Old:    v.deployedRaw, New: v.latest,
	}}
}

// deployedMissing: the registry has no such version as the deployed one
// (a typo, a version not published yet, or one unpublished). The package
// document lists every version, so its absence is a state, judged on the
// baseline too; it resolves when the version appears or deployed changes.
func deployedMissing(j *watcher.Judgement) []watcher.Finding {
	v := readView(j.New)
	if v.deployed == nil {
		return nil
	}
	if _, ok := v.deployedKey(); ok {
		return nil
	}
	latest := ""
	if v.latest != "" {
		latest = fmt.Sprintf(" (latest %s)", v.latest)
	}
	return []watcher.Finding{{
		Rule: RuleDeployedMissing, Severity: watcher.Warning, Category: watcher.ThirdParty,
		Path: "/deployed", Subject: v.deployedRaw,
		Title: fmt.Sprintf("%s %s, which the app runs, is not in the registry", v.pkg, v.deployedRaw),
		Detail: fmt.Sprintf("The registry lists no version %s of %s%s: the configured version may be a typo, not published yet, "+
			"or unpublished (a broken or compromised release taken down). Check the version the app runs before the next deploy.",
			v.deployedRaw, v.pkg, latest),
	}}
}
