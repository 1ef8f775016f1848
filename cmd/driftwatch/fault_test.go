package main

import (
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/driftwatch/driftwatch/providers/providertest"
)

// webhookSink is a Slack Incoming Webhook that can hang: while hanging it
// signals each request's arrival and never answers (so nothing is posted),
// else it accepts the message and keeps it.
type webhookSink struct {
	*httptest.Server
	arrived chan struct{}

	mu      sync.Mutex
	hanging bool
	posted  []string
}

func newWebhookSink(t *testing.T) *webhookSink {
	s := &webhookSink{arrived: make(chan struct{}, 16)}
	release := make(chan struct{})
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		hang := s.hanging
		if !hang {
			s.posted = append(s.posted, string(body))
		}
		s.mu.Unlock()
		if hang {
			s.arrived <- struct{}{}
			select {
			case <-r.Context().Done():
			case <-release:
			}
			return
		}
		io.WriteString(w, "ok")
	}))
	t.Cleanup(func() { close(release); s.Close() })
	return s
}

func (s *webhookSink) hang(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hanging = on
}

// total returns how many messages were accepted.
func (s *webhookSink) total() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.posted)
}

// count returns how many accepted messages contain text.
func (s *webhookSink) count(text string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, p := range s.posted {
		if strings.Contains(p, text) {
			n++
		}
	}
	return n
}

// kill sends SIGKILL to a started process and waits for it to die; it
// reports whether the process was still running.
func (p *proc) kill(t *testing.T) bool {
	t.Helper()
	err := p.cmd.Process.Signal(syscall.SIGKILL)
	if err != nil && !errors.Is(err, os.ErrProcessDone) {
		t.Fatal(err)
	}
	werr := <-p.done
	p.done <- werr // for the cleanup's wait
	return err == nil
}

// storeDB opens the CLI's store file directly, to look at what the killed
// process left behind.
func storeDB(t *testing.T, c *cli) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(c.dir, "dw.db")+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func count(t *testing.T, db *sql.DB, q string) int {
	t.Helper()
	var n int
	if err := db.QueryRow(q).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func integrityOK(t *testing.T, db *sql.DB) {
	t.Helper()
	var res string
	if err := db.QueryRow("PRAGMA integrity_check").Scan(&res); err != nil || res != "ok" {
		t.Fatalf("integrity_check = %q, %v", res, err)
	}
}

// TestKilledBetweenStoreAndNotice kills `driftwatch poll` with SIGKILL
// after it stored a snapshot and its finding and while it is posting the
// notice (Slack has the request but never answers, so nothing is posted),
// then runs it again: the store is intact, the notice is neither lost nor
// posted twice, and no finding is invented.
func TestKilledBetweenStoreAndNotice(t *testing.T) {
	binary(t)
	sink := newWebhookSink(t)
	up := newUpstream(t, metricsDoc(1, 10))
	c := newCLI(t, slackConfig(up.URL, 1))
	c.env["SLACK_WEBHOOK_URL"] = sink.URL + "/services/T000/B000/XXXX"
	c.mustRun(0, "poll")

	up.set(200, "application/json", metricsDoc(1, 99))
	sink.hang(true)
	p := c.start("poll")
	select {
	case <-sink.arrived:
	case <-time.After(30 * time.Second):
		t.Fatalf("the notice was never posted\n%s", p.stderr.String())
	}
	p.kill(t)
	db := storeDB(t, c)
	integrityOK(t, db)
	if n := count(t, db, "SELECT count(*) FROM snapshots"); n != 2 {
		t.Fatalf("%d snapshots after the kill, want 2 (stored before the notice)", n)
	}
	if n := count(t, db, "SELECT count(*) FROM outbox WHERE sent_at IS NULL"); n != 1 {
		t.Fatalf("%d notices pending after the kill, want 1", n)
	}

	// Restarted at once: the notice is still leased to the dead process,
	// so nothing is posted yet, and nothing is queued twice.
	sink.hang(false)
	if r := c.exec("poll"); r.code != 0 {
		t.Fatalf("poll after the kill: exit %d\n%s", r.code, r.stderr)
	}
	if n := sink.count("/m/0 is 99"); n != 0 {
		t.Fatalf("posted %d times while the dead process held the notice", n)
	}
	if n := count(t, db, "SELECT count(*) FROM outbox"); n != 1 {
		t.Fatalf("%d notices in the outbox, want the one", n)
	}
	// The lease (2 minutes) runs out; rather than wait, move it.
	if _, err := db.Exec("UPDATE outbox SET claimed_until = '2000-01-01T00:00:00.000Z' WHERE sent_at IS NULL"); err != nil {
		t.Fatal(err)
	}
	c.mustRun(0, "poll")
	c.mustRun(0, "poll")
	if n := sink.count("/m/0 is 99"); n != 1 {
		t.Fatalf("the notice was posted %d times, want once", n)
	}
	fs := decode[findingsJSON](t, c.mustRun(0, "findings", "--state", "all", "--format", "json").stdout).Findings
	if len(fs) != 1 || fs[0].Rule != "threshold.above" || fs[0].State != "open" {
		t.Fatalf("findings = %+v, want the one threshold finding, open", fs)
	}
	if n := c.snapshots("orders-db"); n != 2 {
		t.Fatalf("%d snapshots, want 2", n)
	}
	integrityOK(t, db)
}

// TestKilledMidPoll kills `driftwatch poll --no-notify` at several moments
// of a poll of a large Auth0 tenant whose web app lost a callback URL
// (fetching, canonicalising, committing), checks the store each time, and
// then lets a poll finish: one new snapshot, one url_removed finding, one
// notice posted; no "everything removed" change.
func TestKilledMidPoll(t *testing.T) {
	t.Parallel() // runs only the built binary
	binary(t)
	sim := providertest.NewAuth0(providertest.Auth0Options{Clients: 2000, RateLimit: 1 << 30})
	defer sim.Close()
	sink := newWebhookSink(t)
	c := auth0CLI(t, sim, false)
	c.writeConfig(auth0Config(sim, false) + "\n[notify.slack]\nwebhook_url_env = \"SLACK_WEBHOOK_URL\"\n")
	c.env["SLACK_WEBHOOK_URL"] = sink.URL + "/services/T000/B000/XXXX"
	start := time.Now()
	if r := c.exec("poll"); r.code != 0 {
		t.Fatalf("baseline: exit %d\n%s", r.code, r.stderr)
	}
	took := time.Since(start) // a poll of the same size: fetch, canonicalise, commit
	db := storeDB(t, c)
	before := count(t, db, "SELECT count(*) FROM findings")
	baseNotices := sink.total()

	sim.Mutate(func(tn *providertest.Auth0Tenant) { tn.RemoveString(tn.Client("Acme Web"), "callbacks", acmeCallback) })
	// From early in the fetch to past the end of a poll the size of the
	// baseline (this one also diffs and judges, so it takes longer).
	for i := 1; i <= 6; i++ {
		delay := took * time.Duration(i) / 4
		p := c.start("poll", "--no-notify")
		time.Sleep(delay)
		what := "killed after"
		if !p.kill(t) {
			what = "finished within"
		}
		integrityOK(t, db)
		snaps := count(t, db, "SELECT count(*) FROM snapshots")
		removed := count(t, db, "SELECT count(*) FROM findings WHERE rule = 'auth0.url_removed'")
		t.Logf("%s %v: %d snapshots, %d url_removed findings", what, delay.Round(time.Millisecond), snaps, removed)
		if snaps > 2 || removed > 1 || (snaps == 1) != (removed == 0) {
			t.Fatalf("killed after %v: %d snapshots with %d url_removed findings: not one transaction", delay, snaps, removed)
		}
	}
	if r := c.exec("poll"); r.code != 0 {
		t.Fatalf("final poll: exit %d\n%s", r.code, r.stderr)
	}
	if n := c.snapshots("auth0-prod"); n != 2 {
		t.Errorf("%d snapshots, want the baseline and the change", n)
	}
	if n := count(t, db, "SELECT count(*) FROM findings") - before; n != 1 {
		t.Errorf("%d new findings, want the one url_removed", n)
	}
	if n := sink.count(acmeCallback); n != 1 {
		t.Errorf("the removed callback was posted %d times, want once", n)
	}
	if n := sink.total() - baseNotices; n != 1 {
		t.Errorf("%d messages posted after the baseline, want 1", n)
	}
	d := decode[struct {
		Changes []struct {
			Op   string `json:"op"`
			Path string `json:"path"`
		} `json:"changes"`
	}](t, c.mustRun(0, "diff", "auth0-prod", "--format", "json").stdout)
	if len(d.Changes) != 1 || d.Changes[0].Op != "removed" || !strings.HasSuffix(d.Changes[0].Path, "/callbacks") {
		t.Errorf("stored change = %+v, want the one callback removed", d.Changes)
	}
	integrityOK(t, db)
}

// TestKeepSnapshots runs retention through the real CLI: keep_snapshots
// is validated, and a source that changes every poll keeps its newest
// snapshots, with diff still working on the last two.
func TestKeepSnapshots(t *testing.T) {
	up := newUpstream(t, metricsDoc(1, 10))
	conf := func(keep int) string {
		return fmt.Sprintf("[store]\npath = \"dw.db\"\nkeep_snapshots = %d\n\n[[source]]\nname = \"orders-db\"\ntype = \"http_json\"\nurl = %q\n", keep, up.URL)
	}
	c := newCLI(t, conf(1))
	r := c.mustRun(2, "validate")
	if !strings.Contains(r.stderr, "driftwatch.toml:3:") || !strings.Contains(r.stderr, "keep_snapshots") {
		t.Errorf("validate of keep_snapshots = 1: %s", r.stderr)
	}
	c.writeConfig(conf(3))
	for v := 10; v < 16; v++ {
		up.set(200, "application/json", metricsDoc(1, v))
		c.mustRun(0, "poll")
	}
	h := decode[historyJSON](t, c.mustRun(0, "history", "orders-db", "--format", "json").stdout)
	if len(h.Snapshots) != 3 {
		t.Fatalf("history keeps %d snapshots, want 3", len(h.Snapshots))
	}
	d := decode[struct {
		Changes []struct {
			Path     string `json:"path"`
			Old, New int
		} `json:"changes"`
	}](t, c.mustRun(0, "diff", "orders-db", "--format", "json").stdout)
	if len(d.Changes) != 1 || d.Changes[0].Old != 14 || d.Changes[0].New != 15 {
		t.Errorf("diff of the last two after pruning: %+v", d.Changes)
	}
}
