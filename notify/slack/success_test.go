package slack_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/driftwatch/driftwatch/providers/providertest"
	"github.com/driftwatch/driftwatch/watcher"
)

// TestWebhookOnlySlacksOKIsSuccess: a webhook post counts as delivered only
// when Slack answers 200 with the body "ok". A login page, an empty 200, a
// redirect to a page that answers 200 are failures to retry.
func TestWebhookOnlySlacksOKIsSuccess(t *testing.T) {
	for _, tc := range []struct {
		name   string
		answer providertest.SlackAnswer
	}{
		{"HTMLPage", providertest.SlackAnswer{Status: http.StatusOK, Body: "<html><body>Sign in</body></html>"}},
		{"EmptyBody", providertest.SlackAnswer{Status: http.StatusOK, Body: " "}},
		{"JSONBody", providertest.SlackAnswer{Status: http.StatusOK, Body: `{"ok":true}`, ContentType: "application/json"}},
		{"Redirect", providertest.SlackAnswer{Status: http.StatusFound, Location: "/login"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sim, n, _ := newWebhook(t)
			sim.Script(tc.answer)
			err := n.Deliver(t.Context(), one())
			checkErr(t, sim, err, retryable, 0, "slack:")
			if len(sim.Posted()) != 0 {
				t.Errorf("the simulated Slack accepted the message: %+v", sim.Posted())
			}
			// The next answer is Slack's own "ok": delivered.
			if err := n.Deliver(t.Context(), one()); err != nil {
				t.Errorf("Deliver after the bad answer: %v", err)
			}
		})
	}
}

// TestBotOnlyOKWithTSIsSuccess: chat.postMessage counts as delivered only
// with {"ok":true} and the message's ts; {} (slack-go reads it as no
// error) and the like are failures to retry.
func TestBotOnlyOKWithTSIsSuccess(t *testing.T) {
	for _, tc := range []struct {
		name string
		body string
	}{
		{"EmptyObject", `{}`},
		{"OKWithoutTS", `{"ok":true}`},
		{"OKFalseWithoutError", `{"ok":false}`},
		{"TSWithoutOK", `{"ts":"1700000000.000001","channel":"C0000000001"}`},
		{"HTMLPage", `<html>Sign in</html>`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sim, n, _ := newBot(t)
			sim.Script(providertest.SlackAnswer{Status: http.StatusOK, Body: tc.body, ContentType: "application/json"})
			err := n.Deliver(t.Context(), one())
			if err == nil {
				t.Fatalf("Deliver succeeded on %s", tc.body)
			}
			if watcher.IsPermanent(err) || !strings.HasPrefix(err.Error(), "slack:") {
				t.Errorf("error %q: want a retryable slack error", err)
			}
			var ra *watcher.RetryAfterError
			if errors.As(err, &ra) {
				t.Errorf("error %q carries a Retry-After", err)
			}
			assertNoSecret(t, sim, "error", err.Error())
			if err := n.Deliver(t.Context(), one()); err != nil {
				t.Errorf("Deliver after the bad answer: %v", err)
			}
		})
	}
}

// TestErrorsSayWhetherSlackRefused: an answer in which Slack refuses the
// message (ok:false, a 4xx, a 429) leaves no doubt; a 5xx (maybe a proxy
// that gave up on a message Slack took), a dropped connection or an answer
// that is not Slack's do.
func TestErrorsSayWhetherSlackRefused(t *testing.T) {
	for _, tc := range []struct {
		name    string
		bot     bool
		answer  providertest.SlackAnswer
		refused bool
	}{
		{"BotOKFalse", true, providertest.SlackAnswer{Status: http.StatusOK, Error: "channel_not_found"}, true},
		{"BotRateLimited", true, providertest.SlackAnswer{Status: http.StatusTooManyRequests, RetryAfter: "3"}, true},
		{"BotBadGateway", true, providertest.SlackAnswer{Status: http.StatusBadGateway}, false},
		{"BotAnswerLost", true, providertest.SlackAnswer{Lost: true}, false},
		{"BotEmptyObject", true, providertest.SlackAnswer{Status: http.StatusOK, Body: "{}", ContentType: "application/json"}, false},
		{"WebhookNotFound", false, providertest.SlackAnswer{Status: http.StatusNotFound, Error: "channel_not_found"}, true},
		{"WebhookForbidden", false, providertest.SlackAnswer{Status: http.StatusForbidden, Error: "action_prohibited"}, true},
		{"WebhookRollupError", false, providertest.SlackAnswer{Status: http.StatusInternalServerError, Error: "rollup_error"}, false},
		{"WebhookGatewayTimeout", false, providertest.SlackAnswer{Status: http.StatusGatewayTimeout}, false},
		{"WebhookAnswerLost", false, providertest.SlackAnswer{Lost: true}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sim, n, _ := newWebhook(t)
			if tc.bot {
				sim, n, _ = newBot(t)
			}
			sim.Script(tc.answer)
			err := n.Deliver(t.Context(), one())
			if err == nil {
				t.Fatal("Deliver succeeded")
			}
			if got := watcher.IsRefused(err); got != tc.refused {
				t.Errorf("IsRefused(%q) = %v, want %v", err, got, tc.refused)
			}
		})
	}
}
