package watcher_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/driftwatch/driftwatch/config"
	"github.com/driftwatch/driftwatch/notify/email"
	"github.com/driftwatch/driftwatch/notify/msteams"
	"github.com/driftwatch/driftwatch/notify/slack"
	"github.com/driftwatch/driftwatch/notify/webhook"
	"github.com/driftwatch/driftwatch/providers/providertest"
	"github.com/driftwatch/driftwatch/routing"
	"github.com/driftwatch/driftwatch/store"
	"github.com/driftwatch/driftwatch/watcher"
)

// listed judges the document's "findings" list: one finding per entry,
// with its severity, category and rule.
func listed() watcher.Rule {
	return watcher.RuleFunc(func(j *watcher.Judgement) []watcher.Finding {
		m, _ := j.New.(map[string]any)
		items, _ := m["findings"].([]any)
		var out []watcher.Finding
		for _, it := range items {
			e, _ := it.(map[string]any)
			sev, _ := watcher.ParseSeverity(fmt.Sprint(e["sev"]))
			out = append(out, watcher.Finding{Rule: fmt.Sprint(e["rule"]), Severity: sev,
				Category: watcher.Category(fmt.Sprint(e["cat"])), Path: "/findings", Subject: fmt.Sprint(e["title"]),
				Title: fmt.Sprint(e["title"])})
		}
		return out
	})
}

func findingsDoc(entries ...[4]string) string {
	var parts []string
	for _, e := range entries {
		parts = append(parts, fmt.Sprintf(`{"sev":%q,"cat":%q,"rule":%q,"title":%q}`, e[0], e[1], e[2], e[3]))
	}
	return `{"findings":[` + strings.Join(parts, ",") + `]}`
}

// policyOf parses a config (sources are http_json, given by name) and
// returns its routing policy.
func policyOf(t *testing.T, text string, env map[string]string) watcher.NoticePolicy {
	t.Helper()
	cfg, err := config.Parse("dw.toml", []byte(text), func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	return routing.Policy(cfg)
}

// bodiesTitles lists the finding titles in webhook bodies.
func webhookTitles(t *testing.T, bodies [][]byte) []string {
	t.Helper()
	var out []string
	for _, b := range bodies {
		var body webhook.Body
		if err := json.Unmarshal(b, &body); err != nil {
			t.Fatal(err)
		}
		if body.Finding != nil {
			out = append(out, body.Finding.Title)
		}
	}
	slices.Sort(out)
	return out
}

func clientTLS(c *providertest.TestCert) *tls.Config {
	return &tls.Config{RootCAs: c.Roots, ServerName: "127.0.0.1"}
}

func has(s []byte, subs ...string) bool {
	for _, x := range subs {
		if bytes.Contains(s, []byte(x)) {
			return true
		}
	}
	return false
}

// TestRoutingBySeverityLabelAndCategory routes one poll's findings of two
// sources to four receivers: breaking ones to the on-call webhook (and
// on), the identity team's source (by label) to its Slack channel,
// infrastructure findings to Teams, the rest by email.
func TestRoutingBySeverityLabelAndCategory(t *testing.T) {
	sim, hook, teams := providertest.NewSlack(), providertest.NewHook(), providertest.NewTeams()
	t.Cleanup(sim.Close)
	t.Cleanup(hook.Close)
	t.Cleanup(teams.Close)
	cert := providertest.NewTestCert()
	smtp := providertest.NewSMTP(cert.Server)
	t.Cleanup(smtp.Close)
	env := map[string]string{"SLACK": sim.WebhookURL(), "HOOK": hook.URL(), "TEAMS": teams.URL()}
	policy := policyOf(t, `
[[source]]
name = "auth0-prod"
type = "http_json"
url = "https://example.com/a"
labels = { team = "identity" }

[[source]]
name = "orders-db"
type = "http_json"
url = "https://example.com/b"
labels = { team = "payments" }

[[receiver]]
name = "identity"
type = "slack"
webhook_url_env = "SLACK"

[[receiver]]
name = "oncall"
type = "webhook"
url_env = "HOOK"

[[receiver]]
name = "infra"
type = "msteams"
webhook_url_env = "TEAMS"

[[receiver]]
name = "mail"
type = "email"
host = "127.0.0.1"
from = "driftwatch@example.com"
to = ["platform@example.com"]

[[route]]
severity = "breaking"
receivers = ["oncall"]
continue = true

[[route]]
labels = { team = "identity" }
receivers = ["identity"]

[[route]]
category = ["infrastructure", "usage-growth"]
receivers = ["infra"]

[[route]]
receivers = ["mail"]
`, env)
	sl, err := slack.New(slack.Config{WebhookURL: sim.WebhookURL()}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	wh, _ := webhook.New(webhook.Config{Name: "oncall", URL: hook.URL()})
	tm, _ := msteams.New(msteams.Config{WebhookURL: teams.URL()})
	em, _ := email.New(email.Config{Host: smtp.Host(), Port: smtp.Port(), From: "driftwatch@example.com",
		To: []string{"platform@example.com"}, TLS: clientTLS(cert)})

	db, up := openStore(t), newUpstream(t)
	up.set("auth0-prod", findingsDoc(
		[4]string{"breaking", "configuration", "auth0.grant_removed", "grant removed"},
		[4]string{"warning", "third-party", "auth0.deprecated_node", "node 16 deprecated"}))
	up.set("orders-db", findingsDoc(
		[4]string{"warning", "infrastructure", "threshold.cpu", "cpu high"},
		[4]string{"breaking", "configuration", "expect.equals", "plan changed"},
		[4]string{"info", "usage-growth", "threshold.rows", "rows growing"}))
	e := &watcher.Engine{Store: db, Policy: policy, Receivers: []watcher.Receiver{
		{Name: "identity", Notifier: sl}, {Name: "oncall", Notifier: wh}, {Name: "infra", Notifier: tm}, {Name: "mail", Notifier: em}},
		Sources: []*watcher.Runtime{jsonSource(t, up, "auth0-prod", listed()), jsonSource(t, up, "orders-db", listed())}}
	pollOnce(t, e)
	if rep := e.Deliver(context.Background()); rep.Err != nil || rep.Failed != 0 {
		t.Fatalf("Deliver = %+v", rep)
	}

	if got, want := webhookTitles(t, hook.Accepted()), []string{"grant removed", "plan changed"}; !slices.Equal(got, want) {
		t.Errorf("on-call webhook got %q, want the breaking ones %q", got, want)
	}
	var slackText []byte
	for _, p := range sim.Posted() {
		slackText = append(slackText, p.JSON...)
	}
	if !has(slackText, "grant removed") || !has(slackText, "node 16 deprecated") || has(slackText, "cpu high", "plan changed", "rows growing") {
		t.Errorf("identity Slack got the wrong findings: %s", slackText)
	}
	teamsCards := bytes.Join(teams.Accepted(), nil)
	if !has(teamsCards, "cpu high") || has(teamsCards, "grant removed", "plan changed", "rows growing", "node 16") {
		t.Errorf("Teams got the wrong findings: %s", teamsCards)
	}
	var mails []byte
	for _, m := range smtp.Messages() {
		mails = append(mails, m.Data...)
	}
	if !has(mails, "plan changed") || has(mails, "grant removed", "cpu high", "rows growing", "node 16") {
		t.Errorf("email got the wrong findings:\n%s", mails)
	}
	if ob := outbox(t, db); ob.Pending != 0 {
		t.Errorf("outbox %+v", ob)
	}
}

// TestReceiverDownForAnHourGetsEachNoticeOnce: the webhook answers 503
// for an hour; delivery retries it with backoff on the engine's clock
// while another receiver gets every notice at once; back up, the webhook
// gets each notice exactly once, a finding that opened and resolved
// meanwhile as one notice that says so.
func TestReceiverDownForAnHourGetsEachNoticeOnce(t *testing.T) {
	clk := newClock(t0)
	hook, other := providertest.NewHook(), providertest.NewHook()
	t.Cleanup(hook.Close)
	t.Cleanup(other.Close)
	hook.SetClock(clk.Now)
	hook.DownUntil(t0.Add(time.Hour), http.StatusServiceUnavailable)
	policy := policyOf(t, `
[[receiver]]
name = "down"
type = "webhook"
url_env = "A"

[[receiver]]
name = "up"
type = "webhook"
url_env = "B"
`, map[string]string{"A": hook.URL(), "B": other.URL()})
	a, _ := webhook.New(webhook.Config{Name: "down", URL: hook.URL()})
	b, _ := webhook.New(webhook.Config{Name: "up", URL: other.URL()})
	db, up := openStore(t), newUpstream(t)
	e := &watcher.Engine{Store: db, Policy: policy, Now: clk.Now,
		Receivers: []watcher.Receiver{{Name: "down", Notifier: a}, {Name: "up", Notifier: b}}}
	up.set("src", findingsDoc(
		[4]string{"warning", "configuration", "r.a", "first"},
		[4]string{"breaking", "configuration", "r.b", "second"},
		[4]string{"warning", "configuration", "r.c", "third"}))
	e.Sources = []*watcher.Runtime{jsonSource(t, up, "src", listed())}
	pollOnce(t, e)
	if rep := e.Deliver(context.Background()); rep.Sent != 3 || rep.Failed == 0 {
		t.Fatalf("first delivery = %+v: want 3 sent to the receiver that is up, the others failed", rep)
	}
	for clk.Now().Before(t0.Add(2 * time.Hour)) {
		clk.Add(time.Minute)
		if clk.Now().Equal(t0.Add(30 * time.Minute)) {
			// "third" resolves while the webhook is down.
			up.set("src", findingsDoc([4]string{"warning", "configuration", "r.a", "first"},
				[4]string{"breaking", "configuration", "r.b", "second"}))
			pollOnce(t, e)
		}
		e.Deliver(context.Background())
	}
	if ob := outbox(t, db); ob.Pending != 0 || ob.GivenUp != 0 {
		t.Fatalf("outbox %+v", ob)
	}
	ids := map[string]int{}
	var history string
	for _, r := range hook.Requests() {
		if r.Status != http.StatusOK {
			continue
		}
		var body webhook.Body
		if err := json.Unmarshal(r.Body, &body); err != nil {
			t.Fatal(err)
		}
		ids[body.Finding.Title]++
		if body.Finding.Title == "third" {
			history = body.History
		}
	}
	if len(ids) != 3 || ids["first"] != 1 || ids["second"] != 1 || ids["third"] != 1 {
		t.Errorf("the webhook got %v, want each finding once", ids)
	}
	if history != "Opened and resolved while the webhook was unreachable." {
		t.Errorf("history of the collapsed notice %q", history)
	}
	failed := 0
	for _, r := range hook.Requests() {
		if r.Status != http.StatusOK {
			failed++
		}
	}
	if failed < 5 || failed > 40 {
		t.Errorf("%d failed attempts in an hour: want backoff, neither one nor one per minute", failed)
	}
	if got := len(other.Accepted()); got != 4 {
		t.Errorf("the receiver that was up got %d notices, want 3 and the resolution", got)
	}
}

// TestOneReceiverDoesNotHoldAnotherBack: the first receiver answers only
// once the second has received its notice; delivered one after the other,
// it would wait for its own timeout first.
func TestOneReceiverDoesNotHoldAnotherBack(t *testing.T) {
	got := make(chan struct{})
	var once sync.Once
	var order []string
	var mu sync.Mutex
	note := func(s string) { mu.Lock(); order = append(order, s); mu.Unlock() }
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-got:
			note("slow answered after fast")
			w.WriteHeader(http.StatusServiceUnavailable)
		case <-time.After(20 * time.Second): // safety only: the test fails then
			note("slow gave up waiting")
			w.WriteHeader(http.StatusGatewayTimeout)
		}
	}))
	t.Cleanup(slow.Close)
	fast := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		once.Do(func() { close(got) })
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(fast.Close)
	policy := policyOf(t, "[[receiver]]\nname = \"slow\"\ntype = \"webhook\"\nurl_env = \"A\"\n\n[[receiver]]\nname = \"fast\"\ntype = \"webhook\"\nurl_env = \"B\"\n",
		map[string]string{"A": slow.URL + "/a", "B": fast.URL + "/b"})
	a, _ := webhook.New(webhook.Config{Name: "slow", URL: slow.URL + "/a"})
	b, _ := webhook.New(webhook.Config{Name: "fast", URL: fast.URL + "/b"})
	db, up := openStore(t), newUpstream(t)
	e := &watcher.Engine{Store: db, Policy: policy,
		Receivers: []watcher.Receiver{{Name: "slow", Notifier: a}, {Name: "fast", Notifier: b}}}
	up.set("src", findingsDoc([4]string{"warning", "configuration", "r.a", "one"}))
	e.Sources = []*watcher.Runtime{jsonSource(t, up, "src", listed())}
	pollOnce(t, e)
	rep := e.Deliver(context.Background())
	if rep.Sent != 1 || rep.Failed != 1 {
		t.Errorf("Deliver = %+v: want the fast receiver's notice sent, the slow one's failed", rep)
	}
	if len(order) != 1 || order[0] != "slow answered after fast" {
		t.Errorf("order %q", order)
	}
}

// TestBadTokenMarksTheReceiverDownOnce: invalid_auth is retried but shows
// the receiver down, logged once however many retries; a success brings
// it back up.
func TestBadTokenMarksTheReceiverDownOnce(t *testing.T) {
	clk := newClock(t0)
	sim := providertest.NewSlack()
	t.Cleanup(sim.Close)
	sim.RequireToken("xoxb-the-right-one")
	var logs bytes.Buffer
	db, up := openStore(t), newUpstream(t)
	e := &watcher.Engine{Store: db, Policy: everyone, Now: clk.Now, Logger: slog.New(slog.NewTextHandler(&logs, nil)),
		Receivers: []watcher.Receiver{{Name: "team", Notifier: botNotifier(t, sim)}}}
	up.set("src", `{"bad": true}`)
	e.Sources = []*watcher.Runtime{jsonSource(t, up, "src", flagged())}
	pollOnce(t, e)
	// The policy without a router writes the notice for receiver "";
	// the named receiver adopts it.
	for range 4 {
		e.Deliver(context.Background())
		clk.Add(10 * time.Minute)
	}
	st := e.ReceiverStatuses()
	if len(st) != 1 || st[0].Up || st[0].Reason != "invalid_auth" {
		t.Fatalf("statuses %+v", st)
	}
	if n := strings.Count(logs.String(), "receiver down"); n != 1 {
		t.Errorf("logged down %d times:\n%s", n, logs.String())
	}
	if strings.Contains(logs.String(), testBotToken) {
		t.Error("the token is in the log")
	}
	sim.RequireToken(testBotToken)
	if rep := e.Deliver(context.Background()); rep.Sent != 1 {
		t.Fatalf("after the fix: %+v", rep)
	}
	if st := e.ReceiverStatuses(); !st[0].Up || !strings.Contains(logs.String(), "receiver back up") {
		t.Errorf("statuses %+v after a success", st)
	}
}

// TestTwoDeliverersTwoReceiversEachNoticeOncePerReceiver: two processes
// deliver the same outbox at once to two receivers (a Slack bot and a
// webhook that fails its first requests): every notice reaches each
// receiver exactly once.
func TestTwoDeliverersTwoReceiversEachNoticeOncePerReceiver(t *testing.T) {
	clk := newClock(t0)
	sim, hook := providertest.NewSlack(), providertest.NewHook()
	t.Cleanup(sim.Close)
	t.Cleanup(hook.Close)
	sim.SetClock(clk.Now)
	policy := policyOf(t, "[[receiver]]\nname = \"slack\"\ntype = \"slack\"\ntoken_env = \"T\"\nchannel = \"#alerts\"\n\n"+
		"[[receiver]]\nname = \"hook\"\ntype = \"webhook\"\nurl_env = \"H\"\n", map[string]string{"T": testBotToken, "H": hook.URL()})
	db, up := openStore(t), newUpstream(t)
	engine := func() *watcher.Engine {
		wh, _ := webhook.New(webhook.Config{Name: "hook", URL: hook.URL()})
		return &watcher.Engine{Store: db, Policy: policy, Now: clk.Now,
			Receivers: []watcher.Receiver{{Name: "slack", Notifier: botNotifier(t, sim)}, {Name: "hook", Notifier: wh}}}
	}
	a, b := engine(), engine()
	for i := range 12 {
		name := fmt.Sprintf("src-%02d", i)
		up.set(name, `{"items": []}`)
		a.Sources = append(a.Sources, jsonSource(t, up, name, many(2)))
	}
	pollOnce(t, a)
	hook.Script(http.StatusBadGateway, http.StatusTooManyRequests, http.StatusBadGateway, http.StatusTooManyRequests)
	// Rounds: both deliver at once; the clock moves between rounds (a
	// post takes far less than the lease, as the engine bounds it).
	for round := 0; round < 100 && outbox(t, db).Pending > 0; round++ {
		var wg sync.WaitGroup
		for _, e := range []*watcher.Engine{a, b} {
			wg.Go(func() { e.Deliver(context.Background()) })
		}
		wg.Wait()
		clk.Add(10 * time.Second)
	}
	if ob := outbox(t, db); ob.Pending != 0 || ob.GivenUp != 0 {
		t.Fatalf("outbox %+v", ob)
	}
	keys := postedKeys(sim)
	if len(keys) != 24 {
		t.Errorf("Slack got %d notices, want 24", len(keys))
	}
	for k, n := range keys {
		if n != 1 {
			t.Errorf("Slack: notice %s posted %d times", k, n)
		}
	}
	ids := map[string]int{}
	for _, body := range hook.Accepted() {
		var w webhook.Body
		if err := json.Unmarshal(body, &w); err != nil {
			t.Fatal(err)
		}
		ids[w.ID]++
	}
	if len(ids) != 24 {
		t.Errorf("the webhook got %d notices, want 24", len(ids))
	}
	for id, n := range ids {
		if n != 1 {
			t.Errorf("webhook: notice %s received %d times", id, n)
		}
	}
}

// TestWebhookIsToldOfAnAckTeamsIsNot: acknowledging an open finding sends
// a webhook body with event "acked" (a ticket bot follows the finding),
// while the Teams receiver that got the finding gets nothing more.
func TestWebhookIsToldOfAnAckTeamsIsNot(t *testing.T) {
	hook, teams := providertest.NewHook(), providertest.NewTeams()
	t.Cleanup(hook.Close)
	t.Cleanup(teams.Close)
	policy := policyOf(t, `
[[receiver]]
name = "oncall"
type = "webhook"
url_env = "HOOK"

[[receiver]]
name = "infra"
type = "msteams"
webhook_url_env = "TEAMS"
`, map[string]string{"HOOK": hook.URL(), "TEAMS": teams.URL()})
	wh, _ := webhook.New(webhook.Config{Name: "oncall", URL: hook.URL()})
	tm, _ := msteams.New(msteams.Config{WebhookURL: teams.URL()})
	db, up := openStore(t), newUpstream(t)
	up.set("api", findingsDoc([4]string{"breaking", "configuration", "expect.equals", "plan changed"}))
	e := &watcher.Engine{Store: db, Policy: policy, Receivers: []watcher.Receiver{
		{Name: "oncall", Notifier: wh}, {Name: "infra", Notifier: tm}},
		Sources: []*watcher.Runtime{jsonSource(t, up, "api", listed())}}
	pollOnce(t, e)
	if rep := e.Deliver(context.Background()); rep.Err != nil || rep.Failed != 0 {
		t.Fatalf("Deliver = %+v", rep)
	}
	fs := findings(t, db, "api")
	if len(fs) != 1 {
		t.Fatalf("findings %+v", fs)
	}
	if _, err := db.AckRefs(context.Background(), store.AckRequest{Refs: []string{fmt.Sprint(fs[0].ID)}, Note: "ticket OPS-1",
		Author: "ana", At: time.Now(), Policy: policy}); err != nil {
		t.Fatal(err)
	}
	if rep := e.Deliver(context.Background()); rep.Err != nil || rep.Failed != 0 {
		t.Fatalf("Deliver = %+v", rep)
	}
	var events []string
	for _, b := range hook.Accepted() {
		var body webhook.Body
		if err := json.Unmarshal(b, &body); err != nil {
			t.Fatal(err)
		}
		events = append(events, body.Event)
		if body.Event == "acked" && !has(b, `"ack_note":"ticket OPS-1"`) {
			t.Errorf("acked body without the ack note: %s", b)
		}
	}
	if want := []string{"opened", "acked"}; !slices.Equal(events, want) {
		t.Errorf("webhook events %q, want %q", events, want)
	}
	if n := len(teams.Accepted()); n != 1 {
		t.Errorf("Teams got %d cards, want only the opened one", n)
	}
}
