package bench_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/driftwatch/driftwatch/bench"
	"github.com/driftwatch/driftwatch/providers/providertest"
	"github.com/driftwatch/driftwatch/watcher"
)

// The documents an unchanged source keeps answering: a JSON endpoint's
// body, and one page of real releases (the auth0-spa-js changelog as the
// simulated GitHub renders it) with its advisories.
var fixtures struct {
	once                 sync.Once
	metrics              []byte
	releases, advisories []byte
	deployed             string
}

func loadFixtures(tb testing.TB) {
	tb.Helper()
	fixtures.once.Do(func() {
		fixtures.metrics = []byte(`{"plan":"pro","region":"eu-west-1","limits":{"connections":500,"storage_gb":100},` +
			`"metrics":{"cpu_percent":41.5,"connections":212,"storage_gb":61.2},"replicas":["eu-west-1a","eu-west-1b"]}`)
		rs := providertest.CorpusReleases("auth0__auth0-spa-js.md")
		gh := providertest.NewGitHub("auth0/auth0-spa-js", rs...)
		defer gh.Close()
		fixtures.releases = mustGet(tb, gh.URL()+"repos/auth0/auth0-spa-js/releases?per_page=100&page=1")
		fixtures.advisories = mustGet(tb, gh.URL()+"repos/auth0/auth0-spa-js/security-advisories?state=published&per_page=100")
		for _, r := range rs {
			if !r.Prerelease {
				fixtures.deployed = strings.TrimPrefix(r.Tag, "v")
				break
			}
		}
	})
}

func mustGet(tb testing.TB, url string) []byte {
	tb.Helper()
	resp, err := http.Get(url)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		tb.Fatalf("GET %s: %d %v", url, resp.StatusCode, err)
	}
	return b
}

// unchangedFleet serves n sources of one type ("http_json" or
// "github_releases") from a conditional upstream and returns the config.
func unchangedFleet(tb testing.TB, typ string, n int) (*bench.Conditional, string) {
	tb.Helper()
	loadFixtures(tb)
	up := bench.NewConditional()
	tb.Cleanup(up.Close)
	var cfg strings.Builder
	cfg.WriteString("[store]\npath = \"dw.db\"\n")
	for i := range n {
		switch typ {
		case "http_json":
			path := fmt.Sprintf("/db/%04d", i)
			up.Set(path, "application/json", fixtures.metrics)
			fmt.Fprintf(&cfg, "\n[[source]]\nname = \"db-%04d\"\ntype = \"http_json\"\nurl = \"%s%s\"\n"+
				"  [[source.threshold]]\n  path = \"/metrics/cpu_percent\"\n  above = 90\n", i, up.URL(), path)
		case "github_releases":
			repo := fmt.Sprintf("acme/sdk-%04d", i)
			up.Set("/api/v3/repos/"+repo+"/releases", "application/json; charset=utf-8", fixtures.releases)
			up.Set("/api/v3/repos/"+repo+"/security-advisories", "application/json; charset=utf-8", fixtures.advisories)
			fmt.Fprintf(&cfg, "\n[[source]]\nname = \"sdk-%04d\"\ntype = \"github_releases\"\nrepo = \"%s\"\n"+
				"deployed = \"%s\"\napi_url = \"%s/api/v3/\"\n", i, repo, fixtures.deployed, up.URL())
		default:
			tb.Fatalf("unknown type %s", typ)
		}
	}
	return up, cfg.String()
}

// TestUnchangedPollCost: once a fleet is stored, a poll in which nothing
// changed costs each source one conditional request answered 304, and
// writes each source's fetch status and nothing else: no snapshot, no
// finding, no notice.
func TestUnchangedPollCost(t *testing.T) {
	if testing.Short() {
		t.Skip("polls a fleet of 40 sources three times; skipped with -short")
	}
	for _, typ := range []string{"http_json", "github_releases"} {
		t.Run(typ, func(t *testing.T) {
			const n = 40
			up, cfg := unchangedFleet(t, typ, n)
			w := newWorld(t, cfg, worldOptions{})
			if rep := w.poll(); outcomes(rep)[watcher.OutcomeBaseline] != n {
				t.Fatalf("baseline outcomes = %v", outcomes(rep))
			}
			snaps, findings, notices := w.count("SELECT count(*) FROM snapshots"), w.count("SELECT count(*) FROM findings"),
				w.count("SELECT count(*) FROM outbox")
			w.poll()

			ctx := context.Background()
			probe, err := bench.NewProbe(ctx, w.path)
			if err != nil {
				t.Fatal(err)
			}
			defer probe.Close()
			before, before304 := up.Requests(), up.NotModified()
			rep := w.poll()
			if got := outcomes(rep); got[watcher.OutcomeUnchanged] != n {
				t.Fatalf("outcomes = %v, want %d unchanged", got, n)
			}
			if got := up.Requests() - before; got != n {
				t.Errorf("%d requests for %d unchanged sources, want 1 each", got, n)
			}
			if got := up.NotModified() - before304; got != n {
				t.Errorf("%d answered 304 of %d: the requests were not conditional", got, n)
			}
			if got := requests(rep); got != n {
				t.Errorf("providers reported %d requests, want %d", got, n)
			}
			wr, err := probe.Writes(ctx)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("an unchanged poll of %d sources wrote %s", n, wr)
			if tables := wr.Tables(); len(tables) != 1 || tables[0] != "sources" {
				t.Errorf("an unchanged poll wrote to %v, want only the sources' fetch status", tables)
			}
			if wr.Rows["sources"] != n {
				t.Errorf("%d source rows written, want one per source (%d)", wr.Rows["sources"], n)
			}
			if s, f, o := w.count("SELECT count(*) FROM snapshots"), w.count("SELECT count(*) FROM findings"),
				w.count("SELECT count(*) FROM outbox"); s != snaps || f != findings || o != notices {
				t.Errorf("snapshots, findings, notices = %d, %d, %d; want %d, %d, %d as after the baseline", s, f, o, snaps, findings, notices)
			}
		})
	}
}

// BenchmarkPollUnchanged is one poll cycle of 1,000 sources that did not
// change, against a local conditional upstream: the steady state of a
// large installation.
func BenchmarkPollUnchanged(b *testing.B) {
	for _, typ := range []string{"http_json", "github_releases"} {
		b.Run(typ, func(b *testing.B) {
			const n = 1000
			up, cfg := unchangedFleet(b, typ, n)
			w := newWorld(b, cfg, worldOptions{})
			w.poll()
			w.poll()
			snaps := w.count("SELECT count(*) FROM snapshots")
			before, before304 := up.Requests(), up.NotModified()
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				rep, err := w.e.Poll(context.Background())
				if err != nil || rep.Failed() > 0 {
					b.Fatalf("poll: %v, %d failed", err, rep.Failed())
				}
			}
			b.StopTimer()
			polls := float64(b.N) * n
			b.ReportMetric(float64(up.Requests()-before)/polls, "requests/source")
			b.ReportMetric(float64(up.NotModified()-before304)/polls, "304s/source")
			b.ReportMetric(float64(w.count("SELECT count(*) FROM snapshots")-snaps)/float64(b.N), "snapshots/op")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/polls/1e3, "µs/source")
		})
	}
}
