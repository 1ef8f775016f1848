package main

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/driftwatch/driftwatch/providers/providertest"
)

func slackConfig(url string, thresholds int) string {
	var b strings.Builder
	fmt.Fprintf(&b, `
[store]
path = "dw.db"

[notify.slack]
webhook_url_env = "SLACK_WEBHOOK_URL"
min_severity = "warning"

[[source]]
name = "orders-db"
type = "http_json"
url = "%s"
`, url)
	for i := 0; i < thresholds; i++ {
		fmt.Fprintf(&b, "\n  [[source.threshold]]\n  path = \"/m/%d\"\n  above = 90\n", i)
	}
	return b.String()
}

func metricsDoc(n, value int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = fmt.Sprint(value)
	}
	return `{"m":[` + strings.Join(parts, ",") + `]}`
}

// titles counts each finding title seen in the messages Slack accepted.
func titles(posted []providertest.SlackPayload, n int) map[string]int {
	seen := map[string]int{}
	for _, p := range posted {
		for i := 0; i < n; i++ {
			t := fmt.Sprintf("/m/%d is 99", i)
			if strings.Contains(string(p.JSON), t+",") || strings.Contains(string(p.JSON), t+" ") {
				seen[t]++
			}
		}
	}
	return seen
}

func TestSlackNoticeOnce(t *testing.T) {
	slack := providertest.NewSlack()
	defer slack.Close()
	up := newUpstream(t, metricsDoc(1, 10))
	c := newCLI(t, slackConfig(up.URL, 1))
	c.env["SLACK_WEBHOOK_URL"] = slack.WebhookURL()

	c.mustRun(0, "poll")
	if n := len(slack.Received()); n != 0 {
		t.Fatalf("a healthy poll posted %d messages", n)
	}
	up.set(200, "application/json", metricsDoc(1, 99))
	r := c.mustRun(0, "poll")
	if strings.Contains(r.stdout+r.stderr, slack.WebhookURL()) {
		t.Fatal("the webhook URL was printed")
	}
	posted := slack.Posted()
	if len(posted) != 1 || !strings.Contains(string(posted[0].JSON), "/m/0 is 99") {
		t.Fatalf("posted = %d messages, want one naming the finding", len(posted))
	}
	c.mustRun(0, "poll")
	c.mustRun(0, "poll")
	if n := len(slack.Received()); n != 1 {
		t.Fatalf("later polls of the same condition posted again: %d messages", n)
	}
	// Resolved: one more notice (send_resolved defaults to true).
	up.set(200, "application/json", metricsDoc(1, 10))
	c.mustRun(0, "poll")
	if posted := slack.Posted(); len(posted) != 2 || !strings.Contains(string(posted[1].JSON), "Resolved") {
		t.Fatalf("resolved notice missing: %d messages", len(posted))
	}
}

func TestSlackDownThenBack(t *testing.T) {
	if testing.Short() {
		t.Skip("waits out a real Retry-After between commands; skipped with -short")
	}
	slack := providertest.NewSlack()
	defer slack.Close()
	up := newUpstream(t, metricsDoc(3, 10))
	c := newCLI(t, slackConfig(up.URL, 3))
	c.env["SLACK_WEBHOOK_URL"] = slack.WebhookURL()
	c.mustRun(0, "poll")

	// Slack answers 500, then 429 with Retry-After: 1.
	slack.Next(500, "rollup_error")
	slack.Next(429, "1")
	up.set(200, "application/json", metricsDoc(3, 99))
	r := c.mustRun(0, "poll") // Slack's failure does not fail the poll
	if len(slack.Posted()) != 0 || !strings.Contains(r.stderr, "rollup_error") {
		t.Fatalf("first attempt: posted %d; stderr:\n%s", len(slack.Posted()), r.stderr)
	}
	deadline := time.Now().Add(20 * time.Second)
	for len(slack.Posted()) == 0 && time.Now().Before(deadline) {
		time.Sleep(500 * time.Millisecond)
		c.mustRun(0, "poll")
	}
	seen := titles(slack.Posted(), 3)
	for i := 0; i < 3; i++ {
		if n := seen[fmt.Sprintf("/m/%d is 99", i)]; n != 1 {
			t.Fatalf("finding %d delivered %d times (attempts: %d)", i, n, len(slack.Received()))
		}
	}
	if got := len(slack.Received()); got != 3 {
		t.Fatalf("Slack saw %d requests, want 3 (500, 429, then the one delivery)", got)
	}
}

func TestTwoDeliverersPostOnce(t *testing.T) {
	binary(t) // two real processes
	const n = 30
	slack := providertest.NewSlack()
	defer slack.Close()
	up := newUpstream(t, metricsDoc(n, 10))
	c := newCLI(t, slackConfig(up.URL, n))
	c.env["SLACK_WEBHOOK_URL"] = slack.WebhookURL()
	c.mustRun(0, "poll")
	up.set(200, "application/json", metricsDoc(n, 99))
	c.mustRun(0, "poll", "--no-notify")
	if len(slack.Received()) != 0 {
		t.Fatal("--no-notify posted")
	}
	// Two processes deliver the queued notices at once.
	var wg sync.WaitGroup
	for i := 0; i < 2; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if r := c.exec("poll"); r.code != 0 {
				t.Errorf("poll: exit %d\n%s", r.code, r.stderr)
			}
		}()
	}
	wg.Wait()
	seen := titles(slack.Posted(), n)
	for i := 0; i < n; i++ {
		if got := seen[fmt.Sprintf("/m/%d is 99", i)]; got != 1 {
			t.Errorf("finding %d posted %d times", i, got)
		}
	}
	t.Logf("%d findings delivered in %d messages", n, len(slack.Posted()))
}
