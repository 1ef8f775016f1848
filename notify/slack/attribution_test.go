package slack_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/driftwatch/driftwatch/notify/console"
	"github.com/driftwatch/driftwatch/notify/slack"
	"github.com/driftwatch/driftwatch/watcher"
)

// TestNoticeSaysWhoChangedIt: a finding the tenant logs attribute says who
// made the change, in Slack and on the console, escaped like any upstream
// text (an admin's name is upstream text).
func TestNoticeSaysWhoChangedIt(t *testing.T) {
	f := &watcher.Finding{ID: 7, Source: "auth0-prod", Rule: "auth0.url_removed",
		Severity: watcher.Warning, Category: watcher.Configuration, Path: "/clients/Acme Web/callbacks",
		Title: `Callback URL https://app.acme.com/callback removed from client "Acme Web"`,
		Old:   "https://app.acme.com/callback",
		Changed: &watcher.Attribution{By: "alice@acme.com <!channel>", Via: "Dashboard",
			At: time.Date(2026, 12, 3, 10, 42, 0, 0, time.UTC), LogID: "90020261203104200000000000000000000000000000000001"}}
	ns := []watcher.Notice{{ID: 1, Kind: watcher.NoticeOpened, Source: "auth0-prod", Finding: f}}
	m := slack.RenderNotices(ns)
	raw, err := json.Marshal(m.Blocks)
	if err != nil {
		t.Fatal(err)
	}
	if b := string(raw); !strings.Contains(b, "*Who:* Changed by alice@acme.com \\u0026lt;!channel\\u0026gt; in the Dashboard at 2026-12-03 10:42 UTC") ||
		strings.Contains(b, "<!channel>") || strings.Contains(b, "\\u003c!channel") {
		t.Errorf("Slack blocks:\n%s", b)
	}
	var out bytes.Buffer
	if err := console.FormatNotices(&out, ns); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "who: Changed by alice@acme.com") {
		t.Errorf("console notice:\n%s", out.String())
	}
}
