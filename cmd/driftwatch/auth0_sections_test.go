package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/driftwatch/driftwatch/diff"
	"github.com/driftwatch/driftwatch/providers/providertest"
)

// TestAuth0WideTenantEndToEnd polls the simulated tenant with every
// optional section twice over the binary, with a grant, a binding, a log
// stream, a custom domain, attack protection, the login experience, an MFA
// factor and the signing key changing between, and a scope withheld.
func TestAuth0WideTenantEndToEnd(t *testing.T) {
	sim := providertest.NewAuth0(providertest.Auth0Options{})
	defer sim.Close()
	c := auth0CLI(t, sim, false)

	c.mustRun(0, "poll")
	base := decode[findingsJSON](t, c.mustRun(0, "findings", "--format", "json").stdout).Findings
	ack := []string{"ack", "--note", "known platform deprecations"}
	for _, f := range base {
		if !strings.HasPrefix(f.Rule, "auth0.deprecated_") {
			t.Errorf("baseline finding %s: %s", f.Rule, f.Title)
		}
		ack = append(ack, itoa(f.ID))
	}
	c.mustRun(0, ack...)
	c.mustRun(0, "check")
	show := c.mustRun(0, "show", "auth0-prod").stdout
	for _, section := range []string{"client_grants", "trigger_bindings", "custom_domains", "log_streams", "attack_protection",
		"signing_keys", "organizations", "prompts", "branding", "email_provider", "guardian_factors"} {
		if !strings.Contains(show, `"`+section+`"`) {
			t.Errorf("show lacks the %s section", section)
		}
	}

	var grantScope string
	sim.Mutate(func(tn *providertest.Auth0Tenant) {
		g := tn.ClientGrants[0]
		grantScope = g["scope"].([]any)[0].(string)
		tn.RemoveString(g, "scope", grantScope)
		tn.Unbind("post-login", "Test Trigger Binding Bar TestAccTriggerActions")
		tn.LogStreams[1]["status"] = "suspended"
		tn.CustomDomains[0]["status"], tn.CustomDomains[0]["primary"] = "failed", true
		tn.AttackProtection["suspicious-ip-throttling"]["enabled"] = false
		tn.Prompts["universal_login_experience"] = "classic"
		tn.GuardianFactors[0]["enabled"] = false
		for _, k := range tn.SigningKeys {
			k["current"], k["next"] = k["next"], k["current"]
		}
		tn.Withheld["read:organizations"] = true
	})
	r := c.mustRun(0, "poll")
	fs := decode[findingsJSON](t, c.mustRun(0, "findings", "--format", "json").stdout).Findings
	rules := map[string]findingJSON{}
	for _, f := range fs {
		rules[f.Rule] = f
	}
	for rule, want := range map[string]struct{ severity, category, title string }{
		"auth0.client_grant_scope_removed":         {"warning", "configuration", grantScope},
		"auth0.action_unbound":                     {"warning", "configuration", "post-login"},
		"auth0.log_stream_stopped":                 {"warning", "infrastructure", "suspended"},
		"auth0.custom_domain_not_ready":            {"breaking", "infrastructure", "failed"},
		"auth0.attack_protection_off":              {"warning", "configuration", "Suspicious IP throttling"},
		"auth0.login_experience_changed":           {"warning", "configuration", "classic"},
		"auth0.mfa_factor_disabled":                {"warning", "configuration", "sms"},
		"auth0.signing_key_rotated":                {"info", "configuration", "222222222222222222222"},
		"auth0.scope_missing":                      {"warning", "configuration", "read:organizations"},
		"auth0.custom_domain_certificate_expiring": {},
	} {
		f, ok := rules[rule]
		if want.severity == "" {
			if ok {
				t.Errorf("%s: %s (the certificates renew in the future)", rule, f.Title)
			}
			continue
		}
		if !ok {
			t.Errorf("no %s finding; findings: %+v", rule, fs)
			continue
		}
		if f.Severity != want.severity || f.Category != want.category || !strings.Contains(f.Title, want.title) {
			t.Errorf("%s = %s/%s %q, want %s/%s and %q", rule, f.Severity, f.Category, f.Title, want.severity, want.category, want.title)
		}
		if f.Severity != "info" && !strings.Contains(r.stdout, f.Title) {
			t.Errorf("the notice of %s was not printed", rule)
		}
	}
	if !slices.ContainsFunc(fs, func(f findingJSON) bool { return f.Rule == "auth0.scope_missing" }) {
		t.Fatal("no scope_missing")
	}
	// The primary custom domain failing is breaking: the deploy gate stops.
	if cr := c.mustRun(1, "check"); !strings.Contains(cr.stdout, "Custom domain") {
		t.Errorf("check does not name the custom domain:\n%s", cr.stdout)
	}

	// The sinks' and email provider's credentials never reach the store.
	files, _ := filepath.Glob(filepath.Join(c.dir, "dw.db*"))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), providertest.Auth0SecretMarker) {
			t.Errorf("%s contains a simulated secret", filepath.Base(name))
		}
	}
}

// TestAuth0GrantScopeExpected: an [[expect]] naming a scope of a client
// grant (its key escaped as a JSON Pointer segment) makes the scope's
// removal breaking, and the pre-deploy check fails.
func TestAuth0GrantScopeExpected(t *testing.T) {
	sim := providertest.NewAuth0(providertest.Auth0Options{})
	defer sim.Close()
	var audience, scope string
	sim.Mutate(func(tn *providertest.Auth0Tenant) {
		g := tn.ClientGrants[0]
		audience, scope = g["audience"].(string), g["scope"].([]any)[0].(string)
	})
	path := diff.Pointer([]string{"client_grants", "Acme Web → " + audience, "scope"})
	c := auth0CLI(t, sim, false)
	c.writeConfig(auth0Config(sim, false) + `
[[expect]]
source = "auth0-prod"
path = "` + path + `"
contains = "` + scope + `"
note = "the back end calls the API with it"
`)
	c.mustRun(0, "poll")
	for _, f := range decode[findingsJSON](t, c.mustRun(0, "findings", "--format", "json").stdout).Findings {
		if !strings.HasPrefix(f.Rule, "auth0.deprecated_") {
			t.Errorf("baseline finding %s: %s", f.Rule, f.Title)
		}
	}
	sim.Mutate(func(tn *providertest.Auth0Tenant) { tn.RemoveString(tn.ClientGrants[0], "scope", scope) })
	c.mustRun(0, "poll")
	var hit []findingJSON
	for _, f := range decode[findingsJSON](t, c.mustRun(0, "findings", "--format", "json").stdout).Findings {
		if f.Path == path {
			hit = append(hit, f)
		}
	}
	if len(hit) != 1 || hit[0].Severity != "breaking" || !strings.Contains(hit[0].Title, scope) {
		t.Fatalf("findings at %s = %+v, want one breaking naming %s", path, hit, scope)
	}
	if cr := c.mustRun(1, "check"); !strings.Contains(cr.stdout, scope) {
		t.Errorf("check does not name the scope:\n%s", cr.stdout)
	}
}
