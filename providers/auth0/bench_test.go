package auth0_test

import (
	"context"
	"testing"
	"time"

	"github.com/driftwatch/driftwatch/diff"
	"github.com/driftwatch/driftwatch/providers/auth0"
	"github.com/driftwatch/driftwatch/providers/providertest"
	"github.com/driftwatch/driftwatch/watcher"
)

// BenchmarkFetch measures a whole fetch of a 3,000-client tenant from the
// local simulated server: token, 30 client pages, connections, APIs,
// actions, rules, hooks, redaction and document building.
func BenchmarkFetch(b *testing.B) {
	sim := newSim(b, providertest.Auth0Options{Clients: 3000, RateLimit: 1 << 20})
	p := newProvider(b, sim, nil)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Fetch(context.Background(), watcher.FetchState{}); err != nil {
			b.Fatal(err)
		}
	}
}

// tenantPair returns a 3,000-client tenant's document before and after
// one callback was removed.
func tenantPair(b *testing.B) (old, new any) {
	sim := newSim(b, providertest.Auth0Options{Clients: 3000, RateLimit: 1 << 20})
	p := newProvider(b, sim, nil)
	old = fetch(b, p, watcher.FetchState{}).Doc
	sim.Mutate(func(t *providertest.Auth0Tenant) {
		t.RemoveString(t.Client("Acme Web"), "callbacks", "https://app.acme.com/callback")
	})
	new = fetch(b, p, watcher.FetchState{}).Doc
	return old, new
}

// BenchmarkCanonicalDiff measures what the engine does with each new
// document: canonicalise both and diff them.
func BenchmarkCanonicalDiff(b *testing.B) {
	old, new := tenantPair(b)
	opt := diff.Options{Sets: auth0.Sets}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		ob, err := diff.Canonical(old, opt)
		if err != nil {
			b.Fatal(err)
		}
		nb, err := diff.Canonical(new, opt)
		if err != nil {
			b.Fatal(err)
		}
		ch, err := diff.Diff(ob, nb, opt)
		if err != nil || len(ch) != 1 {
			b.Fatalf("changes = %v, %v; want one", ch, err)
		}
	}
}

// BenchmarkJudge measures every auth0 rule over the same change.
func BenchmarkJudge(b *testing.B) {
	old, new := tenantPair(b)
	_, o := stored(b, old)
	_, n := stored(b, new)
	rules := auth0.Rules(auth0.RuleOptions{})
	j := &watcher.Judgement{Old: o, New: n, Now: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), Peers: watcher.NoPeers{}}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		found := 0
		for _, r := range rules {
			for _, f := range r.Judge(j) {
				if f.Rule == auth0.RuleURLRemoved {
					found++
				}
			}
		}
		if found != 1 {
			b.Fatalf("url_removed findings = %d, want 1", found)
		}
	}
}
