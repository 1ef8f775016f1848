package auth0_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/driftwatch/driftwatch/diff"
	"github.com/driftwatch/driftwatch/providers/auth0"
	"github.com/driftwatch/driftwatch/providers/providertest"
	"github.com/driftwatch/driftwatch/watcher"
)

// deprecatedDoc depends on most of the deprecations the data file knows.
const deprecatedDoc = `{
 "tenant": {"sandbox_version": "16", "flags": {"allow_legacy_ro_grant_types": true, "enable_legacy_profile": true, "enable_idtoken_api2": false}},
 "clients": {
  "Acme CLI": {"client_id": "c1", "app_type": "native", "is_first_party": true,
    "callbacks": ["com.acme.cli://callback", "http://localhost:8080/cb", "https://cli.acme.com/done"]},
  "Acme Desktop": {"client_id": "c2", "app_type": "native", "is_first_party": true,
    "callbacks": ["http://127.0.0.1:5000/cb"], "skip_non_verifiable_callback_uri_confirmation_prompt": true},
  "Old Portal": {"client_id": "c3", "is_first_party": true, "grant_types": ["http://auth0.com/oauth/legacy/grant-type/ro", "implicit"]},
  "Partner": {"client_id": "c4", "is_first_party": false, "third_party_security_mode": "permissive",
    "grant_types": ["implicit", "authorization_code"]},
  "Strict Partner": {"client_id": "c5", "is_first_party": false, "third_party_security_mode": "strict", "grant_types": ["authorization_code"]}
 },
 "connections": {}, "resource_servers": {},
 "actions": {
  "enrich-profile": {"runtime": "node16", "deployed_version": {"runtime": "node16"}},
  "beta": {"runtime": "node18"},
  "redeployed": {"runtime": "node22", "deployed_version": {"runtime": "node12"}},
  "modern": {"runtime": "node22", "deployed_version": {"runtime": "node22"}},
  "ga18": {"runtime": "node18-actions"}
 },
 "rules": {"add-claims": {"enabled": true}, "old": {"enabled": false}},
 "hooks": {"pre-register": {"enabled": true, "triggerId": "pre-user-registration"}}
}`

func TestDeprecationRules(t *testing.T) {
	_, doc := storedJSON(t, deprecatedDoc)
	w, b := watcher.Warning, watcher.Breaking
	// One finding per deprecation, listing every place that depends on it.
	all := []brief{
		{"auth0.deprecated_hooks", w, "/hooks", "hooks-eol", `Hooks end of life 2026-11-18: hook "pre-register" is still enabled`},
		{"auth0.deprecated_legacy_flag", w, "/tenant/flags/enable_legacy_profile", "legacy-profile", "Legacy user profile deprecated: tenant flag enable_legacy_profile is still on"},
		{"auth0.deprecated_legacy_grant", w, "/clients", "legacy-grant-types",
			`Legacy grant types deprecated since 2017-07-08: client "Old Portal" still allows the http://auth0.com/oauth/legacy/grant-type/ro grant`},
		{"auth0.deprecated_legacy_grant", w, "/tenant/flags", "legacy-grant-flags", "Legacy grant types deprecated since 2017-07-08: tenant flag allow_legacy_ro_grant_types is still on"},
		{"auth0.deprecated_non_verifiable_callback", w, "/clients", "non-verifiable-callbacks",
			`Non-verifiable callback URIs end of life 2026-04-28: client "Acme CLI" has 2 non-verifiable callback URL(s): com.acme.cli://callback, http://localhost:8080/cb`},
		{"auth0.deprecated_rules", w, "/rules", "rules-eol", `Rules end of life 2026-11-18: rule "add-claims" is still enabled`},
		{"auth0.deprecated_runtime", b, "/actions", "node12-node16-actions", `node12/node16 end of life 2025-08-15: 2 actions still depend on it ("enrich-profile", "redeployed")`},
		{"auth0.deprecated_runtime", w, "/actions", "node18-beta-actions", `node18 (beta runtime id) deprecated since 2023-09-11: action "beta" is on it but was never deployed`},
		{"auth0.deprecated_sandbox", b, "/tenant/sandbox_version", "node12-node16-sandbox",
			`Node 16 sandbox end of life 2025-08-15: tenant sandbox_version is still "16" (Rules, Hooks and custom database scripts run on it)`},
		{"auth0.deprecated_third_party_permissive", w, "/clients", "third-party-strict-mode",
			`Third-party strict mode end of life 2026-10-23: third-party client "Partner" is not in strict mode and uses the implicit grant`},
	}
	byRule := func(bs []brief) map[string][]brief {
		m := map[string][]brief{}
		for _, x := range bs {
			m[x.Rule] = append(m[x.Rule], x)
		}
		return m
	}
	fs := judge(t, auth0.RuleOptions{}, nil, doc, nil, now)
	if diff := cmp.Diff(byRule(all), byRule(briefs(fs))); diff != "" {
		t.Errorf("baseline findings at %s (-want +got):\n%s", now.Format(time.DateOnly), diff)
	}
	for _, f := range fs {
		if !strings.HasPrefix(f.URL, "https://") || !strings.Contains(f.Detail, "Sources:") {
			t.Errorf("%s: url %q; every deprecation links a public page", f.Title, f.URL)
		}
		if strings.Contains(f.Detail+f.Title, "AUTH0-FACTS") {
			t.Errorf("%s: an internal research id reaches the user", f.Title)
		}
	}

	// Severity follows the clock: before the end of life a warning, from
	// it on breaking — except third-party apps, which keep working.
	for _, c := range []struct {
		at   string
		rule string
		want watcher.Severity
	}{
		{"2025-08-14", "auth0.deprecated_runtime", w},
		{"2025-08-15", "auth0.deprecated_runtime", b},
		{"2026-11-17", "auth0.deprecated_rules", w},
		{"2026-11-18", "auth0.deprecated_rules", b},
		{"2026-04-27", "auth0.deprecated_non_verifiable_callback", w},
		{"2026-04-28", "auth0.deprecated_non_verifiable_callback", b},
		{"2026-10-22", "auth0.deprecated_third_party_permissive", w},
		{"2026-10-23", "auth0.deprecated_third_party_permissive", w},
		{"2027-06-01", "auth0.deprecated_third_party_permissive", w},
	} {
		at, _ := time.Parse(time.DateOnly, c.at)
		for _, f := range judge(t, auth0.RuleOptions{}, nil, doc, nil, at.Add(12*time.Hour), c.rule) {
			if f.Subject == "node18-beta-actions" {
				continue // no end of life announced: always a warning
			}
			if f.Severity != c.want || f.Category != watcher.ThirdParty {
				t.Errorf("%s at %s: %s %s, want %s third-party", f.Title, c.at, f.Severity, f.Category, c.want)
			}
		}
	}
}

// An action that cannot break a login when its runtime goes — never
// deployed, only a draft on the old runtime, or bound to no trigger — is a
// warning after the end of life, not breaking.
func TestDeprecatedRuntimeIdleActions(t *testing.T) {
	cases := []struct {
		name, actions string
		want          watcher.Severity
	}{
		{"deployed and bound", `{"a": {"runtime": "node16", "supported_triggers": [{"id": "post-login", "version": "v3"}],
			"deployed_version": {"runtime": "node16", "deployed": true}}}`, watcher.Breaking},
		{"never deployed", `{"a": {"runtime": "node16", "supported_triggers": [{"id": "post-login", "version": "v2"}]}}`, watcher.Warning},
		{"draft only, deployed on node22", `{"a": {"runtime": "node16", "supported_triggers": [{"id": "post-login", "version": "v3"}],
			"deployed_version": {"runtime": "node22", "deployed": true}}}`, watcher.Warning},
		{"no trigger", `{"a": {"runtime": "node16", "supported_triggers": [], "deployed_version": {"runtime": "node16", "deployed": true}}}`, watcher.Warning},
		{"one idle, one live", `{"a": {"runtime": "node16"}, "b": {"runtime": "node12", "supported_triggers": [{"id": "post-login", "version": "v3"}],
			"deployed_version": {"runtime": "node12", "deployed": true}}}`, watcher.Breaking},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, doc := storedJSON(t, `{"tenant": {}, "clients": {}, "connections": {}, "resource_servers": {}, "actions": `+c.actions+`}`)
			fs := judge(t, auth0.RuleOptions{}, nil, doc, nil, now, "auth0.deprecated_runtime")
			if len(fs) != 1 || fs[0].Severity != c.want {
				t.Fatalf("findings %v; want one %s", briefs(fs), c.want)
			}
		})
	}
}

// A callback written without a scheme is judged by its host: loopback is
// non-verifiable, any other host is not (it is not a custom scheme).
func TestNonVerifiableCallbackWithoutScheme(t *testing.T) {
	_, doc := storedJSON(t, `{"tenant": {}, "connections": {}, "resource_servers": {}, "clients": {
		"Web": {"client_id": "w", "callbacks": ["app.acme.com/callback", "app.acme.com:8443/callback", "https://app.acme.com/cb"]},
		"CLI": {"client_id": "c", "callbacks": ["localhost:3000/callback", "com.acme.app:/oauth2redirect", "127.0.0.1/cb"]}}}`)
	fs := judge(t, auth0.RuleOptions{}, nil, doc, nil, now, "auth0.deprecated_non_verifiable_callback")
	want := `Non-verifiable callback URIs end of life 2026-04-28: client "CLI" has 3 non-verifiable callback URL(s): 127.0.0.1/cb, com.acme.app:/oauth2redirect, localhost:3000/callback`
	if len(fs) != 1 || fs[0].Title != want {
		t.Errorf("findings %v;\nwant one: %s", briefs(fs), want)
	}
}

func TestDeprecationOptOutsAndFixes(t *testing.T) {
	_, doc := storedJSON(t, strings.NewReplacer(
		`"sandbox_version": "16"`, `"sandbox_version": "22", "skip_non_verifiable_callback_uri_confirmation_prompt": true`,
		`"node16"`, `"node22"`,
	).Replace(deprecatedDoc))
	for _, f := range judge(t, auth0.RuleOptions{}, nil, doc, nil, now, "auth0.deprecated_non_verifiable_callback", "auth0.deprecated_sandbox") {
		t.Errorf("unexpected finding: %s", f.Title)
	}
	for _, f := range judge(t, auth0.RuleOptions{}, nil, doc, nil, now, "auth0.deprecated_runtime") {
		if strings.Contains(f.Title+f.Detail, "enrich-profile") {
			t.Errorf("fixed action still reported: %s", f.Title)
		}
	}
}

// On the recorded tenant, one deprecation across many clients or actions
// is one finding naming them, not one finding each.
func TestDeprecationsOnTheRecordedTenant(t *testing.T) {
	sim := newSim(t, providertest.Auth0Options{})
	_, doc := stored(t, fetch(t, newProvider(t, sim, nil), watcher.FetchState{}).Doc)
	fs := judge(t, auth0.RuleOptions{}, nil, doc, nil, now)
	subjects := map[string]watcher.Finding{}
	for _, f := range fs {
		if _, dup := subjects[f.Subject]; dup {
			t.Errorf("deprecation %s makes more than one finding", f.Subject)
		}
		subjects[f.Subject] = f
		if strings.Contains(f.Title, "Acme Web") {
			t.Errorf("the clean demo client is reported: %s", f.Title)
		}
	}
	for id, want := range map[string][]string{
		// The node16 action was never deployed (status "building").
		"node12-node16-actions":    {`action "Test Action (Jan 25 18:41:53.270)" is on it but was never deployed`},
		"node18-beta-actions":      {`"Custom Email Provider"`, "actions still depend on it"},
		"legacy-grant-flags":       {"tenant flag allow_legacy_ro_grant_types is still on"},
		"non-verifiable-callbacks": {"clients still depend on it", `client "My App" has 2 non-verifiable callback URL(s): http://localhost:3000/callback, http://localhost:8484`},
		"third-party-strict-mode":  {`third-party client "Acceptance Test 2 - TestAccDataClients" is not in strict mode and uses the implicit grant`},
	} {
		f, ok := subjects[id]
		if !ok {
			t.Errorf("no finding for %s", id)
			continue
		}
		for _, w := range want {
			if !strings.Contains(f.Title+"\n"+f.Detail, w) {
				t.Errorf("%s: %q lacks %q", id, f.Title, w)
			}
		}
	}
	if f := subjects["node12-node16-actions"]; f.Severity != watcher.Warning {
		t.Errorf("an action never deployed is %s after the end of life, want warning", f.Severity)
	}
	if f := subjects["third-party-strict-mode"]; f.Severity != watcher.Warning {
		t.Errorf("third-party apps not in strict mode are %s after 2026-10-23, want warning", f.Severity)
	}
}

// storedJSON decodes a JSON document and returns it as stored.
func storedJSON(tb testing.TB, s string) ([]byte, any) {
	tb.Helper()
	v, err := diff.Decode([]byte(s))
	if err != nil {
		tb.Fatal(err)
	}
	return stored(tb, v)
}
