package auth0_test

import (
	"testing"

	"github.com/driftwatch/driftwatch/providers/auth0"
	"github.com/driftwatch/driftwatch/watcher"
)

func TestDashboard(t *testing.T) {
	for domain, want := range map[string]string{
		"acme.eu.auth0.com": "https://manage.auth0.com/dashboard/eu/acme",
		"acme.auth0.com":    "https://manage.auth0.com/dashboard/us/acme",
		"acme.us.auth0.com": "https://manage.auth0.com/dashboard/us/acme",
		"ACME.AU.auth0.com": "https://manage.auth0.com/dashboard/au/acme",
		"login.acme.com":    "", // a custom domain names no tenant
		"auth0.com":         "",
	} {
		if got := auth0.Dashboard(domain); got != want {
			t.Errorf("Dashboard(%q) = %q, want %q", domain, got, want)
		}
	}
}

// Findings link the Dashboard page of their client (found by client_id,
// in the old document when the client is gone), API or tenant; a custom
// domain falls back to the public docs page.
func TestLinks(t *testing.T) {
	_, doc := storedJSON(t, `{"tenant": {}, "clients": {"Acme Web": {"client_id": "c1"}},
		"client_grants": {"Acme Web → https://api.acme.com": {"client_id": "c1"}},
		"resource_servers": {"https://api.acme.com": {"id": "rs1"}}, "actions": {"a": {"id": "act1"}}}`)
	_, old := storedJSON(t, `{"tenant": {}, "clients": {"Gone": {"client_id": "g1"}}}`)
	j := &watcher.Judgement{Old: old, New: doc}
	for path, want := range map[string]string{
		"/clients/Acme Web/callbacks": "https://manage.auth0.com/dashboard/eu/acme/applications/c1/settings",
		"/clients/Gone":               "https://manage.auth0.com/dashboard/eu/acme/applications/g1/settings",
		"/clients":                    "https://manage.auth0.com/dashboard/eu/acme/applications",
		"/resource_servers/https:~1~1api.acme.com":               "https://manage.auth0.com/dashboard/eu/acme/apis/rs1/settings",
		"/actions/a/runtime":                                     "https://manage.auth0.com/dashboard/eu/acme/actions/library/details/act1",
		"/tenant/flags/enable_sso":                               "https://manage.auth0.com/dashboard/eu/acme/tenant/general",
		"/client_grants/Acme Web → https:~1~1api.acme.com/scope": "https://manage.auth0.com/dashboard/eu/acme/applications/c1/apis",
		"/trigger_bindings/post-login":                           "https://manage.auth0.com/dashboard/eu/acme/actions/triggers/post-login",
		"/attack_protection/brute_force_protection/enabled":      "https://manage.auth0.com/dashboard/eu/acme/security/attack-protection/brute-force-protection",
		"/custom_domains/login.acme.com/status":                  "https://manage.auth0.com/dashboard/eu/acme/tenant/custom_domains",
		"/log_streams/SIEM/status":                               "https://manage.auth0.com/dashboard/eu/acme/log-streams",
		"/guardian_factors/sms/enabled":                          "https://manage.auth0.com/dashboard/eu/acme/security/mfa",
		"/signing_keys":                                          "https://manage.auth0.com/dashboard/eu/acme/tenant/signing_keys",
	} {
		f := watcher.Finding{Path: path}
		auth0.Link("acme.eu.auth0.com")(j, &f)
		if f.URL != want {
			t.Errorf("%s: url %q, want %q", path, f.URL, want)
		}
	}
	// A deprecation keeps its docs page first; the dashboard comes after.
	f := watcher.Finding{Path: "/clients", URL: "https://auth0.com/docs/x"}
	auth0.Link("acme.eu.auth0.com")(j, &f)
	if f.URL != "https://auth0.com/docs/x" || len(f.Links) != 1 {
		t.Errorf("deprecation links: %q %v", f.URL, f.Links)
	}
	f = watcher.Finding{Path: "/clients/Acme Web/callbacks"}
	auth0.Link("login.acme.com")(j, &f)
	if f.URL != "https://auth0.com/docs/get-started/applications/application-settings" {
		t.Errorf("custom domain: %q", f.URL)
	}
}

// TestConnectionFindingLinksTheConnectionsPage: a finding about a
// connection (a client no longer enabled on it) links the connection's
// Dashboard page, by its kind, not the Dashboard's root.
func TestConnectionFindingLinksTheConnectionsPage(t *testing.T) {
	_, doc := storedJSON(t, `{"connections": {
		"Username-Password-Authentication": {"id": "con_db1", "strategy": "auth0"},
		"github": {"id": "con_gh1", "strategy": "github"},
		"Acme SAML": {"id": "con_saml1", "strategy": "samlp"},
		"email": {"id": "con_em1", "strategy": "email"}}}`)
	j := &watcher.Judgement{New: doc}
	for path, want := range map[string]string{
		"/connections/Username-Password-Authentication/enabled_clients": "https://manage.auth0.com/dashboard/eu/acme/connections/database/con_db1/settings",
		"/connections/github/enabled_clients":                           "https://manage.auth0.com/dashboard/eu/acme/connections/social/con_gh1/settings",
		"/connections/Acme SAML/enabled_clients":                        "https://manage.auth0.com/dashboard/eu/acme/connections/enterprise",
		"/connections/email/enabled_clients":                            "https://manage.auth0.com/dashboard/eu/acme/connections/passwordless",
	} {
		f := watcher.Finding{Rule: auth0.RuleConnectionClientRemoved, Path: path}
		auth0.Link("acme.eu.auth0.com")(j, &f)
		if f.URL != want {
			t.Errorf("%s: url %q, want %q", path, f.URL, want)
		}
	}
}
