package watcher_test

import (
	"context"
	"testing"

	"github.com/robfig/cron/v3"

	"github.com/driftwatch/driftwatch/notify/webhook"
	"github.com/driftwatch/driftwatch/providers/providertest"
	"github.com/driftwatch/driftwatch/watcher"
)

// TestDigestToNoReceiverWarnsOnce: with [[route]]s but none with
// digest = true, each scheduled digest reaches no one; the daemon says so
// once, not every week, and queues nothing.
func TestDigestToNoReceiverWarnsOnce(t *testing.T) {
	policy := policyOf(t, `
[[receiver]]
name = "oncall"
type = "webhook"
url_env = "HOOK"

[[route]]
receivers = ["oncall"]
`, map[string]string{"HOOK": "https://hooks.example.com/x"})
	db := openStore(t)
	var logs logBuffer
	s := &watcher.Scheduler{Engine: &watcher.Engine{Store: db, Policy: policy}, Logger: newLogger(&logs)}
	sched, err := cron.ParseStandard("0 9 * * MON")
	if err != nil {
		t.Fatal(err)
	}
	s.DigestJob(context.Background(), sched)
	s.DigestJob(context.Background(), sched)
	if n := logs.count("the digest goes to no receiver"); n != 1 {
		t.Errorf("warned %d times, want once:\n%s", n, logs.String())
	}
	if n := logs.count("level=WARN"); n != 1 {
		t.Errorf("%d warnings:\n%s", n, logs.String())
	}
	if ob := outbox(t, db); ob.Pending != 0 {
		t.Errorf("outbox %+v", ob)
	}
}

// TestDigestToARouteWithDigestDoesNotWarn: a route with digest = true
// gets the digest delivered, and nothing is warned.
func TestDigestToARouteWithDigestDoesNotWarn(t *testing.T) {
	hook := providertest.NewHook()
	t.Cleanup(hook.Close)
	policy := policyOf(t, `
[[receiver]]
name = "oncall"
type = "webhook"
url_env = "HOOK"

[[route]]
receivers = ["oncall"]
digest = true
`, map[string]string{"HOOK": hook.URL()})
	wh, err := webhook.New(webhook.Config{Name: "oncall", URL: hook.URL()})
	if err != nil {
		t.Fatal(err)
	}
	db := openStore(t)
	var logs logBuffer
	s := &watcher.Scheduler{Engine: &watcher.Engine{Store: db, Policy: policy,
		Receivers: []watcher.Receiver{{Name: "oncall", Notifier: wh}}}, Logger: newLogger(&logs)}
	sched, err := cron.ParseStandard("0 9 * * MON")
	if err != nil {
		t.Fatal(err)
	}
	s.DigestJob(context.Background(), sched)
	if logs.count("the digest goes to no receiver") != 0 {
		t.Errorf("warned:\n%s", logs.String())
	}
	if n := len(hook.Accepted()); n != 1 {
		t.Errorf("the webhook got %d digests, want 1", n)
	}
}
