package routing_test

import (
	"slices"
	"testing"

	"github.com/driftwatch/driftwatch/config"
	"github.com/driftwatch/driftwatch/routing"
	"github.com/driftwatch/driftwatch/watcher"
)

func env(name string) (string, bool) {
	return map[string]string{"HOOK": "https://hooks.example.com/x", "TOK": "xoxb-1", "TEAMS": "https://teams.example.com/wf"}[name], true
}

func load(t *testing.T, text string) *routing.Router {
	t.Helper()
	cfg, err := config.Parse("dw.toml", []byte(text), env)
	if err != nil {
		t.Fatal(err)
	}
	return routing.New(cfg)
}

const sources = `
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
`

const receivers = `
[[receiver]]
name = "identity-slack"
type = "slack"
token_env = "TOK"
channel = "#identity"
min_severity = "info"

[[receiver]]
name = "oncall"
type = "webhook"
url_env = "HOOK"

[[receiver]]
name = "teams"
type = "msteams"
webhook_url_env = "TEAMS"
`

func notice(kind watcher.NoticeKind, source, rule string, sev watcher.Severity, cat watcher.Category) watcher.Notice {
	return watcher.Notice{Kind: kind, Source: source, Finding: &watcher.Finding{ID: 1, Source: source, Rule: rule, Severity: sev, Category: cat}}
}

func TestRoutes(t *testing.T) {
	r := load(t, sources+receivers+`
[[route]]
severity = "breaking"
receivers = ["oncall"]
continue = true

[[route]]
labels = { team = "identity" }
receivers = ["identity-slack"]

[[route]]
category = ["infrastructure", "usage-growth"]
receivers = ["teams"]
send_resolved = false

[[route]]
rule = ["release.*"]
source = "orders-*"
receivers = ["teams", "oncall"]
min_severity = "breaking"

[[route]]
receivers = ["teams"]
digest = true
`)
	for _, c := range []struct {
		name string
		n    watcher.Notice
		want []string
	}{
		{"breaking identity: oncall, then the team", notice(watcher.NoticeOpened, "auth0-prod", "auth0.grant_removed", watcher.Breaking, watcher.Configuration), []string{"identity-slack", "oncall"}},
		{"info of the team: its min_severity is info", notice(watcher.NoticeOpened, "auth0-prod", "feed.x", watcher.Info, watcher.ThirdParty), []string{"identity-slack"}},
		{"infrastructure by category", notice(watcher.NoticeOpened, "orders-db", "threshold.cpu", watcher.Warning, watcher.Infrastructure), []string{"teams"}},
		{"route's send_resolved = false", notice(watcher.NoticeResolved, "orders-db", "threshold.cpu", watcher.Warning, watcher.Infrastructure), nil},
		{"route min_severity drops a warning and stops", notice(watcher.NoticeOpened, "orders-db", "release.major_available", watcher.Warning, watcher.ThirdParty), nil},
		{"catch-all by receivers", notice(watcher.NoticeOpened, "orders-db", "expect.equals", watcher.Warning, watcher.Configuration), []string{"teams"}},
		{"acked: editing receivers and webhooks", notice(watcher.NoticeAcked, "auth0-prod", "auth0.grant_removed", watcher.Breaking, watcher.Configuration), []string{"identity-slack", "oncall"}},
		{"digest: routes with digest", watcher.Notice{Kind: watcher.NoticeDigest, Digest: &watcher.Digest{}}, []string{"teams"}},
	} {
		if got := r.Route(c.n); !slices.Equal(got, c.want) {
			t.Errorf("%s: Route = %q, want %q", c.name, got, c.want)
		}
	}
}

func TestNoRoutesEveryReceiverByItsMinSeverity(t *testing.T) {
	r := load(t, sources+receivers)
	if got, want := r.Route(notice(watcher.NoticeOpened, "orders-db", "x", watcher.Info, watcher.ThirdParty)), []string{"identity-slack"}; !slices.Equal(got, want) {
		t.Errorf("info: %q, want %q", got, want)
	}
	if got, want := r.Route(notice(watcher.NoticeResolved, "orders-db", "x", watcher.Warning, watcher.ThirdParty)), []string{"identity-slack", "oncall", "teams"}; !slices.Equal(got, want) {
		t.Errorf("resolved warning: %q, want %q", got, want)
	}
	if got, want := r.Route(watcher.Notice{Kind: watcher.NoticeDigest, Digest: &watcher.Digest{}}), []string{"identity-slack", "oncall", "teams"}; !slices.Equal(got, want) {
		t.Errorf("digest: %q, want %q", got, want)
	}
}

func TestLegacySlackIsOneReceiver(t *testing.T) {
	r := load(t, sources+`
[notify.slack]
webhook_url_env = "HOOK"
min_severity = "breaking"
send_resolved = false
`)
	if got := r.Names(); !slices.Equal(got, []string{"slack"}) {
		t.Fatalf("receivers %q", got)
	}
	if got := r.Route(notice(watcher.NoticeOpened, "orders-db", "x", watcher.Warning, watcher.ThirdParty)); got != nil {
		t.Errorf("warning below min_severity routed to %q", got)
	}
	if got := r.Route(notice(watcher.NoticeResolved, "orders-db", "x", watcher.Breaking, watcher.ThirdParty)); got != nil {
		t.Errorf("resolved without send_resolved routed to %q", got)
	}
}

// TestAckedAndSilencedReachWebhooksAndEditorsOnly: a ticket bot behind a
// webhook is told when a finding is acknowledged or silenced, as is a
// Slack bot that edits its message; a Slack webhook, Teams and email are
// not (a new message about it would be noise).
func TestAckedAndSilencedReachWebhooksAndEditorsOnly(t *testing.T) {
	r := load(t, sources+receivers+`
[[receiver]]
name = "slack-hook"
type = "slack"
webhook_url_env = "HOOK"

[[receiver]]
name = "mail"
type = "email"
host = "smtp.example.com"
from = "dw@example.com"
to = ["ops@example.com"]
`)
	for _, kind := range []watcher.NoticeKind{watcher.NoticeAcked, watcher.NoticeSilenced} {
		got := r.Route(notice(kind, "orders-db", "x", watcher.Breaking, watcher.Configuration))
		if want := []string{"identity-slack", "oncall"}; !slices.Equal(got, want) {
			t.Errorf("%s: Route = %q, want %q", kind, got, want)
		}
	}
	if got, want := r.Route(notice(watcher.NoticeOpened, "orders-db", "x", watcher.Breaking, watcher.Configuration)),
		[]string{"identity-slack", "oncall", "teams", "slack-hook", "mail"}; !slices.Equal(got, want) {
		t.Errorf("opened: Route = %q, want %q", got, want)
	}
}
