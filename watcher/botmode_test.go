package watcher_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/driftwatch/driftwatch/providers/providertest"
	"github.com/driftwatch/driftwatch/store"
	"github.com/driftwatch/driftwatch/watcher"
)

// TestBotModeOneMessagePerFinding: opened, acked, resolved is one Slack
// message edited twice, with a thread reply for each change; reopened
// after it resolved, the finding is posted anew.
func TestBotModeOneMessagePerFinding(t *testing.T) {
	clk := newClock(t0)
	sim := providertest.NewSlack()
	t.Cleanup(sim.Close)
	sim.SetClock(clk.Now)
	sim.RequireToken(testBotToken)
	policy := policyOf(t, "[[receiver]]\nname = \"team\"\ntype = \"slack\"\ntoken_env = \"T\"\nchannel = \"#alerts\"\n",
		map[string]string{"T": testBotToken})
	db, up := openStore(t), newUpstream(t)
	e := &watcher.Engine{Store: db, Policy: policy, Now: clk.Now,
		Receivers: []watcher.Receiver{{Name: "team", Notifier: botNotifier(t, sim)}}}
	e.Sources = []*watcher.Runtime{jsonSource(t, up, "src", flagged())}
	deliver := func(what string) {
		t.Helper()
		clk.Add(time.Minute)
		if rep := e.Deliver(context.Background()); rep.Err != nil || rep.Sent != 1 {
			t.Fatalf("%s: Deliver = %+v", what, rep)
		}
	}
	up.set("src", `{"bad": true}`)
	pollOnce(t, e)
	deliver("opened")
	fs, err := db.Findings(context.Background(), watcher.FindingFilter{})
	if err != nil || len(fs) != 1 {
		t.Fatalf("findings %v %v", fs, err)
	}
	if _, err := db.AckRefs(context.Background(), store.AckRequest{Refs: []string{fmt.Sprint(fs[0].ID)}, Note: "fix in 2.4",
		Author: "ana", At: clk.Now(), Policy: policy}); err != nil {
		t.Fatal(err)
	}
	deliver("acked")
	up.set("src", `{"bad": false}`)
	clk.Add(time.Minute)
	pollOnce(t, e)
	deliver("resolved")

	msgs := sim.Messages("#alerts")
	if len(msgs) != 1 {
		t.Fatalf("%d messages in the channel, want one per finding", len(msgs))
	}
	if n := len(sim.Updated()); n != 2 {
		t.Errorf("%d edits, want 2 (acked, resolved)", n)
	}
	if !strings.Contains(msgs[0].Text, "[resolved]") {
		t.Errorf("the message does not show the finding resolved: %q", msgs[0].Text)
	}
	replies := sim.Replies("#alerts", msgs[0].TS)
	if len(replies) != 2 || !strings.Contains(replies[0].Text, "Acknowledged: fix in 2.4") || !strings.Contains(replies[1].Text, "Resolved") {
		var texts []string
		for _, r := range replies {
			texts = append(texts, r.Text)
		}
		t.Errorf("thread replies %q", texts)
	}

	up.set("src", `{"bad": true}`)
	clk.Add(time.Minute)
	pollOnce(t, e)
	deliver("reopened")
	if msgs := sim.Messages("#alerts"); len(msgs) != 2 || !strings.Contains(msgs[1].Text, "reopened") {
		t.Errorf("reopened: %d messages, want a new one", len(msgs))
	}
}

// TestBotModeSilenceEditsTheMessage: silencing a finding edits its
// message to say so (the silenced notice gets through the silence it
// announces); the finding's later notices wait for the silence to end.
func TestBotModeSilenceEditsTheMessage(t *testing.T) {
	clk := newClock(t0)
	sim := providertest.NewSlack()
	t.Cleanup(sim.Close)
	sim.SetClock(clk.Now)
	policy := policyOf(t, "[[receiver]]\nname = \"team\"\ntype = \"slack\"\ntoken_env = \"T\"\nchannel = \"#alerts\"\n",
		map[string]string{"T": testBotToken})
	db, up := openStore(t), newUpstream(t)
	e := &watcher.Engine{Store: db, Policy: policy, Now: clk.Now,
		Receivers: []watcher.Receiver{{Name: "team", Notifier: botNotifier(t, sim)}}}
	e.Sources = []*watcher.Runtime{jsonSource(t, up, "src", flagged())}
	up.set("src", `{"bad": true}`)
	pollOnce(t, e)
	e.Deliver(context.Background())
	if _, err := db.AddSilenceNoticed(context.Background(), watcher.Silence{Rule: "test.*", Comment: "known", Author: "ana",
		CreatedAt: clk.Now(), EndsAt: clk.Now().Add(24 * time.Hour)}, policy); err != nil {
		t.Fatal(err)
	}
	clk.Add(time.Minute)
	if rep := e.Deliver(context.Background()); rep.Sent != 1 {
		t.Fatalf("silenced: Deliver = %+v", rep)
	}
	msgs := sim.Messages("#alerts")
	if len(msgs) != 1 || len(sim.Updated()) != 1 || !strings.Contains(msgs[0].Text, "silenced") {
		t.Fatalf("%d messages, %d edits; text %q", len(msgs), len(sim.Updated()), msgs[0].Text)
	}
	if r := sim.Replies("#alerts", msgs[0].TS); len(r) != 1 || !strings.Contains(r[0].Text, "Silenced") {
		t.Errorf("thread %+v", r)
	}
	up.set("src", `{"bad": false}`)
	clk.Add(time.Minute)
	pollOnce(t, e)
	if rep := e.Deliver(context.Background()); rep.Sent != 0 {
		t.Errorf("the resolution went out during the silence: %+v", rep)
	}
}

// TestBotModeDeletedMessageIsPostedAnew: someone deleted the finding's
// message; its next notice is posted as a new one instead of failing.
func TestBotModeDeletedMessageIsPostedAnew(t *testing.T) {
	clk := newClock(t0)
	sim := providertest.NewSlack()
	t.Cleanup(sim.Close)
	sim.SetClock(clk.Now)
	policy := policyOf(t, "[[receiver]]\nname = \"team\"\ntype = \"slack\"\ntoken_env = \"T\"\nchannel = \"#alerts\"\n",
		map[string]string{"T": testBotToken})
	db, up := openStore(t), newUpstream(t)
	e := &watcher.Engine{Store: db, Policy: policy, Now: clk.Now,
		Receivers: []watcher.Receiver{{Name: "team", Notifier: botNotifier(t, sim)}}}
	e.Sources = []*watcher.Runtime{jsonSource(t, up, "src", flagged())}
	up.set("src", `{"bad": true}`)
	pollOnce(t, e)
	e.Deliver(context.Background())
	sim.Script(providertest.SlackAnswer{Status: http.StatusOK, Error: "message_not_found"})
	up.set("src", `{"bad": false}`)
	clk.Add(time.Minute)
	pollOnce(t, e)
	if rep := e.Deliver(context.Background()); rep.Sent != 1 || rep.Failed != 0 {
		t.Fatalf("Deliver = %+v", rep)
	}
	if msgs := sim.Messages("#alerts"); len(msgs) != 2 || !strings.Contains(msgs[1].Text, "[resolved]") {
		t.Errorf("%d messages; want the resolution posted anew", len(msgs))
	}
}

// TestBotModeEscalationEditsTheMessage: a warning that becomes breaking
// edits its message and says so in the thread.
func TestBotModeEscalationEditsTheMessage(t *testing.T) {
	clk := newClock(t0)
	sim := providertest.NewSlack()
	t.Cleanup(sim.Close)
	sim.SetClock(clk.Now)
	policy := policyOf(t, "[[receiver]]\nname = \"team\"\ntype = \"slack\"\ntoken_env = \"T\"\nchannel = \"#alerts\"\n",
		map[string]string{"T": testBotToken})
	db, up := openStore(t), newUpstream(t)
	e := &watcher.Engine{Store: db, Policy: policy, Now: clk.Now,
		Receivers: []watcher.Receiver{{Name: "team", Notifier: botNotifier(t, sim)}}}
	e.Sources = []*watcher.Runtime{jsonSource(t, up, "src", listed())}
	up.set("src", findingsDoc([4]string{"warning", "third-party", "auth0.deprecated_node", "node 16 deprecated"}))
	pollOnce(t, e)
	e.Deliver(context.Background())
	up.set("src", findingsDoc([4]string{"breaking", "third-party", "auth0.deprecated_node", "node 16 deprecated"}))
	clk.Add(time.Minute)
	pollOnce(t, e)
	if rep := e.Deliver(context.Background()); rep.Sent != 1 {
		t.Fatalf("Deliver = %+v", rep)
	}
	msgs := sim.Messages("#alerts")
	if len(msgs) != 1 || len(sim.Updated()) != 1 || !strings.Contains(msgs[0].Text, "[breaking, escalated]") {
		t.Fatalf("%d messages, %d edits, text %q", len(msgs), len(sim.Updated()), msgs[0].Text)
	}
	if r := sim.Replies("#alerts", msgs[0].TS); len(r) != 1 || !strings.Contains(r[0].Text, "Escalated to breaking") {
		t.Errorf("thread %+v", r)
	}
}
