package auth0_test

import (
	"bytes"
	"testing"

	"github.com/driftwatch/driftwatch/diff"
	"github.com/driftwatch/driftwatch/providers/auth0"
	"github.com/driftwatch/driftwatch/providers/providertest"
	"github.com/driftwatch/driftwatch/watcher"
)

// TestPollsOfTheSimulatedTenant runs the engine's steps over real fetches:
// an unchanged tenant stores nothing new, a removed callback is one
// finding, and putting it back resolves it.
func TestPollsOfTheSimulatedTenant(t *testing.T) {
	sim := newSim(t, providertest.Auth0Options{Clients: 130})
	p := newProvider(t, sim, nil)
	opt := auth0.RuleOptions{Expected: func(path, value string) bool {
		return path == "/clients/Acme Web/callbacks" && value == "https://app.acme.com/callback"
	}}

	b1, doc1 := stored(t, fetch(t, p, lastIs(nil)).Doc)
	b2, doc2 := stored(t, fetch(t, p, lastIs(doc1)).Doc)
	if !bytes.Equal(b1, b2) {
		ch, _ := diff.Diff(b1, b2, diff.Options{Sets: auth0.Sets})
		t.Fatalf("two fetches of an unchanged tenant differ: %+v", ch)
	}
	if fs := judge(t, opt, nil, doc1, nil, now, configurationRules()...); len(fs) != 0 {
		t.Fatalf("baseline raised change findings: %v", briefs(fs))
	}

	sim.Mutate(func(tn *providertest.Auth0Tenant) {
		tn.RemoveString(tn.Client("Acme Web"), "callbacks", "https://app.acme.com/callback")
	})
	b3, doc3 := stored(t, fetch(t, p, lastIs(doc2)).Doc)
	ch, err := diff.Diff(b2, b3, diff.Options{Sets: auth0.Sets})
	if err != nil {
		t.Fatal(err)
	}
	if len(ch) != 1 || ch[0].Path != "/clients/Acme Web/callbacks" || ch[0].Op != diff.Removed ||
		string(ch[0].Old) != `"https://app.acme.com/callback"` {
		t.Fatalf("changes = %+v, want the callback removed", ch)
	}
	fs := judge(t, opt, doc2, doc3, nil, now, configurationRules()...)
	want := brief{auth0.RuleURLRemoved, watcher.Breaking, "/clients/Acme Web/callbacks", "https://app.acme.com/callback",
		`Callback URL https://app.acme.com/callback removed from client "Acme Web"`}
	if len(fs) != 1 || briefs(fs)[0] != want {
		t.Fatalf("findings = %+v, want %+v", briefs(fs), want)
	}

	sim.Mutate(func(tn *providertest.Auth0Tenant) {
		tn.AddString(tn.Client("Acme Web"), "callbacks", "https://app.acme.com/callback")
	})
	b4, doc4 := stored(t, fetch(t, p, lastIs(doc3)).Doc)
	if !bytes.Equal(b4, b1) {
		t.Error("the restored tenant's document differs from the first")
	}
	if fs := judge(t, opt, doc3, doc4, fs, now, configurationRules()...); len(fs) != 0 {
		t.Errorf("restored callback still reported: %v", briefs(fs))
	}
}
