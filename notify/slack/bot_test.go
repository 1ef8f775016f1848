package slack_test

import (
	"strings"
	"testing"
	"time"

	"github.com/driftwatch/driftwatch/notify/slack"
	"github.com/driftwatch/driftwatch/providers/providertest"
	"github.com/driftwatch/driftwatch/watcher"
)

func TestBotOK(t *testing.T) {
	sim, n, _ := newBot(t)
	if err := n.Deliver(t.Context(), one()); err != nil {
		t.Fatal(err)
	}
	got := sim.Posted()
	if len(got) != 1 {
		t.Fatalf("%d messages posted, want 1", len(got))
	}
	p := got[0]
	if p.Endpoint != "chat.postMessage" || p.Channel != "#platform-alerts" || p.Token != botToken {
		t.Errorf("posted to %s channel %q (token sent: %v)", p.Endpoint, p.Channel, p.Token == botToken)
	}
	if p.LinkNames {
		t.Error("link_names set")
	}
	if err := slack.ValidatePayload(p.JSON); err != nil {
		t.Errorf("received payload outside limits: %v", err)
	}
}

func TestBotErrors(t *testing.T) {
	for _, tc := range []struct {
		name     string
		status   int
		detail   string
		kind     errKind
		after    time.Duration
		contains string
	}{
		{"InvalidBlocks", 200, "invalid_blocks", permanent, 0, "slack: invalid_blocks"},
		{"InvalidBlocksFormat", 200, "invalid_blocks_format", permanent, 0, "slack: invalid_blocks_format"},
		{"MsgTooLong", 200, "msg_too_long", permanent, 0, "slack: msg_too_long"},
		{"MsgBlocksTooLong", 200, "msg_blocks_too_long", permanent, 0, "slack: msg_blocks_too_long"},
		{"NoText", 200, "no_text", permanent, 0, "slack: no_text"},
		{"ChannelNotFound", 200, "channel_not_found", retryable, 0, "slack: channel_not_found"},
		{"NotInChannel", 200, "not_in_channel", retryable, 0, "slack: not_in_channel"},
		{"InvalidAuth", 200, "invalid_auth", retryable, 0, "slack: invalid_auth"},
		{"IsArchived", 200, "is_archived", retryable, 0, "slack: is_archived"},
		{"429", 429, "2", retryAfter, 2 * time.Second, "rate limited"},
		{"500", 500, "", retryable, 0, "500"},
		{"503", 503, "", retryable, 0, "503"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sim, n, _ := newBot(t)
			sim.Next(tc.status, tc.detail)
			checkErr(t, sim, n.Deliver(t.Context(), one()), tc.kind, tc.after, tc.contains)
		})
	}
	t.Run("WrongToken", func(t *testing.T) {
		sim, _, _ := newBot(t)
		n, err := slack.New(slack.Config{Token: "xoxb-wrong-WrongTokenSecret", Channel: "#c", APIURL: sim.APIURL()}, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		err = n.Deliver(t.Context(), one())
		checkErr(t, sim, err, retryable, 0, "slack: invalid_auth")
		if strings.Contains(err.Error(), "WrongTokenSecret") {
			t.Errorf("token in error: %v", err)
		}
	})
}

func TestBotDigestChannel(t *testing.T) {
	sim, n, _ := newBot(t)
	if err := n.Deliver(t.Context(), []watcher.Notice{{ID: 9, Kind: watcher.NoticeDigest, Digest: digest()}}); err != nil {
		t.Fatal(err)
	}
	got := sim.Posted()
	if len(got) != 1 || got[0].Channel != "#platform-digest" {
		t.Fatalf("posted %d messages, first to %q; want 1 to #platform-digest", len(got), got[0].Channel)
	}
	if err := slack.ValidatePayload(got[0].JSON); err != nil {
		t.Error(err)
	}
}

// TestInjectionNeverReachesSlack inspects what the server received, in
// both modes: no mention or link syntax from upstream survives.
func TestInjectionNeverReachesSlack(t *testing.T) {
	f := releaseFinding()
	f.Title = "v3.0.0 " + injection
	ns := []watcher.Notice{notice(1, watcher.NoticeOpened, f), {ID: 2, Kind: watcher.NoticeDigest, Digest: digest()}}
	for _, mode := range []func(*testing.T) (*providertest.Slack, *slack.Notifier, *logs){newWebhook, newBot} {
		sim, n, _ := mode(t)
		if err := n.Deliver(t.Context(), ns); err != nil {
			t.Fatal(err)
		}
		got := sim.Posted()
		if len(got) != 2 {
			t.Fatalf("%d messages posted, want 2", len(got))
		}
		for _, p := range got {
			all := strings.Join(jsonStrings(t, p.JSON), "\n")
			for _, bad := range []string{"<!channel>", "<@U123>", "<https://evil", "<!here>"} {
				if strings.Contains(all, bad) {
					t.Errorf("%s received %q unescaped", p.Endpoint, bad)
				}
			}
			if !strings.Contains(all, "&lt;!") {
				t.Errorf("%s: escaped text missing", p.Endpoint)
			}
			if p.UnfurlLinks == nil || *p.UnfurlLinks || p.UnfurlMedia == nil || *p.UnfurlMedia {
				t.Errorf("%s: unfurling not turned off", p.Endpoint)
			}
		}
	}
}

// TestDeliver200Findings sends 200 findings in the engine's batches to the
// simulated Slack, which checks Slack's limits itself.
func TestDeliver200Findings(t *testing.T) {
	sim, n, _ := newWebhook(t)
	for _, b := range batches(manyFindings(200), n.MaxBatch()) {
		if err := n.Deliver(t.Context(), b); err != nil {
			t.Fatal(err)
		}
	}
	for i, p := range sim.Received() {
		if !p.OK() {
			t.Errorf("message %d refused: %d %s", i, p.Status, p.Error)
		}
		if err := slack.ValidatePayload(p.JSON); err != nil {
			t.Errorf("message %d: %v", i, err)
		}
	}
}

func TestNew(t *testing.T) {
	const secret = "https://hooks.slack.com/services/T0/B0/NewSecretPart"
	for _, tc := range []struct {
		name string
		cfg  slack.Config
	}{
		{"Neither", slack.Config{}},
		{"Both", slack.Config{WebhookURL: secret, Token: botToken, Channel: "#c"}},
		{"NotHTTP", slack.Config{WebhookURL: "ftp://hooks.slack.com/services/T0/B0/NewSecretPart"}},
		{"Unparsable", slack.Config{WebhookURL: "https://hooks slack com/%zz/NewSecretPart"}},
		{"TokenWithoutChannel", slack.Config{Token: botToken}},
		{"BadAPIURL", slack.Config{Token: botToken, Channel: "#c", APIURL: "slack.com/api"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := slack.New(tc.cfg, nil, nil)
			if err == nil {
				t.Fatal("no error")
			}
			if strings.Contains(err.Error(), "NewSecretPart") || strings.Contains(err.Error(), "SimulatedTokenDoNotLeak") {
				t.Errorf("secret in %v", err)
			}
		})
	}
}

func TestNoticeWithoutContentIsPermanent(t *testing.T) {
	sim, n, _ := newWebhook(t)
	err := n.Deliver(t.Context(), []watcher.Notice{{ID: 5, Kind: watcher.NoticeOpened}})
	if !watcher.IsPermanent(err) {
		t.Errorf("error %v: want permanent", err)
	}
	if len(sim.Received()) != 0 {
		t.Error("something was posted")
	}
}

// bigDigest has n busy sources, each with full lists.
func bigDigest(n int) *watcher.Digest {
	d := digest()
	base := d.Sources[0]
	rel := d.Sources[1]
	d.Sources = nil
	for i := range n {
		s := base
		if i%2 == 1 {
			s = rel
			s.New = append([]watcher.DigestItem(nil), rel.New...)
			for j := range 15 {
				s.New = append(s.New, watcher.DigestItem{Key: "v9." + strings.Repeat("9", j), Title: strings.Repeat("&<>", 60)})
			}
		}
		s.Name = "source-" + string(rune('a'+i%26)) + strings.Repeat("x", i/26)
		d.Sources = append(d.Sources, s)
	}
	return d
}
