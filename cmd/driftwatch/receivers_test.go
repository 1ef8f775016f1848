package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/driftwatch/driftwatch/providers/providertest"
)

// TestNotifyTestOverTheBinary sends the test message through a Slack
// webhook, a webhook, Teams and two mail servers (STARTTLS, and a local
// relay in plaintext), one receiver answering 404: exit 1 naming it; one
// receiver by name: exit 0; an unknown one: exit 2.
func TestNotifyTestOverTheBinary(t *testing.T) {
	sim, hook, broken, teams := providertest.NewSlack(), providertest.NewHook(), providertest.NewHook(), providertest.NewTeams()
	defer sim.Close()
	defer hook.Close()
	defer broken.Close()
	defer teams.Close()
	broken.DownUntil(time.Now().Add(time.Hour), 404)
	cert := providertest.NewTestCert()
	mail := providertest.NewSMTP(cert.Server)
	defer mail.Close()
	mail.RequireAuth("alerts", "mail-pa55word")
	relay := providertest.NewSMTP(nil)
	defer relay.Close()
	c := newCLI(t, `
[store]
path = "dw.db"

[[receiver]]
name = "slack"
type = "slack"
webhook_url_env = "SLACK_URL"

[[receiver]]
name = "hook"
type = "webhook"
url_env = "HOOK_URL"
secret_env = "HOOK_SECRET"

[[receiver]]
name = "broken"
type = "webhook"
url_env = "BROKEN_URL"

[[receiver]]
name = "teams"
type = "msteams"
webhook_url_env = "TEAMS_URL"

[[receiver]]
name = "mail"
type = "email"
host = "127.0.0.1"
port = `+itoa(int64(mail.Port()))+`
from = "driftwatch@example.com"
to = ["platform@example.com"]
username_env = "MAIL_USER"
password_env = "MAIL_PASS"

[[receiver]]
name = "relay"
type = "email"
host = "127.0.0.1"
port = `+itoa(int64(relay.Port()))+`
from = "driftwatch@example.com"
to = ["ops@example.com"]
insecure_plaintext = true
`)
	caFile := filepath.Join(c.dir, "test-ca.pem")
	if err := os.WriteFile(caFile, cert.PEM, 0o600); err != nil {
		t.Fatal(err)
	}
	c.env = map[string]string{"SLACK_URL": sim.WebhookURL(), "HOOK_URL": hook.URL(), "HOOK_SECRET": "s3cret",
		"BROKEN_URL": broken.URL(), "TEAMS_URL": teams.URL(), "MAIL_USER": "alerts", "MAIL_PASS": "mail-pa55word",
		"SSL_CERT_FILE": caFile}

	r := c.exec("notify", "test")
	if r.code != 1 {
		t.Fatalf("notify test: exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	for _, line := range []string{"slack: accepted", "hook: accepted", "broken: failed", "teams: accepted", "mail: accepted", "relay: accepted"} {
		if !strings.Contains(r.stdout, line+"\n") {
			t.Errorf("stdout lacks %q:\n%s", line, r.stdout)
		}
	}
	if !strings.Contains(r.stderr, "1 of 6 receivers did not accept the test message") || !strings.Contains(r.stderr, `broken: webhook: HTTP 404: {"error":{"code":"404","message":"simulated failure"}}`) {
		t.Errorf("stderr:\n%s", r.stderr)
	}
	for _, secret := range []string{sim.WebhookURL(), hook.URL(), broken.URL(), "T0KEN", "mail-pa55word", "s3cret"} {
		if strings.Contains(r.stdout+r.stderr, secret) {
			t.Errorf("output shows a secret %q", secret)
		}
	}
	if p := sim.Posted(); len(p) != 1 || !strings.Contains(p[0].Text, "test message") {
		t.Errorf("Slack got %d messages", len(p))
	}
	if b := hook.Accepted(); len(b) != 1 || !strings.Contains(string(b[0]), `"kind":"test"`) {
		t.Errorf("webhook got %q", b)
	}
	if len(teams.Accepted()) != 1 {
		t.Errorf("Teams got %d cards", len(teams.Accepted()))
	}
	if m := mail.Messages(); len(m) != 1 || !m[0].TLS || m[0].User != "alerts" || !strings.Contains(m[0].Data, "[driftwatch] test message") {
		t.Errorf("mail got %+v", m)
	}
	if m := relay.Messages(); len(m) != 1 || m[0].TLS {
		t.Errorf("relay got %+v", m)
	}

	if r := c.exec("notify", "test", "hook"); r.code != 0 || r.stdout != "hook: accepted\n" {
		t.Errorf("notify test hook: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if r := c.exec("notify", "test", "nobody"); r.code != 2 || !strings.Contains(r.stderr, `unknown receiver "nobody"`) {
		t.Errorf("notify test nobody: exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestHealthzDegradedWithABadBotToken: the daemon's Slack receiver gets
// invalid_auth; /healthz says degraded naming it, the metric is 0, and
// the log says so once however many retries.
func TestHealthzDegradedWithABadBotToken(t *testing.T) {
	sim := providertest.NewSlack()
	defer sim.Close()
	sim.RequireToken("xoxb-the-right-token")
	up := newUpstream(t, `{"metrics":{"cpu_percent":99}}`)
	addr := freeAddr(t)
	c := newCLI(t, `
[store]
path = "dw.db"

[server]
listen = "`+addr+`"

[[receiver]]
name = "platform"
type = "slack"
token_env = "SLACK_BOT_TOKEN"
channel = "#alerts"
api_url = "`+sim.APIURL()+`"

[[source]]
name = "orders-db"
type = "http_json"
schedule = "@every 1s"
url = "`+up.URL+`"

  [[source.threshold]]
  path = "/metrics/cpu_percent"
  above = 90
`)
	c.env["SLACK_BOT_TOKEN"] = "xoxb-a-revoked-token"
	d := c.start("run")
	base := "http://" + addr
	var h struct {
		Status    string `json:"status"`
		Receivers []struct {
			Name, Status, Reason string
		} `json:"receivers"`
	}
	eventually(t, 20*time.Second, "/healthz degraded", func() bool {
		code, body := get(t, base+"/healthz")
		return code == 200 && json.Unmarshal([]byte(body), &h) == nil && h.Status == "degraded"
	})
	if len(h.Receivers) != 1 || h.Receivers[0].Name != "platform" || h.Receivers[0].Status != "down" || h.Receivers[0].Reason != "invalid_auth" {
		t.Fatalf("healthz receivers %+v", h.Receivers)
	}
	_, metrics := get(t, base+"/metrics")
	if !strings.Contains(metrics, `driftwatch_receiver_up{receiver="platform"} 0`) {
		t.Errorf("/metrics lacks the receiver down")
	}
	eventually(t, 20*time.Second, "a retry", func() bool { return sim.Calls("chat.postMessage") >= 2 })
	if n := strings.Count(d.stderr.String(), "receiver down"); n != 1 {
		t.Errorf("logged the receiver down %d times:\n%s", n, d.stderr.String())
	}
	if strings.Contains(d.stderr.String(), "xoxb-a-revoked-token") {
		t.Error("the token is in the log")
	}
}

// TestLegacySlackStillWorksAndValidateSaysHowToMove: [notify.slack] is one
// Slack receiver; validate passes with a notice line on how to move.
func TestLegacySlackStillWorksAndValidateSaysHowToMove(t *testing.T) {
	sim := providertest.NewSlack()
	defer sim.Close()
	up := newUpstream(t, metricsDoc(1, 99))
	c := newCLI(t, slackConfig(up.URL, 1))
	c.env["SLACK_WEBHOOK_URL"] = sim.WebhookURL()
	r := c.mustRun(0, "validate")
	if !strings.Contains(r.stderr, "notice: ") || !strings.Contains(r.stderr, `[[receiver]] name = "slack", type = "slack", webhook_url_env = "SLACK_WEBHOOK_URL"`) {
		t.Errorf("validate stderr:\n%s", r.stderr)
	}
	if !strings.Contains(r.stdout, "1 receivers") {
		t.Errorf("validate stdout %q", r.stdout)
	}
	c.mustRun(0, "poll")
	if p := sim.Posted(); len(p) != 1 || !strings.Contains(string(p[0].JSON), "/m/0 is 99") {
		t.Fatalf("posted %d", len(p))
	}
}

// TestValidateWarnsWhenNoRouteGetsTheDigest: with [[route]]s but none with
// digest = true, validate still passes (exit 0) and says on stderr that no
// receiver gets the digest; with one, it says nothing.
func TestValidateWarnsWhenNoRouteGetsTheDigest(t *testing.T) {
	base := `
[store]
path = "dw.db"

[[source]]
name = "api"
type = "http_json"
url = "https://example.com/api"

[[receiver]]
name = "oncall"
type = "webhook"
url_env = "HOOK"

[[route]]
receivers = ["oncall"]
`
	c := newCLI(t, base)
	c.env["HOOK"] = "https://hooks.example.com/x"
	r := c.mustRun(0, "validate")
	if !strings.Contains(r.stderr, "warning: ") || !strings.Contains(r.stderr, "no receiver gets the digest") {
		t.Errorf("validate stderr:\n%s", r.stderr)
	}
	c.writeConfig(base + "digest = true\n")
	if r := c.mustRun(0, "validate"); strings.Contains(r.stderr, "warning: ") {
		t.Errorf("validate warned with a digest route:\n%s", r.stderr)
	}
}

// TestValidateNamesTheVariableOfABadOverride: a receiver key set by its
// DRIFTWATCH_ variable to a bad value fails validate (exit 2) with an
// error naming the variable.
func TestValidateNamesTheVariableOfABadOverride(t *testing.T) {
	c := newCLI(t, `
[store]
path = "dw.db"

[[source]]
name = "api"
type = "http_json"
url = "https://example.com/api"

[[receiver]]
name = "oncall"
type = "webhook"
url_env = "HOOK"
`)
	c.env["HOOK"] = "https://hooks.example.com/x"
	c.env["DRIFTWATCH_RECEIVER_ONCALL_MIN_SEVERITY"] = "bogus"
	r := c.mustRun(2, "validate")
	if !strings.Contains(r.stderr, `DRIFTWATCH_RECEIVER_ONCALL_MIN_SEVERITY: receiver "oncall": min_severity "bogus": want info, warning or breaking`) {
		t.Errorf("validate stderr:\n%s", r.stderr)
	}
}
