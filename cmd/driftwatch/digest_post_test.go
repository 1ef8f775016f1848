package main

import (
	"strings"
	"testing"

	"github.com/driftwatch/driftwatch/providers/providertest"
)

// digest --post fetches nothing: it needs Slack's secret, not the
// sources' credentials; without Slack's it names that one.
func TestDigestPostNeedsOnlyTheNotifierSecrets(t *testing.T) {
	slack := providertest.NewSlack()
	defer slack.Close()
	up := newUpstream(t, metricsDoc(1, 10))
	c := newCLI(t, slackConfig(up.URL, 1)+`
[[source]]
name = "auth0-prod"
type = "auth0"
domain = "acme.eu.auth0.com"
client_id_env = "AUTH0_CLIENT_ID"
client_secret_env = "AUTH0_CLIENT_SECRET"
`)
	// Polling needs every secret; the digest afterwards only Slack's.
	c.env["AUTH0_CLIENT_ID"], c.env["AUTH0_CLIENT_SECRET"], c.env["SLACK_WEBHOOK_URL"] = "id", "secret", slack.WebhookURL()
	c.mustRun(0, "poll", "--source", "orders-db", "--no-notify")
	up.set(200, "application/json", metricsDoc(1, 99))
	c.mustRun(0, "poll", "--source", "orders-db", "--no-notify")
	c.env = map[string]string{}

	r := c.mustRun(2, "digest", "--post")
	if !strings.Contains(r.stderr, "SLACK_WEBHOOK_URL") || strings.Contains(r.stderr, "AUTH0_CLIENT_ID") {
		t.Fatalf("digest --post without Slack's secret: %s", r.stderr)
	}
	c.env["SLACK_WEBHOOK_URL"] = slack.WebhookURL()
	c.mustRun(0, "digest", "--post")
	posted := slack.Posted()
	if len(posted) == 0 || !strings.Contains(string(posted[len(posted)-1].JSON), "Digest") {
		t.Fatalf("no digest posted: %d messages", len(posted))
	}
}

// A notice Slack rejects is given up: the poll's log says so instead of
// "they stay queued" with nothing pending.
func TestGivenUpNoticeIsNotSaidToStayQueued(t *testing.T) {
	slack := providertest.NewSlack()
	defer slack.Close()
	up := newUpstream(t, metricsDoc(1, 10))
	c := newCLI(t, slackConfig(up.URL, 1))
	c.env["SLACK_WEBHOOK_URL"] = slack.WebhookURL()
	c.mustRun(0, "poll")
	up.set(200, "application/json", metricsDoc(1, 99))
	slack.Next(400, "invalid_blocks")
	r := c.mustRun(0, "poll")
	if !strings.Contains(r.stderr, "notices given up: they are not retried") || strings.Contains(r.stderr, "stay queued") {
		t.Fatalf("poll after a rejected notice logged:\n%s", r.stderr)
	}
}

// With [[receiver]] tables, digest --post names a receiver's missing
// secret, not a source's.
func TestDigestPostNamesTheReceiversSecret(t *testing.T) {
	up := newUpstream(t, metricsDoc(1, 10))
	c := newCLI(t, `
[store]
path = "dw.db"

[[receiver]]
name = "team"
type = "slack"
webhook_url_env = "TEAM_WEBHOOK"

[[route]]
receivers = ["team"]
digest = true

[[source]]
name = "orders-db"
type = "http_json"
url = "`+up.URL+`"

[[source]]
name = "auth0-prod"
type = "auth0"
domain = "acme.eu.auth0.com"
client_id_env = "AUTH0_CLIENT_ID"
client_secret_env = "AUTH0_CLIENT_SECRET"
`)
	c.env["AUTH0_CLIENT_ID"], c.env["AUTH0_CLIENT_SECRET"], c.env["TEAM_WEBHOOK"] = "id", "secret", "https://hooks.slack.invalid/x"
	c.mustRun(0, "poll", "--source", "orders-db", "--no-notify")
	c.env = map[string]string{}
	r := c.mustRun(2, "digest", "--post")
	if !strings.Contains(r.stderr, `receiver "team": environment variable TEAM_WEBHOOK`) || strings.Contains(r.stderr, "AUTH0") {
		t.Fatalf("digest --post without the receiver's secret: %s", r.stderr)
	}
}
