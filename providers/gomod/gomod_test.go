package gomod_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/driftwatch/driftwatch/diff"
	"github.com/driftwatch/driftwatch/lockfile"
	"github.com/driftwatch/driftwatch/providers/gomod"
	"github.com/driftwatch/driftwatch/providers/providertest"
	"github.com/driftwatch/driftwatch/watcher"
)

const mod = "github.com/Acme/go-Auth"

func day(d int) time.Time { return time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, d) }

func proxy(t *testing.T, latestMod string) *providertest.GoProxy {
	t.Helper()
	g := providertest.NewGoProxy()
	t.Cleanup(g.Close)
	plain := providertest.GoMod(mod, "")
	g.Release(mod, "v1.2.0", day(0), plain)
	g.Release(mod, "v1.3.0", day(30), plain)
	g.Release(mod, "v1.4.0", day(60), plain)
	g.Release(mod, "v1.5.0-rc.1", day(80), plain)
	g.Release(mod, "v1.5.0", day(90), latestMod)
	return g
}

func fetch(t *testing.T, p *gomod.Provider) map[string]any {
	t.Helper()
	res, err := p.Fetch(context.Background(), watcher.FetchState{})
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	b, err := diff.Canonical(res.Doc, diff.Options{})
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := diff.Decode(b)
	return doc.(map[string]any)
}

func TestFetch(t *testing.T) {
	g := proxy(t, providertest.GoMod(mod, "use github.com/Acme/go-auth/v2 instead",
		"v1.3.0 // Published with a broken token cache.",
		"[v1.4.0, v1.4.9] // Security: tokens logged in plain text (GHSA-xxxx-yyyy-zzzz)."))
	p, err := gomod.New(gomod.Config{Name: "auth", Module: mod, Deployed: "1.3.0", Proxy: g.URL()}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	doc := fetch(t, p)
	got, _ := json.Marshal(doc)
	want := `{"deployed":"1.3.0","deprecated":"use github.com/Acme/go-auth/v2 instead","go":"1.23","latest":"v1.5.0","module":"github.com/Acme/go-Auth",` +
		`"retracted":{"[v1.4.0, v1.4.9]":"Security: tokens logged in plain text (GHSA-xxxx-yyyy-zzzz).","v1.3.0":"Published with a broken token cache."},` +
		`"versions":{"v1.3.0":{"retracted":"Published with a broken token cache."},"v1.4.0":{"retracted":"Security: tokens logged in plain text (GHSA-xxxx-yyyy-zzzz)."},"v1.5.0":{},"v1.5.0-rc.1":{}}}`
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("document (-want +got):\n%s", diff)
	}
	var paths []string
	for _, r := range g.Requests() {
		paths = append(paths, r.Path)
	}
	if want := []string{"/github.com/!acme/go-!auth/@v/list", "/github.com/!acme/go-!auth/@v/v1.5.0.mod"}; !cmp.Equal(paths, want) {
		t.Errorf("requests %v, want %v", paths, want)
	}
}

// A module with no tagged versions is read through @latest.
func TestFetchLatestOnly(t *testing.T) {
	g := providertest.NewGoProxy()
	defer g.Close()
	g.Release("example.com/tool", "v0.0.0-20240101000000-abcdefabcdef", day(0), providertest.GoMod("example.com/tool", ""))
	g.Fail(providertest.Fault{Status: http.StatusOK, ContentType: "text/plain; charset=UTF-8", Body: ""}) // an empty @v/list
	p, err := gomod.New(gomod.Config{Name: "tool", Module: "example.com/tool", Proxy: g.URL()}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if doc := fetch(t, p); doc["latest"] != "v0.0.0-20240101000000-abcdefabcdef" || doc["latest_time"] != "2024-01-01T00:00:00Z" {
		t.Errorf("document %v", doc)
	}
}

func TestFetchErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		module string
		faults []providertest.Fault
		want   string
	}{
		{name: "ErrNotFound", module: "github.com/acme/nothing", want: "not found"},
		{name: "ErrServer", module: mod, faults: []providertest.Fault{{Status: http.StatusBadGateway, Body: "upstream"}}, want: "502"},
		{name: "ErrModServer", module: mod, faults: []providertest.Fault{{Status: http.StatusOK, Body: "v1.5.0\n"}, {Status: http.StatusInternalServerError}}, want: "500"},
		{name: "ErrModGarbage", module: mod, faults: []providertest.Fault{{Status: http.StatusOK, Body: "v1.5.0\n"}, {Status: http.StatusOK, Body: "<html>sign in</html>"}}, want: "no module line"},
		{name: "ErrModSyntax", module: mod, faults: []providertest.Fault{{Status: http.StatusOK, Body: "v1.5.0\n"}, {Status: http.StatusOK, Body: "module \"unterminated\n"}}, want: "does not parse"},
		{name: "ErrOtherModule", module: mod, faults: []providertest.Fault{{Status: http.StatusOK, Body: "v1.5.0\n"}, {Status: http.StatusOK, Body: "module example.com/other\n"}}, want: "another module"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := proxy(t, providertest.GoMod(mod, ""))
			g.Fail(tc.faults...)
			p, err := gomod.New(gomod.Config{Name: "auth", Module: tc.module, Proxy: g.URL()}, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			res, err := p.Fetch(context.Background(), watcher.FetchState{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v (res %+v), want one mentioning %q", err, res, tc.want)
			}
		})
	}
}

func TestRules(t *testing.T) {
	judge := func(doc map[string]any) map[string]watcher.Severity {
		got := map[string]watcher.Severity{}
		j := &watcher.Judgement{New: doc, Baseline: true, Peers: watcher.NoPeers{}}
		for _, r := range gomod.Rules() {
			for _, f := range r.Judge(j) {
				got[f.Rule] = f.Severity
			}
		}
		return got
	}
	doc := func(deployed, deprecated string, retracted map[string]any) map[string]any {
		v := deployed
		if !strings.HasPrefix(v, "v") {
			v = "v" + v
		}
		d := map[string]any{"module": mod, "deployed": deployed, "latest": "v1.5.0", "retracted": retracted,
			"versions": map[string]any{v: map[string]any{}, "v1.5.0": map[string]any{}}}
		if deprecated != "" {
			d["deprecated"] = deprecated
		}
		return d
	}
	for _, tc := range []struct {
		name string
		doc  map[string]any
		want map[string]watcher.Severity
	}{
		{"clean", doc("v1.4.0", "", map[string]any{"v1.3.0": "oops"}), map[string]watcher.Severity{}},
		{"retracted", doc("v1.3.0", "", map[string]any{"v1.3.0": "broken cache"}), map[string]watcher.Severity{gomod.RuleRetracted: watcher.Warning}},
		{"retracted range security", doc("1.4.2", "", map[string]any{"[v1.4.0, v1.4.9]": "Security: tokens logged"}), map[string]watcher.Severity{gomod.RuleRetracted: watcher.Breaking}},
		{"no rationale", doc("v1.4.0", "", map[string]any{"v1.4.0": ""}), map[string]watcher.Severity{gomod.RuleRetracted: watcher.Warning}},
		{"deprecated", doc("v1.4.0", "use v2", map[string]any{}), map[string]watcher.Severity{gomod.RuleDeprecated: watcher.Warning}},
		{"deployed missing", map[string]any{"module": mod, "deployed": "v1.7.0", "latest": "v1.5.0", "versions": map[string]any{}},
			map[string]watcher.Severity{gomod.RuleDeployedMissing: watcher.Warning}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := judge(tc.doc); !cmp.Equal(got, tc.want) {
				t.Errorf("findings %v, want %v", got, tc.want)
			}
		})
	}
}

// deployed_from reads the deployed version from the app's go.mod.
func TestDeployedFrom(t *testing.T) {
	g := proxy(t, providertest.GoMod(mod, "", "v1.3.0 // broken token cache"))
	gomodFile := filepath.Join(t.TempDir(), "go.mod")
	write := func(v string) {
		t.Helper()
		if err := os.WriteFile(gomodFile, []byte("module example.com/app\n\ngo 1.23\n\nrequire "+mod+" "+v+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("v1.3.0")
	p, err := gomod.New(gomod.Config{Name: "auth", Module: mod, Proxy: g.URL(),
		DeployedFrom: &lockfile.Source{Location: gomodFile, Package: mod}}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	doc := fetch(t, p)
	if doc["deployed"] != "v1.3.0" {
		t.Fatalf("deployed = %v", doc["deployed"])
	}
	j := &watcher.Judgement{New: doc, Baseline: true, Peers: watcher.NoPeers{}}
	if fs := gomod.Rules()[0].Judge(j); len(fs) != 1 || fs[0].Rule != gomod.RuleRetracted {
		t.Errorf("findings %+v, want the retraction of v1.3.0", fs)
	}
	write("v1.4.0")
	if doc := fetch(t, p); doc["deployed"] != "v1.4.0" {
		t.Errorf("after the go.mod moved: deployed = %v", doc["deployed"])
	}
}
