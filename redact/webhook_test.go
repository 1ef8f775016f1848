package redact_test

import (
	"strings"
	"testing"

	"github.com/driftwatch/driftwatch/redact"
)

// TestWebhookURLPathCredentialIsRedacted proves that webhook URLs whose path
// is the credential lose it wherever they stand (a whole value, inside
// text), keeping scheme and host so that a diff stays readable.
func TestWebhookURLPathCredentialIsRedacted(t *testing.T) {
	cases := []struct{ in, want string }{
		{"https://hooks.slack.com/services/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", "https://hooks.slack.com/services/[redacted]"},
		{"https://hooks.slack.com/workflows/T0A1B2C3D/A05B6C7D8E9/472638849212345678/abcDEF", "https://hooks.slack.com/workflows/[redacted]"},
		{"https://discord.com/api/webhooks/1234567890123456789/aBcD3fGh1jKlMn0pQrStUvWxYz_-12345AbCdEfGhIjKlMnOpQrStUvWxYz0123456789ab", "https://discord.com/api/webhooks/[redacted]"},
		{"https://canary.discordapp.com/api/v10/webhooks/1234567890123456789/tok", "https://canary.discordapp.com/api/v10/webhooks/[redacted]"},
		{"https://acme.webhook.office.com/webhookb2/3f1c7a52-0d7e-4b4a-9a53-2b7e2d1d9f10@72f988bf-86f1-41af-91ab-2d7cd011db47/IncomingWebhook/a1b2c3d4e5f60718293a4b5c6d7e8f90/6e3f0c1a-5b2d-4e8f-9a7c-1d2e3f4a5b6c",
			"https://acme.webhook.office.com/webhookb2/[redacted]"},
		{"https://outlook.office.com/webhook/3f1c7a52-0d7e-4b4a-9a53-2b7e2d1d9f10/IncomingWebhook/abc/def", "https://outlook.office.com/webhook/[redacted]"},
		{"https://prod-27.westus.logic.azure.com:443/workflows/0a1b2c3d4e5f/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=Xy7Qp2Lm9Zr4Tv8Wn3Ks6Bd1Hf5Jc0Ga",
			"https://prod-27.westus.logic.azure.com:443/workflows/0a1b2c3d4e5f/triggers/manual/paths/invoke?api-version=2016-06-01&sig=[redacted]&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0"},
		{"https://chat.acme.io/hooks/xr3j5x3p4pgdtbi4ej5ew6mf1w", "https://chat.acme.io/hooks/[redacted]"},
		{"https://rocket.acme.io/hooks/Ji2Ynb6vGx7iXExaW/pWq4Kd9Rt3Zx8Lm2Nv7Bc5Hy1Jf6Gs0Qa", "https://rocket.acme.io/hooks/[redacted]"},
		{"https://hooks.zapier.com/hooks/catch/123456/abcde1/", "https://hooks.zapier.com/hooks/[redacted]"},
		{"https://api.telegram.org/bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/sendMessage", "https://api.telegram.org/bot[redacted]/sendMessage"},
		{"https://maker.ifttt.com/trigger/deploy/with/key/dK3mQ9xL2pR7", "https://maker.ifttt.com/trigger/deploy/with/key/[redacted]"},
	}
	for _, c := range cases {
		if got := redact.Text(c.in); got != c.want {
			t.Errorf("Text(%q)\n got %q\nwant %q", c.in, got, c.want)
		}
		in := "notify " + c.in + " on deploy"
		if got := redact.Text(in); got != "notify "+c.want+" on deploy" {
			t.Errorf("Text(%q) = %q", in, got)
		}
	}
	doc := decode(t, `{"client_metadata": {"slack": "https://hooks.slack.com/services/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"}}`)
	redact.Value(doc)
	if got := doc.(map[string]any)["client_metadata"].(map[string]any)["slack"]; got != "https://hooks.slack.com/services/[redacted]" {
		t.Errorf("client_metadata.slack = %q", got)
	}
}

// TestOrdinaryURLsAreNotTakenForWebhooks proves the detector's precision:
// callbacks, docs and release links, resource ids and slugs after the same
// path words are kept as they are.
func TestOrdinaryURLsAreNotTakenForWebhooks(t *testing.T) {
	for _, u := range []string{
		"https://app.acme.io/callback",
		"https://github.com/auth0/terraform-provider-auth0/releases/tag/v1.2.0",
		"https://github.com/acme/app/commit/4f2a9c1d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a39",
		"https://api.github.com/repos/acme/app/hooks/12345678",
		"https://docs.github.com/en/webhooks/webhook-events-and-payloads",
		"https://auth0.com/docs/customize/hooks/hook-secrets",
		"https://docs.mattermost.com/developer/webhooks-incoming.html",
		"https://cloud.google.com/run/docs/services/node-18-runtime-2024",
		"https://learn.microsoft.com/en-us/microsoftteams/platform/webhooks-and-connectors/how-to/add-incoming-webhook",
		"https://discord.com/developers/docs/resources/webhook",
		"https://api.slack.com/messaging/webhooks",
		"https://acme.io/hooks/post-deploy",
		"https://acme.io/services/authentication-service-v2",
	} {
		if got := redact.Text(u); got != u {
			t.Errorf("Text(%q) = %q, want it unchanged", u, got)
		}
		if got := redact.URL(u); got != u {
			t.Errorf("URL(%q) = %q, want it unchanged", u, got)
		}
	}
	if strings.Contains(redact.Text("see https://hooks.slack.com/services"), "redacted") {
		t.Error("a webhook host without a credential was redacted")
	}
}
