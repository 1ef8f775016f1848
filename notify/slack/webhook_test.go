package slack_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/driftwatch/driftwatch/notify/slack"
	"github.com/driftwatch/driftwatch/providers/providertest"
	"github.com/driftwatch/driftwatch/watcher"
)

const botToken = "xoxb-000000000001-000000000002-SimulatedTokenDoNotLeak"

// logs is a concurrency-safe buffer for a debug-level slog handler.
type logs struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logs) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logs) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func (l *logs) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// secretParts are the pieces of the webhook URL and token that must never
// show: the URL's secret path and the token.
func secretParts(sim *providertest.Slack) []string {
	u := sim.WebhookURL()
	return []string{u, u[strings.Index(u, "/services/"):], "XXXXXXXXXXXXXXXXXXXXXXXX", botToken, "SimulatedTokenDoNotLeak"}
}

func assertNoSecret(t *testing.T, sim *providertest.Slack, what, s string) {
	t.Helper()
	for _, sec := range secretParts(sim) {
		if strings.Contains(s, sec) {
			t.Errorf("%s holds a secret (%q): %s", what, sec, s)
		}
	}
}

func newWebhook(t *testing.T) (*providertest.Slack, *slack.Notifier, *logs) {
	t.Helper()
	sim := providertest.NewSlack()
	t.Cleanup(sim.Close)
	l := &logs{}
	n, err := slack.New(slack.Config{WebhookURL: sim.WebhookURL()}, &http.Client{Timeout: 5 * time.Second}, l.logger())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { assertNoSecret(t, sim, "log", l.String()) })
	return sim, n, l
}

func newBot(t *testing.T) (*providertest.Slack, *slack.Notifier, *logs) {
	t.Helper()
	sim := providertest.NewSlack()
	t.Cleanup(sim.Close)
	sim.RequireToken(botToken)
	l := &logs{}
	n, err := slack.New(slack.Config{Token: botToken, Channel: "#platform-alerts", DigestChannel: "#platform-digest",
		APIURL: sim.APIURL()}, nil, l.logger())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { assertNoSecret(t, sim, "log", l.String()) })
	return sim, n, l
}

func one() []watcher.Notice {
	return []watcher.Notice{notice(1, watcher.NoticeOpened, breakingConfig())}
}

func TestWebhookOK(t *testing.T) {
	sim, n, _ := newWebhook(t)
	if err := n.Deliver(t.Context(), one()); err != nil {
		t.Fatal(err)
	}
	got := sim.Posted()
	if len(got) != 1 {
		t.Fatalf("%d messages posted, want 1", len(got))
	}
	p := got[0]
	if p.Endpoint != "webhook" || !strings.HasPrefix(p.ContentType, "application/json") {
		t.Errorf("posted to %s as %s", p.Endpoint, p.ContentType)
	}
	if err := slack.ValidatePayload(p.JSON); err != nil {
		t.Errorf("received payload outside limits: %v", err)
	}
	if !strings.Contains(p.Text, "[breaking] auth0-prod") || p.Blocks[0]["type"] != "header" {
		t.Errorf("unexpected message: text %q, first block %v", p.Text, p.Blocks[0])
	}
}

// errKind describes how the engine must treat an error.
type errKind int

const (
	retryable errKind = iota
	permanent
	retryAfter
)

func checkErr(t *testing.T, sim *providertest.Slack, err error, kind errKind, after time.Duration, contains string) {
	t.Helper()
	if err == nil {
		t.Fatal("Deliver succeeded, want an error")
	}
	assertNoSecret(t, sim, "error", err.Error())
	var ra *watcher.RetryAfterError
	isRA := errors.As(err, &ra)
	switch kind {
	case retryAfter:
		if !isRA || ra.After != after {
			t.Errorf("error %v: want RetryAfterError after %s", err, after)
		}
	case permanent:
		if !watcher.IsPermanent(err) {
			t.Errorf("error %v: want permanent", err)
		}
	case retryable:
		if watcher.IsPermanent(err) || isRA {
			t.Errorf("error %v: want a plain retryable error", err)
		}
	}
	if !strings.Contains(err.Error(), contains) {
		t.Errorf("error %q does not say %q", err, contains)
	}
}

func TestWebhookErrors(t *testing.T) {
	for _, tc := range []struct {
		name     string
		status   int
		detail   string
		kind     errKind
		after    time.Duration
		contains string
	}{
		{"429RetryAfter", 429, "7", retryAfter, 7 * time.Second, "rate limited"},
		{"429NoRetryAfter", 429, "", retryable, 0, "rate limited"},
		{"500", 500, "rollup_error", retryable, 0, "slack: rollup_error (HTTP 500)"},
		{"502NoBody", 502, "", retryable, 0, "HTTP 502"},
		{"400InvalidPayload", 400, "invalid_payload", permanent, 0, "slack: invalid_payload"},
		{"400InvalidBlocks", 400, "invalid_blocks", permanent, 0, "slack: invalid_blocks"},
		{"403ActionProhibited", 403, "action_prohibited", retryable, 0, "slack: action_prohibited"},
		{"404ChannelNotFound", 404, "channel_not_found", retryable, 0, "slack: channel_not_found"},
		{"410ChannelArchived", 410, "channel_is_archived", retryable, 0, "slack: channel_is_archived"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sim, n, _ := newWebhook(t)
			sim.Next(tc.status, tc.detail)
			checkErr(t, sim, n.Deliver(t.Context(), one()), tc.kind, tc.after, tc.contains)
			if len(sim.Posted()) != 0 {
				t.Error("a failed answer counted as posted")
			}
		})
	}
}

func TestWebhookRetryAfterHTTPDate(t *testing.T) {
	sim, n, _ := newWebhook(t)
	sim.Script(providertest.SlackAnswer{Status: 429, RetryAfter: time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)})
	err := n.Deliver(t.Context(), one())
	var ra *watcher.RetryAfterError
	if !errors.As(err, &ra) || ra.After < 50*time.Minute || ra.After > time.Hour {
		t.Fatalf("error %v: want RetryAfterError of about an hour", err)
	}
}

// TestWebhookRetryAfterOne is the realistic case: Slack says wait one
// second; after that wait the same notices go through, once.
func TestWebhookRetryAfterOne(t *testing.T) {
	sim, n, _ := newWebhook(t)
	sim.Next(429, "1")
	err := n.Deliver(t.Context(), one())
	var ra *watcher.RetryAfterError
	if !errors.As(err, &ra) || ra.After != time.Second {
		t.Fatalf("error %v: want RetryAfterError after 1s", err)
	}
	// The engine waits ra.After before the next attempt (its own tests
	// show that, on an injected clock); here the retry simply follows.
	if err := n.Deliver(t.Context(), one()); err != nil {
		t.Fatalf("retry: %v", err)
	}
	if got, recv := len(sim.Posted()), len(sim.Received()); got != 1 || recv != 2 {
		t.Errorf("posted %d of %d received, want 1 of 2", got, recv)
	}
}

func TestWebhookTransportErrors(t *testing.T) {
	t.Run("ConnectionRefused", func(t *testing.T) {
		sim, n, _ := newWebhook(t)
		sim.Close()
		checkErr(t, sim, n.Deliver(t.Context(), one()), retryable, 0, "slack: failed to post webhook")
	})
	t.Run("Timeout", func(t *testing.T) {
		// A Slack that never answers: the client's timeout ends the
		// attempt, and the error still hides the URL.
		block := make(chan struct{})
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-block:
			case <-r.Context().Done():
			}
		}))
		defer srv.Close()
		defer close(block)
		url := srv.URL + "/services/T000/B000/TimeoutSecretPart"
		n, err := slack.New(slack.Config{WebhookURL: url, Timeout: 50 * time.Millisecond}, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		err = n.Deliver(t.Context(), one())
		if err == nil || strings.Contains(err.Error(), "TimeoutSecretPart") {
			t.Fatalf("error %v: want a timeout without the URL", err)
		}
		var to interface{ Timeout() bool }
		if !errors.As(err, &to) || !to.Timeout() {
			t.Errorf("error %v does not report a timeout", err)
		}
	})
	t.Run("ContextCanceled", func(t *testing.T) {
		sim, n, _ := newWebhook(t)
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		err := n.Deliver(ctx, one())
		if !errors.Is(err, context.Canceled) {
			t.Errorf("error %v: want context.Canceled", err)
		}
		assertNoSecret(t, sim, "error", err.Error())
	})
}

// TestDigestResumes posts a digest too large for one message; the second
// part fails, and the retry posts only what was left.
func TestDigestResumes(t *testing.T) {
	sim, n, _ := newWebhook(t)
	d := bigDigest(40)
	parts := len(slack.RenderDigest(d))
	if parts < 3 {
		t.Fatalf("big digest renders as %d messages; want at least 3", parts)
	}
	sim.Script(providertest.SlackAnswer{Status: 200}, providertest.SlackAnswer{Status: 500, Error: "rollup_error"})
	ns := []watcher.Notice{{ID: 77, Kind: watcher.NoticeDigest, Digest: d}}
	if err := n.Deliver(t.Context(), ns); err == nil {
		t.Fatal("first attempt succeeded despite the 500")
	}
	if err := n.Deliver(t.Context(), ns); err != nil {
		t.Fatalf("retry: %v", err)
	}
	seen := map[string]int{}
	for _, p := range sim.Posted() {
		seen[p.Blocks[0]["text"].(map[string]any)["text"].(string)]++
		if err := slack.ValidatePayload(p.JSON); err != nil {
			t.Error(err)
		}
	}
	if len(seen) != parts {
		t.Errorf("%d distinct parts posted, want %d", len(seen), parts)
	}
	for h, c := range seen {
		if c != 1 {
			t.Errorf("%q posted %d times", h, c)
		}
	}
}
