package github_test

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/driftwatch/driftwatch/diff"
	"github.com/driftwatch/driftwatch/providers/auth0"
	"github.com/driftwatch/driftwatch/providers/github"
	"github.com/driftwatch/driftwatch/providers/providertest"
	"github.com/driftwatch/driftwatch/watcher"
)

// poller drives a provider the way the engine does: it keeps the fetch
// state and the last stored (canonical, decoded) document between polls.
type poller struct {
	t    *testing.T
	p    *github.Provider
	st   watcher.FetchState
	last any
	// loads counts the calls to FetchState.Last: a store read each.
	loads int
}

func newPoller(t *testing.T, g *providertest.GitHub, cfg github.Config) *poller {
	t.Helper()
	if cfg.Repo == "" {
		cfg.Repo = "acme/auth-sdk"
	}
	cfg.APIURL = g.URL()
	p, err := github.New(cfg, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	p.Sleep = func(ctx context.Context, d time.Duration) error { return nil }
	return &poller{t: t, p: p}
}

// fetch polls once and returns the result or the error.
func (pl *poller) fetch() (*watcher.Result, error) {
	prev := pl.st
	prev.Last = func() (any, error) {
		pl.loads++
		if pl.last == nil {
			return nil, watcher.ErrNotFound
		}
		return pl.last, nil
	}
	res, err := pl.p.Fetch(pl.t.Context(), prev)
	if err != nil {
		return nil, err
	}
	pl.st = res.State
	if !res.Unchanged {
		b, err := diff.Canonical(res.Doc, diff.Options{Sets: github.Sets})
		if err != nil {
			pl.t.Fatalf("canonical: %v", err)
		}
		if pl.last, err = diff.Decode(b); err != nil {
			pl.t.Fatal(err)
		}
	}
	return res, nil
}

// poll polls once and fails the test on an error.
func (pl *poller) poll() *watcher.Result {
	pl.t.Helper()
	res, err := pl.fetch()
	if err != nil {
		pl.t.Fatalf("fetch: %v", err)
	}
	return res
}

// judge runs rules the way the engine does: open holds the findings of
// the previous judgement.
func judge(rules []watcher.Rule, old, new any, open []watcher.Finding, peers watcher.Peers) []watcher.Finding {
	if peers == nil {
		peers = watcher.NoPeers{}
	}
	j := &watcher.Judgement{
		Source: watcher.Source{Name: "auth-sdk", Type: "github_releases"},
		Old:    old, New: new, Baseline: old == nil, Open: open,
		Now: time.Date(2026, 8, 1, 12, 0, 0, 0, time.UTC), Peers: peers,
	}
	var out []watcher.Finding
	for _, r := range rules {
		out = append(out, r.Judge(j)...)
	}
	sort.Slice(out, func(a, b int) bool { return key(out[a]) < key(out[b]) })
	return out
}

func key(f watcher.Finding) string { return f.Rule + " " + f.Path + " " + f.Subject }

func keys(fs []watcher.Finding) []string {
	out := make([]string, 0, len(fs))
	for _, f := range fs {
		out = append(out, key(f))
	}
	return out
}

// find returns the finding of rule with subject, or fails.
func find(t *testing.T, fs []watcher.Finding, rule, subject string) watcher.Finding {
	t.Helper()
	for _, f := range fs {
		if f.Rule == rule && f.Subject == subject {
			return f
		}
	}
	t.Fatalf("no %s finding for %q among %v", rule, subject, keys(fs))
	return watcher.Finding{}
}

// peers is a fixed set of other sources' newest documents.
type peers struct {
	mu   sync.Mutex
	srcs []watcher.Source
	docs map[string]any
}

func newPeers() *peers { return &peers{docs: map[string]any{}} }

func (p *peers) add(name, typ string, doc any) *peers {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.srcs = append(p.srcs, watcher.Source{Name: name, Type: typ})
	p.docs[name] = doc
	return p
}

// Footprints reads each document as its type does.
func (p *peers) Footprints() []watcher.Footprint {
	var out []watcher.Footprint
	for _, src := range p.srcs {
		var fp watcher.Footprint
		switch src.Type {
		case "auth0":
			fp = auth0.Footprint(src.Name, p.docs[src.Name])
		case "github_releases":
			fp = github.Footprint(src.Name, p.docs[src.Name])
		default:
			continue
		}
		fp.Source = src.Name
		out = append(out, fp)
	}
	return out
}

// decoded round-trips a document through canonical JSON, as the store
// hands documents to rules.
func decoded(t *testing.T, doc any) any {
	t.Helper()
	b, err := diff.Canonical(doc, diff.Options{})
	if err != nil {
		t.Fatal(err)
	}
	d, err := diff.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// stableReleases makes n stable releases v1.0.0 … newest first, published a
// day apart.
func stableReleases(n int) []providertest.Release {
	out := make([]providertest.Release, 0, n)
	at := time.Date(2020, 1, 1, 10, 0, 0, 0, time.UTC)
	for i := n - 1; i >= 0; i-- {
		out = append(out, providertest.Release{
			Tag: fmt.Sprintf("v1.%d.%d", i/10, i%10), Name: fmt.Sprintf("v1.%d.%d", i/10, i%10),
			Body: "**Fixed**\n- fix: a small thing", Published: at.Add(time.Duration(i) * 24 * time.Hour),
		})
	}
	return out
}
