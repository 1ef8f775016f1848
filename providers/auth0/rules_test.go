package auth0_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/driftwatch/driftwatch/diff"
	"github.com/driftwatch/driftwatch/providers/auth0"
	"github.com/driftwatch/driftwatch/watcher"
)

// baseDoc is a small tenant document in the shape Fetch builds.
const baseDoc = `{
 "tenant": {"allowed_logout_urls": ["https://acme.com/bye"], "session_lifetime": 720, "idle_session_lifetime": 72,
   "flags": {"allow_legacy_ro_grant_types": true, "enable_sso": true}, "sandbox_version": "22"},
 "clients": {
  "Acme Web": {"client_id": "c1", "app_type": "regular_web", "is_first_party": true, "oidc_conformant": true,
    "callbacks": ["https://app.acme.com/callback", "https://staging.acme.com/callback"],
    "allowed_logout_urls": ["https://app.acme.com/"], "web_origins": ["https://app.acme.com"],
    "allowed_origins": ["https://app.acme.com"], "grant_types": ["authorization_code", "refresh_token"],
    "token_endpoint_auth_method": "client_secret_post", "jwt_configuration": {"alg": "RS256", "lifetime_in_seconds": 36000},
    "cross_origin_authentication": false, "refresh_token": {"rotation_type": "rotating"}},
  "Acme CLI": {"client_id": "c2", "app_type": "native", "is_first_party": true,
    "callbacks": ["https://cli.acme.com/done"], "grant_types": ["authorization_code", "urn:ietf:params:oauth:grant-type:device_code"]}
 },
 "connections": {"google-oauth2": {"strategy": "google-oauth2", "enabled_clients": ["Acme CLI", "Acme Web"]}},
 "resource_servers": {"https://api.acme.com": {"name": "Acme API",
   "scopes": {"read:orders": {"description": "Read orders"}, "write:orders": {"description": "Write orders"}}}},
 "actions": {}, "rules": {}, "hooks": {}
}`

// docWith decodes baseDoc, applies edits and returns it as stored.
func docWith(tb testing.TB, edits ...func(d map[string]any)) any {
	tb.Helper()
	v, err := diff.Decode([]byte(baseDoc))
	if err != nil {
		tb.Fatal(err)
	}
	for _, e := range edits {
		e(v.(map[string]any))
	}
	_, doc := stored(tb, v)
	return doc
}

func at(d map[string]any, segs ...string) map[string]any {
	v, _ := diff.GetSegments(d, segs)
	return v.(map[string]any)
}

func set(key string, v any, segs ...string) func(map[string]any) {
	return func(d map[string]any) { at(d, segs...)[key] = v }
}

func del(key string, segs ...string) func(map[string]any) {
	return func(d map[string]any) { delete(at(d, segs...), key) }
}

func list(ss ...string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// brief is what a table test compares of a finding.
type brief struct {
	Rule     string
	Severity watcher.Severity
	Path     string
	Subject  string
	Title    string
}

func briefs(fs []watcher.Finding) []brief {
	var out []brief
	for _, f := range fs {
		out = append(out, brief{f.Rule, f.Severity, f.Path, f.Subject, f.Title})
	}
	return out
}

var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func TestChangeRules(t *testing.T) {
	web := []string{"clients", "Acme Web"}
	expectCallback := auth0.RuleOptions{Expected: func(path, value string) bool {
		return path == "/clients/Acme Web/callbacks" && value == "https://app.acme.com/callback"
	}}
	cases := []struct {
		name  string
		opt   auth0.RuleOptions
		edits []func(map[string]any)
		want  []brief
	}{
		{"callback removed", auth0.RuleOptions{},
			[]func(map[string]any){set("callbacks", list("https://staging.acme.com/callback"), web...)},
			[]brief{{auth0.RuleURLRemoved, watcher.Warning, "/clients/Acme Web/callbacks", "https://app.acme.com/callback",
				`Callback URL https://app.acme.com/callback removed from client "Acme Web"`}}},
		{"expected callback removed is breaking", expectCallback,
			[]func(map[string]any){set("callbacks", list("https://staging.acme.com/callback"), web...)},
			[]brief{{auth0.RuleURLRemoved, watcher.Breaking, "/clients/Acme Web/callbacks", "https://app.acme.com/callback",
				`Callback URL https://app.acme.com/callback removed from client "Acme Web"`}}},
		{"tenant logout URL removed", auth0.RuleOptions{},
			[]func(map[string]any){set("allowed_logout_urls", list(), "tenant")},
			[]brief{{auth0.RuleURLRemoved, watcher.Warning, "/tenant/allowed_logout_urls", "https://acme.com/bye",
				"Allowed logout URL https://acme.com/bye removed from tenant settings"}}},
		{"web origins key gone", auth0.RuleOptions{},
			[]func(map[string]any){del("web_origins", web...)},
			[]brief{{auth0.RuleURLRemoved, watcher.Warning, "/clients/Acme Web/web_origins", "https://app.acme.com",
				`Allowed web origin https://app.acme.com removed from client "Acme Web"`}}},
		{"URL added is no finding", auth0.RuleOptions{},
			[]func(map[string]any){set("callbacks", list("https://app.acme.com/callback", "https://staging.acme.com/callback", "https://new.acme.com/cb"), web...)},
			nil},
		{"grant removed", auth0.RuleOptions{},
			[]func(map[string]any){set("grant_types", list("authorization_code"), web...)},
			[]brief{{auth0.RuleGrantRemoved, watcher.Breaking, "/clients/Acme Web/grant_types", "refresh_token",
				`Grant type refresh_token removed from client "Acme Web"`}}},
		{"auth method changed", auth0.RuleOptions{},
			[]func(map[string]any){set("token_endpoint_auth_method", "none", web...)},
			[]brief{{auth0.RuleAuthMethodChanged, watcher.Breaking, "/clients/Acme Web/token_endpoint_auth_method", "",
				`Client "Acme Web" token endpoint auth method changed from client_secret_post to none`}}},
		{"auth method replaced by client_authentication_methods", auth0.RuleOptions{},
			[]func(map[string]any){del("token_endpoint_auth_method", web...),
				set("client_authentication_methods", map[string]any{"private_key_jwt": map[string]any{"credentials": list()}}, web...)},
			[]brief{{auth0.RuleAuthMethodChanged, watcher.Breaking, "/clients/Acme Web/token_endpoint_auth_method", "",
				`Client "Acme Web" token endpoint auth method changed from client_secret_post to (not set)`}}},
		{"auth method unset is Auth0's default", auth0.RuleOptions{},
			[]func(map[string]any){del("token_endpoint_auth_method", web...)}, nil},
		{"auth method set explicitly to another than the default", auth0.RuleOptions{},
			[]func(map[string]any){set("token_endpoint_auth_method", "client_secret_basic", "clients", "Acme CLI")},
			[]brief{{auth0.RuleAuthMethodChanged, watcher.Breaking, "/clients/Acme CLI/token_endpoint_auth_method", "",
				`Client "Acme CLI" token endpoint auth method changed from (not set) to client_secret_basic`}}},
		{"auth method set explicitly to the default", auth0.RuleOptions{},
			[]func(map[string]any){set("token_endpoint_auth_method", "none", "clients", "Acme CLI")}, nil},
		{"signing algorithm changed", auth0.RuleOptions{},
			[]func(map[string]any){set("alg", "HS256", "clients", "Acme Web", "jwt_configuration")},
			[]brief{{auth0.RuleSigningAlgChanged, watcher.Breaking, "/clients/Acme Web/jwt_configuration/alg", "",
				`Client "Acme Web" signing algorithm changed from RS256 to HS256`}}},
		{"client settings changed", auth0.RuleOptions{},
			[]func(map[string]any){set("rotation_type", "non-rotating", "clients", "Acme Web", "refresh_token"), set("oidc_conformant", false, web...)},
			[]brief{
				{auth0.RuleClientSettingChanged, watcher.Warning, "/clients/Acme Web/oidc_conformant", "",
					`Client "Acme Web" setting oidc_conformant changed from true to false`},
				{auth0.RuleClientSettingChanged, watcher.Warning, "/clients/Acme Web/refresh_token/rotation_type", "",
					`Client "Acme Web" setting refresh_token.rotation_type changed from rotating to non-rotating`}}},
		{"token lifetime change is no finding", auth0.RuleOptions{},
			[]func(map[string]any){set("lifetime_in_seconds", json.Number("600"), "clients", "Acme Web", "jwt_configuration")},
			nil},
		{"client removed: one finding, not one per URL", auth0.RuleOptions{},
			[]func(map[string]any){del("Acme CLI", "clients"), set("enabled_clients", list("Acme Web"), "connections", "google-oauth2")},
			[]brief{{auth0.RuleClientRemoved, watcher.Warning, "/clients/Acme CLI", "", `Client "Acme CLI" removed`}}},
		{"client renamed", auth0.RuleOptions{},
			[]func(map[string]any){
				func(d map[string]any) { at(d, "clients")["Acme Terminal"] = at(d, "clients")["Acme CLI"] },
				del("Acme CLI", "clients"), set("enabled_clients", list("Acme Terminal", "Acme Web"), "connections", "google-oauth2")},
			[]brief{{auth0.RuleClientRemoved, watcher.Warning, "/clients/Acme CLI", "", `Client "Acme CLI" renamed to "Acme Terminal"`}}},
		{"client disabled on a connection", auth0.RuleOptions{},
			[]func(map[string]any){set("enabled_clients", list("Acme Web"), "connections", "google-oauth2")},
			[]brief{{auth0.RuleConnectionClientRemoved, watcher.Warning, "/connections/google-oauth2/enabled_clients", "Acme CLI",
				`Client "Acme CLI" no longer enabled on connection "google-oauth2"`}}},
		{"connection removed", auth0.RuleOptions{},
			[]func(map[string]any){del("google-oauth2", "connections")},
			[]brief{{auth0.RuleConnectionRemoved, watcher.Warning, "/connections/google-oauth2", "", `Connection "google-oauth2" removed`}}},
		{"scope removed", auth0.RuleOptions{},
			[]func(map[string]any){del("write:orders", "resource_servers", "https://api.acme.com", "scopes")},
			[]brief{{auth0.RuleScopeRemoved, watcher.Warning, "/resource_servers/https:~1~1api.acme.com/scopes/write:orders", "write:orders",
				`Scope write:orders removed from API "https://api.acme.com"`}}},
		{"API removed", auth0.RuleOptions{},
			[]func(map[string]any){del("https://api.acme.com", "resource_servers")},
			[]brief{{auth0.RuleResourceServerRemoved, watcher.Warning, "/resource_servers/https:~1~1api.acme.com", "",
				`API "Acme API" (https://api.acme.com) removed`}}},
		{"session lifetime shortened", auth0.RuleOptions{},
			[]func(map[string]any){set("session_lifetime", json.Number("168"), "tenant"), set("idle_session_lifetime", json.Number("96"), "tenant")},
			[]brief{{auth0.RuleSessionLifetimeShortened, watcher.Warning, "/tenant/session_lifetime", "",
				"Tenant session_lifetime shortened from 720 to 168 hours"}}},
		{"legacy flag turned off is breaking", auth0.RuleOptions{},
			[]func(map[string]any){set("allow_legacy_ro_grant_types", false, "tenant", "flags")},
			[]brief{{auth0.RuleTenantFlagChanged, watcher.Breaking, "/tenant/flags/allow_legacy_ro_grant_types", "",
				"Tenant flag allow_legacy_ro_grant_types changed from true to false (legacy Resource Owner grant, /oauth/ro)"}}},
		{"other flag changed", auth0.RuleOptions{},
			[]func(map[string]any){set("enable_sso", false, "tenant", "flags"), set("dashboard_new_onboarding", false, "tenant", "flags")},
			[]brief{{auth0.RuleTenantFlagChanged, watcher.Warning, "/tenant/flags/enable_sso", "",
				"Tenant flag enable_sso changed from true to false"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			old := docWith(t)
			new := docWith(t, c.edits...)
			got := briefs(judge(t, c.opt, old, new, nil, now, configurationRules()...))
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
			// The same change on a baseline is silent.
			if fs := judge(t, c.opt, nil, new, nil, now, configurationRules()...); len(fs) != 0 {
				t.Errorf("baseline raised %v", briefs(fs))
			}
		})
	}
}

// TestChangeFindingsCarryForward runs polls in sequence, feeding each
// poll's findings back as open, and checks when they resolve.
func TestChangeFindingsCarryForward(t *testing.T) {
	web := []string{"clients", "Acme Web"}
	polls := []struct {
		name  string
		edits []func(map[string]any)
		want  []string // titles
	}{
		{"baseline", nil, nil},
		{"callback removed, alg changed, lifetime shortened", []func(map[string]any){
			set("callbacks", list("https://staging.acme.com/callback"), web...),
			set("alg", "HS256", "clients", "Acme Web", "jwt_configuration"),
			set("session_lifetime", json.Number("168"), "tenant"),
		}, []string{
			`Callback URL https://app.acme.com/callback removed from client "Acme Web"`,
			`Client "Acme Web" signing algorithm changed from RS256 to HS256`,
			"Tenant session_lifetime shortened from 720 to 168 hours",
		}},
		{"unchanged: all carried", []func(map[string]any){
			set("callbacks", list("https://staging.acme.com/callback"), web...),
			set("alg", "HS256", "clients", "Acme Web", "jwt_configuration"),
			set("session_lifetime", json.Number("168"), "tenant"),
		}, []string{
			`Callback URL https://app.acme.com/callback removed from client "Acme Web"`,
			`Client "Acme Web" signing algorithm changed from RS256 to HS256`,
			"Tenant session_lifetime shortened from 720 to 168 hours",
		}},
		{"moved on but not back: carried with the new value", []func(map[string]any){
			set("callbacks", list("https://staging.acme.com/callback"), web...),
			set("alg", "PS256", "clients", "Acme Web", "jwt_configuration"),
			set("session_lifetime", json.Number("500"), "tenant"),
		}, []string{
			`Callback URL https://app.acme.com/callback removed from client "Acme Web"`,
			`Client "Acme Web" signing algorithm changed from RS256 to PS256`,
			"Tenant session_lifetime shortened from 720 to 500 hours",
		}},
		{"undone: all resolve", nil, nil},
		{"client removed", []func(map[string]any){del("Acme CLI", "clients")}, []string{`Client "Acme CLI" removed`}},
		{"still gone", []func(map[string]any){del("Acme CLI", "clients")}, []string{`Client "Acme CLI" removed`}},
		{"back", nil, nil},
	}
	var prev any
	var open []watcher.Finding
	for i, p := range polls {
		doc := docWith(t, p.edits...)
		fs := judge(t, auth0.RuleOptions{}, prev, doc, open, now, configurationRules()...)
		var titles []string
		for _, f := range fs {
			titles = append(titles, f.Title)
		}
		if diff := cmp.Diff(p.want, titles); diff != "" {
			t.Fatalf("poll %d (%s) titles (-want +got):\n%s", i, p.name, diff)
		}
		for _, f := range fs {
			if f.Detail == "" {
				t.Errorf("poll %d: %q has no detail", i, f.Title)
			}
		}
		prev, open = doc, fs
	}
}

func TestURLFindingLeavesWithItsClient(t *testing.T) {
	old := docWith(t)
	removed := docWith(t, set("callbacks", list(), "clients", "Acme CLI"))
	open := judge(t, auth0.RuleOptions{}, old, removed, nil, now, auth0.RuleURLRemoved)
	if len(open) != 1 {
		t.Fatalf("findings = %v", briefs(open))
	}
	gone := docWith(t, del("Acme CLI", "clients"))
	got := briefs(judge(t, auth0.RuleOptions{}, removed, gone, open, now, configurationRules()...))
	want := []brief{{auth0.RuleClientRemoved, watcher.Warning, "/clients/Acme CLI", "", `Client "Acme CLI" removed`}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
