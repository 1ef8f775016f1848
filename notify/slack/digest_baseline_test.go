package slack_test

import (
	"strings"
	"testing"
	"time"

	"github.com/driftwatch/driftwatch/notify/slack"
	"github.com/driftwatch/driftwatch/watcher"
)

// TestDigestBaselineNotMoved: a source that only began to be watched is
// shown, but not counted as moved.
func TestDigestBaselineNotMoved(t *testing.T) {
	t0 := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	d := &watcher.Digest{Since: t0, Until: t0.Add(168 * time.Hour), Sources: []watcher.DigestSource{
		{Name: "new-tenant", Type: "auth0", Baseline: true},
		{Name: "orders-db", Type: "http_json", Snapshots: 2, ChangesTotal: 1},
	}}
	msgs := slack.RenderDigest(d)
	if len(msgs) != 1 || !strings.Contains(msgs[0].Text, ": 1 source moved") {
		t.Fatalf("fallback = %q, want one source moved", msgs[0].Text)
	}
}
