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
	all := []brief{
		{"auth0.deprecated_hooks", w, "/hooks/pre-register/enabled", "", `Hooks end of life 2026-11-18: hook "pre-register" is still enabled`},
		{"auth0.deprecated_legacy_flag", w, "/tenant/flags/enable_legacy_profile", "", "Legacy user profile deprecated: tenant flag enable_legacy_profile is still on"},
		{"auth0.deprecated_legacy_grant", w, "/clients/Old Portal/grant_types", "http://auth0.com/oauth/legacy/grant-type/ro",
			`Legacy grant types deprecated since 2017-07-08: client "Old Portal" still allows http://auth0.com/oauth/legacy/grant-type/ro`},
		{"auth0.deprecated_legacy_grant", w, "/tenant/flags/allow_legacy_ro_grant_types", "", "Legacy grant types deprecated since 2017-07-08: tenant flag allow_legacy_ro_grant_types is still on"},
		{"auth0.deprecated_non_verifiable_callback", w, "/clients/Acme CLI/callbacks", "",
			`Non-verifiable callback URIs end of life 2026-04-28: client "Acme CLI" has 2 non-verifiable callback URL(s): com.acme.cli://callback, http://localhost:8080/cb`},
		{"auth0.deprecated_rules", w, "/rules/add-claims/enabled", "", `Rules end of life 2026-11-18: rule "add-claims" is still enabled`},
		{"auth0.deprecated_runtime", b, "/actions/enrich-profile/runtime", "node16", `node16 end of life 2025-08-15: action "enrich-profile" still runs on it`},
		{"auth0.deprecated_runtime", b, "/actions/redeployed/deployed_version/runtime", "node12", `node12 end of life 2025-08-15: action "redeployed" still has its deployed version on it`},
		{"auth0.deprecated_runtime", w, "/actions/beta/runtime", "node18", `node18 (beta runtime id) deprecated since 2023-09-11: action "beta" still runs on it`},
		{"auth0.deprecated_sandbox", b, "/tenant/sandbox_version", "16",
			`Node 16 sandbox end of life 2025-08-15: tenant sandbox_version is still "16" (Rules, Hooks and custom database scripts run on it)`},
		{"auth0.deprecated_third_party_permissive", w, "/clients/Partner/third_party_security_mode", "",
			`Third-party strict mode end of life 2026-10-23: third-party client "Partner" is not in strict mode and uses implicit`},
	}
	byRule := func(bs []brief) map[string][]brief {
		m := map[string][]brief{}
		for _, x := range bs {
			m[x.Rule] = append(m[x.Rule], x)
		}
		return m
	}
	got := byRule(briefs(judge(t, auth0.RuleOptions{}, nil, doc, nil, now)))
	if diff := cmp.Diff(byRule(all), got); diff != "" {
		t.Errorf("baseline findings at %s (-want +got):\n%s", now.Format(time.DateOnly), diff)
	}

	// Severity follows the clock: before the end of life a warning, from
	// it on breaking.
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
	} {
		at, _ := time.Parse(time.DateOnly, c.at)
		for _, f := range judge(t, auth0.RuleOptions{}, nil, doc, nil, at.Add(12*time.Hour), c.rule) {
			if f.Rule == "auth0.deprecated_runtime" && f.Subject == "node18" {
				continue // no end of life announced: always a warning
			}
			if f.Severity != c.want || f.Category != watcher.ThirdParty {
				t.Errorf("%s at %s: %s %s, want %s third-party", f.Title, c.at, f.Severity, f.Category, c.want)
			}
		}
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
		if strings.Contains(f.Title, "enrich-profile") {
			t.Errorf("fixed action still reported: %s", f.Title)
		}
	}
}

func TestDeprecationsOnTheRecordedTenant(t *testing.T) {
	sim := newSim(t, providertest.Auth0Options{})
	_, doc := stored(t, fetch(t, newProvider(t, sim, nil), watcher.FetchState{}).Doc)
	titles := map[string]bool{}
	for _, f := range judge(t, auth0.RuleOptions{}, nil, doc, nil, now) {
		titles[f.Title] = true
	}
	for _, want := range []string{
		`node16 end of life 2025-08-15: action "Test Action (Jan 25 18:41:53.270)" still runs on it`,
		`node18 (beta runtime id) deprecated since 2023-09-11: action "Custom Email Provider" still runs on it`,
		"Legacy grant types deprecated since 2017-07-08: tenant flag allow_legacy_ro_grant_types is still on",
		`Non-verifiable callback URIs end of life 2026-04-28: client "My App" has 2 non-verifiable callback URL(s): http://localhost:3000/callback, http://localhost:8484`,
		`Third-party strict mode end of life 2026-10-23: third-party client "Acceptance Test 2 - TestAccDataClients" is not in strict mode and uses implicit`,
	} {
		if !titles[want] {
			t.Errorf("missing finding %q", want)
		}
	}
	for title := range titles {
		if strings.Contains(title, "Acme Web") {
			t.Errorf("the clean demo client is reported: %s", title)
		}
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
