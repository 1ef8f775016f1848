package auth0_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/driftwatch/driftwatch/diff"
	"github.com/driftwatch/driftwatch/providers/auth0"
	"github.com/driftwatch/driftwatch/providers/providertest"
	"github.com/driftwatch/driftwatch/rules"
	"github.com/driftwatch/driftwatch/watcher"
)

// The tests here run the provider over the simulated tenant built from the
// recorded Management API responses (providertest's corpus), change it the
// way real tenants change, and judge the documents the provider builds.

// cloneClient returns a copy of a recorded client with another client_id.
func cloneClient(c map[string]any, id string) map[string]any {
	out := make(map[string]any, len(c))
	for k, v := range c {
		out[k] = v
	}
	out["client_id"] = id
	return out
}

// An application deleted and created again under its name keeps its key
// and makes one breaking finding: deployed apps hold the old client_id.
func TestClientRecreatedOnRecordedTenant(t *testing.T) {
	sim := newSim(t, providertest.Auth0Options{})
	p := newProvider(t, sim, nil)
	_, doc1 := stored(t, fetch(t, p, lastIs(nil)).Doc)
	var oldID string
	sim.Mutate(func(tn *providertest.Auth0Tenant) {
		c := tn.Client("My App")
		oldID, _ = c["client_id"].(string)
		tn.RemoveClient("My App")
		tn.Clients = append(tn.Clients, cloneClient(c, "N3wCl1ent1dAfterRecreate0000000"))
	})
	b2, doc2 := stored(t, fetch(t, p, lastIs(doc1)).Doc)
	b1, _ := stored(t, doc1)
	ch, err := diff.Diff(b1, b2, diff.Options{Sets: auth0.Sets})
	if err != nil {
		t.Fatal(err)
	}
	if len(ch) == 0 || ch[0].Path != "/clients/My App/client_id" {
		t.Fatalf("changes = %+v; want the client_id of the same key", ch)
	}
	fs := judge(t, auth0.RuleOptions{}, doc1, doc2, nil, now, configurationRules()...)
	var got []watcher.Finding
	for _, f := range fs {
		switch f.Rule {
		case auth0.RuleClientRecreated:
			got = append(got, f)
		case auth0.RuleClientRemoved:
			t.Errorf("a re-created client reads as removed or renamed: %s", f.Title)
		}
	}
	if len(got) != 1 || got[0].Severity != watcher.Breaking || got[0].Category != watcher.Configuration ||
		got[0].Old != oldID || !strings.Contains(got[0].Title, `Client "My App" was deleted and re-created`) {
		t.Fatalf("client_recreated findings = %+v", briefs(got))
	}
	// Carried while the old id stays gone, resolved when it is back.
	if again := judge(t, auth0.RuleOptions{}, doc2, doc2, got, now, auth0.RuleClientRecreated); len(again) != 1 {
		t.Errorf("carried forward: %v", briefs(again))
	}
	if back := judge(t, auth0.RuleOptions{}, doc2, doc1, got, now, auth0.RuleClientRecreated); len(back) != 0 {
		t.Errorf("the old client back still reported: %v", briefs(back))
	}
}

// A second client taking an existing client's name leaves the existing
// one's key alone; the newcomer is "name (client_id)". No false removal,
// no expectation firing on the old key.
func TestSecondClientTakesAnExistingName(t *testing.T) {
	sim := newSim(t, providertest.Auth0Options{})
	p := newProvider(t, sim, nil)
	_, doc1 := stored(t, fetch(t, p, lastIs(nil)).Doc)
	const newID = "Sec0ndAcmeWebCl1ent000000000000"
	sim.Mutate(func(tn *providertest.Auth0Tenant) {
		c := cloneClient(tn.Client("Acme Web"), newID)
		c["callbacks"] = []any{"https://other.acme.com/callback"}
		tn.Clients = append([]map[string]any{c}, tn.Clients...) // listed first, as Auth0 may
	})
	_, doc2 := stored(t, fetch(t, p, lastIs(doc1)).Doc)
	clients := doc2.(map[string]any)["clients"].(map[string]any)
	if c, _ := clients["Acme Web"].(map[string]any); c == nil || c["client_id"] != "AcMeWeB5pLq0n7ZcV2xR8tY4uI6oP1aS" {
		t.Fatalf(`"Acme Web" is now %v; want the existing client`, c)
	}
	if c, _ := clients["Acme Web ("+newID+")"].(map[string]any); c == nil {
		t.Fatalf("the newcomer is not keyed by name and id; keys %v", mapKeys(clients))
	}
	for _, f := range judge(t, auth0.RuleOptions{}, doc1, doc2, nil, now, configurationRules()...) {
		t.Errorf("false finding: %s %s", f.Rule, f.Title)
	}
	exp := rules.Expect([]rules.Expectation{{Path: "/clients/Acme Web/callbacks", Kind: "contains",
		Value: "https://app.acme.com/callback", Severity: watcher.Breaking}})
	if fs := exp.Judge(&watcher.Judgement{New: doc2, Peers: watcher.NoPeers{}}); len(fs) != 0 {
		t.Errorf("the expectation on the existing client fires: %v", briefs(fs))
	}
	// Stable on the next fetch too.
	b3, _ := stored(t, fetch(t, p, lastIs(doc2)).Doc)
	b2, _ := stored(t, doc2)
	if !bytes.Equal(b2, b3) {
		t.Error("keys moved on the next fetch")
	}
	// A first snapshot has no history: both carry their ids, as before.
	_, fresh := stored(t, fetch(t, p, lastIs(nil)).Doc)
	fc := fresh.(map[string]any)["clients"].(map[string]any)
	if _, plain := fc["Acme Web"]; plain {
		t.Errorf("a baseline with two clients named alike keys one of them by name alone: %v", mapKeys(fc))
	}
}

// Action build churn — registry_url filled in while building, the build
// status, the draft build's id and times — stores nothing new.
func TestActionBuildChurnIsNotDrift(t *testing.T) {
	sim := newSim(t, providertest.Auth0Options{})
	p := newProvider(t, sim, nil)
	b1, doc1 := stored(t, fetch(t, p, lastIs(nil)).Doc)
	sim.Mutate(func(tn *providertest.Auth0Tenant) {
		for _, a := range tn.Actions {
			for _, key := range []string{"dependencies"} {
				deps, _ := a[key].([]any)
				for i, d := range deps {
					m := map[string]any{}
					for k, v := range d.(map[string]any) {
						m[k] = v
					}
					if _, ok := m["registry_url"]; ok {
						delete(m, "registry_url")
					} else {
						m["registry_url"] = "https://www.npmjs.com/package/" + m["name"].(string)
					}
					deps[i] = m
				}
			}
			if a["status"] == "built" {
				a["status"] = "building"
			}
			if cv, ok := a["current_version"].(map[string]any); ok {
				cv["id"] = "rebuilt-" + cv["id"].(string)
				cv["status"] = "BUILDING"
			}
		}
	})
	b2, _ := stored(t, fetch(t, p, lastIs(doc1)).Doc)
	if !bytes.Equal(b1, b2) {
		ch, _ := diff.Diff(b1, b2, diff.Options{Sets: auth0.Sets})
		t.Errorf("build churn changed the document: %+v", ch)
	}
}

// A scope Auth0 removes from its own Management API (is_system, identifier
// https://{domain}/api/v2/) is a third-party change; one removed from the
// tenant's own API stays configuration drift.
func TestManagementAPIScopeRemovedIsThirdParty(t *testing.T) {
	sim := newSim(t, providertest.Auth0Options{})
	p := newProvider(t, sim, nil)
	_, doc1 := stored(t, fetch(t, p, lastIs(nil)).Doc)
	var mgmt string
	sim.Mutate(func(tn *providertest.Auth0Tenant) {
		for _, rs := range tn.ResourceServers {
			id, _ := rs["identifier"].(string)
			if rs["is_system"] == true && strings.HasSuffix(id, "/api/v2/") {
				mgmt = id
				scopes := rs["scopes"].([]any)
				rs["scopes"] = scopes[1:] // read:client_grants goes
			}
		}
		rs := tn.ResourceServer("my-api")
		rs["scopes"] = rs["scopes"].([]any)[1:]
	})
	_, doc2 := stored(t, fetch(t, p, lastIs(doc1)).Doc)
	fs := judge(t, auth0.RuleOptions{}, doc1, doc2, nil, now, auth0.RuleScopeRemoved)
	if len(fs) != 2 {
		t.Fatalf("findings %v; want two removed scopes", briefs(fs))
	}
	for _, f := range fs {
		system := strings.HasPrefix(f.Path, "/resource_servers/"+strings.ReplaceAll(mgmt, "/", "~1"))
		switch {
		case system && (f.Category != watcher.ThirdParty || !strings.Contains(f.Title, "Auth0 removed the scope read:client_grants")):
			t.Errorf("Management API scope: %s %q", f.Category, f.Title)
		case !system && f.Category != watcher.Configuration:
			t.Errorf("own API scope: %s %q", f.Category, f.Title)
		}
	}
}

func mapKeys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
