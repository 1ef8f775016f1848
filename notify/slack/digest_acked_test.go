package slack

import (
	"strings"
	"testing"
	"time"

	"github.com/driftwatch/driftwatch/watcher"
)

// Acknowledged and silenced findings are counted apart from the open
// ones: the summary's "open in all" counts only what needs attention.
func TestDigestCountsAckedApartFromOpen(t *testing.T) {
	t0 := time.Date(2026, 8, 3, 9, 0, 0, 0, time.UTC)
	d := &watcher.Digest{Since: t0.Add(-168 * time.Hour), Until: t0, Sources: []watcher.DigestSource{{
		Name: "auth0-prod", Type: "auth0", Snapshots: 1, ChangesTotal: 1,
		StillOpen: []watcher.Finding{{ID: 7, Title: "Callback removed", Severity: watcher.Breaking, Category: watcher.Configuration}},
		Acked:     3, Silenced: 1,
	}}}
	text := ""
	for _, m := range RenderDigest(d) {
		text += Text(m) + "\n"
	}
	for _, want := range []string{"1 open in all", "4 acknowledged or silenced", "1 open, 3 acknowledged, 1 silenced", "(#7)"} {
		if !strings.Contains(text, want) {
			t.Errorf("digest lacks %q:\n%s", want, text)
		}
	}
}
