// Package slack posts driftwatch notices and digests to Slack, through an
// Incoming Webhook or a bot token with chat.postMessage. Messages are Block
// Kit built within Slack's limits, with upstream text escaped so it can
// never mention a channel or forge a link. Each Deliver is one attempt: the
// engine retries, and the errors here tell it how (RetryAfterError for a
// 429, PermanentError for a payload Slack rejects as malformed). Neither
// the webhook URL nor the token ever appears in an error or a log line.
package slack

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	slackgo "github.com/slack-go/slack"

	"github.com/driftwatch/driftwatch/notify"
	"github.com/driftwatch/driftwatch/providers/polite"
	"github.com/driftwatch/driftwatch/watcher"
)

// DefaultAPIURL is Slack's Web API base; it ends in a slash because
// slack-go appends method names to it.
const DefaultAPIURL = "https://slack.com/api/"

// DefaultTimeout bounds one HTTP request when New is given no client;
// slack-go's own defaults have none.
const DefaultTimeout = 10 * time.Second

// WebhookTimeout is the least time a webhook post is given: a webhook
// answer lost to a timeout cannot be checked afterwards (the message may
// be posted again), so a slow Slack is waited for longer.
const WebhookTimeout = 30 * time.Second

// Config selects the Slack mode. Set WebhookURL, or Token with Channel.
type Config struct {
	// WebhookURL is an Incoming Webhook URL; it is a secret.
	WebhookURL string
	// Token is a bot token for chat.postMessage; it is a secret.
	Token string
	// Channel receives notices in bot mode; required with Token.
	Channel string
	// DigestChannel receives digests in bot mode; default Channel.
	DigestChannel string
	// APIURL is the Web API base; default DefaultAPIURL. Tests and
	// Slack-compatible servers override it.
	APIURL string
	// Timeout bounds one request, whatever the client's own timeout:
	// default DefaultTimeout in bot mode and WebhookTimeout with a webhook.
	Timeout time.Duration
	// PublicURL is the daemon's web view; notices link to it (links.go).
	PublicURL string
}

// Notifier delivers notices to Slack.
type Notifier struct {
	cfg    Config
	hc     *http.Client
	api    *slackgo.Client // bot mode only
	logger *slog.Logger

	mu sync.Mutex
	// sent counts the messages of an unfinished multi-message delivery
	// (a large digest) already posted, so a retry does not post them
	// twice; keyed by the notices' keys as in the messages' metadata.
	sent map[string]int
	// channelIDs maps the channel names of the config to Slack's IDs,
	// learnt from answers: reading history needs the ID.
	channelIDs map[string]string
}

var _ watcher.Notifier = (*Notifier)(nil)

// New checks cfg and returns a Notifier. hc (nil: a plain client) carries
// the requests; its timeout is replaced by cfg's (see Config.Timeout).
// Errors never quote the secrets.
func New(cfg Config, hc *http.Client, logger *slog.Logger) (*Notifier, error) {
	// Secrets read from files or the environment often end in a newline.
	cfg.WebhookURL, cfg.Token = strings.TrimSpace(cfg.WebhookURL), strings.TrimSpace(cfg.Token)
	switch {
	case cfg.WebhookURL != "" && cfg.Token != "":
		return nil, errors.New("slack: set a webhook URL or a bot token, not both")
	case cfg.WebhookURL == "" && cfg.Token == "":
		return nil, errors.New("slack: a webhook URL or a bot token is required")
	case cfg.WebhookURL != "":
		u, err := url.Parse(cfg.WebhookURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return nil, errors.New("slack: the webhook URL is not an http(s) URL")
		}
	case cfg.Channel == "":
		return nil, errors.New("slack: a channel is required with a bot token")
	}
	if cfg.DigestChannel == "" {
		cfg.DigestChannel = cfg.Channel
	}
	if cfg.APIURL == "" {
		cfg.APIURL = DefaultAPIURL
	}
	if u, err := url.Parse(cfg.APIURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("slack: api_url %q is not an http(s) URL", cfg.APIURL)
	}
	if !strings.HasSuffix(cfg.APIURL, "/") {
		cfg.APIURL += "/"
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	c := polite.NewClient(nil, DefaultTimeout)
	if hc != nil {
		cp := *hc
		c = &cp
		if c.Timeout <= 0 {
			c.Timeout = DefaultTimeout
		}
	}
	c.Timeout = requestTimeout(cfg)
	// A webhook or API call that redirects has not delivered: never follow
	// it (the URL is a secret, and a POST carries the message elsewhere).
	c = polite.NoRedirects(c)
	c.Transport = capture{base: c.Transport}
	n := &Notifier{cfg: cfg, hc: c, logger: logger, sent: map[string]int{}, channelIDs: map[string]string{}}
	if cfg.Token != "" {
		n.api = slackgo.New(cfg.Token,
			slackgo.OptionHTTPClient(c),
			slackgo.OptionAPIURL(cfg.APIURL),
			slackgo.OptionLog(log.New(io.Discard, "", 0)))
	}
	return n, nil
}

// requestTimeout is the configured timeout, or the mode's default.
func requestTimeout(cfg Config) time.Duration {
	switch {
	case cfg.Timeout > 0:
		return cfg.Timeout
	case cfg.WebhookURL != "":
		return WebhookTimeout
	}
	return DefaultTimeout
}

// MaxBatch is how many finding notices fit one message within Slack's
// limits; the engine splits larger groups.
func (n *Notifier) MaxBatch() int { return maxBatch }

// outgoing is one message and where it goes, with the metadata that
// names its notices.
type outgoing struct {
	channel string
	msg     Message
	// keys are the notices' keys; part and parts number the messages of a
	// delivery that takes several (1-based).
	keys        string
	part, parts int
}

// Deliver makes one attempt to post the notices of one group as one
// message (a large digest may take a few). A retry after a partial
// failure resumes after the messages already posted.
func (n *Notifier) Deliver(ctx context.Context, notices []watcher.Notice) error {
	out, err := n.render(notices)
	if err != nil || len(out) == 0 {
		return err
	}
	key := out[0].keys
	for _, nt := range notices {
		if nt.ID == 0 { // not from the outbox: nothing to resume
			key = ""
		}
	}
	n.mu.Lock()
	start := n.sent[key]
	n.mu.Unlock()
	for i := start; i < len(out); i++ {
		if verr := Validate(out[i].msg); verr != nil {
			n.logger.Warn("slack: message outside limits; posting anyway", "error", verr)
		}
		out[i].part, out[i].parts = i+1, len(out)
		if err := n.post(ctx, out[i]); err != nil {
			n.logger.Debug("slack: delivery failed", "mode", n.mode(), "notices", len(notices), "error", err)
			n.mu.Lock()
			if i > 0 && key != "" && !watcher.IsPermanent(err) {
				n.sent[key] = i
			} else {
				delete(n.sent, key)
			}
			n.mu.Unlock()
			return err
		}
	}
	n.mu.Lock()
	delete(n.sent, key)
	n.mu.Unlock()
	n.logger.Debug("slack: posted", "mode", n.mode(), "notices", len(notices), "messages", len(out)-start)
	return nil
}

// render turns a group into messages: the finding notices share one, each
// digest has its own (in bot mode, in the digest channel). A digest that
// stands for older ones says so.
func (n *Notifier) render(notices []watcher.Notice) ([]outgoing, error) {
	var findings []watcher.Notice
	var out []outgoing
	keys := noticeKeys(notices)
	for _, nt := range notices {
		switch {
		case nt.Finding != nil:
			findings = append(findings, nt)
		case nt.Kind == watcher.NoticeDigest || nt.Digest != nil:
			for i, m := range RenderDigest(nt.Digest, Options{PublicURL: n.cfg.PublicURL}) {
				if h := nt.History(); h != "" && i == 0 {
					m = withHistory(m, h)
				}
				out = append(out, outgoing{channel: n.cfg.DigestChannel, msg: m, keys: keys})
			}
		default:
			return nil, &watcher.PermanentError{Err: fmt.Errorf("slack: notice %d has neither a finding nor a digest", nt.ID)}
		}
	}
	if len(findings) > 0 {
		out = append([]outgoing{{channel: n.cfg.Channel, msg: RenderNotices(findings, Options{PublicURL: n.cfg.PublicURL}), keys: keys}}, out...)
	}
	return out, nil
}

// post sends one message. Only Slack's own success counts: a webhook's
// 200 "ok", a bot's {"ok":true} with the message's ts. In bot mode the
// message carries its notices' keys as metadata, so a lost answer can be
// checked in the channel's history (Find).
// withHistory adds what a collapsed digest stands for to its summary line
// (a context block of one element), so the message keeps its block count.
func withHistory(m Message, history string) Message {
	el := mrkdwn(notify.EscapeCap(history, 300))
	blocks := append([]slackgo.Block(nil), m.Blocks...)
	for i, b := range blocks {
		if cb, ok := b.(*slackgo.ContextBlock); ok && len(cb.ContextElements.Elements) < 10 {
			c := *cb
			c.ContextElements.Elements = append(append([]slackgo.MixedElement(nil), cb.ContextElements.Elements...), el)
			blocks[i] = &c
			m.Blocks = blocks
			return m
		}
	}
	if len(blocks) < maxBlocks {
		m.Blocks = append(blocks, contextBlock(notify.EscapeCap(history, 300)))
	}
	return m
}

func (n *Notifier) post(ctx context.Context, o outgoing) error {
	rec := &record{keepOK: true}
	ctx = context.WithValue(ctx, recordKey{}, rec)
	if n.api == nil {
		err := slackgo.PostWebhookCustomHTTPContext(ctx, n.cfg.WebhookURL, n.hc, o.msg.Webhook())
		if err == nil {
			err = webhookSuccess(rec)
		}
		return n.classify(err, rec, "")
	}
	channel, ts, err := n.api.PostMessageContext(ctx, o.channel,
		slackgo.MsgOptionBlocks(o.msg.Blocks...),
		slackgo.MsgOptionText(o.msg.Text, false),
		slackgo.MsgOptionDisableLinkUnfurl(),
		slackgo.MsgOptionDisableMediaUnfurl(),
		slackgo.MsgOptionMetadata(metadata(o)))
	if err == nil {
		err = botSuccess(rec, ts)
	}
	if err == nil && channel != "" {
		n.mu.Lock()
		n.channelIDs[o.channel] = channel
		n.mu.Unlock()
	}
	return n.classify(err, rec, "chat.postMessage")
}

func (n *Notifier) mode() string {
	if n.api == nil {
		return "webhook"
	}
	return "bot"
}

// noticeKeys names a group's notices, and the ones they stand for, in a
// message's metadata; it also identifies the group across attempts.
func noticeKeys(notices []watcher.Notice) string {
	var keys []string
	for _, nt := range notices {
		for _, m := range nt.All() {
			keys = append(keys, m.Key())
		}
	}
	return strings.Join(keys, ",")
}
