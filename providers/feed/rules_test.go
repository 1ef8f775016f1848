package feed_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/driftwatch/driftwatch/diff"
	"github.com/driftwatch/driftwatch/providers/auth0"
	"github.com/driftwatch/driftwatch/providers/feed"
	"github.com/driftwatch/driftwatch/providers/github"
	"github.com/driftwatch/driftwatch/providers/gomod"
	"github.com/driftwatch/driftwatch/providers/npm"
	"github.com/driftwatch/driftwatch/providers/providertest"
	"github.com/driftwatch/driftwatch/watcher"
)

// peers is a fixed set of other sources' newest documents.
type peers struct {
	srcs []watcher.Source
	docs map[string]any
}

func newPeers() *peers { return &peers{docs: map[string]any{}} }

func (p *peers) add(t testing.TB, name, typ string, doc any) *peers {
	t.Helper()
	b, err := diff.Canonical(doc, diff.Options{})
	if err != nil {
		t.Fatal(err)
	}
	d, _ := diff.Decode(b)
	p.srcs = append(p.srcs, watcher.Source{Name: name, Type: typ})
	p.docs[name] = d
	return p
}

// Footprints reads each document as its type does.
func (p *peers) Footprints() []watcher.Footprint {
	var out []watcher.Footprint
	for _, src := range p.srcs {
		var fp watcher.Footprint
		switch src.Type {
		case "auth0":
			fp = auth0.Footprint(src.Name, p.docs[src.Name])
		case "github_releases":
			fp = github.Footprint(src.Name, p.docs[src.Name])
		case "npm":
			fp = npm.Footprint(src.Name, p.docs[src.Name])
		case "gomod":
			fp = gomod.Footprint(src.Name, p.docs[src.Name])
		default:
			continue
		}
		fp.Source = src.Name
		out = append(out, fp)
	}
	return out
}

func judge(old, new any, open []watcher.Finding, ps watcher.Peers) []watcher.Finding {
	if ps == nil {
		ps = watcher.NoPeers{}
	}
	j := &watcher.Judgement{Source: watcher.Source{Name: "auth0-changelog", Type: "feed"}, Old: old, New: new,
		Baseline: old == nil, Open: open, Now: time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC), Peers: ps}
	var out []watcher.Finding
	for _, r := range feed.Rules(feed.RuleOptions{}) {
		out = append(out, r.Judge(j)...)
	}
	return out
}

func subjects(fs []watcher.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Subject)
	}
	slices.Sort(out)
	return out
}

// tenant is a small Auth0 snapshot: what the deployed app uses.
func tenant() map[string]any {
	return map[string]any{
		"tenant": map[string]any{"sandbox_version": "18"},
		"actions": map[string]any{
			"enrich-profile": map[string]any{"runtime": "node18", "deployed_version": map[string]any{"runtime": "node18"}},
			"add-claims":     map[string]any{"runtime": "node22"},
		},
		"rules": map[string]any{
			"legacy-mfa":  map[string]any{"enabled": false},
			"add-country": map[string]any{"enabled": true},
		},
		"clients": map[string]any{
			"Acme SPA":  map[string]any{"app_type": "spa", "grant_types": []any{"authorization_code", "implicit", "refresh_token"}},
			"Acme Jobs": map[string]any{"app_type": "non_interactive", "grant_types": []any{"client_credentials"}},
		},
		"connections": map[string]any{
			"Username-Password-Authentication": map[string]any{"strategy": "auth0"},
			"google-oauth2":                    map[string]any{"strategy": "google-oauth2"},
		},
	}
}

// TestTitleCountsEveryUserOfWhatTheEntryNames: an entry naming a runtime
// eleven actions use says so in its title, naming a few and counting the
// rest, rather than naming one as if it were the only one.
func TestTitleCountsEveryUserOfWhatTheEntryNames(t *testing.T) {
	f := providertest.NewFeed(providertest.RSS, "Auth0 Changelog",
		providertest.Entry{ID: "forms-ga", Title: "Forms are generally available", Link: "https://auth0.com/changelog/forms", Published: day(1)})
	defer f.Close()
	doc := map[string]any{"actions": map[string]any{}}
	for i := range 11 {
		doc["actions"].(map[string]any)[fmt.Sprintf("action-%02d", i)] = map[string]any{"runtime": "node18"}
	}
	ps := newPeers().add(t, "auth0-prod", "auth0", doc)
	pl := newPoller(t, f.URL())
	pl.poll()
	old := pl.last
	f.AddEntry(providertest.Entry{ID: "node18-eol", Title: "node18 deprecation", Link: "https://auth0.com/changelog/node18", Published: day(5),
		Summary: "The node18 runtime is deprecated; migrate to Node 22."})
	pl.poll()
	fs := judge(old, pl.last, nil, ps)
	if len(fs) != 1 {
		t.Fatalf("findings %v, want one", subjects(fs))
	}
	want := `concerns you: it names "node18", used by 11 actions: "action-00", "action-01", "action-02" and 8 more`
	if !strings.HasSuffix(fs[0].Title, want) {
		t.Errorf("title %q\nwant it to end %q", fs[0].Title, want)
	}
}

func TestDeprecationOfUsedRuntimeNamesTheAction(t *testing.T) {
	f := providertest.NewFeed(providertest.RSS, "Auth0 Changelog",
		providertest.Entry{ID: "forms-ga", Title: "Forms are generally available", Link: "https://auth0.com/changelog/forms", Published: day(1),
			Summary: "Build forms without code. Legacy forms will be removed."})
	defer f.Close()
	ps := newPeers().add(t, "auth0-prod", "auth0", tenant())
	pl := newPoller(t, f.URL())
	pl.poll()
	// Baseline: fifty old entries post nothing, even with policy wording.
	if fs := judge(nil, pl.last, nil, ps); len(fs) != 0 {
		t.Fatalf("baseline findings: %v", subjects(fs))
	}
	old := pl.last
	f.AddEntry(providertest.Entry{ID: "node18-eol", Title: "Node 18 runtime deprecation for Actions",
		Link: "https://auth0.com/changelog/node18", Published: day(5),
		Summary: "<p>The <b>Node.js 18</b> runtime reaches end of life on 30 April 2026. Actions, Rules and Hooks still on it stop running; migrate to Node 22.</p>"})
	pl.poll()
	fs := judge(old, pl.last, nil, ps)
	if len(fs) != 1 {
		t.Fatalf("findings %v, want one for the new entry", subjects(fs))
	}
	got := fs[0]
	if got.Rule != feed.RuleDeprecationNotice || got.Severity != watcher.Warning || got.Category != watcher.ThirdParty ||
		got.Subject != "node18-eol" || got.Path != "/entries/node18-eol" {
		t.Errorf("finding %s %s %s %s %s", got.Rule, got.Severity, got.Category, got.Subject, got.Path)
	}
	if want := `concerns you: it names "Node 18", used by 1 action and 1 rule: "enrich-profile" and "add-country"`; !strings.Contains(got.Title, want) {
		t.Errorf("title %q does not say %q", got.Title, want)
	}
	for _, want := range []string{`"Node 18"`, `action "enrich-profile" (tenant auth0-prod) runs on node18`,
		`rule "add-country" (tenant auth0-prod)`, "https://auth0.com/changelog/node18"} {
		if !strings.Contains(got.Detail, want) {
			t.Errorf("detail lacks %q:\n%s", want, got.Detail)
		}
	}
	// add-claims runs on Node 22, the runtime the entry points to; the
	// legacy-mfa rule is disabled.
	for _, not := range []string{"add-claims", "legacy-mfa"} {
		if strings.Contains(got.Detail, not) {
			t.Errorf("detail names %s:\n%s", not, got.Detail)
		}
	}

	// Carried forward while the entry stays; the tenant moving off Node 18
	// lowers it to info.
	again := judge(pl.last, pl.last, fs, ps)
	if len(again) != 1 || again[0].Severity != watcher.Warning {
		t.Fatalf("carried forward: %v", subjects(again))
	}
	moved := tenant()
	moved["actions"].(map[string]any)["enrich-profile"] = map[string]any{"runtime": "node22"}
	delete(moved["rules"].(map[string]any), "add-country")
	later := judge(pl.last, pl.last, again, newPeers().add(t, "auth0-prod", "auth0", moved))
	if len(later) != 1 || later[0].Severity != watcher.Info {
		t.Fatalf("after migrating: %+v", later)
	}
	// The entry leaves the feed: resolved.
	cur := pl.last.(map[string]any)
	delete(cur["entries"].(map[string]any), "node18-eol")
	if fs := judge(pl.last, cur, again, ps); len(fs) != 0 {
		t.Errorf("entry gone, findings %v", subjects(fs))
	}
}

// doc builds a feed document from titles and summaries.
func doc(es ...[2]string) any {
	m := map[string]any{}
	for i, e := range es {
		m[string(rune('a'+i))] = map[string]any{"title": e[0], "link": "", "published": "", "summary": e[1]}
	}
	return map[string]any{"title": "c", "entries": m}
}

func TestDeprecationNoticeWhatItNames(t *testing.T) {
	sdk := map[string]any{"repo": "auth0/auth0-spa-js", "deployed": "2.1.3", "releases": map[string]any{}}
	react := map[string]any{"package": "@auth0/auth0-react", "deployed": "2.2.4", "versions": map[string]any{}}
	gomod := map[string]any{"module": "github.com/auth0/go-auth0/v2", "deployed": "v2.1.0", "versions": map[string]any{}}
	ps := newPeers().add(t, "auth0-prod", "auth0", tenant()).add(t, "auth0-spa-js", "github_releases", sdk).
		add(t, "react-npm", "npm", react).add(t, "go-auth0", "gomod", gomod)
	cases := []struct {
		name, title, summary string
		severity             watcher.Severity // 0: no finding
		names                string
	}{
		{"Implicit", "Implicit grant deprecation", "Apps using the implicit flow must migrate to PKCE.", watcher.Warning, `client "Acme SPA" (tenant auth0-prod) uses the implicit grant`},
		{"RulesEOL", "Rules and Hooks end of life", "Rules reach end of life in November.", watcher.Warning, `rule "add-country" (tenant auth0-prod) is enabled`},
		{"SDK", "auth0-spa-js v1 end of life", "Upgrade to v2.", watcher.Warning, "SDK auth0/auth0-spa-js (source auth0-spa-js) is deployed at 2.1.3"},
		{"NPM", "auth0-react 1.x is deprecated", "Move to v2.", watcher.Warning, "npm package @auth0/auth0-react (source react-npm) is deployed at 2.2.4"},
		{"GoModule", "go-auth0 v1 deprecated", "", watcher.Warning, "Go module github.com/auth0/go-auth0/v2 (source go-auth0) is deployed at v2.1.0"},
		{"Google", "Google One Tap sunset", "Google is retiring One Tap.", watcher.Warning, `connection "google-oauth2" (tenant auth0-prod) uses strategy google-oauth2`},
		{"DatabaseConn", "Custom database scripts will no longer run on Node 16", "Review your database connections.", watcher.Warning, `connection "Username-Password-Authentication"`},
		{"NothingUsed", "SAML signing certificate rotation deprecated", "Enterprise SAML apps must rotate.", watcher.Info, ""},
		{"OtherNode", "Node 16 end of life", "Node 16 is gone; Node 1 never existed; node180 neither.", watcher.Info, ""},
		{"OtherSDK", "auth0-spa-js-legacy is deprecated", "", watcher.Info, ""},
		{"OnlyTheTarget", "Implicit flow users: migrate to the authorization code flow", "", watcher.Warning, `uses the implicit grant`},
		{"TargetNotSubject", "Node 16 deprecation", "Move your Actions to Node 22, or upgrade them to the latest Node 18.", watcher.Info, ""},
		{"NoWording", "Node 18 performance improvements", "Actions on Node 18 cold-start faster.", 0, ""},
		{"FeatureOnly", "New: passkeys for the implicit-free world", "Passkeys are GA.", 0, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fs := judge(doc(), doc([2]string{tc.title, tc.summary}), nil, ps)
			if tc.severity == 0 {
				if len(fs) != 0 {
					t.Fatalf("findings %q, want none", fs[0].Title)
				}
				return
			}
			if len(fs) != 1 {
				t.Fatalf("%d findings, want 1", len(fs))
			}
			if fs[0].Severity != tc.severity {
				t.Errorf("severity %s, want %s (%s)", fs[0].Severity, tc.severity, fs[0].Detail)
			}
			if tc.names != "" && !strings.Contains(fs[0].Detail, tc.names) {
				t.Errorf("detail does not name %q:\n%s", tc.names, fs[0].Detail)
			}
		})
	}
}

// Real recorded actions (corpus) on node18 and node18-actions: one
// announcement names them all, bounded.
func TestDeprecationNoticeCorpusActions(t *testing.T) {
	var list struct {
		Actions []map[string]any `json:"actions"`
	}
	if err := json.Unmarshal(providertest.MustRead("auth0/actions_list.go-auth0.json"), &list); err != nil {
		t.Fatal(err)
	}
	actions := map[string]any{}
	for _, a := range list.Actions {
		actions[a["name"].(string)] = a
	}
	ps := newPeers().add(t, "auth0-dev", "auth0", map[string]any{"actions": actions})
	fs := judge(doc(), doc([2]string{"Node 18 (node18 and node18-actions) deprecation", "Move Actions to Node 22 before end of life."}), nil, ps)
	if len(fs) != 1 || fs[0].Severity != watcher.Warning {
		t.Fatalf("findings %+v", fs)
	}
	if !strings.Contains(fs[0].Detail, "and 5 more") {
		t.Errorf("detail does not bound the %d actions:\n%s", len(actions), fs[0].Detail)
	}
	// The GA identifier node18-actions is Node 18 too.
	ga := map[string]any{"Test Trigger Binding Foo TestAccTriggerActions": actions["Test Trigger Binding Foo TestAccTriggerActions"]}
	fs = judge(doc(), doc([2]string{"Node.js 18 end of life", ""}), nil, newPeers().add(t, "auth0-dev", "auth0", map[string]any{"actions": ga}))
	if len(fs) != 1 || !strings.Contains(fs[0].Title, "runs on node18-actions") {
		t.Errorf("node18-actions action not named: %+v", fs)
	}
}
