package auth0_test

import (
	"bytes"
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/driftwatch/driftwatch/diff"
	"github.com/driftwatch/driftwatch/providers/auth0"
	"github.com/driftwatch/driftwatch/providers/polite"
	"github.com/driftwatch/driftwatch/providers/providertest"
	"github.com/driftwatch/driftwatch/watcher"
)

// newSim starts a simulated tenant closed with the test.
func newSim(tb testing.TB, opt providertest.Auth0Options) *providertest.Auth0 {
	tb.Helper()
	sim := providertest.NewAuth0(opt)
	tb.Cleanup(sim.Close)
	return sim
}

// newProvider returns a provider for sim with a short minimum backoff, so
// tests of 429s without Retry-After do not sleep long.
func newProvider(tb testing.TB, sim *providertest.Auth0, logger *slog.Logger) *auth0.Provider {
	tb.Helper()
	p, err := auth0.New(auth0.Config{
		Name:         "auth0-test",
		Domain:       sim.Domain(),
		BaseURL:      sim.URL(),
		ClientID:     sim.ClientID(),
		ClientSecret: sim.ClientSecret(),
	}, polite.NewClient(nil, 0), logger)
	if err != nil {
		tb.Fatal(err)
	}
	p.MinBackoff = 5 * time.Millisecond
	return p
}

// logBuffer captures log output, safe for concurrent writers.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// debugLogger logs everything, as JSON, into a buffer.
func debugLogger() (*slog.Logger, *logBuffer) {
	lb := &logBuffer{}
	return slog.New(slog.NewJSONHandler(lb, &slog.HandlerOptions{Level: slog.LevelDebug})), lb
}

func fetch(tb testing.TB, p *auth0.Provider, prev watcher.FetchState) *watcher.Result {
	tb.Helper()
	res, err := p.Fetch(context.Background(), prev)
	if err != nil {
		tb.Fatalf("Fetch: %v", err)
	}
	return res
}

// stored canonicalises a document as the engine stores it and decodes it
// back, as rules and FetchState.Last see it.
func stored(tb testing.TB, doc any) ([]byte, any) {
	tb.Helper()
	b, err := diff.Canonical(doc, diff.Options{Sets: auth0.Sets})
	if err != nil {
		tb.Fatalf("Canonical: %v", err)
	}
	v, err := diff.Decode(b)
	if err != nil {
		tb.Fatalf("Decode: %v", err)
	}
	return b, v
}

// lastIs is a FetchState whose previous document is doc (none when nil).
func lastIs(doc any) watcher.FetchState {
	return watcher.FetchState{Last: func() (any, error) {
		if doc == nil {
			return nil, watcher.ErrNotFound
		}
		return doc, nil
	}}
}

// judge runs every auth0 rule over old → new, as the engine does, and
// returns the findings of the named rules (all when none is named).
func judge(tb testing.TB, opt auth0.RuleOptions, old, new any, open []watcher.Finding, now time.Time, only ...string) []watcher.Finding {
	tb.Helper()
	j := &watcher.Judgement{
		Source:   watcher.Source{Name: "auth0-test", Type: "auth0"},
		Old:      old,
		New:      new,
		Baseline: old == nil,
		Open:     open,
		Now:      now,
		Peers:    watcher.NoPeers{},
	}
	if old != nil {
		ob, _ := stored(tb, old)
		nb, _ := stored(tb, new)
		ch, err := diff.Diff(ob, nb, diff.Options{Sets: auth0.Sets})
		if err != nil {
			tb.Fatal(err)
		}
		j.Changes = ch
	}
	var out []watcher.Finding
	for _, r := range auth0.Rules(opt) {
		for _, f := range r.Judge(j) {
			if len(only) == 0 || contains(only, f.Rule) {
				out = append(out, f)
			}
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
