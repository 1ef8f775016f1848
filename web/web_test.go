package web_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/driftwatch/driftwatch/api"
	"github.com/driftwatch/driftwatch/config"
	"github.com/driftwatch/driftwatch/store"
	"github.com/driftwatch/driftwatch/watcher"
	"github.com/driftwatch/driftwatch/web"
)

const hostile = `<script>alert(1)</script><img src=x onerror=alert(2)>`

// serve runs the view over a store holding one release finding whose
// upstream text is hostile.
func serve(t *testing.T, tokens api.Tokens) *httptest.Server {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "driftwatch.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	cfg, err := config.Parse("driftwatch.toml", []byte("[[source]]\nname = \"sdk\"\ntype = \"feed\"\nurl = \"https://example.com/feed\"\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	bodies := []string{`{"entries":{}}`, `{"entries":{"e1":{"title":"` + strings.ReplaceAll(hostile, `"`, `\"`) + `"}}}`}
	for i, b := range bodies {
		c := &watcher.Commit{Source: "sdk", Type: "feed", At: at.Add(time.Duration(i) * time.Minute), Judged: true,
			Snapshot: &watcher.NewSnapshot{Hash: strings.Repeat(string(rune('a'+i)), 64), Body: []byte(b)}, Group: "g"}
		if i == 1 {
			c.BaseHash = strings.Repeat("a", 64)
			c.Findings = []watcher.Finding{{Source: "sdk", Rule: "feed.deprecation_notice", Severity: watcher.Warning,
				Category: watcher.ThirdParty, Path: "/entries/e1", Title: "Deprecation " + hostile, Excerpt: "notes " + hostile,
				Detail: "see https://example.com/changelog/1 " + hostile}}
		}
		if _, err := db.Commit(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	mux := http.NewServeMux()
	web.New(api.NewLocal(db, cfg), tokens, nil).Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func get(t *testing.T, url, password string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if password != "" {
		req.SetBasicAuth("me", password)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func TestPagesEscapeUpstreamText(t *testing.T) {
	srv := serve(t, api.Tokens{})
	for _, p := range []string{"/", "/findings/1", "/sources/sdk"} {
		resp, body := get(t, srv.URL+p, "")
		if resp.StatusCode != 200 {
			t.Fatalf("GET %s = %d", p, resp.StatusCode)
		}
		if strings.Contains(body, "<script") || strings.Contains(body, "<img") {
			t.Errorf("GET %s: upstream markup reached the page unescaped", p)
		}
		if !strings.Contains(body, "&lt;script&gt;") {
			t.Errorf("GET %s: the hostile text is not shown escaped", p)
		}
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
			t.Errorf("GET %s: CSP %q", p, csp)
		}
	}
	_, body := get(t, srv.URL+"/findings/1", "")
	for _, want := range []string{"/entries/e1", `href="https://example.com/changelog/1"`, "rel=\"noopener noreferrer nofollow\"", "Snapshot"} {
		if !strings.Contains(body, want) {
			t.Errorf("finding page lacks %s", want)
		}
	}
	if resp, _ := get(t, srv.URL+"/findings/42", ""); resp.StatusCode != 404 {
		t.Errorf("unknown finding = %d", resp.StatusCode)
	}
	if resp, _ := get(t, srv.URL+"/static/style.css", ""); resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/css") {
		t.Errorf("stylesheet = %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}

func TestPagesAskForTheReadToken(t *testing.T) {
	srv := serve(t, api.Tokens{Read: "secret-read"})
	resp, _ := get(t, srv.URL+"/", "")
	if resp.StatusCode != 401 || !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Basic") {
		t.Fatalf("no token: %d %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}
	if resp, _ := get(t, srv.URL+"/", "wrong"); resp.StatusCode != 401 {
		t.Fatalf("wrong token: %d", resp.StatusCode)
	}
	if resp, body := get(t, srv.URL+"/", "secret-read"); resp.StatusCode != 200 || !strings.Contains(body, "Deprecation") {
		t.Fatalf("the token: %d", resp.StatusCode)
	}
}
