package gomod_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/driftwatch/driftwatch/providers/gomod"
	"github.com/driftwatch/driftwatch/providers/providertest"
	"github.com/driftwatch/driftwatch/watcher"
)

// judgeAll runs every gomod rule on a document, as on a baseline, and
// links the findings as the public proxy's source does.
func judgeAll(doc map[string]any) map[string]watcher.Finding {
	j := &watcher.Judgement{New: doc, Baseline: true, Peers: watcher.NoPeers{}}
	got := map[string]watcher.Finding{}
	for _, r := range gomod.Rules() {
		for _, f := range r.Judge(j) {
			gomod.Link(j, &f)
			got[f.Rule] = f
		}
	}
	return got
}

// A deployed version the proxy does not have (v1.7.0, the proxy lists up
// to v1.5.0) is asked for by name, answered 404, and judged missing, with
// a link to the module's versions; the fetch still stores the document.
func TestDeployedMissingIsAFinding(t *testing.T) {
	g := proxy(t, providertest.GoMod(mod, ""))
	p, err := gomod.New(gomod.Config{Name: "auth", Module: mod, Deployed: "v1.7.0", Proxy: g.URL()}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	doc := fetch(t, p)
	var paths []string
	for _, r := range g.Requests() {
		paths = append(paths, r.Path)
	}
	if !strings.Contains(strings.Join(paths, " "), "/@v/v1.7.0.info") {
		t.Errorf("requests %v: the deployed version was not asked for", paths)
	}
	fs := judgeAll(doc)
	f, ok := fs[gomod.RuleDeployedMissing]
	if !ok || len(fs) != 1 {
		t.Fatalf("findings %+v, want only %s", fs, gomod.RuleDeployedMissing)
	}
	if f.Severity != watcher.Warning || f.Category != watcher.ThirdParty || f.Old != "" || !strings.Contains(f.Title, "v1.7.0") {
		t.Errorf("finding %+v", f)
	}
	if f.URL != "https://pkg.go.dev/"+mod+"?tab=versions" {
		t.Errorf("URL %q, want the module's versions page", f.URL)
	}

	// The version is published: the finding resolves.
	g.Release(mod, "v1.7.0", day(120), providertest.GoMod(mod, ""))
	if fs := judgeAll(fetch(t, p)); len(fs) != 0 {
		t.Errorf("after v1.7.0 was published: findings %+v", fs)
	}
}

// A deployed version @v/list leaves out (a pseudo-version, or one the
// proxy has not listed yet) but the proxy serves by name is no finding.
func TestDeployedPseudoVersionIsNotMissing(t *testing.T) {
	g := proxy(t, providertest.GoMod(mod, ""))
	const pseudo = "v1.5.1-0.20240601000000-abcdefabcdef"
	g.Release(mod, pseudo, day(150), providertest.GoMod(mod, ""))
	g.Fail(providertest.Fault{Status: http.StatusOK, ContentType: "text/plain; charset=UTF-8", Body: "v1.2.0\nv1.3.0\nv1.4.0\nv1.5.0\n"})
	p, err := gomod.New(gomod.Config{Name: "auth", Module: mod, Deployed: pseudo, Proxy: g.URL()}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	doc := fetch(t, p)
	if doc["latest"] != "v1.5.0" {
		t.Errorf("latest = %v, want the highest release, not the deployed pseudo-version", doc["latest"])
	}
	if fs := judgeAll(doc); len(fs) != 0 {
		t.Errorf("findings %+v, want none", fs)
	}
}

// A proxy failing on the deployed version's lookup fails the fetch: a
// 5xx is not "no such version".
func TestDeployedLookupFailureFailsFetch(t *testing.T) {
	g := proxy(t, providertest.GoMod(mod, ""))
	g.Fail(providertest.Fault{Status: http.StatusOK, ContentType: "text/plain; charset=UTF-8", Body: "v1.5.0\n"},
		providertest.Fault{Status: http.StatusBadGateway, Body: "upstream"})
	p, err := gomod.New(gomod.Config{Name: "auth", Module: mod, Deployed: "v1.7.0", Proxy: g.URL()}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res, err := p.Fetch(context.Background(), watcher.FetchState{}); err == nil || !strings.Contains(err.Error(), "502") {
		t.Fatalf("err = %v (res %+v), want the 502", err, res)
	}
}

// Deprecation and retraction are states: the findings claim no change
// from an old value, and show what upstream says as the state.
func TestStateFindingsClaimNoChange(t *testing.T) {
	g := proxy(t, providertest.GoMod(mod, "use example.com/bar/v2 instead", "v1.3.0 // Published with a broken token cache."))
	p, err := gomod.New(gomod.Config{Name: "auth", Module: mod, Deployed: "v1.3.0", Proxy: g.URL()}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	fs := judgeAll(fetch(t, p))
	want := map[string]string{
		gomod.RuleDeprecated: `deprecated: "use example.com/bar/v2 instead"`,
		gomod.RuleRetracted:  `retracted: "Published with a broken token cache."`,
	}
	if len(fs) != len(want) {
		t.Fatalf("findings %+v, want %v", fs, want)
	}
	for rule, now := range want {
		if f := fs[rule]; f.Old != "" || f.New != now {
			t.Errorf("%s: Old %q, New %q; want no Old, New %q", rule, f.Old, f.New, now)
		}
	}
	long := strings.Repeat("x", 5000)
	g.Release(mod, "v1.6.0", day(200), providertest.GoMod(mod, "", "v1.3.0 // "+long))
	if f := judgeAll(fetch(t, p))[gomod.RuleRetracted]; len([]rune(f.New)) > 520 || !strings.HasSuffix(f.New, `…"`) {
		t.Errorf("a 5,000-character rationale shows as %d runes: %.40q…", len([]rune(f.New)), f.New)
	}
}
