package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/driftwatch/driftwatch/providers/providertest"
)

// The npm and gomod sources, end to end over the built binary against a
// simulated npm registry and Go module proxy: validate, a baseline poll,
// the upstreams deprecating and retracting the deployed versions, a poll
// that judges it, findings, check and the digest.
func TestPackagesOverBinary(t *testing.T) {
	const pkg, mod = "@auth0/auth0-react", "github.com/auth0/go-auth0"
	reg := providertest.NewNPMRegistry()
	defer reg.Close()
	at := func(d int) time.Time { return time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, d) }
	reg.Publish(pkg,
		providertest.NPMVersion{Version: "2.2.4", Published: at(0)},
		providertest.NPMVersion{Version: "2.3.0", Published: at(40)})
	gp := providertest.NewGoProxy()
	defer gp.Close()
	gp.Release(mod, "v1.10.0", at(0), providertest.GoMod(mod, ""))
	gp.Release(mod, "v1.11.0", at(30), providertest.GoMod(mod, ""))

	c := newCLI(t, "[store]\npath = \"dw.db\"\n\n"+reg.Source("react-sdk", pkg, "2.2.4")+"\n"+gp.Source("go-auth0", mod, "v1.10.0"))
	if r := c.exec("validate"); r.code != 0 {
		t.Fatalf("validate: exit %d: %s", r.code, r.stderr)
	}
	if r := c.exec("poll"); r.code != 0 {
		t.Fatalf("baseline poll: exit %d: %s", r.code, r.stderr)
	}
	if r := c.exec("check"); r.code != 0 {
		t.Fatalf("check after the baseline: exit %d: %s%s", r.code, r.stdout, r.stderr)
	}
	show := decode[map[string]any](t, c.exec("show", "react-sdk", "--format", "json").stdout)
	if show["latest"] != "2.3.0" || show["package"] != pkg {
		t.Errorf("npm snapshot %v", show)
	}

	// Upstream: a major release, the deployed npm version deprecated as
	// vulnerable, and the deployed module version retracted.
	reg.Publish(pkg, providertest.NPMVersion{Version: "3.0.0", Published: at(60)})
	reg.Deprecate(pkg, "2.2.4", "Versions below 2.3.0 are vulnerable to an open redirect (CVE-2025-0001); upgrade")
	gp.Release(mod, "v1.11.1", at(70), providertest.GoMod(mod, "", "v1.10.0 // Sends the client secret in the query string."))
	if r := c.exec("poll"); r.code != 0 {
		t.Fatalf("second poll: exit %d: %s", r.code, r.stderr)
	}
	fs := decode[findingsJSON](t, c.exec("findings", "--format", "json").stdout).Findings
	got := map[string]string{}
	for _, f := range fs {
		got[f.Source+" "+f.Rule] = f.Severity + " " + f.Category
	}
	want := map[string]string{
		"react-sdk npm.deprecated":      "breaking third-party",
		"react-sdk npm.major_available": "warning third-party",
		"go-auth0 gomod.retracted":      "warning third-party",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("finding %s = %q, want %q (all: %v)", k, got[k], v, got)
		}
	}
	if len(got) != len(want) {
		t.Errorf("findings %v, want %v", got, want)
	}
	r := c.exec("check", "--format", "github")
	if r.code != 1 || !strings.Contains(r.stdout, "::error title=") || !strings.Contains(r.stdout, pkg+" 2.2.4, which the app runs, is deprecated") {
		t.Errorf("check: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// The lockfile of the next deploy moves to 2.3.0, which is not
	// deprecated: the gate passes at breaking.
	lock := filepath.Join(c.dir, "package-lock.json")
	if err := os.WriteFile(lock, []byte(`{"name":"app","lockfileVersion":3,"packages":{"":{"dependencies":{"@auth0/auth0-react":"^2.3.0"}},`+
		`"node_modules/@auth0/auth0-react":{"version":"2.3.0"}}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := c.exec("check", "--lockfile", lock); r.code != 0 {
		t.Errorf("check --lockfile at 2.3.0: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := c.exec("digest"); r.code != 0 || !strings.Contains(r.stdout, "react-sdk (npm)") || !strings.Contains(r.stdout, "v1.10.0, which the app builds with, is retracted") {
		t.Errorf("digest: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	// The module is deprecated in a later release: one more finding.
	gp.Release(mod, "v1.12.0", at(90), providertest.GoMod(mod, "use github.com/auth0/go-auth0/v2", "v1.10.0 // Sends the client secret in the query string."))
	c.exec("poll", "--source", "go-auth0")
	fs = decode[findingsJSON](t, c.exec("findings", "--source", "go-auth0", "--format", "json").stdout).Findings
	if len(fs) != 2 {
		t.Errorf("go-auth0 findings %+v, want retracted and deprecated", fs)
	}
}

// Validation names the line of a bad key of the new types.
func TestPackagesValidate(t *testing.T) {
	c := newCLI(t, `[[source]]
name = "react"
type = "npm"
package = "@auth0/../x"
deployed = "two"

[[source]]
name = "mod"
type = "gomod"
module = "github.com/acme/x"
deployed = "main"

[[source]]
name = "short"
type = "gomod"
module = "github.com/acme/y"
deployed = "1.1"

[[source]]
name = "v2"
type = "gomod"
module = "github.com/acme/z/v2"
deployed = "v1.4.0"
`)
	r := c.exec("validate")
	for _, want := range []string{
		`driftwatch.toml:4: source "react": package "@auth0/../x" is not an npm package name`,
		`driftwatch.toml:5: source "react": deployed "two" is not a semantic version`,
		`driftwatch.toml:11: source "mod": deployed "main" is not a semantic version`,
		`driftwatch.toml:17: source "short": deployed "1.1" is not a semantic version`,
		`driftwatch.toml:23: source "v2": deployed "v1.4.0" is not a version of module github.com/acme/z/v2: should be v2, not v1`,
	} {
		if r.code != 2 || !strings.Contains(r.stderr, want) {
			t.Errorf("validate: exit %d, stderr:\n%s\nwant %q", r.code, r.stderr, want)
		}
	}
	c.writeConfig("[[source]]\nname = \"mod\"\ntype = \"gomod\"\nmodule = \"github.com/acme/x\"\nrepo = \"acme/x\"\n")
	if r := c.exec("validate"); r.code != 2 || !strings.Contains(r.stderr, `driftwatch.toml:5: source "mod": key "repo" is for github_releases sources, not gomod`) {
		t.Errorf("validate: exit %d, stderr:\n%s", r.code, r.stderr)
	}
}

// Over the built binary: a deployed version neither upstream has is a
// finding of each source, not a silent snapshot; and explain shows a
// deprecation as a state (no "Was"), the message as "Now".
func TestPackagesDeployedMissingAndStatesOverBinary(t *testing.T) {
	const pkg, mod = "@acme/widget", "example.com/foo"
	at := func(d int) time.Time { return time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, d) }
	reg := providertest.NewNPMRegistry()
	defer reg.Close()
	reg.Publish(pkg, providertest.NPMVersion{Version: "1.2.0", Published: at(0)}, providertest.NPMVersion{Version: "1.3.0", Published: at(10)})
	reg.Deprecate(pkg, "1.3.0", "use @acme/gadget instead")
	gp := providertest.NewGoProxy()
	defer gp.Close()
	gp.Release(mod, "v1.1.0", at(0), providertest.GoMod(mod, ""))
	gp.Release(mod, "v1.3.0", at(20), providertest.GoMod(mod, "use example.com/bar/v2 instead"))

	c := newCLI(t, "[store]\npath = \"dw.db\"\n\n"+reg.Source("widget", pkg, "1.9.9")+"\n"+gp.Source("foo", mod, "v1.7.0")+"\n"+reg.Source("widget-now", pkg, "1.3.0"))
	if r := c.exec("poll"); r.code != 0 {
		t.Fatalf("poll: exit %d: %s", r.code, r.stderr)
	}
	fs := decode[findingsJSON](t, c.exec("findings", "--format", "json").stdout).Findings
	got := map[string]findingJSON{}
	for _, f := range fs {
		got[f.Source+" "+f.Rule] = f
	}
	for _, k := range []string{"widget npm.deployed_missing", "foo gomod.deployed_missing", "foo gomod.deprecated", "widget-now npm.deprecated"} {
		if f, ok := got[k]; !ok || f.Severity != "warning" || f.Category != "third-party" {
			t.Errorf("finding %s = %+v (all: %v)", k, f, got)
		}
	}
	for k, want := range map[string][]string{
		"widget-now npm.deprecated": {`Now:            deprecated: "use @acme/gadget instead"`},
		"foo gomod.deprecated":      {`Now:            deprecated: "use example.com/bar/v2 instead"`},
	} {
		ex := c.exec("explain", itoa(got[k].ID)).stdout
		for _, w := range want {
			if !strings.Contains(ex, w) || strings.Contains(ex, "Was:") {
				t.Errorf("explain %s: want %q and no Was:\n%s", k, w, ex)
			}
		}
	}
	// The versions are published: both missing findings resolve.
	reg.Publish(pkg, providertest.NPMVersion{Version: "1.9.9", Published: at(30)})
	gp.Release(mod, "v1.7.0", at(40), providertest.GoMod(mod, ""))
	c.exec("poll")
	for _, f := range decode[findingsJSON](t, c.exec("findings", "--format", "json").stdout).Findings {
		if strings.HasSuffix(f.Rule, ".deployed_missing") {
			t.Errorf("still open after publishing: %+v", f)
		}
	}
}
