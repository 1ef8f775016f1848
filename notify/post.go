package notify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/driftwatch/driftwatch/providers/polite"
	"github.com/driftwatch/driftwatch/watcher"
)

// errRedirect stops a client from following a redirect: a webhook URL is
// a secret, and a 3xx must not carry the body (or the signature) to
// another origin.
var errRedirect = errors.New("the receiver answered with a redirect, which is not followed")

// NewClient returns the HTTP client of a receiver that posts to a secret
// URL: polite (User-Agent, capped bodies), bounded by timeout, and never
// following a redirect.
func NewClient(timeout time.Duration) *http.Client {
	c := polite.NewClient(nil, timeout)
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return errRedirect }
	return c
}

// PostJSON posts body to a secret URL once and classifies the answer for
// the engine: a 2xx is success; a 429 a refusal with its Retry-After; a
// 401, 403, 404 or 410 a setup error (the URL or its credentials are
// wrong: retried, and the receiver shown down); another 4xx a permanent
// rejection of the payload; a 5xx or a network error a failure whose
// outcome is unknown. name prefixes errors ("webhook"); errors quote the
// start of the receiver's answer (what `notify test` shows) but never the
// URL or the other secrets given, even where the receiver echoed them.
func PostJSON(ctx context.Context, hc *http.Client, name, secretURL string, body []byte, header http.Header, secrets ...string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, secretURL, bytes.NewReader(body))
	if err != nil {
		return &watcher.PermanentError{Err: RedactURL(fmt.Errorf("%s: build request: %w", name, err), secretURL)}
	}
	req.Header.Set("Content-Type", "application/json")
	for k, vs := range header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	resp, err := hc.Do(req)
	if err != nil {
		if errors.Is(err, errRedirect) {
			return watcher.Setup("redirect", watcher.Refused(fmt.Errorf("%s: %w", name, errRedirect)))
		}
		return RedactURL(fmt.Errorf("%s: %w", name, err), secretURL)
	}
	text, _ := polite.ReadBody(resp, 4<<10)
	// Scrubbed before it is cut: a cut must not leave half a secret.
	answer, _ := scrub(string(text), append(urlSecrets(secretURL), secrets...))
	return StatusError(name, resp.StatusCode, resp.Header, []byte(answer))
}

// StatusError classifies an HTTP answer as PostJSON does; nil for a 2xx.
func StatusError(name string, code int, h http.Header, body []byte) error {
	if code >= 200 && code < 300 {
		return nil
	}
	msg := fmt.Errorf("%s: HTTP %d%s", name, code, answerText(body))
	switch {
	case code == http.StatusTooManyRequests:
		if after := polite.RetryAfter(h, time.Now(), 0); after > 0 {
			return &watcher.RetryAfterError{After: after, Err: msg}
		}
		return watcher.Refused(msg)
	case code == http.StatusUnauthorized || code == http.StatusForbidden || code == http.StatusNotFound || code == http.StatusGone:
		return watcher.Setup(fmt.Sprintf("HTTP %d", code), watcher.Refused(msg))
	case code >= 400 && code < 500 && code != http.StatusRequestTimeout:
		return &watcher.PermanentError{Err: msg}
	}
	return msg
}

// MaxAnswer caps the receiver's answer quoted in an error, in characters.
const MaxAnswer = 200

// answerText quotes the start of an error answer on one line, cleaned of
// escape sequences and control characters: it helps to see what the
// receiver said, and it is the receiver's text, not ours.
func answerText(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	s := polite.Snippet([]byte(Clean(string(b))), MaxAnswer)
	switch {
	case s == "" && strings.TrimSpace(string(b)) != "":
		s = polite.NotShown // only escapes: say why nothing is shown
	case s == "":
		return ""
	}
	return ": " + s
}

// Tester is a notifier that can send a clearly marked test message
// (driftwatch notify test).
type Tester interface {
	Test(ctx context.Context) error
}

// FindingPage is a finding's page on the daemon's web view
// (server.public_url), or "" without a usable public URL.
func FindingPage(publicURL string, id int64) string {
	base := strings.TrimRight(strings.TrimSpace(publicURL), "/")
	if base == "" || id <= 0 || strings.ContainsAny(base, "<>| \t\n\"'") ||
		!(strings.HasPrefix(base, "https://") || strings.HasPrefix(base, "http://")) {
		return ""
	}
	return fmt.Sprintf("%s/findings/%d", base, id)
}
