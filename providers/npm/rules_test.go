package npm_test

import (
	"testing"
	"time"

	"github.com/driftwatch/driftwatch/providers/npm"
	"github.com/driftwatch/driftwatch/watcher"
)

func judge(doc map[string]any) []watcher.Finding {
	j := &watcher.Judgement{New: doc, Baseline: true, Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Peers: watcher.NoPeers{}}
	var out []watcher.Finding
	for _, r := range npm.Rules() {
		out = append(out, r.Judge(j)...)
	}
	return out
}

func doc(deployed, latest string, deprecated map[string]string, versions ...string) map[string]any {
	vs := map[string]any{}
	for _, v := range versions {
		e := map[string]any{"published": "2025-01-01T00:00:00Z"}
		if m, ok := deprecated[v]; ok {
			e["deprecated"] = m
		}
		vs[v] = e
	}
	return map[string]any{"package": "@auth0/auth0-react", "deployed": deployed, "latest": latest,
		"dist_tags": map[string]any{"latest": latest}, "versions": vs}
}

func TestRules(t *testing.T) {
	for _, tc := range []struct {
		name string
		doc  map[string]any
		want map[string]watcher.Severity // rule -> severity
	}{
		{name: "current", doc: doc("2.2.0", "2.2.0", nil, "2.2.0"), want: map[string]watcher.Severity{}},
		{name: "deprecated", doc: doc("2.1.0", "2.2.0", map[string]string{"2.1.0": "Please upgrade to 2.2.0"}, "2.1.0", "2.2.0"),
			want: map[string]watcher.Severity{npm.RuleDeprecated: watcher.Warning}},
		{name: "deprecated insecure", doc: doc("v2.1.0", "2.2.0", map[string]string{"2.1.0": "This version has a security vulnerability, upgrade to 2.1.1"}, "2.1.0", "2.2.0"),
			want: map[string]watcher.Severity{npm.RuleDeprecated: watcher.Breaking}},
		{name: "cve", doc: doc("2.1.0", "2.2.0", map[string]string{"2.1.0": "affected by CVE-2024-12345"}, "2.1.0", "2.2.0"),
			want: map[string]watcher.Severity{npm.RuleDeprecated: watcher.Breaking}},
		{name: "newer deprecated only", doc: doc("2.1.0", "2.2.0", map[string]string{"2.2.0": "broken build"}, "2.1.0", "2.2.0"),
			want: map[string]watcher.Severity{}},
		{name: "major", doc: doc("1.12.1", "3.1.0", nil, "1.12.1", "2.0.0", "3.0.0", "3.1.0"),
			want: map[string]watcher.Severity{npm.RuleMajorAvailable: watcher.Warning}},
		{name: "no deployed", doc: doc("", "3.1.0", nil, "3.1.0"), want: map[string]watcher.Severity{}},
		{name: "deployed above latest missing", doc: doc("1.9.9", "1.3.0", nil), want: map[string]watcher.Severity{npm.RuleDeployedMissing: watcher.Warning}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := map[string]watcher.Severity{}
			for _, f := range judge(tc.doc) {
				got[f.Rule] = f.Severity
				if f.Title == "" || f.Category != watcher.ThirdParty || f.Path == "" {
					t.Errorf("finding %+v lacks title, category or path", f)
				}
			}
			if len(got) != len(tc.want) {
				t.Fatalf("findings %v, want %v", got, tc.want)
			}
			for r, s := range tc.want {
				if got[r] != s {
					t.Errorf("%s = %v, want %v", r, got[r], s)
				}
			}
		})
	}
}
