package auth0_test

import (
	"strings"
	"testing"
	"time"

	"github.com/driftwatch/driftwatch/diff"
	"github.com/driftwatch/driftwatch/providers/auth0"
	"github.com/driftwatch/driftwatch/providers/providertest"
	"github.com/driftwatch/driftwatch/watcher"
)

// change fetches the simulated tenant, applies mutate, and fetches it
// again: the two documents as stored.
func change(tb testing.TB, mutate func(tn *providertest.Auth0Tenant)) (old, new map[string]any) {
	tb.Helper()
	sim := newSim(tb, providertest.Auth0Options{})
	p := newProvider(tb, sim, nil)
	_, old = fetchStored(tb, p, nil)
	sim.Mutate(mutate)
	_, new = fetchStored(tb, p, old)
	return old, new
}

// one returns the only finding of rule, failing otherwise.
func one(tb testing.TB, fs []watcher.Finding, rule string) watcher.Finding {
	tb.Helper()
	var got []watcher.Finding
	for _, f := range fs {
		if f.Rule == rule {
			got = append(got, f)
		}
	}
	if len(got) != 1 {
		tb.Fatalf("%d %s findings, want 1: %+v", len(got), rule, briefs(fs))
	}
	return got[0]
}

func want(tb testing.TB, f watcher.Finding, sev watcher.Severity, cat watcher.Category, path string, title ...string) {
	tb.Helper()
	if f.Severity != sev || f.Category != cat || (path != "" && f.Path != path) {
		tb.Errorf("%s: severity %v, category %v, path %q; want %v, %v, %q", f.Rule, f.Severity, f.Category, f.Path, sev, cat, path)
	}
	for _, s := range title {
		if !strings.Contains(f.Title, s) {
			tb.Errorf("%s: title %q lacks %q", f.Rule, f.Title, s)
		}
	}
}

func TestClientGrantFindings(t *testing.T) {
	var key, scope, set string
	old, new := change(t, func(tn *providertest.Auth0Tenant) {
		g := tn.ClientGrants[0]
		key = "Acme Web → " + g["audience"].(string)
		set = diff.Pointer([]string{"client_grants", key, "scope"})
		scope = g["scope"].([]any)[0].(string)
		tn.RemoveString(g, "scope", scope)
		tn.ClientGrants = tn.ClientGrants[:len(tn.ClientGrants)-1] // the user-access grant goes
	})
	fs := judge(t, auth0.RuleOptions{}, old, new, nil, now)
	f := one(t, fs, auth0.RuleClientGrantScopeRemoved)
	want(t, f, watcher.Warning, watcher.Configuration, set, scope, key)
	g := one(t, fs, auth0.RuleClientGrantRemoved)
	want(t, g, watcher.Warning, watcher.Configuration, "", "(user)")

	// An expectation naming the grant or the scope makes it breaking.
	opt := auth0.RuleOptions{Expected: func(path, value string) bool {
		return (path == set && value == scope) || path == g.Path
	}}
	fs = judge(t, opt, old, new, nil, now)
	want(t, one(t, fs, auth0.RuleClientGrantScopeRemoved), watcher.Breaking, watcher.Configuration, set)
	want(t, one(t, fs, auth0.RuleClientGrantRemoved), watcher.Breaking, watcher.Configuration, g.Path)

	// A client renamed re-keys its grants: no grant is reported removed.
	old, new = change(t, func(tn *providertest.Auth0Tenant) { tn.Client("Acme Web")["name"] = "Acme Storefront" })
	if fs := judge(t, auth0.RuleOptions{}, old, new, nil, now, auth0.RuleClientGrantRemoved, auth0.RuleClientGrantScopeRemoved); len(fs) != 0 {
		t.Errorf("a renamed client's grants: %+v", briefs(fs))
	}
	old, new = change(t, func(tn *providertest.Auth0Tenant) {
		tn.RemoveString(tn.ClientGrants[0], "scope", scope)
	})

	// Carried while it holds, resolved once the scope is back.
	open := judge(t, auth0.RuleOptions{}, old, new, nil, now, auth0.RuleClientGrantScopeRemoved)
	if fs := judge(t, auth0.RuleOptions{}, new, new, open, now, auth0.RuleClientGrantScopeRemoved); len(fs) != 1 {
		t.Errorf("the open finding is not carried: %+v", briefs(fs))
	}
	if fs := judge(t, auth0.RuleOptions{}, new, old, open, now, auth0.RuleClientGrantScopeRemoved); len(fs) != 0 {
		t.Errorf("the scope is back, yet: %+v", briefs(fs))
	}
}

const foo = "Test Trigger Binding Foo TestAccTriggerActions"

func TestActionUnboundFinding(t *testing.T) {
	old, new := change(t, func(tn *providertest.Auth0Tenant) {
		if !tn.Unbind("post-login", foo) {
			t.Fatal("foo was not bound")
		}
	})
	f := one(t, judge(t, auth0.RuleOptions{}, old, new, nil, now), auth0.RuleActionUnbound)
	want(t, f, watcher.Warning, watcher.Configuration, "/trigger_bindings/post-login", foo, "post-login")
}

func TestEndOfLifeRuntimeBoundIsBreakingUnboundIsWarning(t *testing.T) {
	onNode16 := func(tn *providertest.Auth0Tenant) {
		a := tn.Action(foo)
		a["runtime"] = "node16"
		a["deployed_version"].(map[string]any)["runtime"] = "node16"
	}
	_, bound := change(t, onNode16)
	var d watcher.Finding
	for _, f := range judge(t, auth0.RuleOptions{}, nil, bound, nil, now, "auth0.deprecated_runtime") {
		if f.Subject == "node12-node16-actions" {
			d = f
		}
	}
	want(t, d, watcher.Breaking, watcher.ThirdParty, "/actions")
	if !strings.Contains(d.Detail, `action "`+foo+`" still runs on it (bound to post-login)`) {
		t.Errorf("detail does not name the binding:\n%s", d.Detail)
	}

	_, unbound := change(t, func(tn *providertest.Auth0Tenant) {
		onNode16(tn)
		tn.Unbind("post-login", foo)
	})
	d = watcher.Finding{}
	for _, f := range judge(t, auth0.RuleOptions{}, nil, unbound, nil, now, "auth0.deprecated_runtime") {
		if f.Subject == "node12-node16-actions" {
			d = f
		}
	}
	want(t, d, watcher.Warning, watcher.ThirdParty, "/actions")
	if !strings.Contains(d.Detail, `action "`+foo+`" is on it but is bound to no trigger (`) || !strings.Contains(d.Detail, "not live") {
		t.Errorf("detail does not say the unbound action is not live:\n%s", d.Detail)
	}
	// Two reasons make one clause: "but X and Y", never "but X, but Y".
	if !strings.Contains(d.Detail, "is on it but was never deployed and is bound to no trigger (") || strings.Contains(d.Detail, ", but") {
		t.Errorf("the reasons an action is idle are not composed into one clause:\n%s", d.Detail)
	}
}

func TestCustomDomainFindings(t *testing.T) {
	_, new := change(t, func(tn *providertest.Auth0Tenant) {
		for _, d := range tn.CustomDomains {
			if d["domain"] == "mcd1.acmetest.org" {
				d["status"] = "pending_verification"
				d["primary"] = true
			}
		}
		for _, d := range providertest.Auth0CorpusCustomDomains() {
			if d["domain"] == "demo-sdk2.acmetest.org" {
				tn.CustomDomains = append(tn.CustomDomains, d) // recorded failed
			}
		}
	})
	fs := judge(t, auth0.RuleOptions{}, nil, new, nil, now, auth0.RuleCustomDomainNotReady)
	if len(fs) != 2 {
		t.Fatalf("findings = %+v, want the pending primary and the failed domain", briefs(fs))
	}
	want(t, fs[0], watcher.Warning, watcher.Infrastructure, "/custom_domains/demo-sdk2.acmetest.org/status", "failed")
	if !strings.Contains(fs[0].Detail, "DNS Verification record issue") {
		t.Errorf("detail lacks Auth0's error: %s", fs[0].Detail)
	}
	want(t, fs[1], watcher.Breaking, watcher.Infrastructure, "/custom_domains/mcd1.acmetest.org/status", "pending_verification")
}

func TestCustomDomainCertificateExpiring(t *testing.T) {
	_, doc := change(t, func(*providertest.Auth0Tenant) {})
	path := "/custom_domains/mcd1.acmetest.org/certificate/renews_before"
	v, _ := diff.Get(doc, path)
	renews, err := time.Parse(time.RFC3339, v.(string))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		now  time.Time
		want watcher.Severity // 0: none
	}{
		{renews.Add(-30 * 24 * time.Hour), 0},
		{renews.Add(-auth0.CertificateWarning - time.Minute), 0},
		{renews.Add(-10 * 24 * time.Hour), watcher.Warning},
		{renews.Add(time.Hour), watcher.Breaking},
	} {
		var got []watcher.Finding
		for _, f := range judge(t, auth0.RuleOptions{}, nil, doc, nil, c.now, auth0.RuleCustomDomainCertExpiring) {
			if f.Path == path {
				got = append(got, f)
			}
		}
		if c.want == 0 {
			if len(got) != 0 {
				t.Errorf("at %s: %+v, want none", c.now, briefs(got))
			}
			continue
		}
		if len(got) != 1 {
			t.Fatalf("at %s: %+v, want one", c.now, briefs(got))
		}
		want(t, got[0], c.want, watcher.Infrastructure, path, "mcd1.acmetest.org", renews.Format(time.DateOnly))
	}
}

func TestLogStreamStoppedFindings(t *testing.T) {
	_, new := change(t, func(tn *providertest.Auth0Tenant) {
		tn.LogStreams[0]["status"] = "paused"
		tn.LogStreams[1]["status"] = "suspended"
	})
	fs := judge(t, auth0.RuleOptions{}, nil, new, nil, now, auth0.RuleLogStreamStopped)
	if len(fs) != 2 {
		t.Fatalf("findings = %+v, want two", briefs(fs))
	}
	want(t, fs[0], watcher.Warning, watcher.Configuration, "/log_streams/Acceptance-Test-LogStream-http-TestAccLogStreamHTTP/status", "paused")
	want(t, fs[1], watcher.Warning, watcher.Infrastructure, "/log_streams/Datadog audit trail/status", "suspended")
}

func TestSettingSwitchFindings(t *testing.T) {
	var oldKid, newKid string
	old, new := change(t, func(tn *providertest.Auth0Tenant) {
		tn.AttackProtection["brute-force-protection"]["enabled"] = false
		tn.AttackProtection["breached-password-detection"]["enabled"] = true // switching on is no risk
		tn.Prompts["universal_login_experience"] = "classic"
		for _, f := range tn.GuardianFactors {
			switch f["name"] {
			case "sms":
				f["enabled"] = false
			case "otp":
				f["enabled"] = true
			}
		}
		// The next key becomes current; the old one is revoked.
		for _, k := range tn.SigningKeys {
			if k["current"] == true {
				oldKid = k["kid"].(string)
				k["current"], k["previous"], k["revoked"], k["revoked_at"] = false, true, true, "2026-03-01T11:00:00.000Z"
			} else if k["next"] == true {
				newKid = k["kid"].(string)
				k["current"], k["next"] = true, false
			}
		}
	})
	fs := judge(t, auth0.RuleOptions{}, old, new, nil, now)
	want(t, one(t, fs, auth0.RuleAttackProtectionOff), watcher.Warning, watcher.Configuration,
		"/attack_protection/brute_force_protection/enabled", "Brute-force protection turned off")
	want(t, one(t, fs, auth0.RuleLoginExperienceChanged), watcher.Warning, watcher.Configuration,
		"/prompts/universal_login_experience", "from new to classic")
	want(t, one(t, fs, auth0.RuleMFAFactorDisabled), watcher.Warning, watcher.Configuration,
		"/guardian_factors/sms/enabled", "sms")
	rot := one(t, fs, auth0.RuleSigningKeyRotated)
	want(t, rot, watcher.Info, watcher.Configuration, "/signing_keys", newKid, oldKid)
	want(t, one(t, fs, auth0.RuleSigningKeyRevoked), watcher.Warning, watcher.Configuration,
		"/signing_keys/"+oldKid+"/revoked", oldKid)

	// Nothing of this speaks on a baseline.
	if fs := onlyNot(judge(t, auth0.RuleOptions{}, nil, new, nil, now), "auth0.deprecated_"); len(fs) != 0 {
		t.Errorf("baseline findings: %+v", briefs(fs))
	}
	// The rotation stays open while the new key is current.
	if fs := judge(t, auth0.RuleOptions{}, new, new, []watcher.Finding{rot}, now, auth0.RuleSigningKeyRotated); len(fs) != 1 {
		t.Errorf("rotation not carried: %+v", briefs(fs))
	}
}

// A scope withdrawn leaves its section unread: nothing in it is reported
// gone, and what was open about it stays open as it was.
func TestWithdrawnScopeReportsNothingGone(t *testing.T) {
	sim := newSim(t, providertest.Auth0Options{})
	p := newProvider(t, sim, nil)
	_, doc1 := fetchStored(t, p, nil)
	sim.Mutate(func(tn *providertest.Auth0Tenant) {
		tn.RemoveString(tn.ClientGrants[0], "scope", tn.ClientGrants[0]["scope"].([]any)[0].(string))
		tn.LogStreams[0]["status"] = "paused"
	})
	_, doc2 := fetchStored(t, p, doc1)
	open := judge(t, auth0.RuleOptions{}, doc1, doc2, nil, now)
	one(t, open, auth0.RuleClientGrantScopeRemoved)
	one(t, open, auth0.RuleLogStreamStopped)

	sim.Mutate(func(tn *providertest.Auth0Tenant) {
		tn.Withheld["read:client_grants"] = true
		tn.Withheld["read:log_streams"] = true
	})
	_, doc3 := fetchStored(t, p, doc2)
	fs := judge(t, auth0.RuleOptions{}, doc2, doc3, open, now)
	for _, rule := range []string{auth0.RuleClientGrantScopeRemoved, auth0.RuleLogStreamStopped} {
		if got, was := one(t, fs, rule), one(t, open, rule); got.Path != was.Path || got.Title != was.Title {
			t.Errorf("%s carried as %q at %s, was %q at %s", rule, got.Title, got.Path, was.Title, was.Path)
		}
	}
	for _, f := range fs {
		if f.Rule == auth0.RuleClientGrantRemoved {
			t.Errorf("a grant reported removed while grants were unread: %s", f.Title)
		}
	}
	if n := len(judge(t, auth0.RuleOptions{}, doc2, doc3, open, now, auth0.RuleScopeMissing)); n != 2 {
		t.Errorf("%d scope_missing findings, want 2", n)
	}
}
