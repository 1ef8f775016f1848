// Package msteams posts notices to a Microsoft Teams channel through a
// Teams Workflows (Power Automate) webhook: the template "Post to a
// channel when a webhook request is received" takes a message whose
// attachments are Adaptive Cards. (The Office 365 connectors and their
// MessageCard format are retired.) Upstream text is escaped so it cannot
// form Markdown links or emphasis in the card.
package msteams

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/driftwatch/driftwatch/notify"
	"github.com/driftwatch/driftwatch/notify/console"
	"github.com/driftwatch/driftwatch/watcher"
)

// DefaultTimeout bounds one post.
const DefaultTimeout = 30 * time.Second

// maxText caps a card's long texts: Teams rejects messages over about 28 KB.
const maxText = 2000

// Config is a Teams receiver.
type Config struct {
	// WebhookURL is the workflow's HTTP POST URL; it is a secret.
	WebhookURL string
	// PublicURL is the daemon's web view: cards link to the findings' pages.
	PublicURL string
	// Timeout bounds one post (DefaultTimeout when 0).
	Timeout time.Duration
}

// Notifier posts notices to Teams.
type Notifier struct {
	cfg Config
	hc  *http.Client
}

var _ watcher.Notifier = (*Notifier)(nil)

// New checks cfg and returns a Notifier; errors never quote the URL.
func New(cfg Config) (*Notifier, error) {
	cfg.WebhookURL = strings.TrimSpace(cfg.WebhookURL)
	if u, err := url.Parse(cfg.WebhookURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, errors.New("msteams: the webhook URL is not an http(s) URL")
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	return &Notifier{cfg: cfg, hc: notify.NewClient(cfg.Timeout)}, nil
}

// MaxBatch is how many notices share one card.
func (n *Notifier) MaxBatch() int { return 10 }

// Deliver posts the notices of one group as one card, and each digest as
// its own.
func (n *Notifier) Deliver(ctx context.Context, notices []watcher.Notice) error {
	var findings []watcher.Notice
	for _, nt := range notices {
		switch {
		case nt.Finding != nil:
			findings = append(findings, nt)
		case nt.Digest != nil:
			if err := n.post(ctx, DigestCard(nt)); err != nil {
				return err
			}
		}
	}
	if len(findings) == 0 {
		return nil
	}
	return n.post(ctx, NoticesCard(findings, n.cfg.PublicURL))
}

// Test posts a test card.
func (n *Notifier) Test(ctx context.Context) error {
	return n.post(ctx, card(
		textBlock("driftwatch test message", "Bolder", "Medium", ""),
		textBlock("This receiver is set up: notices will arrive here. Nothing to do.", "", "", "")))
}

func (n *Notifier) post(ctx context.Context, c Card) error {
	b, err := json.Marshal(Message{Type: "message", Attachments: []Attachment{{
		ContentType: "application/vnd.microsoft.card.adaptive", Content: c}}})
	if err != nil {
		return &watcher.PermanentError{Err: err}
	}
	return notify.PostJSON(ctx, n.hc, "msteams", n.cfg.WebhookURL, b, nil)
}

// Message is what the workflow's webhook trigger takes.
type Message struct {
	Type        string       `json:"type"`
	Attachments []Attachment `json:"attachments"`
}

// Attachment holds one Adaptive Card.
type Attachment struct {
	ContentType string  `json:"contentType"`
	ContentURL  *string `json:"contentUrl"`
	Content     Card    `json:"content"`
}

// Card is an Adaptive Card (version 1.4, which Teams renders).
type Card struct {
	Schema  string    `json:"$schema"`
	Type    string    `json:"type"`
	Version string    `json:"version"`
	Body    []Element `json:"body"`
	Actions []Action  `json:"actions,omitempty"`
	MSTeams *struct {
		Width string `json:"width"`
	} `json:"msteams,omitempty"`
}

// Element is a TextBlock or a FactSet.
type Element struct {
	Type      string `json:"type"`
	Text      string `json:"text,omitempty"`
	Weight    string `json:"weight,omitempty"`
	Size      string `json:"size,omitempty"`
	Color     string `json:"color,omitempty"`
	Wrap      bool   `json:"wrap,omitempty"`
	IsSubtle  bool   `json:"isSubtle,omitempty"`
	Separator bool   `json:"separator,omitempty"`
	Facts     []Fact `json:"facts,omitempty"`
}

// Fact is one title: value line of a FactSet.
type Fact struct {
	Title string `json:"title"`
	Value string `json:"value"`
}

// Action is an Action.OpenUrl button.
type Action struct {
	Type  string `json:"type"`
	Title string `json:"title"`
	URL   string `json:"url"`
}

func card(body ...Element) Card {
	c := Card{Schema: "http://adaptivecards.io/schemas/adaptive-card.json", Type: "AdaptiveCard", Version: "1.4", Body: body}
	c.MSTeams = &struct {
		Width string `json:"width"`
	}{Width: "Full"}
	return c
}

func textBlock(text, weight, size, color string) Element {
	return Element{Type: "TextBlock", Text: text, Weight: weight, Size: size, Color: color, Wrap: true}
}

var mdEscaper = strings.NewReplacer(`\`, `\\`, "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`, "(", `\(`, ")", `\)`,
	"`", "\\`", "#", `\#`, "<", "&lt;", ">", "&gt;", "~", `\~`)

// Escape makes untrusted text plain in a TextBlock's Markdown subset: no
// link, emphasis or heading can be formed from it.
func Escape(s string, n int) string {
	return mdEscaper.Replace(notify.Truncate(notify.Clean(s), n))
}

func color(sev watcher.Severity, kind watcher.NoticeKind) string {
	switch {
	case kind == watcher.NoticeResolved:
		return "Good"
	case sev == watcher.Breaking:
		return "Attention"
	case sev == watcher.Warning:
		return "Warning"
	}
	return "Default"
}

// NoticesCard renders finding notices as one card; with publicURL each
// links to its page on the web view.
func NoticesCard(notices []watcher.Notice, publicURL string) Card {
	var body []Element
	var actions []Action
	limit := maxText
	if len(notices) > 1 {
		limit = maxText / 3 // ten notices stay well within Teams' 28 KB
	}
	for i, nt := range notices {
		f := nt.Finding
		tag := strings.ToUpper(f.Severity.String())
		if nt.Kind != watcher.NoticeOpened {
			tag += " · " + string(nt.Kind)
		}
		head := textBlock(fmt.Sprintf("%s: %s", tag, Escape(notify.OneLine(f.Title), 300)), "Bolder", "Medium", color(f.Severity, nt.Kind))
		head.Separator = i > 0
		body = append(body, head)
		facts := []Fact{{"Source", Escape(f.Source, 100)}, {"Kind", Escape(f.Category.Plain(), 100)},
			{"Rule", Escape(f.Rule, 100)}, {"State", string(f.State)}}
		if f.ID != 0 {
			facts = append(facts, Fact{"Finding", fmt.Sprintf("#%d (driftwatch ack %d)", f.ID, f.ID)})
		}
		body = append(body, Element{Type: "FactSet", Facts: facts})
		if h := nt.HistoryVia("Teams"); h != "" {
			b := textBlock(h, "", "", "")
			b.IsSubtle = true
			body = append(body, b)
		}
		if d := detail(f); d != "" && nt.Kind != watcher.NoticeResolved {
			body = append(body, textBlock(Escape(d, limit), "", "", ""))
		}
		if u := notify.FindingPage(publicURL, f.ID); u != "" && len(actions) < 5 {
			actions = append(actions, Action{Type: "Action.OpenUrl", Title: fmt.Sprintf("View #%d in driftwatch", f.ID), URL: u})
		}
		if u := console.WebURL(f.URL); u != "" && len(actions) < 5 {
			actions = append(actions, Action{Type: "Action.OpenUrl", Title: "Open " + Escape(f.Source, 40), URL: u})
		}
	}
	c := card(body...)
	c.Actions = actions
	return c
}

func detail(f *watcher.Finding) string {
	var parts []string
	if f.Old != "" || f.New != "" {
		parts = append(parts, "was: "+orAbsent(f.Old)+"\n\nnow: "+orAbsent(f.New))
	}
	if f.Excerpt != "" {
		parts = append(parts, "upstream says: "+f.Excerpt)
	}
	if f.Note != "" {
		parts = append(parts, "why it matters: "+f.Note)
	}
	if len(parts) == 0 {
		return f.Detail
	}
	return strings.Join(parts, "\n\n")
}

func orAbsent(s string) string {
	if s == "" {
		return "(absent)"
	}
	return notify.Truncate(notify.OneLine(s), 500)
}

// DigestCard renders a digest as one card: the console's text of it,
// escaped, under a title.
func DigestCard(nt watcher.Notice) Card {
	var sb strings.Builder
	_ = console.FormatDigest(&sb, nt.Digest)
	body := []Element{textBlock("driftwatch digest", "Bolder", "Medium", "")}
	if h := nt.HistoryVia("Teams"); h != "" {
		body = append(body, textBlock(h, "", "", ""))
	}
	text := Escape(sb.String(), 12000)
	// Markdown needs a blank line to break a line in a TextBlock.
	text = strings.ReplaceAll(text, "\n", "\n\n")
	body = append(body, textBlock(text, "", "", ""))
	return card(body...)
}
