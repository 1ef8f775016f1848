package watcher_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/driftwatch/driftwatch/watcher"
)

// TestFindingJSONNamesEveryFieldNullWhenUnknown: a finding's JSON always
// has the same keys; what is not known (an unstored finding's id, no
// attribution, no resolution) is null, never left out; what is known is
// its value.
func TestFindingJSONNamesEveryFieldNullWhenUnknown(t *testing.T) {
	decode := func(f watcher.Finding) map[string]any {
		b, err := json.Marshal(f)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	nullable := []string{"id", "detected_at", "resolved_at", "acked_at", "ack_note", "snapshot_id",
		"resolved_reason", "changed_by", "changed_via", "changed_at", "log_id"}
	bare := decode(watcher.Finding{Source: "auth0-prod", Rule: "auth0.url_removed"})
	for _, k := range nullable {
		if v, ok := bare[k]; !ok || v != nil {
			t.Errorf("%s = %v (present %v), want null", k, v, ok)
		}
	}
	at := time.Date(2026, 12, 3, 10, 42, 0, 0, time.UTC)
	full := decode(watcher.Finding{ID: 42, Source: "auth0-prod", Rule: "auth0.url_removed", DetectedAt: at, ResolvedAt: &at,
		ResolvedReason: "source removed from the configuration",
		Changed:        &watcher.Attribution{By: "alice@acme.com", Via: "Dashboard", At: at, LogID: "9001"}})
	for k, want := range map[string]any{"id": 42.0, "resolved_reason": "source removed from the configuration",
		"changed_by": "alice@acme.com", "changed_via": "Dashboard", "changed_at": "2026-12-03T10:42:00Z", "log_id": "9001"} {
		if full[k] != want {
			t.Errorf("%s = %v, want %v", k, full[k], want)
		}
	}
	if len(bare) != len(full) {
		t.Errorf("a bare finding has %d keys, a full one %d: the shape must not change", len(bare), len(full))
	}
}
