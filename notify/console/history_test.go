package console_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/driftwatch/driftwatch/notify/console"
	"github.com/driftwatch/driftwatch/watcher"
)

// A finding opened and resolved while its notices could not be delivered
// is printed once, saying so.
func TestCollapsedNoticeSaysItsHistory(t *testing.T) {
	f := watcher.Finding{ID: 7, Source: "auth0-prod", Rule: "auth0.url_removed", Severity: watcher.Warning,
		Category: watcher.Configuration, Title: "Callback removed", State: watcher.Resolved}
	t0 := time.Date(2026, 8, 3, 9, 0, 0, 0, time.UTC)
	opened := watcher.Notice{ID: 1, Kind: watcher.NoticeOpened, Finding: &f, CreatedAt: t0, Attempts: 3}
	resolved := watcher.Notice{ID: 2, Kind: watcher.NoticeResolved, Finding: &f, CreatedAt: t0.Add(time.Hour), Attempts: 1}
	ns := watcher.Collapse([]watcher.Notice{opened, resolved})
	if len(ns) != 1 {
		t.Fatalf("collapsed into %d notices", len(ns))
	}
	var out bytes.Buffer
	if err := console.New(&out).Deliver(t.Context(), ns); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); !strings.Contains(got, "  Opened and resolved while Slack was unreachable.\n") || strings.Count(got, "Callback removed") != 1 {
		t.Fatalf("output:\n%s", got)
	}
}
