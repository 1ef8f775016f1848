package webhook_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/driftwatch/driftwatch/notify"
	"github.com/driftwatch/driftwatch/notify/webhook"
	"github.com/driftwatch/driftwatch/providers/providertest"
	"github.com/driftwatch/driftwatch/watcher"
)

func notice() watcher.Notice {
	f := watcher.Finding{ID: 42, Source: "auth0-prod", Rule: "auth0.url_removed", Severity: watcher.Breaking,
		Category: watcher.Configuration, Path: "/clients/Acme Web/callbacks", Title: `Callback removed from "Acme Web" <!channel>`,
		State: watcher.Open, DetectedAt: time.Date(2026, 8, 3, 9, 0, 0, 0, time.UTC)}
	return watcher.Notice{ID: 7, Kind: watcher.NoticeOpened, Source: f.Source, Finding: &f, CreatedAt: f.DetectedAt}
}

// The signature is HMAC-SHA256 over the exact body with the secret, hex,
// after "sha256=": checked here with the standard library alone, as a
// receiving end would.
func TestSignatureVerifiesWithTheDocumentedAlgorithm(t *testing.T) {
	hook := providertest.NewHook()
	defer hook.Close()
	const secret = "s3cret-shared-with-the-bridge"
	n, err := webhook.New(webhook.Config{Name: "oncall", URL: hook.URL(), Secret: secret})
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Deliver(t.Context(), []watcher.Notice{notice()}); err != nil {
		t.Fatal(err)
	}
	reqs := hook.Requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests", len(reqs))
	}
	r := reqs[0]
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(r.Body)
	want := "sha256=" + hex.EncodeToString(mac.Sum(nil))
	if got := r.Header.Get("X-Driftwatch-Signature"); got != want {
		t.Fatalf("signature %q, want %q", got, want)
	}
	if !webhook.Verify(secret, r.Body, want) || webhook.Verify("other", r.Body, want) {
		t.Error("Verify disagrees with the algorithm")
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	var body struct {
		Version string          `json:"version"`
		Kind    string          `json:"kind"`
		Event   string          `json:"event"`
		ID      string          `json:"id"`
		Finding json.RawMessage `json:"finding"`
	}
	if err := json.Unmarshal(r.Body, &body); err != nil {
		t.Fatal(err)
	}
	if body.Version != "1" || body.Kind != "finding" || body.Event != "opened" || body.ID != notice().Key() {
		t.Errorf("body %+v", body)
	}
	var f map[string]any
	if err := json.Unmarshal(body.Finding, &f); err != nil {
		t.Fatal(err)
	}
	if f["id"] != float64(42) || f["severity"] != "breaking" || f["category"] != "configuration" || f["state"] != "open" {
		t.Errorf("finding %v", f)
	}
}

func TestResolvedKindAndNoSignatureWithoutSecret(t *testing.T) {
	hook := providertest.NewHook()
	defer hook.Close()
	n, _ := webhook.New(webhook.Config{Name: "tickets", URL: hook.URL(), PublicURL: "https://dw.example.com/"})
	nt := notice()
	nt.Kind = watcher.NoticeResolved
	if err := n.Deliver(t.Context(), []watcher.Notice{nt}); err != nil {
		t.Fatal(err)
	}
	r := hook.Requests()[0]
	if r.Header.Get("X-Driftwatch-Signature") != "" {
		t.Error("signed without a secret")
	}
	if !strings.Contains(string(r.Body), `"kind":"resolved"`) || !strings.Contains(string(r.Body), `"page":"https://dw.example.com/findings/42"`) {
		t.Errorf("body %s", r.Body)
	}
}

// Answers are classified for the engine, and errors never show the URL.
func TestAnswers(t *testing.T) {
	hook := providertest.NewHook()
	defer hook.Close()
	n, _ := webhook.New(webhook.Config{Name: "x", URL: hook.URL()})
	for _, c := range []struct {
		code                     int
		setup, permanent, waitOK bool
	}{
		{http.StatusNotFound, true, false, false},
		{http.StatusForbidden, true, false, false},
		{http.StatusUnprocessableEntity, false, true, false},
		{http.StatusTooManyRequests, false, false, true},
		{http.StatusBadGateway, false, false, false},
	} {
		hook.Script(c.code)
		err := n.Deliver(context.Background(), []watcher.Notice{notice()})
		if err == nil {
			t.Fatalf("%d: no error", c.code)
		}
		if strings.Contains(err.Error(), "T0KEN") {
			t.Errorf("%d: error shows the URL: %v", c.code, err)
		}
		_, setup := watcher.SetupReason(err)
		var ra *watcher.RetryAfterError
		if setup != c.setup || watcher.IsPermanent(err) != c.permanent || (c.waitOK && !errors.As(err, &ra)) {
			t.Errorf("%d: %v: setup %v permanent %v", c.code, err, setup, watcher.IsPermanent(err))
		}
	}
}

// TestFindingCarriesTheUpstreamExcerptCleanedAndCapped: the body's finding
// has the upstream excerpt, its control characters dropped and cut to
// MaxExcerpt characters; every field of the finding object stays, and a
// finding without an excerpt says null.
func TestFindingCarriesTheUpstreamExcerptCleanedAndCapped(t *testing.T) {
	hook := providertest.NewHook()
	defer hook.Close()
	n, _ := webhook.New(webhook.Config{Name: "tickets", URL: hook.URL()})
	withEx := notice()
	withEx.Finding.Excerpt = "## Breaking\x1b[31m\n- grants removed\x07 " + strings.Repeat("é", 3*webhook.MaxExcerpt)
	if err := n.Deliver(t.Context(), []watcher.Notice{withEx, notice()}); err != nil {
		t.Fatal(err)
	}
	reqs := hook.Requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests", len(reqs))
	}
	var bodies [2]struct {
		Finding map[string]any `json:"finding"`
	}
	for i, r := range reqs {
		if err := json.Unmarshal(r.Body, &bodies[i]); err != nil {
			t.Fatal(err)
		}
	}
	ex, _ := bodies[0].Finding["excerpt"].(string)
	if !strings.HasPrefix(ex, "## Breaking\n- grants removed é") || strings.ContainsAny(ex, "\x1b\x07") {
		t.Errorf("excerpt not cleaned: %q", ex[:40])
	}
	if got := utf8.RuneCountInString(ex); got != webhook.MaxExcerpt || !strings.HasSuffix(ex, "…") {
		t.Errorf("excerpt of %d characters, want %d ending in …", got, webhook.MaxExcerpt)
	}
	if bodies[0].Finding["id"] != float64(42) || bodies[0].Finding["fingerprint"] == nil || bodies[0].Finding["title"] == nil {
		t.Errorf("finding object lost its fields: %v", bodies[0].Finding)
	}
	if v, ok := bodies[1].Finding["excerpt"]; !ok || v != nil {
		t.Errorf("no excerpt: %v (present %v), want null", v, ok)
	}
}

// TestFailedTestShowsWhatTheReceiverAnswered: a refusing endpoint's answer
// is quoted in the error `notify test` prints, on one line and cut to
// notify.MaxAnswer characters, with the URL's token and the signing
// secret replaced where the answer echoed them.
func TestFailedTestShowsWhatTheReceiverAnswered(t *testing.T) {
	const secret = "s3cret-shared-with-the-bridge"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnprocessableEntity)
		fmt.Fprintf(w, "invalid payload for hook %s (key %s)\x1b[2J\n%s", r.URL.Path, secret, strings.Repeat("detail ", 60))
	}))
	defer srv.Close()
	n, _ := webhook.New(webhook.Config{Name: "tickets", URL: srv.URL + "/hooks/T0KEN-abc", Secret: secret})
	err := n.Test(t.Context())
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, "webhook: HTTP 422: invalid payload for hook [redacted] (key [redacted]) detail detail") {
		t.Errorf("error %q", msg)
	}
	if strings.Contains(msg, "T0KEN") || strings.Contains(msg, secret) || strings.ContainsAny(msg, "\x1b\n") {
		t.Errorf("error shows a secret or a control character: %q", msg)
	}
	if got := utf8.RuneCountInString(strings.TrimPrefix(msg, "webhook: HTTP 422: ")); got != notify.MaxAnswer+1 {
		t.Errorf("answer of %d characters, want %d", got, notify.MaxAnswer+1)
	}
}
