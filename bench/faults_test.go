package bench_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/driftwatch/driftwatch/bench"
	"github.com/driftwatch/driftwatch/diff"
	"github.com/driftwatch/driftwatch/providers/providertest"
	"github.com/driftwatch/driftwatch/watcher"
)

// faultTimeout is the HTTP client timeout of the fault tests: what ends a
// hang or a trickle. Production uses polite.Timeout (10 s).
const faultTimeout = time.Second

// faultTarget is one request of one provider's fetch that can go wrong.
type faultTarget struct {
	name  string
	match string // bench.Proxy.Inject's match
	nth   int
}

// faultRig is one provider behind a fault proxy, polled by the real
// engine. change, when set, makes the upstream really change before each
// faulted poll (so that a conditional first page answers 200 and the later
// pages are read); the poll after the fault must then store exactly that
// change.
type faultRig struct {
	w      *world
	proxy  *bench.Proxy
	secret string
	change func(i int)
	faults []bench.Fault
}

func newProxy(tb testing.TB, target string) *bench.Proxy {
	tb.Helper()
	p, err := bench.NewProxy(target)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(p.Close)
	return p
}

var allFaults = []bench.Fault{bench.ServerError, bench.Timeout, bench.ConnReset, bench.Slowloris,
	bench.LoginPage, bench.WrongShape, bench.OverCap}

func auth0Rig(t *testing.T) *faultRig {
	sim := providertest.NewAuth0(providertest.Auth0Options{Clients: 250, Connections: 150, RateLimit: 1 << 30})
	t.Cleanup(sim.Close)
	p := newProxy(t, sim.URL())
	cfg := fmt.Sprintf(`[store]
path = "dw.db"

[[source]]
name = "auth0-prod"
type = "auth0"
domain = %q
base_url = %q
client_id_env = "ID"
client_secret_env = "SECRET"
`, sim.Domain(), p.URL())
	w := newWorld(t, cfg, worldOptions{timeout: faultTimeout,
		env: map[string]string{"ID": sim.ClientID(), "SECRET": sim.ClientSecret()}})
	return &faultRig{w: w, proxy: p, secret: sim.ClientSecret(), faults: allFaults}
}

var auth0Targets = []faultTarget{
	{"token", providertest.Auth0TokenPath, 1},
	{"settings", providertest.Auth0SettingsPath, 1},
	{"clients-page-0", providertest.Auth0ClientsPath + "?page=0", 1},
	{"clients-page-2", providertest.Auth0ClientsPath + "?page=2", 1},
	{"connections-checkpoint-2", providertest.Auth0ConnectionsPath, 2},
	{"resource-servers", providertest.Auth0ResourceServersPath, 1},
	{"hooks", providertest.Auth0HooksPath, 1}, // optional endpoint: a 403/404 leaves it out, a fault does not
}

func githubRig(t *testing.T) *faultRig {
	rs := providertest.CorpusReleases("auth0__auth0-spa-js.md") // 120 releases: two pages
	gh := providertest.NewGitHub("auth0/auth0-spa-js", rs...)
	gh.SetRateLimit(1<<30, 1<<30, time.Now().Add(time.Hour))
	t.Cleanup(gh.Close)
	origin := strings.TrimSuffix(gh.URL(), "/api/v3/")
	p := newProxy(t, origin)
	cfg := fmt.Sprintf(`[store]
path = "dw.db"

[[source]]
name = "spa-js"
type = "github_releases"
repo = "auth0/auth0-spa-js"
deployed = "2.1.3"
api_url = "%s/api/v3/"
`, p.URL())
	w := newWorld(t, cfg, worldOptions{timeout: faultTimeout})
	return &faultRig{w: w, proxy: p, faults: allFaults,
		change: func(i int) {
			gh.AddRelease(providertest.Release{Tag: fmt.Sprintf("v2.99.%d", i), Name: fmt.Sprintf("v2.99.%d", i),
				Body: "Fixes a race in token refresh.", Published: time.Date(2026, 3, 1, 0, 0, i, 0, time.UTC)})
		}}
}

var githubTargets = []faultTarget{{"releases-page-1", "/releases?page=1", 1}, {"releases-page-2", "/releases?page=2", 1}}

func feedRig(t *testing.T) *faultRig {
	var entries []providertest.Entry
	for i := range 12 {
		entries = append(entries, providertest.Entry{ID: fmt.Sprintf("urn:changelog:%d", i),
			Title:     fmt.Sprintf("Change %d: the legacy /userinfo endpoint is deprecated", i),
			Link:      fmt.Sprintf("https://auth0.com/changelog/%d", i),
			Summary:   "Node 16 reaches end of life; migrate your actions to Node 22.",
			Published: time.Date(2026, 2, 1+i, 0, 0, 0, 0, time.UTC)})
	}
	f := providertest.NewFeed(providertest.RSS, "Auth0 changelog", entries...)
	t.Cleanup(f.Close)
	p := newProxy(t, f.URL())
	w := newWorld(t, fmt.Sprintf("[store]\npath = \"dw.db\"\n\n[[source]]\nname = \"changelog\"\ntype = \"feed\"\nurl = %q\n", p.URL()),
		worldOptions{timeout: faultTimeout})
	return &faultRig{w: w, proxy: p, faults: allFaults}
}

func httpJSONRig(t *testing.T) *faultRig {
	up := bench.NewConditional()
	t.Cleanup(up.Close)
	up.Set("/db", "application/json", []byte(`{"plan":"pro","metrics":{"cpu_percent":97}}`))
	p := newProxy(t, up.URL())
	w := newWorld(t, fmt.Sprintf(`[store]
path = "dw.db"

[[source]]
name = "orders-db"
type = "http_json"
url = "%s/db"

  [[source.threshold]]
  path = "/metrics/cpu_percent"
  above = 90
`, p.URL()), worldOptions{timeout: faultTimeout})
	// A JSON endpoint has no schema: a 200 with another JSON document is a
	// document (see TestHTTPJSONWrongShape).
	faults := []bench.Fault{bench.ServerError, bench.Timeout, bench.ConnReset, bench.Slowloris, bench.LoginPage, bench.OverCap}
	return &faultRig{w: w, proxy: p, faults: faults}
}

// TestUpstreamFaults makes every request of every provider's fetch fail
// in every way, one at a time: a 500, a hang past the client timeout, a
// connection reset mid-body, a slowloris trickle, a 200 with an HTML login
// page, a 200 with an Auth0 error object instead of the expected list, a
// body over the 10 MiB cap. (A connection reset before any answer is not
// among them: net/http retries such a GET on a fresh connection by itself;
// TestSlackDownForADay resets every connection of an hour.) Each faulted poll must fail, store nothing,
// judge nothing and notify nothing; the next poll must find the upstream
// as it was (no "everything removed", no "everything new").
func TestUpstreamFaults(t *testing.T) {
	var wg sync.WaitGroup
	defer wg.Wait()
	for _, tc := range []struct {
		name    string
		rig     func(*testing.T) *faultRig
		targets []faultTarget
	}{
		{"auth0", auth0Rig, auth0Targets},
		{"github_releases", githubRig, githubTargets},
		{"feed", feedRig, []faultTarget{{"feed", "/", 1}}},
		{"http_json", httpJSONRig, []faultTarget{{"endpoint", "/db", 1}}},
	} {
		for n, target := range tc.targets {
			if testing.Short() && n > 0 {
				break // -short: one request of each provider, not every one
			}
			// All at once, whatever -parallel says: the hangs and trickles
			// spend their time waiting out the client timeout, not working.
			wg.Add(1)
			go t.Run(tc.name+"/"+target.name, func(t *testing.T) {
				defer wg.Done()
				rig := tc.rig(t)
				if rep := rig.w.poll(); rep.Failed() > 0 {
					t.Fatalf("baseline: %v", rep.Sources[0].Err)
				}
				for i, f := range rig.faults {
					t.Run(f.Name, func(t *testing.T) {
						if testing.Short() && (f.Kind == bench.Hang || f.Kind == bench.Trickle) {
							t.Skip("waits out the client timeout; skipped with -short")
						}
						known := knownFaultIssues[tc.name+"/"+target.name+"/"+f.Name]
						ok := rig.faultedPoll(t, i+1, target, f, known != "")
						switch {
						case !ok && known != "":
							t.Skipf("KNOWN ISSUE, not fixed yet: %s", known)
						case ok && known != "":
							t.Errorf("fixed: remove %s/%s/%s from knownFaultIssues", tc.name, target.name, f.Name)
						}
					})
				}
				rig.w.integrity()
			})
		}
	}
}

// knownFaultIssues are faults driftwatch does not survive yet, each a bug
// in a provider (see BENCHMARKS.md, "Reliability"). Their subtests log
// what went wrong and skip; once fixed, they fail until removed here.
// None now: the auth0 settings error object and the JSON error body a feed
// answered with are refused since the fault tests found them.
var knownFaultIssues = map[string]string{}

// faultedPoll injects one fault, polls, and checks that nothing was
// stored, judged or notified; then polls again and checks that the
// upstream is found as it was. It reports whether everything held; with
// soft set, a broken expectation is logged instead of failing the test,
// and the store is put back on track for the next fault.
func (rig *faultRig) faultedPoll(t *testing.T, i int, target faultTarget, f bench.Fault, soft bool) bool {
	w := rig.w
	ok := true
	fail := func(format string, args ...any) {
		ok = false
		if soft {
			t.Logf(format, args...)
		} else {
			t.Errorf(format, args...)
		}
	}
	snaps, findings, notices := w.count("SELECT count(*) FROM snapshots"), w.count("SELECT count(*) FROM findings"),
		w.count("SELECT count(*) FROM outbox")
	if rig.change != nil {
		rig.change(i)
	}
	rig.proxy.Inject(target.match, target.nth, f)
	rep := w.poll()
	if n := rig.proxy.Pending(); n != 0 {
		t.Fatalf("the fault was never served: the fetch did not reach %s", target.match)
	}
	s := rep.Sources[0]
	if s.Outcome != watcher.OutcomeFailed || s.Err == nil {
		fail("faulted poll: outcome %s with %d changes, %d opened, %d resolved, %d notices; want the poll to fail",
			s.Outcome, s.Changes, s.Opened, s.Resolved, s.Notices)
	} else {
		msg := s.Err.Error()
		t.Logf("error: %s", msg)
		if rig.secret != "" && strings.Contains(msg, rig.secret) {
			t.Errorf("the error reveals the client secret")
		}
		if strings.ContainsAny(msg, "\n\r") || len(msg) > 600 {
			t.Errorf("the error is not one short line (%d bytes)", len(msg))
		}
		if n := w.count("SELECT consecutive_failures FROM sources"); n != 1 {
			t.Errorf("consecutive_failures = %d, want 1", n)
		}
	}
	if s, fs, o := w.count("SELECT count(*) FROM snapshots"), w.count("SELECT count(*) FROM findings"),
		w.count("SELECT count(*) FROM outbox"); s != snaps || fs != findings || o != notices {
		fail("the faulted poll wrote snapshots %d→%d, findings %d→%d, notices %d→%d", snaps, s, findings, fs, notices, o)
	}

	rep = w.poll()
	s = rep.Sources[0]
	switch {
	case s.Err != nil:
		t.Fatalf("the poll after the fault failed: %v", s.Err)
	case rig.change == nil && s.Outcome != watcher.OutcomeUnchanged:
		fail("the poll after the fault: outcome %s with %d changes, %d opened, %d resolved; the upstream did not change",
			s.Outcome, s.Changes, s.Opened, s.Resolved)
	case rig.change != nil && !rig.onlyAdded(t):
		ok = false
	}
	if fs, o := w.count("SELECT count(*) FROM findings"), w.count("SELECT count(*) FROM outbox"); fs != findings || o != notices {
		fail("findings %d→%d, notices %d→%d over the fault and the recovery", findings, fs, notices, o)
	}
	return ok
}

// onlyAdded checks that the newest stored change of the source holds no
// removal: the upstream only gained a release.
func (rig *faultRig) onlyAdded(t *testing.T) bool {
	t.Helper()
	w := rig.w
	name := w.e.Sources[0].Source.Name
	latest, err := w.db.LatestSnapshot(t.Context(), name)
	if err != nil {
		t.Fatal(err)
	}
	prev, err := w.db.PreviousSnapshot(t.Context(), name, latest.ID)
	if err != nil {
		t.Fatal(err)
	}
	changes, err := diff.Diff(prev.Body, latest.Body, w.e.Sources[0].Options)
	if err != nil {
		t.Fatal(err)
	}
	ok := len(changes) > 0 && len(changes) <= 3
	for _, c := range changes {
		if c.Op == diff.Removed {
			t.Errorf("the recovered poll stored a removal at %s", c.Path)
			ok = false
		}
	}
	if !ok {
		t.Errorf("the recovered poll stored %d changes, want the one new release", len(changes))
	}
	return ok
}
