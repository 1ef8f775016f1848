package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/driftwatch/driftwatch/providers/providertest"
)

func auth0Config(sim *providertest.Auth0, expect bool) string {
	cfg := `
[store]
path = "dw.db"

` + auth0Source(sim)
	if expect {
		cfg += `
[[expect]]
source = "auth0-prod"
path = "/clients/Acme Web/callbacks"
contains = "https://app.acme.com/callback"
note = "login redirect of the web app"
`
	}
	return cfg
}

func auth0CLI(t *testing.T, sim *providertest.Auth0, expect bool) *cli {
	c := newCLI(t, auth0Config(sim, expect))
	c.useAuth0(sim)
	return c
}

const acmeCallback = "https://app.acme.com/callback"

func TestAuth0CallbackRemoved(t *testing.T) {
	sim := providertest.NewAuth0(providertest.Auth0Options{Clients: 130})
	defer sim.Close()
	c := auth0CLI(t, sim, false)
	var output bytes.Buffer
	record := func(r result) result { output.WriteString(r.stdout + r.stderr); return r }

	record(c.exec("poll"))
	if n := sim.Requests(providertest.Auth0ClientsPath); n != 2 {
		t.Fatalf("130 clients read in %d requests, want 2 pages of 100", n)
	}
	if r := record(c.exec("poll", "-v")); r.code != 0 {
		t.Fatalf("second poll: exit %d\n%s", r.code, r.stderr)
	}
	if n := c.snapshots("auth0-prod"); n != 1 {
		t.Fatalf("two polls of an unchanged tenant stored %d snapshots", n)
	}
	// The recorded tenant carries real platform deprecations (localhost
	// callbacks, a node16 action); the team acknowledges them once.
	base := decode[findingsJSON](t, c.mustRun(0, "findings", "--format", "json").stdout).Findings
	if len(base) == 0 {
		t.Fatal("no deprecation findings on the recorded tenant")
	}
	ack := []string{"ack", "--note", "known platform deprecations"}
	for _, f := range base {
		if !strings.HasPrefix(f.Rule, "auth0.deprecated_") || f.Category != "third-party" {
			t.Errorf("baseline finding %s (%s): only state rules may speak on a baseline", f.Rule, f.Category)
		}
		ack = append(ack, itoa(f.ID))
	}
	c.mustRun(0, ack...)
	c.mustRun(0, "check")

	sim.Mutate(func(tn *providertest.Auth0Tenant) { tn.RemoveString(tn.Client("Acme Web"), "callbacks", acmeCallback) })
	r := record(c.exec("poll"))
	if r.code != 0 {
		t.Fatalf("poll: exit %d\n%s", r.code, r.stderr)
	}
	fs := decode[findingsJSON](t, record(c.mustRun(0, "findings", "--format", "json")).stdout).Findings
	var removed []findingJSON
	for _, f := range fs {
		if f.Rule == "auth0.url_removed" {
			removed = append(removed, f)
		}
	}
	if len(removed) != 1 {
		t.Fatalf("want one auth0.url_removed finding, got %+v", fs)
	}
	f := removed[0]
	if !strings.Contains(f.Title, acmeCallback) || !strings.Contains(f.Title, `"Acme Web"`) || f.Severity != "warning" ||
		f.Category != "configuration" || f.Path != "/clients/Acme Web/callbacks" {
		t.Fatalf("finding = %+v", f)
	}
	if !strings.Contains(r.stdout, f.Title) {
		t.Fatalf("the notice was not printed:\n%s", r.stdout)
	}

	// With an expectation naming the URL, the same change is breaking.
	c.writeConfig(auth0Config(sim, true))
	c.mustRun(0, "poll")
	cr := record(c.mustRun(1, "check"))
	if !strings.Contains(cr.stdout, acmeCallback) {
		t.Fatalf("check does not name the callback:\n%s", cr.stdout)
	}
	// One cause, one finding: the expectation's, breaking, with the
	// built-in rule folded in; the url_removed finding alone resolves.
	fs = decode[findingsJSON](t, c.mustRun(0, "findings", "--format", "json").stdout).Findings
	var expects int
	for _, f := range fs {
		switch f.Rule {
		case "auth0.url_removed":
			t.Errorf("url_removed still open beside the expectation: %+v", f)
		case "expect.contains":
			expects++
			if f.Severity != "breaking" || !strings.Contains(f.Title, acmeCallback) {
				t.Errorf("expectation finding = %+v", f)
			}
		}
	}
	if expects != 1 {
		t.Errorf("%d expectation findings, want 1", expects)
	}

	// Restored: resolved, check passes.
	sim.Mutate(func(tn *providertest.Auth0Tenant) { tn.AddString(tn.Client("Acme Web"), "callbacks", acmeCallback) })
	record(c.mustRun(0, "poll"))
	record(c.mustRun(0, "check"))
	record(c.mustRun(0, "show", "auth0-prod"))
	record(c.mustRun(0, "diff", "auth0-prod", "--format", "json"))

	// No secret anywhere: the store (with its WAL), the logs, the output.
	secrets := []string{sim.ClientSecret(), providertest.Auth0SecretMarker}
	files, _ := filepath.Glob(filepath.Join(c.dir, "dw.db*"))
	if len(files) == 0 {
		t.Fatal("no store files")
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range secrets {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("%s contains a secret", filepath.Base(name))
			}
		}
	}
	for _, s := range secrets {
		if strings.Contains(output.String(), s) {
			t.Errorf("output contains a secret")
		}
	}
	if !strings.Contains(output.String(), "[redacted]") {
		t.Error("show printed no redaction marker: was anything redacted?")
	}
}

func TestAuth0FailuresStoreNothing(t *testing.T) {
	sim := providertest.NewAuth0(providertest.Auth0Options{Clients: 130})
	defer sim.Close()
	c := auth0CLI(t, sim, false)

	sim.FailNext(providertest.Auth0ClientsPath, 1, 500, `{"statusCode":500,"error":"Internal Server Error"}`)
	r := c.mustRun(1, "poll")
	if !strings.Contains(r.stderr, "auth0-prod") {
		t.Fatalf("stderr does not name the source:\n%s", r.stderr)
	}
	if n := c.snapshots("auth0-prod"); n != 0 {
		t.Fatalf("a failed page stored %d snapshots", n)
	}
	if fs := decode[findingsJSON](t, c.mustRun(0, "findings", "--state", "all", "--format", "json").stdout).Findings; len(fs) != 0 {
		t.Fatalf("a failed fetch judged: %+v", fs)
	}

	sim.RateLimitNext(providertest.Auth0ClientsPath, "1")
	c.mustRun(0, "poll")
	if n := c.snapshots("auth0-prod"); n != 1 {
		t.Fatalf("after one 429 the poll stored %d snapshots, want 1", n)
	}
}
