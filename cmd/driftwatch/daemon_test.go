package main

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestDaemon(t *testing.T) {
	up := newUpstream(t, `{"metrics":{"cpu_percent":40}}`)
	addr := freeAddr(t)
	c := newCLI(t, `
[store]
path = "dw.db"

[server]
listen = "`+addr+`"

[[source]]
name = "orders-db"
type = "http_json"
schedule = "@every 1s"
url = "`+up.URL+`"

  [[source.threshold]]
  path = "/metrics/cpu_percent"
  above = 90
`)
	d := c.start("run")
	base := "http://" + addr

	eventually(t, 15*time.Second, "/healthz with a successful fetch", func() bool {
		code, body := get(t, base+"/healthz")
		return code == 200 && strings.Contains(body, `"last_success": "`)
	})
	var h struct {
		Status  string `json:"status"`
		Sources []struct {
			Name                string `json:"name"`
			ConsecutiveFailures int    `json:"consecutive_failures"`
		} `json:"sources"`
	}
	_, body := get(t, base+"/healthz")
	if err := json.Unmarshal([]byte(body), &h); err != nil || h.Status != "ok" || len(h.Sources) != 1 || h.Sources[0].Name != "orders-db" {
		t.Fatalf("healthz = %s", body)
	}
	_, metrics := get(t, base+"/metrics")
	for _, series := range []string{`driftwatch_polls_total{outcome="baseline",source="orders-db"} 1`, "driftwatch_findings_open{severity=\"breaking\"}",
		"driftwatch_outbox_pending", "driftwatch_poll_duration_seconds_bucket", "go_goroutines", "driftwatch_store_up 1"} {
		if !strings.Contains(metrics, series) {
			t.Errorf("/metrics lacks %s", series)
		}
	}

	// A second daemon on the same store refuses, naming the holder.
	second := c.exec("run")
	if second.code != 2 || !strings.Contains(second.stderr, "locked by another driftwatch run") || !strings.Contains(second.stderr, "pid ") {
		t.Fatalf("second run: exit %d, stderr %q", second.code, second.stderr)
	}

	// An upstream change becomes a finding and a notice, no restart.
	up.set(200, "application/json", `{"metrics":{"cpu_percent":97}}`)
	eventually(t, 15*time.Second, "the notice on the daemon's stdout", func() bool {
		return strings.Contains(d.stdout.String(), "/metrics/cpu_percent is 97")
	})

	// poll and check work beside the daemon.
	if r := c.exec("poll", "--no-notify"); r.code != 0 {
		t.Fatalf("poll beside run: exit %d\n%s", r.code, r.stderr)
	}
	if r := c.exec("check", "--fail-on", "warning"); r.code != 1 || !strings.Contains(r.stdout, "cpu_percent") {
		t.Fatalf("check beside run: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := c.exec("ack", "1"); r.code != 0 {
		t.Fatalf("ack beside run: exit %d\n%s", r.code, r.stderr)
	}

	// SIGHUP with a broken config: logged, the running config kept.
	good := strings.TrimSpace(c.readConfig())
	c.writeConfig(good + "\nbogus_key = 1\n")
	d.cmd.Process.Signal(syscall.SIGHUP)
	eventually(t, 10*time.Second, "the failed reload logged", func() bool {
		return strings.Contains(d.stderr.String(), "config reload failed; keeping the running config")
	})
	if code, _ := get(t, base+"/healthz"); code != 200 {
		t.Fatalf("after a bad reload /healthz = %d", code)
	}
	// SIGHUP with a good config adding a source: polled without restart.
	c.writeConfig(good + "\n[[source]]\nname = \"status-page\"\ntype = \"http_json\"\nschedule = \"@every 1s\"\nurl = \"" + up.URL + "\"\n")
	d.cmd.Process.Signal(syscall.SIGHUP)
	eventually(t, 15*time.Second, "the added source on /healthz", func() bool {
		_, body := get(t, base+"/healthz")
		return strings.Contains(body, `"name": "status-page"`)
	})
	// A reload is logged as one, not as the daemon stopping and starting.
	if logs := d.stderr.String(); strings.Count(logs, "daemon started") != 1 || strings.Contains(logs, "daemon stopped") ||
		!strings.Contains(logs, "config reloaded") {
		t.Errorf("reload logs:\n%s", logs)
	}

	// SIGTERM: a prompt, clean exit 0.
	start := time.Now()
	d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-d.done:
		d.done <- err
		if err != nil {
			t.Fatalf("run exited with %v\n%s", err, d.stderr.String())
		}
	case <-time.After(25 * time.Second):
		t.Fatal("run did not stop after SIGTERM")
	}
	t.Logf("stopped %v after SIGTERM", time.Since(start).Round(time.Millisecond))
	if logs := d.stderr.String(); !strings.Contains(logs, "stopping: no new polls") || !strings.HasSuffix(strings.TrimSpace(logs), `msg="daemon stopped"`) {
		t.Errorf("stop logs:\n%s", logs)
	}
	if strings.Contains(d.stderr.String(), "database is locked") {
		t.Fatalf("database is locked:\n%s", d.stderr.String())
	}
}

func TestDaemonForgetsARemovedSourceAndLocksThroughSymlinks(t *testing.T) {
	up := newUpstream(t, `{"metrics":{"cpu_percent":97}}`)
	addr := freeAddr(t)
	keep := `
[store]
path = "dw.db"

[server]
listen = "` + addr + `"

[[source]]
name = "status-page"
type = "http_json"
url = "` + up.URL + `"
`
	removed := `
[[source]]
name = "orders-db"
type = "http_json"
url = "` + up.URL + `"
  [[source.threshold]]
  path = "/metrics/cpu_percent"
  above = 90
`
	c := newCLI(t, keep+removed)
	d := c.start("run")
	base := "http://" + addr
	eventually(t, 15*time.Second, "both sources fetched", func() bool {
		_, body := get(t, base+"/healthz")
		return strings.Count(body, `"last_success": "`) == 2
	})

	// Another config reaching the same store through a symlink is locked
	// out too.
	other := newCLI(t, "[store]\npath = \"link.db\"\n[server]\nlisten = \""+freeAddr(t)+"\"\n")
	if err := os.Symlink(filepath.Join(c.dir, "dw.db"), filepath.Join(other.dir, "link.db")); err != nil {
		t.Fatal(err)
	}
	if r := other.exec("run"); r.code != 2 || !strings.Contains(r.stderr, "locked by another driftwatch run") {
		t.Fatalf("run through a symlink: exit %d, stderr %q", r.code, r.stderr)
	}

	// orders-db leaves the configuration: gone from /healthz and /metrics,
	// its finding resolved with the reason.
	c.writeConfig(keep)
	d.cmd.Process.Signal(syscall.SIGHUP)
	eventually(t, 15*time.Second, "orders-db gone from /healthz and /metrics", func() bool {
		_, h := get(t, base+"/healthz")
		_, m := get(t, base+"/metrics")
		return !strings.Contains(h, "orders-db") && !strings.Contains(m, `source="orders-db"`) && strings.Contains(h, "status-page")
	})
	r := c.exec("findings", "--state", "all", "--format", "json")
	if !strings.Contains(r.stdout, `"resolved_reason": "source removed from the configuration"`) {
		t.Errorf("findings after the removal:\n%s", r.stdout)
	}
}
