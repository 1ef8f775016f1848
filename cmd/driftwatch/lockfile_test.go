package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

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
