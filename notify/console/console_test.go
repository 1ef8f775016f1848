package console_test

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/driftwatch/driftwatch/diff"
	"github.com/driftwatch/driftwatch/notify/console"
	"github.com/driftwatch/driftwatch/providers/providertest"
	"github.com/driftwatch/driftwatch/watcher"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

var detected = time.Date(2026, 8, 3, 9, 0, 0, 0, time.UTC)

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (run go test -update after checking):\n%s", path, got)
	}
}

// hostile is upstream text that tries to drive the terminal: clear the
// screen, set the window title, colour text, reorder it.
const hostile = "\x1b[2J\x1b]0;pwned\x07\x1b[31mUpgrade now\x1b[0m \u202egnp.exe\r\nsecond line"

func breaking() *watcher.Finding {
	return &watcher.Finding{
		ID: 42, Source: "auth0-prod", Rule: "expect.contains", Severity: watcher.Breaking,
		Category: watcher.Configuration, Path: "/clients/Acme Web/callbacks",
		Title: `Callback URL https://app.acme.com/callback no longer in client "Acme Web"`,
		Old:   `["https://app.acme.com/callback"]`, New: `[]`, Note: "login redirect of the web app",
		DetectedAt: detected, Also: []string{"auth0.url_removed"},
		URL: "https://manage.auth0.com/dashboard/eu/acme/applications/AcMeWeB5pLq0n7ZcV2xR8tY4uI6oP1aS/settings",
	}
}

func release() *watcher.Finding {
	notes := string(providertest.MustRead("changelogs/auth0__go-auth0.md"))
	i := strings.Index(notes, "**Breaking Changes**")
	return &watcher.Finding{
		ID: 43, Source: "go-auth0", Rule: "release.breaking_notes", Severity: watcher.Warning,
		Category: watcher.ThirdParty, Path: "/releases/v3.0.0",
		Title: "go-auth0 v3.0.0 has breaking changes " + hostile,
		Old:   "v2.14.0", New: "v3.0.0",
		Excerpt: notes[i:i+300] + "\n" + hostile,
		URL:     "javascript:alert(1)", // upstream text: never shown as a link
	}
}

func notices() []watcher.Notice {
	res := breaking()
	res.ID, res.Severity, res.Title = 41, watcher.Warning, `Logout URL https://app.acme.com/ removed from client "Acme Web"`
	return []watcher.Notice{
		{ID: 1, Kind: watcher.NoticeOpened, Source: "auth0-prod", Finding: breaking()},
		{ID: 2, Kind: watcher.NoticeOpened, Source: "go-auth0", Finding: release()},
		{ID: 3, Kind: watcher.NoticeResolved, Source: "auth0-prod", Finding: res},
		{ID: 4, Kind: watcher.NoticeReopened, Source: "auth0-prod", Finding: &watcher.Finding{
			ID: 44, Severity: watcher.Info, Category: watcher.UsageGrowth, Rule: "threshold.above",
			Title: "cpu_percent above 90", Detail: "was 85, now 97\nthreshold 90",
		}},
	}
}

func digest() *watcher.Digest {
	return &watcher.Digest{
		Since: detected.Add(-168 * time.Hour), Until: detected,
		Sources: []watcher.DigestSource{
			{
				Name: "auth0-prod", Type: "auth0", Snapshots: 3,
				Changes:      []diff.Change{{Path: "/clients/Acme Web/callbacks", Op: diff.Removed}, {Path: "/tenant/session_lifetime", Op: diff.Changed}},
				ChangesTotal: 4,
				Opened:       []watcher.Finding{*breaking()},
				Resolved:     []watcher.Finding{{ID: 41, Title: "Logout URL restored"}},
			},
			{
				Name: "go-auth0", Type: "github_releases", NewHeading: "New releases", Snapshots: 1,
				New:       []watcher.DigestItem{{Key: "v3.0.0", Title: "v3.0.0 " + hostile, URL: "https://github.com/auth0/go-auth0/releases/tag/v3.0.0"}},
				StillOpen: []watcher.Finding{*release()},
			},
			{Name: "orders-db", Type: "http_json"},
		},
	}
}

func TestFormatNotices(t *testing.T) {
	var b bytes.Buffer
	if err := console.FormatNotices(&b, notices()); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"[breaking] auth0-prod · Configuration drift",
		`Callback URL https://app.acme.com/callback no longer in client "Acme Web"`,
		`was: ["https://app.acme.com/callback"]`, "now: []",
		"why it matters: login redirect of the web app",
		"ack: driftwatch ack 42",
		"[warning] go-auth0 · Third-party change — not a code defect",
		"| - **BREAKING**: Module path changed",
		"[resolved] auth0-prod",
		"[info, reopened] auth0-prod · Usage growth",
		"  was 85, now 97\n  threshold 90\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "ack: driftwatch ack 41") {
		t.Error("resolved finding offers an ack")
	}
	assertSafe(t, out)
	golden(t, "notices.golden.txt", b.Bytes())
}

func TestFormatDigest(t *testing.T) {
	var b bytes.Buffer
	if err := console.FormatDigest(&b, digest()); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	order := []string{"auth0-prod (auth0)", "changed settings:", "… and 2 more", "open findings:", "Configuration drift:", "resolved:",
		"go-auth0 (github_releases)", "new releases:", "v3.0.0", "open findings:", "No changes: orders-db"}
	at := 0
	for _, w := range order {
		i := strings.Index(out[at:], w)
		if i < 0 {
			t.Fatalf("%q missing or out of order:\n%s", w, out)
		}
		at += i + len(w)
	}
	assertSafe(t, out)
	golden(t, "digest.golden.txt", b.Bytes())

	t.Run("Empty", func(t *testing.T) {
		var b bytes.Buffer
		d := &watcher.Digest{Since: detected.Add(-time.Hour), Until: detected, Sources: []watcher.DigestSource{{Name: "quiet"}}}
		if err := console.FormatDigest(&b, d); err != nil {
			t.Fatal(err)
		}
		if got := b.String(); strings.Count(got, "\n") != 1 || !strings.Contains(got, "nothing changed") {
			t.Errorf("empty digest printed %q, want one line saying nothing changed", got)
		}
	})
}

// assertSafe checks that no control character other than newline and tab,
// and no bidi override, reached the output.
func assertSafe(t *testing.T, out string) {
	t.Helper()
	for _, r := range out {
		if (r < 0x20 && r != '\n' && r != '\t') || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == '\u202e' {
			t.Fatalf("output carries control character %U", r)
		}
	}
	if strings.Contains(out, "pwned") {
		t.Error("an OSC window title survived")
	}
}

func TestDeliver(t *testing.T) {
	var b bytes.Buffer
	n := console.New(&b)
	if n.MaxBatch() < 1 {
		t.Fatalf("MaxBatch %d", n.MaxBatch())
	}
	ns := append(notices(), watcher.Notice{ID: 9, Kind: watcher.NoticeDigest, Digest: digest()})
	if err := n.Deliver(t.Context(), ns); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if !strings.Contains(out, "ack: driftwatch ack 42") || !strings.Contains(out, "Digest ") {
		t.Errorf("Deliver printed neither notices nor digest:\n%s", out)
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestDeliverWriteError(t *testing.T) {
	err := console.New(failingWriter{}).Deliver(t.Context(), notices())
	if err == nil || !strings.Contains(err.Error(), "console:") || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("error %v, want a wrapped write error", err)
	}
}
