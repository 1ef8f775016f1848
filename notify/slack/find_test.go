package slack_test

import (
	"strings"
	"testing"
	"time"

	"github.com/driftwatch/driftwatch/notify/slack"
	"github.com/driftwatch/driftwatch/providers/providertest"
	"github.com/driftwatch/driftwatch/watcher"
)

// botFor is a second bot notifier on the same simulated Slack, as a new
// process would have: it knows no channel ID yet.
func botFor(t *testing.T, sim *providertest.Slack) *slack.Notifier {
	t.Helper()
	n, err := slack.New(slack.Config{Token: botToken, Channel: "#platform-alerts", DigestChannel: "#platform-digest",
		APIURL: sim.APIURL()}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestBotTagsMessagesWithNoticeKeys(t *testing.T) {
	sim, n, _ := newBot(t)
	ns := []watcher.Notice{notice(4, watcher.NoticeOpened, breakingConfig()), notice(5, watcher.NoticeOpened, releaseFinding())}
	ns[1].Group = ns[0].Group
	ns[0].Earlier = []watcher.Notice{notice(2, watcher.NoticeOpened, breakingConfig())}
	if err := n.Deliver(t.Context(), ns); err != nil {
		t.Fatal(err)
	}
	got := sim.Posted()
	if len(got) != 1 || got[0].Metadata == nil {
		t.Fatalf("posted %+v, want one message with metadata", got)
	}
	md := got[0].Metadata
	want := ns[0].Key() + "," + ns[0].Earlier[0].Key() + "," + ns[1].Key()
	if md.EventType != "driftwatch_notice" || md.EventPayload["notices"] != want {
		t.Errorf("metadata = %+v, want event driftwatch_notice naming %s", md, want)
	}
}

// TestFindLooksInTheChannelsHistory: a notifier that never posted (a new
// process after a kill) finds a notice posted before, by its key in the
// message metadata, and not one that was never posted, nor one posted
// before the time it is told to look from.
func TestFindLooksInTheChannelsHistory(t *testing.T) {
	sim, n, _ := newBot(t)
	posted := notice(7, watcher.NoticeOpened, breakingConfig())
	start := time.Now()
	if err := n.Deliver(t.Context(), []watcher.Notice{posted}); err != nil {
		t.Fatal(err)
	}
	never := notice(8, watcher.NoticeOpened, releaseFinding())
	other := posted
	other.CreatedAt = posted.CreatedAt.Add(time.Millisecond) // same ID, another store
	fresh := botFor(t, sim)
	got, err := fresh.Find(t.Context(), []watcher.Notice{posted, never, other}, start)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0] != 7 {
		t.Errorf("Find = %v, want [7]", got)
	}
	if got, err := fresh.Find(t.Context(), []watcher.Notice{posted}, start.Add(time.Hour)); err != nil || len(got) != 0 {
		t.Errorf("Find from an hour later = %v, %v; want nothing", got, err)
	}
	if len(sim.Posted()) != 1 {
		t.Errorf("Find posted: %d messages", len(sim.Posted()))
	}
}

// TestFindResumesAPartlyPostedDigest: a digest of several messages whose
// second post lost its answer; a new process finds the first two and
// posts only the rest.
func TestFindResumesAPartlyPostedDigest(t *testing.T) {
	sim, n, _ := newBot(t)
	d := watcher.Notice{ID: 3, Kind: watcher.NoticeDigest, Digest: bigDigest(40), CreatedAt: detected}
	parts := len(slack.RenderDigest(d.Digest))
	if parts < 3 {
		t.Fatalf("the digest takes %d messages; the test needs 3 or more", parts)
	}
	sim.Script(providertest.SlackAnswer{Status: 200}, providertest.SlackAnswer{Lost: true})
	start := time.Now()
	if err := n.Deliver(t.Context(), []watcher.Notice{d}); err == nil {
		t.Fatal("Deliver succeeded though the second answer was lost")
	}
	fresh := botFor(t, sim)
	if got, err := fresh.Find(t.Context(), []watcher.Notice{d}, start); err != nil || len(got) != 0 {
		t.Fatalf("Find = %v, %v; want the digest not found whole", got, err)
	}
	if err := fresh.Deliver(t.Context(), []watcher.Notice{d}); err != nil {
		t.Fatal(err)
	}
	if got := len(sim.Posted()); got != parts {
		t.Errorf("%d digest messages posted in all, want %d (each once)", got, parts)
	}
	if got, err := botFor(t, sim).Find(t.Context(), []watcher.Notice{d}, start); err != nil || len(got) != 1 {
		t.Errorf("Find after the rest was posted = %v, %v; want the digest", got, err)
	}
}

// TestFindCannotLookIsPermanent: a channel the bot cannot see by name
// cannot be read: the error is permanent, so the engine posts again
// rather than waiting forever.
func TestFindCannotLookIsPermanent(t *testing.T) {
	sim, _, _ := newBot(t)
	n, err := slack.New(slack.Config{Token: botToken, Channel: "#nowhere", APIURL: sim.APIURL()}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = n.Find(t.Context(), []watcher.Notice{notice(1, watcher.NoticeOpened, breakingConfig())}, time.Now())
	if !watcher.IsPermanent(err) || !strings.Contains(err.Error(), "nowhere") {
		t.Errorf("Find = %v, want a permanent error naming the channel", err)
	}
	assertNoSecret(t, sim, "error", err.Error())
}

// TestFindInWebhookModeFindsNothing: a webhook cannot be asked.
func TestFindInWebhookModeFindsNothing(t *testing.T) {
	_, n, _ := newWebhook(t)
	if got, err := n.Find(t.Context(), one(), time.Now()); err != nil || len(got) != 0 {
		t.Errorf("Find = %v, %v", got, err)
	}
}
