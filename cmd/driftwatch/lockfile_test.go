package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/driftwatch/driftwatch/api"
	"github.com/driftwatch/driftwatch/providers/providertest"
)

// realLockfile is the recorded package-lock.json (v3) of an app on
// nextjs-auth0 4.13.0, with that version replaced.
func realLockfile(t *testing.T, version string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "lockfile", "testdata", "package-lock-v3.json"))
	if err != nil {
		t.Fatal(err)
	}
	return strings.ReplaceAll(string(b), "4.13.0", version)
}

func (c *cli) writeFile(name, text string) {
	c.t.Helper()
	p := filepath.Join(c.dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		c.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		c.t.Fatal(err)
	}
}

// nextjsReleases serves the real release history of auth0/nextjs-auth0.
func nextjsReleases(t *testing.T) *providertest.GitHub {
	gh := providertest.NewGitHub("auth0/nextjs-auth0", providertest.CorpusReleases("auth0__nextjs-auth0.md")...)
	t.Cleanup(gh.Close)
	return gh
}

type releasesDoc struct {
	Repo     string `json:"repo"`
	Deployed string `json:"deployed"`
	Latest   string `json:"latest"`
}

// TestDeployedFromFollowsLockfile: the deployed version is read from the
// app's lockfile on every poll, over the binary, across an upgrade of the
// lockfile to a new major; a lockfile that cannot be read or does not name
// the package fails the source and stores nothing.
func TestDeployedFromFollowsLockfile(t *testing.T) {
	gh := nextjsReleases(t)
	c := newCLI(t, `
[store]
path = "dw.db"

[[source]]
name = "nextjs-auth0"
type = "github_releases"
repo = "auth0/nextjs-auth0"
deployed_from = "app/package-lock.json"
api_url = "`+gh.URL()+`"
`)
	c.writeFile("app/package-lock.json", realLockfile(t, "3.5.0"))
	c.exec("poll", "--no-notify").mustCode(t, 0)
	doc := decode[releasesDoc](t, c.exec("show", "nextjs-auth0", "--format", "json").mustCode(t, 0).stdout)
	if doc.Deployed != "3.5.0" {
		t.Fatalf("deployed = %q, want 3.5.0 from the lockfile", doc.Deployed)
	}
	open := decode[findingsJSON](t, c.exec("findings", "--format", "json").stdout).Findings
	if !hasRule(open, "release.major_available", "3.5.0") {
		t.Fatalf("no release.major_available above 3.5.0 among %+v", open)
	}

	// The app upgrades: the lockfile now pins v4.
	c.writeFile("app/package-lock.json", realLockfile(t, "4.0.1"))
	c.exec("poll", "--no-notify").mustCode(t, 0)
	doc = decode[releasesDoc](t, c.exec("show", "nextjs-auth0", "--format", "json").mustCode(t, 0).stdout)
	if doc.Deployed != "4.0.1" {
		t.Fatalf("after the upgrade deployed = %q, want 4.0.1", doc.Deployed)
	}
	open = decode[findingsJSON](t, c.exec("findings", "--format", "json").stdout).Findings
	if hasRule(open, "release.major_available", "3.5.0") {
		t.Errorf("the v4 major finding is still open after the app moved to 4.0.1: %+v", open)
	}
	stored := c.snapshots("nextjs-auth0")

	// A lockfile that is gone, or does not name the package: the source
	// fails, nothing is stored, the last version is not silently kept.
	for name, text := range map[string]string{
		"missing":    "",
		"not named":  strings.ReplaceAll(realLockfile(t, "4.0.1"), "@auth0/nextjs-auth0", "@acme/other"),
		"not semver": strings.ReplaceAll(realLockfile(t, "4.0.1"), `"version": "4.0.1"`, `"version": "file:../vendor/nextjs-auth0"`),
		"not a lock": "<html>moved</html>",
	} {
		if text == "" {
			os.Remove(filepath.Join(c.dir, "app", "package-lock.json"))
		} else {
			c.writeFile("app/package-lock.json", text)
		}
		r := c.exec("poll", "--no-notify")
		if r.code != 1 || !strings.Contains(r.stderr, "deployed_from") {
			t.Errorf("%s: poll exit %d, want 1 naming deployed_from\n%s", name, r.code, r.stderr)
		}
		if n := c.snapshots("nextjs-auth0"); n != stored {
			t.Errorf("%s: %d snapshots after a failed read, want %d", name, n, stored)
		}
	}
}

func (r result) mustCode(t *testing.T, code int) result {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, code, r.stdout, r.stderr)
	}
	return r
}

// hasRule reports whether an open finding of rule names text in its title.
func hasRule(fs []findingJSON, rule, text string) bool {
	for _, f := range fs {
		if f.Rule == rule && strings.Contains(f.Title, text) {
			return true
		}
	}
	return false
}

// TestCheckLockfile: `check --lockfile` judges the release rules and the
// SDK x tenant cross-checks at the version a lockfile is about to deploy,
// over the binary, against the stored snapshots, storing nothing:
// deploying nextjs-auth0 v4 fails while the tenant's clients only carry
// /api/auth/callback, and passes once the tenant has /auth/callback.
func TestCheckLockfile(t *testing.T) {
	gh := nextjsReleases(t)
	sim := providertest.NewAuth0(providertest.Auth0Options{})
	defer sim.Close()
	sim.Mutate(func(tn *providertest.Auth0Tenant) {
		tn.Client("Acme Web")["callbacks"] = []any{"https://app.acme.com/api/auth/callback"}
	})
	c := newCLI(t, `
[store]
path = "dw.db"

`+auth0Source(sim)+`
[[source]]
name = "nextjs-auth0"
type = "github_releases"
repo = "auth0/nextjs-auth0"
deployed = "3.5.0"
api_url = "`+gh.URL()+`"
`)
	c.useAuth0(sim)
	c.writeFile("package-lock.json", realLockfile(t, "4.0.1"))
	c.writeFile("v3/package-lock.json", realLockfile(t, "3.5.0"))
	c.exec("poll", "--no-notify").mustCode(t, 0)
	// The simulated tenant's own deprecations are breaking; this gate is
	// about the SDK, so it narrows to the releases source (whose rules
	// still read the tenant's snapshot).
	c.exec("check", "--source", "nextjs-auth0").mustCode(t, 0) // at the configured 3.5.0 nothing breaks
	before := c.exec("findings", "--state", "all", "--format", "json").mustCode(t, 0).stdout
	snaps := c.snapshots("nextjs-auth0") + c.snapshots("auth0-prod")

	r := c.exec("check", "--source", "nextjs-auth0", "--lockfile", "package-lock.json")
	if r.code != 1 || !strings.Contains(r.stdout, "release.tenant_change_needed") && !strings.Contains(r.stdout, "needs a tenant change") ||
		!strings.Contains(r.stdout, `"Acme Web"`) || !strings.Contains(r.stdout, "4.0.1") {
		t.Fatalf("check --lockfile (v4, old callbacks): exit %d, want 1 naming the client\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	js := c.exec("check", "--source", "nextjs-auth0", "--lockfile", "package-lock.json", "--format", "json")
	res := decode[struct {
		Status   string `json:"status"`
		Findings []findingJSON
		Deployed []api.DeployedVersion `json:"deployed"`
	}](t, js.stdout)
	if js.code != 1 || res.Status != "fail" || len(res.Deployed) != 1 || res.Deployed[0].Version != "4.0.1" ||
		res.Deployed[0].Package != "@auth0/nextjs-auth0" || !hasRule(res.Findings, "release.tenant_change_needed", `"Acme Web"`) {
		t.Fatalf("check --lockfile --format json: exit %d\n%s", js.code, js.stdout)
	}
	gha := c.exec("check", "--source", "nextjs-auth0", "--lockfile", "package-lock.json", "--format", "github")
	if gha.code != 1 || !strings.Contains(gha.stdout, "::error title=nextjs-auth0 breaking") || strings.Contains(gha.stdout, "ack 0") {
		t.Errorf("check --format github:\n%s", gha.stdout)
	}
	// The lockfile still on v3 passes; the check stored nothing.
	c.exec("check", "--source", "nextjs-auth0", "--lockfile", "v3/package-lock.json").mustCode(t, 0)
	if after := c.exec("findings", "--state", "all", "--format", "json").stdout; after != before {
		t.Errorf("check --lockfile changed the stored findings:\nbefore %s\nafter  %s", before, after)
	}
	if n := c.snapshots("nextjs-auth0") + c.snapshots("auth0-prod"); n != snaps {
		t.Errorf("check --lockfile stored snapshots: %d, want %d", n, snaps)
	}

	// The tenant gets the new callback: the same lockfile passes.
	sim.Mutate(func(tn *providertest.Auth0Tenant) {
		tn.AddString(tn.Client("Acme Web"), "callbacks", "https://app.acme.com/auth/callback")
	})
	c.exec("poll", "--no-notify").mustCode(t, 0)
	ok := c.exec("check", "--source", "nextjs-auth0", "--lockfile", "package-lock.json").mustCode(t, 0)
	if !strings.Contains(ok.stdout, "PASS") || !strings.Contains(ok.stdout, "judged nextjs-auth0 at @auth0/nextjs-auth0 4.0.1") {
		t.Errorf("passing check --lockfile output:\n%s", ok.stdout)
	}

	// A lockfile that names no configured package, or cannot be read, is a usage error.
	c.writeFile("other/package-lock.json", strings.ReplaceAll(realLockfile(t, "4.0.1"), "@auth0/nextjs-auth0", "@acme/other"))
	if r := c.exec("check", "--source", "nextjs-auth0", "--lockfile", "other/package-lock.json"); r.code != 2 {
		t.Errorf("lockfile without the package: exit %d, want 2\n%s", r.code, r.stderr)
	}
	if r := c.exec("check", "--source", "nextjs-auth0", "--lockfile", "missing/package-lock.json"); r.code != 2 || !strings.Contains(r.stderr, "missing/package-lock.json") {
		t.Errorf("missing lockfile: exit %d, want 2\n%s", r.code, r.stderr)
	}
}

// TestCheckLockfileExpectations: the configured expectations judge the
// lockfile's version too, and a pnpm lockfile works like npm's.
func TestCheckLockfileExpectations(t *testing.T) {
	gh := nextjsReleases(t)
	c := newCLI(t, `
[store]
path = "dw.db"

[[source]]
name = "nextjs-auth0"
type = "github_releases"
repo = "auth0/nextjs-auth0"
deployed = "3.5.0"
api_url = "`+gh.URL()+`"

[[expect]]
source = "nextjs-auth0"
path = "/deployed"
semver = "<4.0.0"
note = "the app's login routes are v3's"
`)
	c.mustRun(0, "poll", "--no-notify")
	c.mustRun(0, "check")
	b, err := os.ReadFile(filepath.Join("..", "..", "lockfile", "testdata", "pnpm-lock-v9.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	c.writeFile("pnpm-lock.yaml", string(b)) // pins @auth0/nextjs-auth0 4.14.0 through a file: tarball
	r := c.run("check", "--lockfile", filepath.Join(c.dir, "pnpm-lock.yaml"), "--format", "json")
	res := decode[struct {
		Status   string                `json:"status"`
		Findings []findingJSON         `json:"findings"`
		Deployed []api.DeployedVersion `json:"deployed"`
	}](t, r.stdout)
	if r.code != 1 || res.Status != "fail" || len(res.Deployed) != 1 || res.Deployed[0].Version != "4.14.0" {
		t.Fatalf("check --lockfile pnpm: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	found := false
	for _, f := range res.Findings {
		found = found || f.Rule == "expect.semver"
	}
	if !found {
		t.Errorf("no expect.semver finding for 4.14.0 against <4.0.0: %+v", res.Findings)
	}
	c.mustRun(0, "check") // the stored state is untouched
}

// TestCheckLockfileServer: with --server the lockfile is read where the
// deploy runs (no config, no store there) and its versions are sent to
// the daemon (POST /api/v1/check), which judges them against its store:
// the same verdict as the local check.
// unstoredFindingHasNullIDAndLinks: the tenant change `check --lockfile`
// judges is stored nowhere, so its "id" is null (not 0), and it links the
// SDK's migration guide and the release that brought the change.
func unstoredFindingHasNullIDAndLinks(t *testing.T, out string) {
	t.Helper()
	var res struct {
		Findings []map[string]any `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("check JSON: %v\n%s", err, out)
	}
	for _, f := range res.Findings {
		if f["rule"] != "release.tenant_change_needed" {
			continue
		}
		id, has := f["id"]
		links, _ := f["links"].([]any)
		if !has || id != nil || !strings.HasSuffix(fmt.Sprint(f["url"]), "V4_MIGRATION_GUIDE.md") || len(links) == 0 {
			t.Errorf("unstored finding: id %v (present %v), url %v, links %v; want a null id and the migration guide and release", id, has, f["url"], links)
		}
		return
	}
	t.Errorf("no release.tenant_change_needed finding in:\n%s", out)
}

func TestCheckLockfileServer(t *testing.T) {
	gh := nextjsReleases(t)
	sim := providertest.NewAuth0(providertest.Auth0Options{})
	defer sim.Close()
	sim.Mutate(func(tn *providertest.Auth0Tenant) {
		tn.Client("Acme Web")["callbacks"] = []any{"https://app.acme.com/api/auth/callback"}
	})
	addr := freeAddr(t)
	c := newCLI(t, `
[store]
path = "dw.db"

[server]
listen = "`+addr+`"
api_token_env = "DW_READ_TOKEN"

`+auth0Source(sim)+`
[[source]]
name = "nextjs-auth0"
type = "github_releases"
repo = "auth0/nextjs-auth0"
deployed = "3.5.0"
api_url = "`+gh.URL()+`"
`)
	const readTok = "read-0123456789abcdef"
	c.useAuth0(sim)
	c.env["DW_READ_TOKEN"] = readTok
	c.exec("poll", "--no-notify").mustCode(t, 0)
	c.start("run")
	remote := &remoteCLI{t: t, dir: t.TempDir(), server: "http://" + addr}
	if err := os.WriteFile(filepath.Join(remote.dir, "package-lock.json"), []byte(realLockfile(t, "4.0.1")), 0o600); err != nil {
		t.Fatal(err)
	}
	c.writeFile("package-lock.json", realLockfile(t, "4.0.1"))
	eventually(t, 15*time.Second, "the daemon's API", func() bool {
		return remote.run(readTok, "check", "--source", "nextjs-auth0").code == 0
	})

	args := []string{"check", "--source", "nextjs-auth0", "--lockfile", "package-lock.json", "--format", "json"}
	rem, local := remote.run(readTok, args...), c.exec(args...)
	if rem.code != 1 || local.code != 1 || rem.stdout != local.stdout {
		t.Fatalf("remote exit %d, local exit %d (%s)\nremote:\n%s\nlocal:\n%s", rem.code, local.code, rem.stderr, rem.stdout, local.stdout)
	}
	if !strings.Contains(rem.stdout, `\"Acme Web\"`) || !strings.Contains(rem.stdout, `"version": "4.0.1"`) {
		t.Errorf("remote verdict does not name the client and the version:\n%s", rem.stdout)
	}
	unstoredFindingHasNullIDAndLinks(t, rem.stdout)
	// The tenant gets the new callback; the daemon's store learns it.
	sim.Mutate(func(tn *providertest.Auth0Tenant) {
		tn.AddString(tn.Client("Acme Web"), "callbacks", "https://app.acme.com/auth/callback")
	})
	c.exec("poll", "--no-notify", "--source", "auth0-prod").mustCode(t, 0)
	if r := remote.run(readTok, "check", "--source", "nextjs-auth0", "--lockfile", "package-lock.json"); r.code != 0 || !strings.Contains(r.stdout, "judged nextjs-auth0 at @auth0/nextjs-auth0 4.0.1") {
		t.Errorf("after the tenant change: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := remote.run(readTok, "check", "--lockfile", "missing.json"); r.code != 2 {
		t.Errorf("a missing lockfile: exit %d, want 2", r.code)
	}
}

// validate checks that a local deployed_from lockfile exists (a URL is not
// fetched), with or without --no-env.
func TestValidateChecksDeployedFromFileExists(t *testing.T) {
	c := newCLI(t, `
[[source]]
name = "nextjs-auth0"
type = "github_releases"
repo = "auth0/nextjs-auth0"
deployed_from = "app/package-lock.json"

[[source]]
name = "spa-js"
type = "github_releases"
repo = "auth0/auth0-spa-js"
deployed_from = "https://deploy.invalid/package-lock.json"
`)
	for _, args := range [][]string{{"validate"}, {"validate", "--no-env"}} {
		r := c.exec(args...).mustCode(t, 2)
		if !strings.Contains(r.stderr, `:2: source "nextjs-auth0": deployed_from `) || !strings.Contains(r.stderr, "package-lock.json: no such file") ||
			strings.Contains(r.stderr, "spa-js") {
			t.Errorf("%v with a missing lockfile:\n%s", args, r.stderr)
		}
	}
	c.writeFile("app/package-lock.json", realLockfile(t, "3.5.0"))
	c.exec("validate").mustCode(t, 0)
}
