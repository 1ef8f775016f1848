package main

import (
	"strings"
	"testing"

	"github.com/driftwatch/driftwatch/providers/providertest"
)

type linkedFinding struct {
	ID       int64    `json:"id"`
	Rule     string   `json:"rule"`
	Rules    []string `json:"rules"`
	Severity string   `json:"severity"`
	State    string   `json:"state"`
	Title    string   `json:"title"`
	Note     string   `json:"note"`
	URL      string   `json:"url"`
	Links    []struct {
		Title string `json:"title"`
		URL   string `json:"url"`
	} `json:"links"`
}

// One removed callback that an expectation names is one finding, with the
// expectation's severity and both rules; it links the client's dashboard
// page, `findings` shows the link, and `explain` tells its whole story.
func TestOneFindingPerCauseWithLinksAndExplain(t *testing.T) {
	sim := providertest.NewAuth0(providertest.Auth0Options{})
	defer sim.Close()
	c := auth0CLI(t, sim, true)
	c.mustRun(0, "poll")
	base := decode[struct{ Findings []linkedFinding }](t, c.mustRun(0, "findings", "--format", "json").stdout).Findings
	if len(base) == 0 || len(base) > 10 {
		t.Fatalf("the recorded tenant's day one opens %d findings; one per deprecation is a handful", len(base))
	}
	ack := []string{"ack"}
	for _, f := range base {
		if !strings.HasPrefix(f.URL, "https://") {
			t.Errorf("%s has no url", f.Title)
		}
		ack = append(ack, itoa(f.ID))
	}
	c.mustRun(0, ack...)

	sim.Mutate(func(tn *providertest.Auth0Tenant) { tn.RemoveString(tn.Client("Acme Web"), "callbacks", acmeCallback) })
	c.mustRun(0, "poll")
	open := decode[struct{ Findings []linkedFinding }](t, c.mustRun(0, "findings", "--format", "json").stdout).Findings
	if len(open) != 1 {
		t.Fatalf("one removed callback opened %d findings: %+v", len(open), open)
	}
	f := open[0]
	wantURL := "https://manage.auth0.com/dashboard/eu/driftwatch-demo/applications/AcMeWeB5pLq0n7ZcV2xR8tY4uI6oP1aS/settings"
	if f.Rule != "expect.contains" || strings.Join(f.Rules, ",") != "expect.contains,auth0.url_removed" ||
		f.Severity != "breaking" || f.URL != wantURL || !strings.Contains(f.Title, "login redirect of the web app") {
		t.Fatalf("finding = %+v", f)
	}
	// Polled again: still one finding, unchanged (the folded rule carries
	// its part forward); restored: it resolves.
	sim.Mutate(func(tn *providertest.Auth0Tenant) { tn.Client("My App")["description"] = "changed elsewhere" })
	c.mustRun(0, "poll")
	if n := c.snapshots("auth0-prod"); n != 3 {
		t.Fatalf("%d snapshots; the unrelated change should make a third, judged again", n)
	}
	again := decode[struct{ Findings []linkedFinding }](t, c.mustRun(0, "findings", "--format", "json").stdout).Findings
	if len(again) != 1 || again[0].ID != f.ID || strings.Join(again[0].Rules, ",") != strings.Join(f.Rules, ",") || again[0].Title != f.Title {
		t.Fatalf("after another poll: %+v", again)
	}
	if out := c.mustRun(0, "findings").stdout; !strings.Contains(out, wantURL) || !strings.Contains(out, "URL") {
		t.Errorf("findings text lacks the url:\n%s", out)
	}

	ex := c.mustRun(0, "explain", itoa(f.ID)).stdout
	for _, want := range []string{f.Title, "expect.contains, auth0.url_removed", wantURL, "History:", "detected",
		"opened (breaking): sent", "Logins that redirect to it now fail", "Why it matters: login redirect of the web app"} {
		if !strings.Contains(ex, want) {
			t.Errorf("explain lacks %q:\n%s", want, ex)
		}
	}
	js := decode[struct {
		Finding linkedFinding `json:"finding"`
		Note    string        `json:"note"`
		History []struct {
			Event    string `json:"event"`
			Kind     string `json:"kind"`
			Delivery string `json:"delivery"`
		} `json:"history"`
	}](t, c.mustRun(0, "explain", itoa(f.ID), "--format", "json").stdout)
	if js.Finding.ID != f.ID || js.Note != "login redirect of the web app" || len(js.History) < 2 {
		t.Errorf("explain json = %+v", js)
	}
	if r := c.mustRun(1, "explain", "99999"); !strings.Contains(r.stderr, "unknown finding ID 99999") {
		t.Errorf("unknown id: %q", r.stderr)
	}
	c.mustRun(2, "explain", "abc")
	c.mustRun(2, "explain")
	sim.Mutate(func(tn *providertest.Auth0Tenant) { tn.AddString(tn.Client("Acme Web"), "callbacks", acmeCallback) })
	c.mustRun(0, "poll")
	if open := decode[struct{ Findings []linkedFinding }](t, c.mustRun(0, "findings", "--format", "json").stdout).Findings; len(open) != 0 {
		t.Errorf("restored callback still open: %+v", open)
	}
	if ex := c.mustRun(0, "explain", itoa(f.ID)).stdout; !strings.Contains(ex, "resolved") {
		t.Errorf("history lacks the resolution:\n%s", ex)
	}
	if r := c.mustRun(0, "explain", itoa(base[0].ID)); strings.Contains(r.stdout, "AUTH0-FACTS") || !strings.Contains(r.stdout, "acknowledged") {
		t.Errorf("a deprecation's explanation:\n%s", r.stdout)
	}
}
