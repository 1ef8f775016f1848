package auth0_test

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/driftwatch/driftwatch/diff"
	"github.com/driftwatch/driftwatch/providers/auth0"
	"github.com/driftwatch/driftwatch/providers/providertest"
	"github.com/driftwatch/driftwatch/watcher"
)

// acmeID is the demo client's id in the simulated tenant.
const acmeID = "AcMeWeB5pLq0n7ZcV2xR8tY4uI6oP1aS"

// fetchStored fetches the tenant and returns the document as stored.
func fetchStored(tb testing.TB, p *auth0.Provider, last any) (string, map[string]any) {
	tb.Helper()
	res := fetch(tb, p, lastIs(last))
	b, doc := stored(tb, res.Doc)
	return string(b), doc.(map[string]any)
}

func TestSectionsFromTheSimulatedTenant(t *testing.T) {
	sim := newSim(t, providertest.Auth0Options{})
	var rsID string
	sim.Mutate(func(tn *providertest.Auth0Tenant) { rsID = tn.ClientGrants[0]["audience"].(string) })
	text, doc := fetchStored(t, newProvider(t, sim, nil), nil)

	for _, want := range [][]string{
		{"client_grants", "Acme Web → " + rsID, "client_id"},
		{"client_grants", "Acme Web → https://uat.tf.terraform-provider-auth0.com/client-grant/TestAccClientGrant (user)", "scope"},
		{"trigger_bindings", "post-login"},
		{"trigger_bindings", "credentials-exchange"},
		{"custom_domains", "mcd1.acmetest.org", "certificate", "renews_before"},
		{"log_streams", "Acceptance-Test-LogStream-http-TestAccLogStreamHTTP", "sink", "httpEndpoint"},
		{"log_streams", "Datadog audit trail", "status"},
		{"attack_protection", "brute_force_protection", "enabled"},
		{"attack_protection", "breached_password_detection", "enabled"},
		{"attack_protection", "suspicious_ip_throttling", "stage"},
		{"signing_keys", "111111111111111111111", "current"},
		{"signing_keys", "222222222222222222222", "next"},
		{"organizations", "items", "test-organization804", "display_name"},
		{"prompts", "universal_login_experience"},
		{"branding", "colors", "primary"},
		{"email_provider", "enabled"},
		{"guardian_factors", "sms", "enabled"},
	} {
		if _, ok := diff.GetSegments(doc, want); !ok {
			t.Errorf("document lacks %q", want)
		}
	}
	// Execution order of the bound actions is kept.
	post := doc["trigger_bindings"].(map[string]any)["post-login"].([]any)
	if len(post) < 2 || !slices.Contains(post, any("Test Trigger Binding Foo TestAccTriggerActions")) {
		t.Errorf("post-login bindings = %v", post)
	}
	if n := doc["organizations"].(map[string]any)["count"]; fmt.Sprint(n) != "3" {
		t.Errorf("organizations count = %v, want 3", n)
	}
	if n := len(doc["custom_domains"].(map[string]any)); n != 3 {
		t.Errorf("custom domains = %d, want the 3 recorded ready", n)
	}
	if strings.Contains(text, providertest.Auth0SecretMarker) {
		t.Error("stored document contains a simulated secret")
	}
	for section, gone := range map[string]string{"signing_keys": "cert", "custom_domains": "last_verified_at"} {
		b, _ := stored(t, doc[section])
		if strings.Contains(string(b), `"`+gone+`"`) {
			t.Errorf("%s keep %s: %s", section, gone, b)
		}
	}
	for _, marker := range []string{`"httpAuthorization":"[redacted]"`, `"datadogApiKey":"[redacted]"`,
		`"splunkToken":"[redacted]"`, `"segmentWriteKey":"[redacted]"`, `"sumoSourceAddress":"[redacted]"`,
		`"credentials":"[redacted]"`, `"header":"X-Api-Key","value":"[redacted]"`} {
		if !strings.Contains(text, marker) {
			t.Errorf("stored document lacks %s", marker)
		}
	}
	if _, ok := doc["missing_scopes"]; ok {
		t.Errorf("missing_scopes = %v on a tenant granting every scope", doc["missing_scopes"])
	}
	if fs := judge(t, auth0.RuleOptions{}, nil, doc, nil, now); len(onlyNot(fs, "auth0.deprecated_")) != 0 {
		t.Errorf("the healthy tenant's baseline has findings: %+v", briefs(onlyNot(fs, "auth0.deprecated_")))
	}
}

func onlyNot(fs []watcher.Finding, prefix string) []watcher.Finding {
	var out []watcher.Finding
	for _, f := range fs {
		if !strings.HasPrefix(f.Rule, prefix) {
			out = append(out, f)
		}
	}
	return out
}

func TestSectionsPageAsAuth0Does(t *testing.T) {
	sim := newSim(t, providertest.Auth0Options{})
	sim.Mutate(func(tn *providertest.Auth0Tenant) {
		tmpl := tn.ClientGrants[0]
		for i := range 130 {
			g := map[string]any{"id": fmt.Sprintf("cgr_%04d", i), "client_id": acmeID,
				"audience": fmt.Sprintf("https://api%d.acme.com/", i), "scope": tmpl["scope"]}
			tn.ClientGrants = append(tn.ClientGrants, g)
		}
		for i := range 248 {
			tn.Organizations = append(tn.Organizations, map[string]any{"id": fmt.Sprintf("org_%04d", i), "name": fmt.Sprintf("org-%04d", i)})
		}
		foo := tn.Action("Test Trigger Binding Foo TestAccTriggerActions")
		for range 120 {
			tn.Bind("post-login", foo)
		}
	})
	_, doc := fetchStored(t, newProvider(t, sim, nil), nil)

	grants := sim.Queries(providertest.Auth0ClientGrantsPath)
	if len(grants) != 2 {
		t.Errorf("client grants read in %d requests, want 2 pages of 100: %v", len(grants), grants)
	}
	for i, q := range grants {
		v, _ := url.ParseQuery(q)
		if v.Get("page") != fmt.Sprint(i) || v.Get("per_page") != "100" || v.Get("include_totals") != "true" {
			t.Errorf("client grants request %d: %q", i, q)
		}
	}
	var want int
	sim.Mutate(func(tn *providertest.Auth0Tenant) { want = len(tn.ClientGrants) })
	if n := len(doc["client_grants"].(map[string]any)); n != want {
		t.Errorf("client grants = %d, want %d", n, want)
	}

	orgs := sim.Queries(providertest.Auth0OrganizationsPath)
	if len(orgs) != 3 {
		t.Fatalf("organizations read in %d requests, want 3 checkpoint pages: %v", len(orgs), orgs)
	}
	for i, q := range orgs {
		v, _ := url.ParseQuery(q)
		if v.Get("take") != "100" || v.Has("page") || (i == 0) == v.Has("from") {
			t.Errorf("organizations request %d: %q, want take=100 and from after the first", i, q)
		}
	}
	if n := doc["organizations"].(map[string]any)["count"]; fmt.Sprint(n) != "251" {
		t.Errorf("organizations count = %v, want 251", n)
	}

	if n := len(sim.Queries(providertest.Auth0BindingsPath("post-login"))); n != 2 {
		t.Errorf("post-login bindings read in %d requests, want 2 pages", n)
	}
	if n := len(doc["trigger_bindings"].(map[string]any)["post-login"].([]any)); n < 120 {
		t.Errorf("post-login bindings = %d, want all of them", n)
	}
}

func TestSectionRefusedNamesItsScope(t *testing.T) {
	scopes := map[string][]string{} // scope → the document keys it leaves out
	for key, scope := range auth0.SectionScopes() {
		scopes[scope] = append(scopes[scope], key)
	}
	scopes["read:actions"] = append(scopes["read:actions"], "actions")
	if len(scopes) != 11 {
		t.Fatalf("%d scopes, want the 11 of the optional sections", len(scopes))
	}
	for scope, keys := range scopes {
		t.Run(scope, func(t *testing.T) {
			sim := newSim(t, providertest.Auth0Options{})
			sim.Mutate(func(tn *providertest.Auth0Tenant) { tn.Withheld[scope] = true })
			_, doc := fetchStored(t, newProvider(t, sim, nil), nil)
			for _, k := range keys {
				if _, ok := doc[k]; ok {
					t.Errorf("document has %q although %s is withheld", k, scope)
				}
			}
			if got := fmt.Sprint(doc["missing_scopes"]); got != "["+scope+"]" {
				t.Errorf("missing_scopes = %s, want [%s]", got, scope)
			}
			fs := judge(t, auth0.RuleOptions{}, nil, doc, nil, now, auth0.RuleScopeMissing)
			if len(fs) != 1 || fs[0].Subject != scope || !strings.Contains(fs[0].Title, scope) ||
				!strings.Contains(fs[0].Detail, "403") {
				t.Fatalf("findings = %+v, want one scope_missing naming %s", briefs(fs), scope)
			}
		})
	}
	t.Run("all at once", func(t *testing.T) {
		sim := newSim(t, providertest.Auth0Options{})
		sim.Mutate(func(tn *providertest.Auth0Tenant) {
			for scope := range scopes {
				tn.Withheld[scope] = true
			}
		})
		_, doc := fetchStored(t, newProvider(t, sim, nil), nil)
		fs := judge(t, auth0.RuleOptions{}, nil, doc, nil, now, auth0.RuleScopeMissing)
		if len(fs) != len(scopes) {
			t.Fatalf("%d scope_missing findings, want one per scope (%d)", len(fs), len(scopes))
		}
	})
}

func TestSectionNotFoundIsLeftOutSilently(t *testing.T) {
	sim := newSim(t, providertest.Auth0Options{})
	sim.Mutate(func(tn *providertest.Auth0Tenant) {
		tn.EmailProvider = nil // Auth0 answers 404 when none is configured
		tn.Status[providertest.Auth0CustomDomainsPath] = 404
	})
	logger, logs := debugLogger()
	_, doc := fetchStored(t, newProvider(t, sim, logger), nil)
	for _, k := range []string{"email_provider", "custom_domains"} {
		if _, ok := doc[k]; ok {
			t.Errorf("document has %q although its endpoint answered 404", k)
		}
	}
	if _, ok := doc["missing_scopes"]; ok {
		t.Errorf("a 404 named a missing scope: %v", doc["missing_scopes"])
	}
	if n := strings.Count(logs.String(), "optional endpoint not found"); n != 2 {
		t.Errorf("%d log lines about endpoints not found, want 2", n)
	}
}

func TestSectionOtherFailureFailsTheFetch(t *testing.T) {
	sim := newSim(t, providertest.Auth0Options{})
	sim.FailNext(providertest.Auth0LogStreamsPath, -1, 500, `{"statusCode":500,"error":"Internal Server Error","message":"boom"}`)
	_, err := newProvider(t, sim, nil).Fetch(t.Context(), watcher.FetchState{})
	if err == nil || !strings.Contains(err.Error(), "log streams") || !strings.Contains(err.Error(), "HTTP 500") {
		t.Fatalf("err = %v, want the log streams failure (no partial document)", err)
	}
}
