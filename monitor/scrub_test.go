package monitor_test

import (
	"strings"
	"testing"

	"github.com/driftwatch/driftwatch/redact"
)

// A last error stored before its secret was known (an older version, a
// secret added since) is still scrubbed when /healthz shows it.
func TestHealthzScrubs(t *testing.T) {
	f := newFixture(t, nil) // billing failed: "... HTTP 500: upstream down"
	if _, h := health(t, f); !strings.Contains(h.Sources[0].LastError, "upstream down") {
		t.Fatalf("billing error = %q: the check below would prove nothing", h.Sources[0].LastError)
	}
	f.mon.Scrub = redact.NewScrubber("upstream down").Scrub
	_, h := health(t, f)
	if got := h.Sources[0].LastError; strings.Contains(got, "upstream down") || !strings.Contains(got, redact.Marker) {
		t.Errorf("healthz last_error = %q", got)
	}
}
