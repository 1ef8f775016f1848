package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// authUpstream is a JSON endpoint that records the Authorization header.
func authUpstream(t *testing.T) (*httptest.Server, func() []string) {
	var mu sync.Mutex
	var seen []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Header.Get("Authorization"))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"ok":true}`))
	}))
	t.Cleanup(srv.Close)
	return srv, func() []string { mu.Lock(); defer mu.Unlock(); return append([]string(nil), seen...) }
}

func exists(path string) bool { _, err := os.Stat(path); return err == nil }

// TestServiceConfigOverBinary: the store path from the file, then from
// DRIFTWATCH_STORE_PATH over it, then --store over both; a header secret
// from a *_file with its newline stripped; validate --no-env.
func TestServiceConfigOverBinary(t *testing.T) {
	up, seen := authUpstream(t)
	c := newCLI(t, `
[store]
path = "file.db"

[[source]]
name = "orders-db"
type = "http_json"
url = "`+up.URL+`"
headers_file = { Authorization = "secrets/orders_auth" }
`)
	secret := filepath.Join(c.dir, "secrets", "orders_auth")

	// Without the secret file: validate names it; --no-env checks the rest.
	if r := c.exec("validate"); r.code != 2 || !strings.Contains(r.stderr, "headers_file.Authorization: "+secret+": no such file") {
		t.Fatalf("validate without the secret file: exit %d\n%s", r.code, r.stderr)
	}
	if r := c.exec("validate", "--no-env"); r.code != 0 || !strings.Contains(r.stdout, "valid (1 sources, 0 expectations; secrets not checked)") {
		t.Fatalf("validate --no-env: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	os.Mkdir(filepath.Dir(secret), 0o700)
	if err := os.WriteFile(secret, []byte("Bearer from-a-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c.exec("validate")
	if r := c.exec("poll"); r.code != 0 || !exists(filepath.Join(c.dir, "file.db")) {
		t.Fatalf("poll: exit %d\n%s", r.code, r.stderr)
	}
	if got := seen(); len(got) != 1 || got[0] != "Bearer from-a-file" {
		t.Errorf("Authorization sent = %q, want the file's value without its newline", got)
	}

	envDB, flagDB := filepath.Join(c.dir, "state", "env.db"), filepath.Join(c.dir, "flag.db")
	os.Mkdir(filepath.Dir(envDB), 0o700)
	c.env["DRIFTWATCH_STORE_PATH"] = envDB
	if r := c.exec("poll"); r.code != 0 || !exists(envDB) {
		t.Fatalf("poll with DRIFTWATCH_STORE_PATH: exit %d, store there: %v\n%s", r.code, exists(envDB), r.stderr)
	}
	if r := c.exec("--store", flagDB, "poll"); r.code != 0 || !exists(flagDB) {
		t.Fatalf("poll --store: exit %d\n%s", r.code, r.stderr)
	}
	if r := c.exec("history", "orders-db", "--store", flagDB); r.code != 0 || strings.Count(r.stdout, "\n") < 2 {
		t.Errorf("history from --store: exit %d\n%s", r.code, r.stdout)
	}
	c.env["DRIFTWATCH_STORE_KEEP_SNAPSHOTS"] = "one"
	if r := c.exec("validate"); r.code != 2 || !strings.Contains(r.stderr, "DRIFTWATCH_STORE_KEEP_SNAPSHOTS") {
		t.Errorf("a bad override: exit %d\n%s", r.code, r.stderr)
	}
}

// TestValidateNoEnv: a pull-request job has the config, not the secrets.
func TestValidateNoEnv(t *testing.T) {
	c := newCLI(t, `
[notify.slack]
webhook_url_env = "SLACK_WEBHOOK_URL"

[[source]]
name = "auth0-prod"
type = "auth0"
domain = "acme.eu.auth0.com"
client_id_env = "AUTH0_CLIENT_ID"
client_secret_env = "AUTH0_CLIENT_SECRET"
`)
	r := c.mustRun(2, "validate")
	for _, v := range []string{"SLACK_WEBHOOK_URL", "AUTH0_CLIENT_ID", "AUTH0_CLIENT_SECRET"} {
		if !strings.Contains(r.stderr, v) {
			t.Errorf("validate does not name %s:\n%s", v, r.stderr)
		}
	}
	c.mustRun(0, "validate", "--no-env")
	// Everything else is still checked.
	c.writeConfig(strings.Replace(c.readConfig(), `domain = "acme.eu.auth0.com"`, `domain = "https://acme.eu.auth0.com/"`, 1))
	if r := c.mustRun(2, "validate", "--no-env"); !strings.Contains(r.stderr, "want a host name") {
		t.Errorf("validate --no-env on a bad domain:\n%s", r.stderr)
	}
}

// TestCheckRefreshWithoutSlackSecret: the CI step polls and judges without
// the notifier's secret; its notices stay queued.
func TestCheckRefreshWithoutSlackSecret(t *testing.T) {
	up := newUpstream(t, `{"plan":{"allowed_origins":[]},"metrics":{"cpu_percent":40}}`)
	c := newCLI(t, judgedConfig(up.URL)+`
[notify.slack]
webhook_url_env = "SLACK_WEBHOOK_URL"
`)
	r := c.mustRun(1, "check", "--refresh")
	if !strings.Contains(r.stdout, "FAIL") || strings.Contains(r.stderr, "error") {
		t.Errorf("check --refresh:\n%s\n%s", r.stdout, r.stderr)
	}
	// A source's own secret is still required.
	c.writeConfig(strings.Replace(c.readConfig(), `url = "`+up.URL+`"`, `url = "`+up.URL+`"
headers_env = { Authorization = "ORDERS_AUTH" }`, 1))
	if r := c.mustRun(2, "check", "--refresh"); !strings.Contains(r.stderr, "ORDERS_AUTH") || strings.Contains(r.stderr, "SLACK") {
		t.Errorf("check --refresh without a source secret:\n%s", r.stderr)
	}
}

// TestHealthcheck: the daemon listens where DRIFTWATCH_SERVER_LISTEN says,
// on every interface; healthcheck asks it on loopback. --listen wins over
// the variable.
func TestHealthcheck(t *testing.T) {
	up := newUpstream(t, `{"ok":true}`)
	c := newCLI(t, `
[server]
listen = "127.0.0.1:1"

[[source]]
name = "orders-db"
type = "http_json"
url = "`+up.URL+`"
`)
	addr := freeAddr(t)
	_, port, _ := strings.Cut(addr, ":")
	c.env["DRIFTWATCH_SERVER_LISTEN"] = "0.0.0.0:" + port
	if r := c.exec("healthcheck"); r.code != 1 || !strings.Contains(r.stderr, "unhealthy") {
		t.Fatalf("healthcheck with no daemon: exit %d\n%s", r.code, r.stderr)
	}
	d := c.start("run")
	eventually(t, 15*time.Second, "healthcheck to pass", func() bool { return c.exec("healthcheck").code == 0 })
	if r := c.exec("healthcheck"); !strings.Contains(r.stdout, "healthy: http://127.0.0.1:"+port+"/healthz") {
		t.Errorf("healthcheck: %q", r.stdout)
	}
	if r := c.exec("healthcheck", "--listen", freeAddr(t)); r.code != 1 {
		t.Errorf("healthcheck --listen elsewhere: exit %d, want 1", r.code)
	}
	if r := c.exec("healthcheck", "--listen", "nowhere"); r.code != 2 {
		t.Errorf("healthcheck --listen nowhere: exit %d, want 2", r.code)
	}
	d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-d.done:
		d.done <- err
		if err != nil {
			t.Errorf("run after SIGTERM: %v\n%s", err, d.stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("run did not stop on SIGTERM")
	}
}

// TestNoNotifyBaseline: a first `poll --no-notify` records the baseline's
// findings without queueing notices; --queue queues them; later changes
// are queued as before.
func TestNoNotifyBaseline(t *testing.T) {
	up := newUpstream(t, `{"plan":{"allowed_origins":[]},"metrics":{"cpu_percent":97}}`)
	c := newCLI(t, judgedConfig(up.URL))
	if r := c.mustRun(0, "poll", "--no-notify"); r.stdout != "" {
		t.Fatalf("--no-notify printed notices:\n%s", r.stdout)
	}
	if fs := decode[findingsJSON](t, c.mustRun(0, "findings", "--format", "json").stdout).Findings; len(fs) != 2 {
		t.Fatalf("baseline findings = %d, want 2 (threshold and expectation)", len(fs))
	}
	if r := c.mustRun(0, "poll"); strings.Contains(r.stdout, "cpu_percent") || strings.Contains(r.stdout, "app.acme.com") {
		t.Errorf("the baseline's notices were queued:\n%s", r.stdout)
	}
	// A change after the baseline is queued by --no-notify and delivered later.
	up.set(200, "application/json", `{"plan":{"allowed_origins":[]},"metrics":{"cpu_percent":40}}`)
	c.mustRun(0, "poll", "--no-notify")
	if r := c.mustRun(0, "poll"); !strings.Contains(r.stdout, "cpu_percent") {
		t.Errorf("the resolved threshold was not queued:\n%s", r.stdout)
	}

	q := newCLI(t, judgedConfig(up.URL))
	up.set(200, "application/json", `{"plan":{"allowed_origins":[]},"metrics":{"cpu_percent":40}}`)
	q.mustRun(0, "poll", "--no-notify", "--queue")
	if r := q.mustRun(0, "poll"); !strings.Contains(r.stdout, "app.acme.com") {
		t.Errorf("--queue did not queue the baseline's notice:\n%s", r.stdout)
	}
}
