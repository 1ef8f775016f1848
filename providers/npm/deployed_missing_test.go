package npm_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/driftwatch/driftwatch/providers/npm"
	"github.com/driftwatch/driftwatch/providers/providertest"
	"github.com/driftwatch/driftwatch/watcher"
)

// judgeLinked runs every npm rule on a document and links the findings
// as a source of the public registry does.
func judgeLinked(doc any) map[string]watcher.Finding {
	j := &watcher.Judgement{New: doc, Baseline: true, Peers: watcher.NoPeers{}}
	got := map[string]watcher.Finding{}
	for _, r := range npm.Rules() {
		for _, f := range r.Judge(j) {
			npm.Link(j, &f)
			got[f.Rule] = f
		}
	}
	return got
}

// A deployed version the registry does not have (2.1.9, latest 2.2.0) is
// a finding linking the package's page; publishing it resolves it.
func TestDeployedMissingIsAFinding(t *testing.T) {
	r := registry(t)
	p, err := npm.New(npm.Config{Name: "react", Package: pkg, Deployed: "2.1.9", Registry: r.URL()}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, doc := fetch(t, p, watcher.FetchState{})
	fs := judgeLinked(doc)
	f, ok := fs[npm.RuleDeployedMissing]
	if !ok || len(fs) != 1 {
		t.Fatalf("findings %+v, want only %s", fs, npm.RuleDeployedMissing)
	}
	if f.Severity != watcher.Warning || f.Category != watcher.ThirdParty || f.Old != "" || !strings.Contains(f.Title, "2.1.9") {
		t.Errorf("finding %+v", f)
	}
	if f.URL != "https://www.npmjs.com/package/"+pkg {
		t.Errorf("URL %q, want the package's page", f.URL)
	}
	r.Publish(pkg, providertest.NPMVersion{Version: "2.1.9", Published: day(200)})
	if _, doc := fetch(t, p, watcher.FetchState{}); len(judgeLinked(doc)) != 0 {
		t.Errorf("after 2.1.9 was published: findings %+v", judgeLinked(doc))
	}
}

// A deployed prerelease no dist-tag points at, and a "v"-prefixed
// deployed version, are found, not missing.
func TestDeployedPresentIsNotMissing(t *testing.T) {
	r := registry(t)
	for _, deployed := range []string{"2.0.0-beta.0", "v2.1.0", "1.12.1"} {
		p, err := npm.New(npm.Config{Name: "react", Package: pkg, Deployed: deployed, Registry: r.URL()}, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		_, doc := fetch(t, p, watcher.FetchState{})
		if _, ok := judgeLinked(doc)[npm.RuleDeployedMissing]; ok {
			t.Errorf("deployed %s: judged missing", deployed)
		}
	}
}

// The deprecation finding claims no change: no Old, the message as the
// state, even when the deployed version is the latest.
func TestDeprecatedClaimsNoChange(t *testing.T) {
	r := registry(t)
	r.Deprecate(pkg, "2.2.0", "use @auth0/auth0-spa-js instead")
	p, err := npm.New(npm.Config{Name: "react", Package: pkg, Deployed: "2.2.0", Registry: r.URL()}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, doc := fetch(t, p, watcher.FetchState{})
	f := judgeLinked(doc)[npm.RuleDeprecated]
	if f.Old != "" || f.New != `deprecated: "use @auth0/auth0-spa-js instead"` {
		t.Errorf("Old %q, New %q", f.Old, f.New)
	}
}

// A 5 KB deprecation message is stored capped on rune boundaries, and
// the security words past the cap still make the finding breaking.
func TestDeprecationMessageCappedJudgedWhole(t *testing.T) {
	r := registry(t)
	long := strings.Repeat("Ünïcode padding. ", 300) + "This version has a security vulnerability (CVE-2025-1234)."
	r.Deprecate(pkg, "2.1.0", long)
	r.Deprecate(pkg, "2.1.1", long)
	p, err := npm.New(npm.Config{Name: "react", Package: pkg, Deployed: "2.1.0", Registry: r.URL()}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, doc := fetch(t, p, watcher.FetchState{})
	versions := doc.(map[string]any)["versions"].(map[string]any)
	for _, v := range []string{"2.1.0", "2.1.1"} {
		msg, _ := versions[v].(map[string]any)["deprecated"].(string)
		if n := utf8.RuneCountInString(msg); n != npm.MaxMessage || !utf8.ValidString(msg) || !strings.HasSuffix(msg, "…") {
			t.Errorf("%s: stored message of %d runes (valid UTF-8 %v), want %d ending in …", v, n, utf8.ValidString(msg), npm.MaxMessage)
		}
	}
	f := judgeLinked(doc)[npm.RuleDeprecated]
	if f.Severity != watcher.Breaking {
		t.Errorf("severity %v, want breaking: the whole message names a vulnerability", f.Severity)
	}
	if n := utf8.RuneCountInString(f.New); n > npm.MaxMessage+20 {
		t.Errorf("New is %d runes", n)
	}
}
