package slack_test

import (
	"fmt"
	"strings"
	"testing"

	slackgo "github.com/slack-go/slack"

	"github.com/driftwatch/driftwatch/notify/slack"
	"github.com/driftwatch/driftwatch/watcher"
)

// TestGroupHeaderCountsTheWorstSeverityHonestly: a group of eight findings
// of which one is breaking is not headed "Breaking: 8 findings"; it says
// how many are of the worst severity, in the header and the fallback text.
func TestGroupHeaderCountsTheWorstSeverityHonestly(t *testing.T) {
	group := func(sevs ...watcher.Severity) []watcher.Notice {
		var ns []watcher.Notice
		for i, s := range sevs {
			ns = append(ns, notice(int64(i+1), watcher.NoticeOpened, &watcher.Finding{ID: int64(100 + i), Source: "auth0-prod",
				Rule: "auth0.url_removed", Severity: s, Category: watcher.Configuration, Title: fmt.Sprintf("Finding %d", i)}))
		}
		return ns
	}
	b, w, i := watcher.Breaking, watcher.Warning, watcher.Info
	resolved := group(w, w, i)
	resolved[2].Kind = watcher.NoticeResolved
	for _, c := range []struct {
		ns               []watcher.Notice
		header, fallback string
	}{
		{group(w, b, w, i, w, i, w, i), "🔴 8 findings on auth0-prod (1 breaking)", "[breaking] auth0-prod: 8 findings (1 breaking) — "},
		{group(b, b), "🔴 2 findings on auth0-prod (2 breaking)", "[breaking] auth0-prod: 2 findings (2 breaking) — "},
		{group(i, w, w), "🟠 3 findings on auth0-prod (2 warnings)", "[warning] auth0-prod: 3 findings (2 warnings) — "},
		{group(i, i), "🔵 2 findings on auth0-prod (2 info)", "[info] auth0-prod: 2 findings (2 info) — "},
		{resolved, "🟠 2 findings on auth0-prod (2 warnings); 1 resolved", "[warning] auth0-prod: 2 findings (2 warnings), 1 resolved — "},
	} {
		m := slack.RenderNotices(c.ns)
		if headerText(m) != c.header {
			t.Errorf("header = %q, want %q", headerText(m), c.header)
		}
		if !strings.HasPrefix(m.Text, c.fallback) {
			t.Errorf("fallback = %q, want it to start %q", m.Text, c.fallback)
		}
	}
}

func headerText(m slack.Message) string {
	if h, ok := m.Blocks[0].(*slackgo.HeaderBlock); ok && h.Text != nil {
		return h.Text.Text
	}
	return ""
}
