// Package webhook posts notices as a documented, versioned JSON body to a
// URL, for PagerDuty or Opsgenie bridges, ticket bots and anything else
// that speaks HTTP. With a secret, each body is signed with HMAC-SHA256
// in the X-Driftwatch-Signature header ("sha256=" and the hex digest of
// the body), so the receiving end can check it came from us and was not
// changed. One notice is one request; its id stays the same across
// retries, so a receiver that saw it before can drop it.
package webhook

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/driftwatch/driftwatch/notify"
	"github.com/driftwatch/driftwatch/watcher"
)

// Version is the body's format version; a change that is not an addition
// raises it.
const Version = "1"

// SignatureHeader carries the body's HMAC-SHA256.
const SignatureHeader = "X-Driftwatch-Signature"

// DefaultTimeout bounds one post.
const DefaultTimeout = 30 * time.Second

// Config is a webhook receiver.
type Config struct {
	// Name is the receiver's name, sent in the body.
	Name string
	// URL receives the posts; it is a secret.
	URL string
	// Secret, when set, signs every body; it is a secret.
	Secret string
	// PublicURL is the daemon's web view: bodies link to the finding's page.
	PublicURL string
	// Timeout bounds one post (DefaultTimeout when 0).
	Timeout time.Duration
}

// Notifier posts notices to a webhook.
type Notifier struct {
	cfg Config
	hc  *http.Client
	now func() time.Time
}

var _ watcher.Notifier = (*Notifier)(nil)

// New checks cfg and returns a Notifier; errors never quote the URL.
func New(cfg Config) (*Notifier, error) {
	cfg.URL, cfg.Secret = strings.TrimSpace(cfg.URL), strings.TrimSpace(cfg.Secret)
	if u, err := url.Parse(cfg.URL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, errors.New("webhook: the URL is not an http(s) URL")
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	return &Notifier{cfg: cfg, hc: notify.NewClient(cfg.Timeout), now: time.Now}, nil
}

// MaxBatch is 1: one notice, one request, one id.
func (n *Notifier) MaxBatch() int { return 1 }

// Body is the JSON posted for each notice (version "1").
type Body struct {
	Version string `json:"version"`
	// Kind is "finding" (opened, reopened, escalated, acked, silenced),
	// "resolved", "digest", or "test" (driftwatch notify test).
	Kind string `json:"kind"`
	// Event is the notice's own kind: opened, reopened, escalated,
	// resolved, acked, silenced, digest, test.
	Event string `json:"event"`
	// ID is the notice's key, the same on every retry: deduplicate on it.
	ID       string `json:"id"`
	Receiver string `json:"receiver"`
	SentAt   string `json:"sent_at"`
	// History says what a notice that stands for earlier ones of the same
	// finding went through ("Opened and resolved while the webhook was
	// unreachable.").
	History string   `json:"history,omitempty"`
	Finding *Finding `json:"finding,omitempty"`
	// Page is the finding's page on the web view (server.public_url).
	Page   string  `json:"page,omitempty"`
	Digest *Digest `json:"digest,omitempty"`
	Text   string  `json:"text,omitempty"`
}

// MaxExcerpt caps the finding's upstream excerpt in the body, in
// characters (as the email caps it): release notes can run long.
const MaxExcerpt = 2000

// Finding is the body's finding: the object of `findings --format json`
// with the upstream excerpt added (null without one). The excerpt is the
// upstream's text: cleaned of control characters and capped, but to be
// treated as untrusted by whatever shows it.
type Finding struct {
	*watcher.Finding
	Excerpt string `json:"excerpt"`
}

// MarshalJSON adds "excerpt" to the finding object, keeping its fields and
// their order.
func (f Finding) MarshalJSON() ([]byte, error) {
	b, err := json.Marshal(f.Finding)
	if err != nil {
		return nil, err
	}
	ex := []byte("null")
	if f.Excerpt != "" {
		if ex, err = json.Marshal(f.Excerpt); err != nil {
			return nil, err
		}
	}
	if len(b) < 2 || b[len(b)-1] != '}' {
		return nil, errors.New("webhook: the finding is not a JSON object")
	}
	out := append(b[:len(b)-1:len(b)-1], `,"excerpt":`...)
	return append(append(out, ex...), '}'), nil
}

// Digest is a digest in the body.
type Digest struct {
	Since   string         `json:"since"`
	Until   string         `json:"until"`
	Sources []DigestSource `json:"sources"`
}

// DigestSource is one source's part of a digest.
type DigestSource struct {
	Name         string               `json:"name"`
	Type         string               `json:"type"`
	Snapshots    int                  `json:"snapshots"`
	New          []watcher.DigestItem `json:"new"`
	ChangesTotal int                  `json:"changes_total"`
	Opened       []watcher.Finding    `json:"opened"`
	Resolved     []watcher.Finding    `json:"resolved"`
	StillOpen    []watcher.Finding    `json:"still_open"`
	// Acked and Silenced count the unresolved findings handled: not
	// listed among the open ones.
	Acked    int `json:"acked"`
	Silenced int `json:"silenced"`
}

// Deliver posts each notice as one request.
func (n *Notifier) Deliver(ctx context.Context, notices []watcher.Notice) error {
	for _, nt := range notices {
		b, err := json.Marshal(n.body(nt))
		if err != nil {
			return &watcher.PermanentError{Err: err}
		}
		if err := n.post(ctx, b); err != nil {
			return err
		}
	}
	return nil
}

// Test posts a test message.
func (n *Notifier) Test(ctx context.Context) error {
	b, err := json.Marshal(Body{Version: Version, Kind: "test", Event: "test", ID: "test-" + n.now().UTC().Format("20060102T150405Z"),
		Receiver: n.cfg.Name, SentAt: watcher.FormatTime(n.now()),
		Text: "driftwatch test message: this receiver is set up. Nothing to do."})
	if err != nil {
		return err
	}
	return n.post(ctx, b)
}

func (n *Notifier) post(ctx context.Context, body []byte) error {
	h := http.Header{}
	if n.cfg.Secret != "" {
		h.Set(SignatureHeader, Sign(n.cfg.Secret, body))
	}
	err := notify.PostJSON(ctx, n.hc, "webhook", n.cfg.URL, body, h, n.cfg.Secret)
	return notify.Redact(err, n.cfg.Secret)
}

// Sign returns the signature header's value for body: "sha256=" and the
// lowercase hex HMAC-SHA256 of the exact body bytes, keyed with secret.
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Verify checks a signature header against body in constant time: what a
// receiving end does.
func Verify(secret string, body []byte, header string) bool {
	return hmac.Equal([]byte(Sign(secret, body)), []byte(header))
}

func (n *Notifier) body(nt watcher.Notice) Body {
	b := Body{Version: Version, Kind: "finding", Event: string(nt.Kind), ID: nt.Key(), Receiver: n.cfg.Name,
		SentAt: watcher.FormatTime(n.now()), History: nt.HistoryVia("the webhook")}
	if nt.Finding != nil {
		b.Finding = &Finding{Finding: nt.Finding,
			Excerpt: notify.Truncate(strings.TrimSpace(notify.Clean(notify.Clip(nt.Finding.Excerpt, 4*MaxExcerpt))), MaxExcerpt)}
		b.Page = notify.FindingPage(n.cfg.PublicURL, nt.Finding.ID)
	}
	switch {
	case nt.Kind == watcher.NoticeResolved:
		b.Kind = "resolved"
	case nt.Kind == watcher.NoticeDigest || nt.Digest != nil:
		b.Kind, b.Event = "digest", "digest"
		b.Digest = digest(nt.Digest)
	}
	return b
}

func digest(d *watcher.Digest) *Digest {
	if d == nil {
		return nil
	}
	out := &Digest{Since: watcher.FormatTime(d.Since), Until: watcher.FormatTime(d.Until), Sources: []DigestSource{}}
	for _, s := range d.Sources {
		out.Sources = append(out.Sources, DigestSource{Name: s.Name, Type: s.Type, Snapshots: s.Snapshots,
			New: nonNil(s.New), ChangesTotal: s.ChangesTotal, Opened: nonNil(s.Opened), Resolved: nonNil(s.Resolved),
			StillOpen: nonNil(s.StillOpen), Acked: s.Acked, Silenced: s.Silenced})
	}
	return out
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
