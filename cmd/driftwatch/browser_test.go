package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/driftwatch/driftwatch/providers/providertest"
)

// browserPath finds a Chromium or Chrome to drive, or "".
func browserPath() string {
	if p := os.Getenv("DRIFTWATCH_BROWSER"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// TestWebViewInBrowser drives the daemon's web view in headless Chromium:
// the index lists the open findings, a finding page shows the diff that
// raised it, and release notes carrying <script> render as text. With
// DRIFTWATCH_SCREENSHOTS=DIR it saves the two pages as PNG there.
func TestWebViewInBrowser(t *testing.T) {
	chrome := browserPath()
	if chrome == "" {
		t.Skip("no Chromium or Chrome found (install Debian's chromium, or set DRIFTWATCH_BROWSER); the web view's browser test is skipped")
	}
	sim := providertest.NewAuth0(providertest.Auth0Options{})
	defer sim.Close()
	gh := providertest.NewGitHub("auth0/auth0-spa-js", providertest.Release{Tag: "v2.1.3", Published: time.Now().Add(-90 * 24 * time.Hour),
		Body: "**Fixed**\n- token refresh race"})
	defer gh.Close()
	db := newUpstream(t, `{"plan":"db-s-1vcpu-1gb","metrics":{"cpu_percent":41,"storage_percent":62}}`)
	addr := freeAddr(t)
	c := newCLI(t, `
[store]
path = "dw.db"

[server]
listen = "`+addr+`"
api_token_env = "DW_TOKEN"

[[source]]
name = "auth0-prod"
type = "auth0"
schedule = "@every 1h"
domain = "`+sim.Domain()+`"
base_url = "`+sim.URL()+`"
client_id_env = "AUTH0_CLIENT_ID"
client_secret_env = "AUTH0_CLIENT_SECRET"

[[source]]
name = "auth0-spa-js"
type = "github_releases"
schedule = "@every 1h"
repo = "auth0/auth0-spa-js"
deployed = "2.1.3"
api_url = "`+gh.URL()+`"

[[source]]
name = "orders-db"
type = "http_json"
schedule = "@every 1h"
url = "`+db.URL+`"

  [[source.threshold]]
  path = "/metrics/storage_percent"
  above = 90
  severity = "breaking"

  [[source.threshold]]
  path = "/metrics/cpu_percent"
  above = 85
  category = "usage-growth"

[[expect]]
source = "auth0-prod"
path = "/clients/Acme Web/callbacks"
contains = "`+acmeCallback+`"
note = "login redirect of the web app"
`)
	const token = "view-token-5f1c"
	c.env["AUTH0_CLIENT_ID"], c.env["AUTH0_CLIENT_SECRET"], c.env["DW_TOKEN"] = sim.ClientID(), sim.ClientSecret(), token
	c.mustRun(0, "poll", "--no-notify")

	// Drift everywhere: a callback removed, a major release whose notes
	// carry markup, a database near its limits.
	sim.Mutate(func(tn *providertest.Auth0Tenant) { tn.RemoveString(tn.Client("Acme Web"), "callbacks", acmeCallback) })
	gh.AddRelease(providertest.Release{Tag: "v3.0.0", Name: "v3.0.0", Published: time.Now(), Body: strings.Join([]string{
		"**⚠️ BREAKING CHANGES**",
		"- Removed `buildAuthorizeUrl()` <script>document.title='pwned'</script>",
		"- `loginWithPopup()` now rejects when the popup is closed",
	}, "\n")})
	db.set(200, "application/json", `{"plan":"db-s-1vcpu-1gb","metrics":{"cpu_percent":93,"storage_percent":97}}`)
	c.mustRun(0, "poll", "--no-notify")
	open := decode[findingsJSON](t, c.mustRun(0, "findings", "--format", "json").stdout).Findings
	if len(open) < 4 {
		t.Fatalf("want at least 4 open findings, got %+v", open)
	}
	var release findingJSON
	for _, f := range open {
		if f.Rule == "release.major_available" {
			release = f
		}
	}
	if release.ID == 0 {
		t.Fatalf("no release finding in %+v", open)
	}

	c.start("run")
	base := "http://" + addr
	eventually(t, 15*time.Second, "the daemon's web view", func() bool {
		code, _ := getWithToken(t, base+"/", token)
		return code == 200
	})

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chrome), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1200, 900))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 90*time.Second)
	defer cancel()

	// The view asks for the token; the browser sends it as a header here
	// (a person answers the basic auth prompt).
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatalf("start the browser: %v", err)
	}
	if _, err := chromedp.Call(ctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{
		Headers: network.Headers{"Authorization": "Bearer " + token}}); err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(chromedp.Do(ctx, chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS("ul.findings"))))
	listed, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("main ul.findings li").length`))
	must(err)
	body, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
	must(err)
	if listed != len(open) {
		t.Errorf("index lists %d findings, want the %d open ones", listed, len(open))
	}
	for _, f := range open {
		if !strings.Contains(oneLine(body), oneLine(f.Title)) { // HTML collapses white space
			t.Errorf("index lacks %q", f.Title)
		}
	}
	for _, cat := range []string{"configuration", "third-party", "infrastructure", "usage-growth"} {
		if !strings.Contains(strings.ToLower(body), cat) {
			t.Errorf("index lacks the %s group", cat)
		}
	}
	shoot(ctx, t, "web-findings.png")

	must(chromedp.Do(ctx, chromedp.Navigate(base+"/findings/"+itoa(release.ID)), chromedp.WaitVisible(chromedp.CSS("table.diff"))))
	diffRows, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("table.diff tbody tr").length`))
	must(err)
	excerpt, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("blockquote.excerpt")))
	must(err)
	title, err := chromedp.Run(ctx, chromedp.Title())
	must(err)
	scripts, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("script").length`))
	must(err)
	diffText, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("table.diff")))
	must(err)
	if diffRows == 0 || !strings.Contains(diffText, "/releases/v3.0.0") {
		t.Errorf("the finding page lacks the diff that raised it (%d rows):\n%s", diffRows, diffText)
	}
	if !strings.Contains(excerpt, "<script>document.title='pwned'</script>") {
		t.Errorf("the release note's markup is not shown as text: %q", excerpt)
	}
	if strings.Contains(title, "pwned") || scripts != 0 {
		t.Errorf("upstream markup ran or became a script element: title %q, %d script elements", title, scripts)
	}
	shoot(ctx, t, "web-finding.png")

	// A source page: status, snapshots, each diff.
	must(chromedp.Do(ctx, chromedp.Navigate(base+"/sources/orders-db"), chromedp.WaitVisible(chromedp.CSS("details.snapdiff"))))
	snaps, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("details.snapdiff").length`))
	must(err)
	if snaps != 1 {
		t.Fatalf("source page shows %d diffs, want 1", snaps)
	}
	shoot(ctx, t, "web-source.png")
}

// shoot saves a full-page screenshot when DRIFTWATCH_SCREENSHOTS names a
// folder.
func shoot(ctx context.Context, t *testing.T, name string) {
	dir := os.Getenv("DRIFTWATCH_SCREENSHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
		t.Fatal(err)
	}
}
