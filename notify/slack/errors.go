package slack

import (
	"bytes"
	"encoding/json"
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

// setupCodes are Slack's answers about the setup (the token, the
// channel, the webhook): retried, since someone may fix it, but the
// receiver is shown down meanwhile.
var setupCodes = map[string]bool{
	"invalid_auth":            true,
	"not_authed":              true,
	"account_inactive":        true,
	"token_revoked":           true,
	"token_expired":           true,
	"channel_not_found":       true,
	"not_in_channel":          true,
	"is_archived":             true,
	"missing_scope":           true,
	"no_permission":           true,
	"restricted_action":       true,
	"invalid_token":           true,
	"no_service":              true,
	"no_active_hooks":         true,
	"team_disabled":           true,
	"action_prohibited":       true,
	"user_not_found":          true,
	"ekm_access_denied":       true,
	"no_such_workspace":       true,
	"team_access_not_granted": true,
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
		// refused: Slack answered that it did not take the message (a
		// 429, ok:false, a 4xx), so nothing is left to look for later; a
		// 5xx may come from a proxy that timed out on a message Slack took.
		refused bool
	)
	switch {
	case errors.Is(err, errNotSlackSuccess):
		out = err
	case errors.As(err, &rl):
		out = &watcher.RetryAfterError{After: max(rl.RetryAfter, 0), Err: errors.New("slack: rate limited (HTTP 429)")}
	case rec.status == http.StatusTooManyRequests:
		// No Retry-After, or one slack-go could not read (an HTTP date).
		refused = true
		out = errors.New("slack: rate limited (HTTP 429)")
		if after := polite.RetryAfter(rec.header, time.Now(), 0); after > 0 {
			out = &watcher.RetryAfterError{After: after, Err: out}
		}
	case errors.As(err, &se):
		refused = true
		code = safeCode(se.Err)
		out = fmt.Errorf("slack: %s", code)
		if permanentCodes[code] {
			out = &watcher.PermanentError{Err: out}
		}
	case errors.As(err, &sc):
		refused = sc.Code >= 400 && sc.Code < 500
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
	if refused {
		out = watcher.Refused(out)
	}
	switch {
	case setupCodes[code]:
		out = watcher.Setup(code, out)
	case errors.As(err, &sc) && (sc.Code == http.StatusUnauthorized || sc.Code == http.StatusForbidden ||
		sc.Code == http.StatusNotFound || sc.Code == http.StatusGone):
		out = watcher.Setup(fmt.Sprintf("HTTP %d", sc.Code), out)
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
// discards a webhook's error body ("channel_not_found") and the headers,
// and takes any 200 for success.
type record struct {
	status int
	header http.Header
	body   []byte
	// keepOK keeps a 200's body too (up to maxOKBody), to check it is
	// Slack's own success.
	keepOK bool
	// cut is set when the body kept was longer than that.
	cut bool
}

// maxOKBody bounds the success body kept: chat.postMessage echoes the
// message, which Slack caps well below this.
const maxOKBody = 1 << 20

// errNotSlackSuccess is an answer that is not Slack's own success: a 200
// from a proxy or a login page, an empty or {} reply. Nothing says the
// message was posted, so it is retried.
var errNotSlackSuccess = errors.New("slack: the answer is not Slack's success")

// webhookSuccess checks a webhook's 200: Slack answers exactly "ok".
func webhookSuccess(rec *record) error {
	if rec.status == http.StatusOK && !rec.cut && string(bytes.TrimSpace(rec.body)) == "ok" {
		return nil
	}
	what := "an empty body"
	if b := bytes.TrimSpace(rec.body); len(b) > 0 {
		what = fmt.Sprintf("%q", polite.Snippet(b, 60))
	}
	return fmt.Errorf("%w (HTTP %d with %s, not \"ok\")", errNotSlackSuccess, rec.status, what)
}

// botSuccess checks chat.postMessage's 200: {"ok":true} with the ts of
// the message posted.
func botSuccess(rec *record, ts string) error {
	var reply struct {
		OK *bool  `json:"ok"`
		TS string `json:"ts"`
	}
	if rec.cut || json.Unmarshal(rec.body, &reply) != nil || reply.OK == nil || !*reply.OK || ts == "" || reply.TS == "" {
		return fmt.Errorf("%w (HTTP %d: %s, not {\"ok\":true} with a ts)", errNotSlackSuccess, rec.status, polite.Snippet(bytes.TrimSpace(rec.body), 60))
	}
	return nil
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
	rec.status, rec.header, rec.body, rec.cut = resp.StatusCode, resp.Header, nil, false
	limit := int64(512)
	if resp.StatusCode == http.StatusOK {
		if !rec.keepOK {
			return resp, nil
		}
		limit = maxOKBody
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if int64(len(b)) > limit {
		rec.cut = resp.StatusCode == http.StatusOK
	}
	rec.body = b
	resp.Body = readCloser{io.MultiReader(bytes.NewReader(b), resp.Body), resp.Body}
	return resp, nil
}

type readCloser struct {
	io.Reader
	io.Closer
}
