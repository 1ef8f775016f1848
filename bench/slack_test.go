package bench_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/driftwatch/driftwatch/bench"
	"github.com/driftwatch/driftwatch/notify/slack"
	"github.com/driftwatch/driftwatch/providers/polite"
	"github.com/driftwatch/driftwatch/providers/providertest"
)

// metricsFleet is one http_json source with n thresholds on /m/0../m/n-1.
func metricsFleet(tb testing.TB, n int) (*bench.Conditional, string) {
	tb.Helper()
	up := bench.NewConditional()
	tb.Cleanup(up.Close)
	cfg := fmt.Sprintf("[store]\npath = \"dw.db\"\n\n[[source]]\nname = \"orders-db\"\ntype = \"http_json\"\nurl = \"%s/m\"\n", up.URL())
	for i := range n {
		cfg += fmt.Sprintf("\n  [[source.threshold]]\n  path = \"/m/%d\"\n  above = 90\n", i)
	}
	return up, cfg
}

// metrics serves values for /m: value for the first hot ones, 10 for
// the others.
func metrics(up *bench.Conditional, n, hot, value int) {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = "10"
		if i < hot {
			parts[i] = fmt.Sprint(value)
		}
	}
	up.Set("/m", "application/json", []byte(`{"m":[`+strings.Join(parts, ",")+`]}`))
}

// slackBehind puts a fault proxy in front of a simulated Slack and returns
// a webhook notifier posting through it.
func slackBehind(t *testing.T) (*providertest.Slack, *bench.Proxy, *slack.Notifier) {
	t.Helper()
	sl := providertest.NewSlack()
	t.Cleanup(sl.Close)
	hook, err := url.Parse(sl.WebhookURL())
	if err != nil {
		t.Fatal(err)
	}
	p := newProxy(t, hook.Scheme+"://"+hook.Host)
	p.TrickleEvery = 20 * time.Millisecond
	n, err := slack.New(slack.Config{WebhookURL: p.URL() + hook.Path, Timeout: time.Second}, polite.NewClient(nil, time.Second), nil)
	if err != nil {
		t.Fatal(err)
	}
	return sl, p, n
}

// posted counts, per finding title, how often Slack accepted it.
func posted(sl *providertest.Slack, titles []string) map[string]int {
	seen := map[string]int{}
	for _, p := range sl.Posted() {
		for _, title := range titles {
			if strings.Contains(string(p.JSON), title) {
				seen[title]++
			}
		}
	}
	return seen
}

// TestSlackDownForADay: findings raised while Slack is down for a day
// (500s, an hour of hangs, an hour of connections reset before any
// answer) are all delivered, once each, at the first delivery after it is
// back; none is given up, and no failed delivery fails a poll. (A 200
// whose body then stalls or breaks counts as delivered: Slack answered
// 200, so it posted.)
func TestSlackDownForADay(t *testing.T) {
	const n = 4
	up, cfg := metricsFleet(t, n)
	metrics(up, n, 0, 0)
	w := newWorld(t, cfg, worldOptions{clock: true})
	sl, proxy, notifier := slackBehind(t)
	w.e.Notifier = notifier
	w.poll()

	titles := make([]string, n)
	for i := range titles {
		titles[i] = fmt.Sprintf("/m/%d is 99", i)
	}
	for h := 0; h < 24; h++ {
		switch h {
		case 0:
			proxy.FailAll(bench.ServerError)
			metrics(up, n, 3, 99) // three findings while Slack is down
		case 12:
			metrics(up, n, 4, 99) // and one more later that day
		case 20:
			proxy.FailAll(bench.Timeout)
		case 21:
			proxy.FailAll(bench.ConnDrop)
		case 22:
			proxy.FailAll(bench.ServerError)
		}
		if rep := w.poll(); rep.Failed() > 0 {
			t.Fatalf("hour %d: a Slack outage failed the poll: %v", h, rep.Sources[0].Err)
		}
		w.now = w.now.Add(time.Hour)
	}
	if len(sl.Received()) != 0 {
		t.Fatalf("%d messages posted while Slack was down", len(sl.Posted()))
	}
	attempts := proxy.Requests("")
	if attempts < 24 || attempts > 30 {
		t.Errorf("%d delivery attempts over 24 hourly polls, want about one per poll (backoff capped at 5 minutes)", attempts)
	}
	if pending := w.count("SELECT count(*) FROM outbox WHERE sent_at IS NULL AND given_up_at IS NULL"); pending != n {
		t.Fatalf("%d notices pending after the outage, want %d", pending, n)
	}

	proxy.Heal()
	w.poll()
	seen := posted(sl, titles)
	for _, title := range titles {
		if seen[title] != 1 {
			t.Errorf("%q delivered %d times after Slack came back, want once", title, seen[title])
		}
	}
	for h := 0; h < 3; h++ {
		w.now = w.now.Add(time.Hour)
		w.poll()
	}
	if again := posted(sl, titles); fmt.Sprint(again) != fmt.Sprint(seen) {
		t.Errorf("later polls posted again: %v, then %v", seen, again)
	}
	if n := w.count("SELECT count(*) FROM outbox WHERE given_up_at IS NOT NULL"); n != 0 {
		t.Errorf("%d notices given up after a day's outage", n)
	}
	if n := w.count("SELECT count(*) FROM outbox WHERE sent_at IS NULL"); n != 0 {
		t.Errorf("%d notices still pending", n)
	}
}
