package gomod

import (
	"fmt"
	"sort"
	"strings"

	"golang.org/x/mod/semver"

	"github.com/driftwatch/driftwatch/diff"
	"github.com/driftwatch/driftwatch/rules"
	"github.com/driftwatch/driftwatch/watcher"
)

// The rules of gomod sources.
const (
	RuleRetracted       = "gomod.retracted"
	RuleDeprecated      = "gomod.deprecated"
	RuleDeployedMissing = "gomod.deployed_missing"
)

// Rules returns the gomod rules; all judge the document's state.
func Rules() []watcher.Rule {
	return []watcher.Rule{watcher.RuleFunc(retracted), watcher.RuleFunc(deprecated), watcher.RuleFunc(deployedMissing)}
}

// maxShown caps the upstream text a finding shows as its state, in runes.
const maxShown = 500

type view struct {
	module, deployedRaw, deployed, latest, deprecated string
	retracted                                         map[string]string
	versions                                          map[string]bool
}

func readView(doc any) view {
	d, _ := doc.(map[string]any)
	v := view{retracted: map[string]string{}, versions: map[string]bool{}}
	v.module, _ = d["module"].(string)
	v.deployedRaw, _ = d["deployed"].(string)
	v.deployed = canonical(v.deployedRaw)
	v.latest, _ = d["latest"].(string)
	v.deprecated, _ = d["deprecated"].(string)
	vs, _ := d["versions"].(map[string]any)
	for k := range vs {
		v.versions[k] = true
	}
	rs, _ := d["retracted"].(map[string]any)
	for k, x := range rs {
		s, _ := x.(string)
		v.retracted[k] = s
	}
	return v
}

// interval reads a retraction key back: "v1.0.1" or "[v1.1.0, v1.2.0]".
func interval(key string) (low, high string) {
	if strings.HasPrefix(key, "[") && strings.HasSuffix(key, "]") {
		low, high, _ = strings.Cut(key[1:len(key)-1], ",")
		return strings.TrimSpace(low), strings.TrimSpace(high)
	}
	return key, key
}

// retracted: the latest go.mod retracts the deployed version. Warning;
// breaking when the rationale says it is a security problem.
func retracted(j *watcher.Judgement) []watcher.Finding {
	v := readView(j.New)
	if v.deployed == "" {
		return nil
	}
	keys := make([]string, 0, len(v.retracted))
	for k := range v.retracted {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		low, high := interval(k)
		if !semver.IsValid(low) || !semver.IsValid(high) || semver.Compare(low, v.deployed) > 0 || semver.Compare(v.deployed, high) > 0 {
			continue
		}
		why := v.retracted[k]
		state := "retracted, no rationale given"
		if why != "" {
			state = rules.Quoted("retracted", why, maxShown)
		}
		sev := watcher.Warning
		detail := fmt.Sprintf("The go.mod of %s retracts %s, which covers the deployed %s: its authors ask users to move off it.", v.latest, k, v.deployedRaw)
		if why == "" {
			detail += " No rationale is given."
		}
		if rules.MentionsSecurity(why) {
			sev = watcher.Breaking
			detail += " The rationale names a security problem."
		}
		return []watcher.Finding{{
			Rule: RuleRetracted, Severity: sev, Category: watcher.ThirdParty,
			Path: diff.Pointer([]string{"retracted", k}), Subject: k,
			Title: fmt.Sprintf("%s %s, which the app builds with, is retracted", v.module, v.deployedRaw),
			// A state, not a change: New is what the retraction says.
			Detail: detail, New: state,
		}}
	}
	return nil
}

// deprecated: the module's latest go.mod carries a "Deprecated:" comment.
func deprecated(j *watcher.Judgement) []watcher.Finding {
	v := readView(j.New)
	if v.deprecated == "" {
		return nil
	}
	return []watcher.Finding{{
		Rule: RuleDeprecated, Severity: watcher.Warning, Category: watcher.ThirdParty,
		Path: "/deprecated", Subject: v.module,
		Title:  fmt.Sprintf("Go module %s is deprecated", v.module),
		Detail: fmt.Sprintf("The go.mod of %s, the latest version, marks the module deprecated; the app builds with %s.", v.latest, orNone(v.deployedRaw)),
		New:    rules.Quoted("deprecated", v.deprecated, maxShown),
	}}
}

// deployedMissing: the proxy has no such version as the deployed one (a
// typo, a tag not pushed, or a version its authors deleted before the
// proxy cached it). The fetch asks the proxy for a deployed version it
// does not list, so a version absent from the document is one the proxy
// answered 404 or 410 for. It resolves when the version appears or
// deployed changes.
func deployedMissing(j *watcher.Judgement) []watcher.Finding {
	v := readView(j.New)
	if v.deployed == "" || v.versions[v.deployed] {
		return nil
	}
	return []watcher.Finding{{
		Rule: RuleDeployedMissing, Severity: watcher.Warning, Category: watcher.ThirdParty,
		Path: "/deployed", Subject: v.deployedRaw,
		Title: fmt.Sprintf("%s %s, which the app builds with, is not in the module proxy", v.module, v.deployedRaw),
		Detail: fmt.Sprintf("The module proxy knows no version %s of %s (latest %s): the configured version may be a typo, "+
			"a tag never pushed, or one taken down. Check the version the app builds with before the next deploy.", v.deployed, v.module, v.latest),
	}}
}

func orNone(s string) string {
	if s == "" {
		return "an unconfigured version"
	}
	return s
}
