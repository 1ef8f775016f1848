package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// hostile is an upstream that misbehaves on purpose: it echoes requests
// back in a 401, or redirects them to another origin.
type hostile struct {
	*httptest.Server
	mu   sync.Mutex
	seen []string
}

// dump writes what a request carried: method, URL, headers, body.
func dump(r *http.Request) string {
	var b strings.Builder
	b.WriteString(r.Method + " " + r.URL.String() + "\n")
	r.Header.Write(&b)
	body, _ := io.ReadAll(r.Body)
	b.Write(body)
	return b.String()
}

func newHostile(t *testing.T, h func(w http.ResponseWriter, r *http.Request, req string)) *hostile {
	s := &hostile{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req := dump(r)
		s.mu.Lock()
		s.seen = append(s.seen, req)
		s.mu.Unlock()
		h(w, r, req)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *hostile) requests() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.Join(s.seen, "\n---\n")
}

// Upstreams that echo credentials (a 401 quoting Authorization and the
// URL), redirect to another port, and a webhook answering 302: no secret
// reaches the other origin, stderr, the store, /healthz or /metrics, and
// the redirected notice is not counted as delivered.
func TestHostileUpstreamsKeepSecrets(t *testing.T) {
	const (
		authHeader  = "Bearer hdr-ORDERS-7c1d9e2f4a6b8c0d"
		apiKey      = "key-MOVED-5e6f7a8b9c0d1e2f"
		queryToken  = "qtok-3a4b5c6d7e8f9a0b"
		githubToken = "ghp_HostileTest0123456789abcdefghijklmn"
	)
	other := newHostile(t, func(w http.ResponseWriter, r *http.Request, _ string) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"moved": true}`))
	})
	echo := newHostile(t, func(w http.ResponseWriter, r *http.Request, req string) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		cred := r.Header.Get("Authorization")
		if _, bare, ok := strings.Cut(cred, " "); ok {
			cred = bare
		}
		io.WriteString(w, `{"message":"Bad credentials `+cred+` for `+strings.ReplaceAll(req, "\n", " ")+`"}`)
	})
	redirect := newHostile(t, func(w http.ResponseWriter, r *http.Request, _ string) {
		http.Redirect(w, r, other.URL+"/landing", http.StatusTemporaryRedirect) // another port: another origin
	})
	webhook := newHostile(t, func(w http.ResponseWriter, r *http.Request, _ string) {
		http.Redirect(w, r, other.URL+"/hook", http.StatusFound)
	})
	hookURL := webhook.URL + "/services/T0HOSTILE1/B0HOSTILE2/HookSecretPart0123456789"
	addr := freeAddr(t)
	c := newCLI(t, `
[store]
path = "dw.db"

[server]
listen = "`+addr+`"

[notify.slack]
webhook_url_env = "SLACK_WEBHOOK_URL"
min_severity = "warning"

[[source]]
name = "orders"
type = "http_json"
schedule = "@every 1h"
url = "`+echo.URL+`/status?access_token=`+queryToken+`"
headers_env = { Authorization = "ORDERS_AUTH" }

[[source]]
name = "moved"
type = "http_json"
schedule = "@every 1h"
url = "`+redirect.URL+`/data"
headers_env = { X-Api-Key = "MOVED_KEY" }

[[source]]
name = "sdk"
type = "github_releases"
schedule = "@every 1h"
repo = "acme/sdk"
token_env = "GITHUB_TOKEN"
api_url = "`+echo.URL+`/api/"
`)
	c.env["ORDERS_AUTH"] = authHeader
	c.env["MOVED_KEY"] = apiKey
	c.env["GITHUB_TOKEN"] = githubToken
	c.env["SLACK_WEBHOOK_URL"] = hookURL
	check := &leakCheck{t: t, texts: map[string]string{}, secrets: []string{
		authHeader, "hdr-ORDERS-7c1d9e2f4a6b8c0d", apiKey, queryToken, githubToken, hookURL,
		"HookSecretPart0123456789", "/services/T0HOSTILE1/B0HOSTILE2/HookSecretPart0123456789",
	}}
	// Three failing polls raise the failing-source findings, whose
	// notices go to the webhook that redirects.
	for i := 0; i < 3; i++ {
		for _, format := range []string{"text", "json"} {
			r := c.exec("--log-format", format, "poll", "-v")
			if r.code != 1 {
				t.Fatalf("poll: exit %d, want 1 (sources fail)\n%s", r.code, r.stderr)
			}
			check.add("poll stdout+stderr", r.stdout+r.stderr)
		}
	}
	if !strings.Contains(check.texts["poll stdout+stderr"], "[redacted]") {
		t.Error("no redaction marker in stderr: did the upstream echo anything?")
	}
	if !strings.Contains(echo.requests(), githubToken) || !strings.Contains(echo.requests(), authHeader) {
		t.Fatal("the echoing upstream never received the credentials: the test proves nothing")
	}
	if !strings.Contains(webhook.requests(), "POST /services/") {
		t.Fatal("no notice was posted to the webhook")
	}

	d := c.start("run")
	base := "http://" + addr
	var health string
	eventually(t, 15*time.Second, "/healthz showing the failing sources", func() bool {
		_, health = get(t, base+"/healthz")
		return strings.Contains(health, `"name": "orders"`) && strings.Contains(health, "last_error")
	})
	_, metrics := get(t, base+"/metrics")
	check.add("/healthz", health)
	check.add("/metrics", metrics)
	if !strings.Contains(health, `"pending": `) || strings.Contains(health, `"pending": 0`) {
		t.Errorf("notices answered by a redirect were counted as delivered: %s", health)
	}
	d.cmd.Process.Signal(syscall.SIGTERM)
	d.done <- <-d.done // the cleanup waits on it too
	check.add("run stderr", d.stderr.String()+d.stdout.String())
	check.add("another origin", other.requests())
	if strings.Contains(other.requests(), "/hook") || strings.Contains(other.requests(), "Referer") {
		t.Errorf("the webhook redirect was followed or sent a Referer:\n%s", other.requests())
	}
	check.addStore(c.dir)
	check.assertNone()
}
