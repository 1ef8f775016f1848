package main

import (
	"strings"
	"testing"
)

func TestDemo(t *testing.T) {
	c := newCLI(t, "") // the demo needs no config of its own
	r := c.mustRun(0, "demo")
	out := r.stdout
	for _, want := range []string{
		"auth0.url_removed",       // Auth0: the callback removed
		"release.major_available", // GitHub releases: v4.0.0
		"feed.deprecation_notice", // feed: the runtime's end of life
		"expect.contains",         // the expectation
		"Configuration drift", "Third-party change — not a code defect",
		"$ driftwatch check   (exit 1)", "FAIL:", "$ driftwatch check   (exit 0)", "PASS:",
		"clients \"Acme Web\" have callbacks only under /api/auth/callback",
		"- /clients/Acme Web/callbacks",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q", want)
		}
	}
	// One finding per cause: the removed callback is one finding naming
	// both rules, with the client's dashboard page.
	if !strings.Contains(out, "rule `expect.contains + auth0.url_removed`") ||
		!strings.Contains(out, "https://manage.auth0.com/dashboard/eu/driftwatch-demo/applications/") {
		t.Error("the removed callback is not one linked finding")
	}
	if !strings.Contains(out, "https://github.com/auth0/nextjs-auth0/releases/tag/v4.0.0") {
		t.Error("the release finding does not link its release page")
	}
	if strings.Contains(out, "AUTH0-FACTS") {
		t.Error("an internal research id reaches the user")
	}
	if strings.Index(out, "(exit 1)") > strings.LastIndex(out, "(exit 0)") {
		t.Error("check does not fail before it passes")
	}
	if strings.Contains(out, "SIMULATED-SECRET") {
		t.Error("demo printed a secret")
	}
}
