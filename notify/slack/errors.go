package slack

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"time"

	slackgo "github.com/slack-go/slack"

	"github.com/driftwatch/driftwatch/notify"
	"github.com/driftwatch/driftwatch/providers/polite"
	"github.com/driftwatch/driftwatch/watcher"
)

// permanentCodes are Slack's answers for a payload it rejects as malformed:
// sending the same payload again cannot succeed, so the notice is given up.
// Every other answer (invalid_auth, channel_not_found, not_in_channel, a
// 5xx) may heal once someone fixes the setup, so it is retried.
var permanentCodes = map[string]bool{
	"invalid_blocks":        true,
	"invalid_blocks_format": true,
	"msg_too_long":          true,
	"msg_blocks_too_long":   true,
	"no_text":               true,
	"too_many_attachments":  true,
	"invalid_payload":       true,
}

// webhookRetryable are a webhook's HTTP 400 answers that are about the
// setup, not the payload.
var webhookRetryable = map[string]bool{
	"user_not_found":    true,
	"channel_not_found": true,
	"invalid_token":     true,
	"no_service":        true,
	"team_disabled":     true,
}

var codeRE = regexp.MustCompile(`^[a-z0-9_.]{1,64}$`)

// tokenRE matches Slack tokens, should one ever be echoed into an error.
var tokenRE = regexp.MustCompile(`xox[a-z]-[0-9A-Za-z-]+`)

// classify turns slack-go's error into one the engine acts on, saying what
// Slack said, with the secrets taken out. op names the call in transport
// errors; slack-go already names a webhook post.
func (n *Notifier) classify(err error, rec *record, op string) error {
	if err == nil {
		return nil
	}
	var (
		rl   *slackgo.RateLimitedError
		se   slackgo.SlackErrorResponse
		sc   slackgo.StatusCodeError
		out  error
		code = rec.reason()
	)
	switch {
	case errors.As(err, &rl):
		out = &watcher.RetryAfterError{After: max(rl.RetryAfter, 0), Err: errors.New("slack: rate limited (HTTP 429)")}
	case rec.status == http.StatusTooManyRequests:
		// No Retry-After, or one slack-go could not read (an HTTP date).
		out = errors.New("slack: rate limited (HTTP 429)")
		if after := polite.RetryAfter(rec.header, time.Now(), 0); after > 0 {
			out = &watcher.RetryAfterError{After: after, Err: out}
		}
	case errors.As(err, &se):
		code = safeCode(se.Err)
		out = fmt.Errorf("slack: %s", code)
		if permanentCodes[code] {
			out = &watcher.PermanentError{Err: out}
		}
	case errors.As(err, &sc):
		if code != "" {
			out = fmt.Errorf("slack: %s (HTTP %d)", code, sc.Code)
		} else {
			out = fmt.Errorf("slack: HTTP %d %s", sc.Code, http.StatusText(sc.Code))
		}
		if sc.Code == http.StatusBadRequest && n.api == nil && !webhookRetryable[code] {
			out = &watcher.PermanentError{Err: out}
		} else if permanentCodes[code] {
			out = &watcher.PermanentError{Err: out}
		}
	case op == "":
		out = fmt.Errorf("slack: %w", err)
	default:
		out = fmt.Errorf("slack: %s: %w", op, err)
	}
	out = notify.RedactURL(out, n.cfg.WebhookURL)
	out = notify.Redact(out, n.cfg.Token)
	if msg := out.Error(); tokenRE.MatchString(msg) {
		out = notify.Redact(out, tokenRE.FindAllString(msg, -1)...)
	}
	return out
}

// safeCode keeps an error code from Slack readable and short; anything
// that does not look like one is shortened upstream text.
func safeCode(s string) string {
	if codeRE.MatchString(s) {
		return s
	}
	return polite.Snippet([]byte(s), 80)
}

// record is what the capturing transport saw of the last response: slack-go
// discards a webhook's error body ("channel_not_found") and the headers.
type record struct {
	status int
	header http.Header
	body   []byte
}

// reason is the error code in a non-200 body, if it reads like one: a
// webhook answers plain text, the Web API JSON or HTML.
func (r *record) reason() string {
	if r == nil || r.status == http.StatusOK || len(r.body) == 0 {
		return ""
	}
	b := bytes.TrimSpace(r.body)
	if codeRE.Match(b) {
		return string(b)
	}
	return ""
}

type recordKey struct{}

// capture is an http.RoundTripper that notes the status, headers and the
// start of the body of each error response into the record carried by the
// request's context, leaving the response readable as before.
type capture struct{ base http.RoundTripper }

func (c capture) RoundTrip(r *http.Request) (*http.Response, error) {
	base := c.base
	if base == nil {
		base = http.DefaultTransport
	}
	resp, err := base.RoundTrip(r)
	if err != nil {
		return resp, err
	}
	rec, _ := r.Context().Value(recordKey{}).(*record)
	if rec == nil {
		return resp, nil
	}
	rec.status, rec.header, rec.body = resp.StatusCode, resp.Header, nil
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		rec.body = b
		resp.Body = readCloser{io.MultiReader(bytes.NewReader(b), resp.Body), resp.Body}
	}
	return resp, nil
}

type readCloser struct {
	io.Reader
	io.Closer
}
