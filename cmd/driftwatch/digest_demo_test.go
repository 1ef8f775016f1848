package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// keptDemo runs `demo --keep` and returns the kept config's path.
func keptDemo(t *testing.T) string {
	t.Helper()
	c := newCLI(t, "")
	r := c.mustRun(0, "demo", "--keep")
	m := regexp.MustCompile(`Kept the demo's config and store in (\S+) `).FindStringSubmatch(r.stdout)
	if m == nil {
		t.Fatalf("demo --keep names no folder:\n%s", r.stdout)
	}
	t.Cleanup(func() { os.RemoveAll(m[1]) })
	return filepath.Join(m[1], "driftwatch.toml")
}

// The demo stores each source's first snapshot and its change in one
// period: the digest lists what followed the baseline, and the demo's
// acknowledged findings are counted as such, not listed as open or new.
func TestDigestOfBaselinePeriodListsChangesAndKeepsAckedApart(t *testing.T) {
	config := keptDemo(t)
	c := newCLI(t, "")
	r := c.mustRun(0, "--config", config, "digest")
	out := r.stdout
	for _, want := range []string{
		"new releases:", "v4.0.0", "new entries:", "cl-1043", // the release and the feed entry after the baselines
		"changed settings:", "/clients/Acme Web/callbacks removed",
		"acknowledged",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("digest lacks %q:\n%s", want, out)
		}
	}
	// The demo acknowledges #9, #10 and #11 at its end.
	for _, id := range []string{"(#9)", "(#10)", "(#11)"} {
		if strings.Contains(out, id) {
			t.Errorf("acknowledged finding %s listed as open:\n%s", id, out)
		}
	}
	if !regexp.MustCompile(`findings: \d+ open, \d+ acknowledged`).MatchString(out) {
		t.Errorf("digest does not count open and acknowledged apart:\n%s", out)
	}
}
