package watcher_test

import (
	"context"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/driftwatch/driftwatch/notify/slack"
	"github.com/driftwatch/driftwatch/providers/providertest"
	"github.com/driftwatch/driftwatch/store"
	"github.com/driftwatch/driftwatch/watcher"
)

const testBotToken = "xoxb-test-delivery-token"

// botNotifier is a bot-mode notifier on the simulated Slack, stamping
// messages with the engine's clock.
func botNotifier(t *testing.T, sim *providertest.Slack) *slack.Notifier {
	t.Helper()
	n, err := slack.New(slack.Config{Token: testBotToken, Channel: "#alerts", APIURL: sim.APIURL()}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// flagged is a state rule: one finding while the document says "bad".
func flagged() watcher.Rule {
	return watcher.RuleFunc(func(j *watcher.Judgement) []watcher.Finding {
		if m, _ := j.New.(map[string]any); m["bad"] != true {
			return nil
		}
		return []watcher.Finding{{Rule: "test.flagged", Severity: watcher.Breaking, Category: watcher.Configuration,
			Path: "/bad", Title: "the document says bad"}}
	})
}

// pollOnce polls every source and fails the test on a failed fetch.
func pollOnce(t *testing.T, e *watcher.Engine) {
	t.Helper()
	if rep, err := e.Poll(context.Background()); err != nil || rep.Failed() > 0 {
		t.Fatalf("Poll: %v %+v", err, rep)
	}
}

// postedKeys counts, per notice key, the accepted bot messages naming it.
func postedKeys(sim *providertest.Slack) map[string]int {
	out := map[string]int{}
	for _, p := range sim.Posted() {
		if p.Metadata == nil {
			continue
		}
		keys, _ := p.Metadata.EventPayload["notices"].(string)
		for _, k := range strings.Split(keys, ",") {
			out[k]++
		}
	}
	return out
}

// TestDeliverSlowSlackPostsEachNoticeOnce: Slack takes 40 s per answer
// (on the engines' clock) while two deliverers share the outbox with a
// one-minute lease, so 20 messages take far longer than any lease. The
// claim is renewed and re-checked before each post: each notice is
// posted once.
func TestDeliverSlowSlackPostsEachNoticeOnce(t *testing.T) {
	clk := newClock(t0)
	db, up, sim := openStore(t), newUpstream(t), providertest.NewSlack()
	t.Cleanup(sim.Close)
	sim.SetClock(clk.Now)
	engine := func() *watcher.Engine {
		return &watcher.Engine{Store: db, Notifier: botNotifier(t, sim), Policy: everyone, Now: clk.Now, ClaimLease: time.Minute}
	}
	a, b := engine(), engine()
	for i := range 20 {
		name := fmt.Sprintf("src-%02d", i)
		up.set(name, `{"items": []}`)
		a.Sources = append(a.Sources, jsonSource(t, up, name, many(1)))
	}
	pollOnce(t, a)
	sim.OnRequest(func(string) { clk.Add(40 * time.Second) })

	// Both keep delivering until the outbox is empty, so b is there to
	// take whatever a's lease lets go.
	var wg sync.WaitGroup
	deadline := time.Now().Add(20 * time.Second)
	for _, e := range []*watcher.Engine{a, b} {
		wg.Go(func() {
			for time.Now().Before(deadline) {
				e.Deliver(context.Background())
				if outbox(t, db).Pending == 0 {
					return
				}
				runtime.Gosched()
			}
		})
	}
	wg.Wait()
	if ob := outbox(t, db); ob.Pending != 0 {
		t.Fatalf("outbox = %+v, want every notice delivered", ob)
	}
	keys := postedKeys(sim)
	if len(keys) != 20 || len(sim.Posted()) != 20 {
		t.Errorf("%d messages naming %d notices, want 20 and 20", len(sim.Posted()), len(keys))
	}
	for k, n := range keys {
		if n != 1 {
			t.Errorf("notice %s posted %d times", k, n)
		}
	}
}

// TestDeliverFindsALostAnswerBeforePostingAgain: Slack posts the message
// but the answer is lost (the connection drops, as a timeout would). The
// notice is not marked sent; the next delivery, in a new process, finds it
// in the channel's history by its metadata and marks it sent without a
// second post. (Bot mode posts one message per finding: the other notice
// of the poll is posted then.)
func TestDeliverFindsALostAnswerBeforePostingAgain(t *testing.T) {
	clk := newClock(t0)
	db, up, sim := openStore(t), newUpstream(t), providertest.NewSlack()
	t.Cleanup(sim.Close)
	sim.SetClock(clk.Now)
	e := &watcher.Engine{Store: db, Notifier: botNotifier(t, sim), Policy: everyone, Now: clk.Now}
	up.set("src", `{"items": []}`)
	e.Sources = []*watcher.Runtime{jsonSource(t, up, "src", many(2))}
	pollOnce(t, e)

	sim.Script(providertest.SlackAnswer{Lost: true})
	if rep := e.Deliver(context.Background()); rep.Failed != 1 || rep.Sent != 0 {
		t.Fatalf("Deliver with the answer lost = %+v", rep)
	}
	if got := len(sim.Posted()); got != 1 {
		t.Fatalf("%d messages accepted, want the one whose answer was lost", got)
	}
	clk.Add(time.Minute)
	restarted := &watcher.Engine{Store: db, Notifier: botNotifier(t, sim), Policy: everyone, Now: clk.Now}
	rep := restarted.Deliver(context.Background())
	if rep.Recovered != 1 || rep.Sent != 1 || rep.Failed != 0 {
		t.Errorf("Deliver after the lost answer = %+v, want 1 recovered and 1 sent", rep)
	}
	if got := len(sim.Posted()); got != 2 {
		t.Errorf("%d messages accepted, want 2: one per finding, none posted again", got)
	}
	for k, n := range postedKeys(sim) {
		if n != 1 {
			t.Errorf("notice %s posted %d times", k, n)
		}
	}
	if ob := outbox(t, db); ob.Pending != 0 {
		t.Errorf("outbox = %+v", ob)
	}
}

// TestDeliverWebhookLostAnswerIsAtLeastOnce: a webhook cannot be asked
// what it received, so a lost answer means the notice is posted again, as
// the README says.
func TestDeliverWebhookLostAnswerIsAtLeastOnce(t *testing.T) {
	e, db, sim, _, clk := slackEngine(t, 1)
	sim.Script(providertest.SlackAnswer{Lost: true})
	if rep := e.Deliver(context.Background()); rep.Failed != 1 {
		t.Fatalf("Deliver = %+v", rep)
	}
	clk.Add(time.Minute)
	if rep := e.Deliver(context.Background()); rep.Sent != 1 {
		t.Fatalf("Deliver again = %+v", rep)
	}
	if got := len(sim.Posted()); got != 2 {
		t.Errorf("%d messages accepted, want 2 (at least once)", got)
	}
	if ob := outbox(t, db); ob.Pending != 0 {
		t.Errorf("outbox = %+v", ob)
	}
}

// TestDeliverUnreadableHistoryDefersTheNotice: when Slack cannot say now
// whether a notice in doubt was posted (history answers 503), the notice
// waits rather than risk a second post.
func TestDeliverUnreadableHistoryDefersTheNotice(t *testing.T) {
	clk := newClock(t0)
	db, up, sim := openStore(t), newUpstream(t), providertest.NewSlack()
	t.Cleanup(sim.Close)
	sim.SetClock(clk.Now)
	e := &watcher.Engine{Store: db, Notifier: botNotifier(t, sim), Policy: everyone, Now: clk.Now}
	up.set("src", `{"items": []}`)
	e.Sources = []*watcher.Runtime{jsonSource(t, up, "src", many(1))}
	pollOnce(t, e)
	// The first answer is lost before any post told the notifier the
	// channel's ID; the look-up by name then fails with a 503.
	sim.Script(providertest.SlackAnswer{Lost: true}, providertest.SlackAnswer{Status: http.StatusServiceUnavailable})
	e.Deliver(context.Background())
	clk.Add(time.Minute)
	rep := e.Deliver(context.Background())
	if rep.Failed != 1 || rep.Sent+rep.Recovered != 0 || rep.Err == nil {
		t.Errorf("Deliver while history is unreadable = %+v, want the notice deferred", rep)
	}
	if got := len(sim.Posted()); got != 1 {
		t.Errorf("%d messages accepted, want 1", got)
	}
	clk.Add(10 * time.Minute)
	if rep := e.Deliver(context.Background()); rep.Recovered != 1 {
		t.Errorf("Deliver once history reads = %+v, want the notice recovered", rep)
	}
}

// TestDeliverCollapsesAFindingAfterAnOutage: a finding opens and resolves
// while Slack is down. Once Slack is back, one message says both, so the
// last word about the finding is its current state.
func TestDeliverCollapsesAFindingAfterAnOutage(t *testing.T) {
	e, db, sim, clk := flaggedEngine(t)
	sim.Next(http.StatusServiceUnavailable, "")
	if rep := e.Deliver(context.Background()); rep.Failed != 1 {
		t.Fatalf("Deliver during the outage = %+v", rep)
	}
	clk.Add(time.Second)
	setFlag(t, e, false)
	clk.Add(10 * time.Minute)
	rep := e.Deliver(context.Background())
	if rep.Sent != 2 || rep.Failed != 0 {
		t.Fatalf("Deliver after the outage = %+v, want both notices sent", rep)
	}
	posted := sim.Posted()
	if len(posted) != 1 {
		t.Fatalf("%d messages, want 1", len(posted))
	}
	text := string(posted[0].JSON)
	for _, want := range []string{"Resolved", "Opened and resolved while Slack was unreachable"} {
		if !strings.Contains(text, want) {
			t.Errorf("message lacks %q: %s", want, text)
		}
	}
	if ob := outbox(t, db); ob.Pending != 0 {
		t.Errorf("outbox = %+v", ob)
	}
}

// TestDeliverKeepsAFindingsOrder: the opening of a finding backs off after
// a failure while its resolution is written and due first; the claim
// takes both, so the resolution can never reach Slack before the opening.
func TestDeliverKeepsAFindingsOrder(t *testing.T) {
	e, _, sim, clk := flaggedEngine(t)
	sim.Next(http.StatusTooManyRequests, "600")
	e.Deliver(context.Background())
	setFlag(t, e, false)
	clk.Add(time.Second)
	if rep := e.Deliver(context.Background()); rep.Sent != 2 {
		t.Fatalf("Deliver = %+v, want the opening and the resolution together", rep)
	}
	setFlag(t, e, true)
	clk.Add(time.Second)
	e.Deliver(context.Background())
	var heads []string
	for _, p := range sim.Posted() {
		heads = append(heads, p.Text)
	}
	if len(heads) != 2 || !strings.HasPrefix(heads[0], "[resolved]") || !strings.HasPrefix(heads[1], "[breaking, reopened]") {
		t.Errorf("messages = %q, want the collapsed resolution, then the reopening", heads)
	}
}

// TestDeliverCollapsesDigestsQueuedDuringAnOutage: three digests written
// while Slack is down go out as one, the newest, saying it replaces the
// others.
func TestDeliverCollapsesDigestsQueuedDuringAnOutage(t *testing.T) {
	e, db, sim, _, clk := slackEngine(t)
	for i := range 3 {
		at := clk.Now()
		d := &watcher.Digest{Since: at.Add(-24 * time.Hour), Until: at, Sources: []watcher.DigestSource{{Name: "src", Snapshots: i + 1}}}
		if err := db.Enqueue(context.Background(), []watcher.Notice{{Kind: watcher.NoticeDigest, Group: fmt.Sprint("digest/", i), Digest: d, CreatedAt: at}}); err != nil {
			t.Fatal(err)
		}
		sim.Next(http.StatusServiceUnavailable, "")
		e.Deliver(context.Background())
		clk.Add(24 * time.Hour)
	}
	if got := len(sim.Posted()); got != 0 {
		t.Fatalf("%d posted during the outage", got)
	}
	rep := e.Deliver(context.Background())
	if rep.Sent != 3 || len(sim.Posted()) != 1 {
		t.Fatalf("Deliver after the outage = %+v, %d messages; want the three as one", rep, len(sim.Posted()))
	}
	text := string(sim.Posted()[0].JSON)
	if !strings.Contains(text, "Replaces 2 earlier digests") {
		t.Errorf("the digest does not say it replaces the others: %s", text)
	}
}

// flaggedEngine is an engine over one source whose flagged finding is
// open after a first poll, delivering to a simulated Slack webhook.
func flaggedEngine(t *testing.T) (*watcher.Engine, *store.DB, *providertest.Slack, *clock) {
	t.Helper()
	clk := newClock(t0)
	db, up, sim := openStore(t), newUpstream(t), providertest.NewSlack()
	t.Cleanup(sim.Close)
	n, err := slack.New(slack.Config{WebhookURL: sim.WebhookURL()}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	e := &watcher.Engine{Store: db, Notifier: n, Policy: everyone, Now: clk.Now}
	flags[e] = up
	up.set("src", `{"bad": false}`)
	e.Sources = []*watcher.Runtime{jsonSource(t, up, "src", flagged())}
	pollOnce(t, e)
	setFlag(t, e, true)
	return e, db, sim, clk
}

var flags = map[*watcher.Engine]*upstream{}

// setFlag changes the source's document and polls it.
func setFlag(t *testing.T, e *watcher.Engine, bad bool) {
	t.Helper()
	flags[e].set("src", fmt.Sprintf(`{"bad": %v}`, bad))
	pollOnce(t, e)
}

// TestDeliverRefusalLeavesNoDoubt: Slack answering ok:false did not post
// the message, so the retry posts without reading the channel's history;
// after a lost answer it reads it first.
func TestDeliverRefusalLeavesNoDoubt(t *testing.T) {
	clk := newClock(t0)
	db, up, sim := openStore(t), newUpstream(t), providertest.NewSlack()
	t.Cleanup(sim.Close)
	sim.SetClock(clk.Now)
	e := &watcher.Engine{Store: db, Notifier: botNotifier(t, sim), Policy: everyone, Now: clk.Now}
	up.set("src", `{"items": []}`)
	e.Sources = []*watcher.Runtime{jsonSource(t, up, "src", many(1))}
	pollOnce(t, e)

	sim.Next(http.StatusOK, "not_in_channel")
	if rep := e.Deliver(context.Background()); rep.Failed != 1 {
		t.Fatalf("Deliver = %+v", rep)
	}
	clk.Add(time.Minute)
	if rep := e.Deliver(context.Background()); rep.Sent != 1 {
		t.Fatalf("Deliver after the refusal = %+v", rep)
	}
	if n := sim.Calls("conversations.history") + sim.Calls("conversations.list"); n != 0 {
		t.Errorf("%d history reads after a refusal, want none", n)
	}
	up.set("src", `{"items": [1]}`)
	e.Sources = []*watcher.Runtime{jsonSource(t, up, "src", many(2))}
	pollOnce(t, e)
	sim.Script(providertest.SlackAnswer{Status: http.StatusGatewayTimeout})
	e.Deliver(context.Background())
	clk.Add(time.Minute)
	rep := e.Deliver(context.Background())
	if rep.Sent != 1 || sim.Calls("conversations.history") != 1 {
		t.Errorf("Deliver after a 504 = %+v with %d history reads; want it looked for once, then posted", rep, sim.Calls("conversations.history"))
	}
}
