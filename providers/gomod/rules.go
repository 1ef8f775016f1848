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
	RuleRetracted  = "gomod.retracted"
	RuleDeprecated = "gomod.deprecated"
)

// Rules returns the gomod rules; both judge the document's state.
func Rules() []watcher.Rule {
	return []watcher.Rule{watcher.RuleFunc(retracted), watcher.RuleFunc(deprecated)}
}

type view struct {
	module, deployedRaw, deployed, latest, deprecated string
	retracted                                         map[string]string
}

func readView(doc any) view {
	d, _ := doc.(map[string]any)
	v := view{retracted: map[string]string{}}
	v.module, _ = d["module"].(string)
	v.deployedRaw, _ = d["deployed"].(string)
	v.deployed = canonical(v.deployedRaw)
	v.latest, _ = d["latest"].(string)
	v.deprecated, _ = d["deprecated"].(string)
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
			Title:  fmt.Sprintf("%s %s, which the app builds with, is retracted", v.module, v.deployedRaw),
			Detail: detail, Old: v.deployedRaw, New: v.latest, Excerpt: why,
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
		Old:    v.deployedRaw, New: v.latest,
		Excerpt: v.deprecated,
	}}
}

func orNone(s string) string {
	if s == "" {
		return "an unconfigured version"
	}
	return s
}
