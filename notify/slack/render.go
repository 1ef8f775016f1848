package slack

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"

	slackgo "github.com/slack-go/slack"

	"github.com/driftwatch/driftwatch/notify"
	"github.com/driftwatch/driftwatch/watcher"
)

// Message is one Slack message: Block Kit blocks, and the plain fallback
// text that notifications and screen readers show.
type Message struct {
	Text   string
	Blocks []slackgo.Block
}

// Webhook returns the message as an Incoming Webhook payload, with link and
// media unfurling off so upstream URLs never expand into previews.
func (m Message) Webhook() *slackgo.WebhookMessage {
	off := false
	blocks := &slackgo.Blocks{BlockSet: m.Blocks}
	return &slackgo.WebhookMessage{Text: m.Text, Blocks: blocks, UnfurlLinks: &off, UnfurlMedia: &off}
}

// MarshalJSON writes the message as the webhook payload Slack receives.
func (m Message) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(m.Webhook()); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// maxBatch is how many finding notices one message carries: with the
// group caps below, eight of the largest possible notices stay within
// maxBlockText and maxBlocks (the tests render worst cases to prove it).
const maxBatch = 8

// caps bound each piece of a notice, in runes after escaping. A message
// with one notice can afford a long excerpt; a group shares the budget.
type caps struct {
	title, value, excerpt, lines, note, detail, path, rule int
}

var (
	singleCaps = caps{title: 300, value: 400, excerpt: 1500, lines: 25, note: 400, detail: 1800, path: 200, rule: 80}
	groupCaps  = caps{title: 200, value: 150, excerpt: 320, lines: 8, note: 150, detail: 420, path: 100, rule: 60}
)

// RenderNotices renders the notices of one group (one source, one poll) as
// one message within Slack's limits. Beyond maxBatch notices it shows the
// most severe and says how many more there are; notices without a finding
// (digests) are left out.
func RenderNotices(notices []watcher.Notice, opts ...Options) Message {
	o := options(opts)
	var ns []watcher.Notice
	for _, n := range notices {
		if n.Finding != nil {
			ns = append(ns, n)
		}
	}
	sort.SliceStable(ns, func(i, j int) bool { return rank(ns[i]) > rank(ns[j]) })
	src := groupSource(ns)
	shown, hidden := ns, 0
	if len(shown) > maxBatch {
		shown, hidden = ns[:maxBatch], len(ns)-maxBatch
	}
	c := groupCaps
	if len(shown) == 1 {
		c = singleCaps
	}
	blocks := []slackgo.Block{header(noticesHeader(ns, src))}
	for i, n := range shown {
		if i > 0 {
			blocks = append(blocks, slackgo.NewDividerBlock())
		}
		blocks = append(blocks, noticeBlocks(n, c, o)...)
	}
	if hidden > 0 {
		blocks = append(blocks, section(fmt.Sprintf("…and %d more on %s: run `driftwatch findings --source %s` to see them all.",
			hidden, notify.EscapeCap(src, 100), notify.EscapeCap(src, 100))))
	}
	if len(ns) == 0 {
		blocks = append(blocks, section("No findings to report."))
	}
	return Message{Text: noticesFallback(ns, src), Blocks: blocks}
}

// rank orders a group: open problems first, most severe first; resolved
// notices last.
func rank(n watcher.Notice) int {
	if n.Kind == watcher.NoticeResolved {
		return 0
	}
	return int(n.Finding.Severity) + 1
}

func groupSource(ns []watcher.Notice) string {
	seen := map[string]bool{}
	var first string
	for _, n := range ns {
		s := n.Source
		if s == "" {
			s = n.Finding.Source
		}
		if !seen[s] {
			seen[s] = true
			if first == "" {
				first = s
			}
		}
	}
	if len(seen) > 1 {
		return fmt.Sprintf("%d sources", len(seen))
	}
	return notify.OneLine(notify.Clip(first, 400))
}

// counts splits a group into open problems and resolved ones, and finds
// the highest severity among the open and how many are of it.
func counts(ns []watcher.Notice) (open, resolved int, top watcher.Severity, atTop int) {
	for _, n := range ns {
		if n.Kind == watcher.NoticeResolved {
			resolved++
			continue
		}
		open++
		switch {
		case open == 1 || n.Finding.Severity > top:
			top, atTop = n.Finding.Severity, 1
		case n.Finding.Severity == top:
			atTop++
		}
	}
	return open, resolved, top, atTop
}

// worstCount says how many of a group's open findings are of the worst
// severity, so that one breaking finding among eight does not label the
// eight: "8 findings on auth0-prod (1 breaking)".
func worstCount(top watcher.Severity, atTop int) string {
	var worst string
	switch top {
	case watcher.Breaking:
		worst = fmt.Sprintf("%d breaking", atTop)
	case watcher.Warning:
		worst = plural(atTop, "warning")
	default:
		worst = fmt.Sprintf("%d %s", atTop, strings.ToLower(word(top)))
	}
	return worst
}

func noticesHeader(ns []watcher.Notice, src string) string {
	open, resolved, top, atTop := counts(ns)
	if len(ns) == 1 {
		n := ns[0]
		switch n.Kind {
		case watcher.NoticeResolved:
			return "✅ Resolved: " + src
		case watcher.NoticeReopened:
			return fmt.Sprintf("%s %s, reopened: %s", emoji(top), word(top), src)
		case watcher.NoticeEscalated:
			return fmt.Sprintf("%s Escalated to %s: %s", emoji(top), top, src)
		case watcher.NoticeAcked:
			return "☑️ Acknowledged: " + src
		case watcher.NoticeSilenced:
			return "🔕 Silenced: " + src
		}
		return fmt.Sprintf("%s %s: %s", emoji(top), word(top), src)
	}
	if open == 0 {
		return fmt.Sprintf("✅ %d findings resolved: %s", resolved, src)
	}
	h := fmt.Sprintf("%s %s on %s (%s)", emoji(top), plural(open, "finding"), src, worstCount(top, atTop))
	if resolved > 0 {
		h += fmt.Sprintf("; %d resolved", resolved)
	}
	return h
}

func noticesFallback(ns []watcher.Notice, src string) string {
	if len(ns) == 0 {
		return "driftwatch: no findings to report"
	}
	open, resolved, top, atTop := counts(ns)
	tag := "resolved"
	if open > 0 {
		tag = top.String()
	}
	if len(ns) == 1 {
		switch ns[0].Kind {
		case watcher.NoticeReopened:
			tag += ", reopened"
		case watcher.NoticeEscalated, watcher.NoticeAcked, watcher.NoticeSilenced:
			tag += ", " + string(ns[0].Kind)
		}
		text := fmt.Sprintf("[%s] %s: %s", tag, notify.EscapeCap(src, 100), line(ns[0].Finding.Title, 400))
		if h := ns[0].History(); h != "" {
			text += " — " + notify.EscapeCap(h, 200)
		}
		return text
	}
	summary := plural(open, "finding") + " (" + worstCount(top, atTop) + ")"
	if open == 0 {
		summary = plural(resolved, "finding") + " resolved"
	} else if resolved > 0 {
		summary += fmt.Sprintf(", %d resolved", resolved)
	}
	titles := make([]string, 0, len(ns))
	for _, n := range ns {
		titles = append(titles, notify.OneLine(notify.Clip(n.Finding.Title, 600)))
		if len(titles) == maxBatch {
			break
		}
	}
	return fmt.Sprintf("[%s] %s: %s — %s", tag, notify.EscapeCap(src, 100), summary,
		notify.EscapeCap(strings.Join(titles, "; "), 500))
}

// noticeBlocks renders one notice: what happened and what kind of problem
// it is, the values and upstream words behind it, and how to ack it.
func noticeBlocks(n watcher.Notice, c caps, o Options) []slackgo.Block {
	f := n.Finding
	title := line(f.Title, c.title)
	if title == "" {
		title = "(untitled finding)"
	}
	var head, tail string
	switch n.Kind {
	case watcher.NoticeResolved:
		head = "✅ *Resolved:* " + title
		tail = " · was " + f.Severity.String() + " · no longer holds, nothing to do"
	case watcher.NoticeReopened:
		head = emoji(f.Severity) + " *Reopened:* " + title
		tail = " · " + f.Severity.String() + " · it had resolved and is back"
	case watcher.NoticeEscalated:
		head = emoji(f.Severity) + " *Escalated to " + f.Severity.String() + ":* " + title
		tail = " · " + f.Severity.String()
	case watcher.NoticeAcked:
		head = "☑️ *Acknowledged:* " + title
		tail = " · " + f.Severity.String() + " · acknowledged"
		if note := line(f.AckNote, 200); note != "" {
			tail += ": " + note
		}
	case watcher.NoticeSilenced:
		head = "🔕 *Silenced:* " + title
		tail = " · " + f.Severity.String() + " · silenced"
	default:
		head = emoji(f.Severity) + " *" + title + "*"
		tail = " · " + f.Severity.String()
	}
	blocks := []slackgo.Block{section(head + "\n_" + line(f.Category.Plain(), 60) + "_" + tail)}
	if h := n.History(); h != "" {
		// Notices that piled up are one message: say what happened.
		blocks = append(blocks, contextBlock(notify.EscapeCap(h, 200)))
	}
	if n.Kind == watcher.NoticeResolved {
		// What changed no longer holds: old and new values would only
		// confuse. The note still says why it mattered.
		if note := line(f.Note, c.note); note != "" {
			blocks = append(blocks, section("*Why it mattered:* "+note))
		}
	} else if d := details(f, c); d != "" {
		blocks = append(blocks, section(d))
	}
	var ctx []string
	if f.ID != 0 && n.Kind != watcher.NoticeResolved && n.Kind != watcher.NoticeAcked && n.Kind != watcher.NoticeSilenced {
		ctx = append(ctx, fmt.Sprintf("Ack: `driftwatch ack %d`", f.ID))
	}
	id := ""
	if f.ID != 0 {
		id = fmt.Sprintf("Finding #%d · ", f.ID)
	}
	ctx = append(ctx, id+"rule "+code(strings.Join(f.Rules(), " + "), c.rule))
	if f.Path != "" {
		ctx = append(ctx, "at "+code(f.Path, c.path))
	}
	if l := WebLink(f.URL, "Open ↗"); l != "" {
		ctx = append(ctx, l)
	}
	if u := o.findingURL(f.ID); u != "" {
		ctx = append(ctx, "<"+u+"|View in driftwatch>")
	}
	return append(blocks, contextBlock(ctx...))
}

// WebLink renders a URL as a mrkdwn link, or "" unless it is a plain
// http(s) URL: finding URLs can come from upstream (a feed entry's link),
// so a javascript: link or one that closes the link markup never passes.
func WebLink(u, label string) string {
	u = strings.TrimSpace(u)
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" || len(u) > 2000 {
		return ""
	}
	s := strings.NewReplacer("|", "%7C", "<", "%3C", ">", "%3E", " ", "%20", "&", "&amp;").Replace(p.String())
	return "<" + s + "|" + notify.EscapeMrkdwn(label) + ">"
}

// details renders old → new (just the value, for a state with no "before"),
// the quoted upstream excerpt and the expectation's note; when a rule
// filled none of them, its Detail text.
func details(f *watcher.Finding, c caps) string {
	var parts []string
	switch {
	case f.Old != "":
		parts = append(parts, "*Was:* "+value(f.Old, c.value)+"\n*Now:* "+value(f.New, c.value))
	case f.New != "":
		parts = append(parts, "*Now:* "+value(f.New, c.value))
	}
	if q := quote(f.Excerpt, c.excerpt, c.lines); q != "" {
		parts = append(parts, "*Upstream says:*\n"+q)
	}
	if note := line(f.Note, c.note); note != "" {
		parts = append(parts, "*Why it matters:* "+note)
	}
	if who := line(f.Changed.Text(), c.note); who != "" && len(parts) > 0 { // else the detail, which says it, is shown
		parts = append(parts, "*Who:* "+who)
	}
	if len(parts) == 0 {
		return notify.EscapeCap(strings.TrimSpace(notify.Clean(notify.Clip(f.Detail, clipFor(c.detail)))), c.detail)
	}
	return strings.Join(parts, "\n")
}

func value(s string, n int) string {
	if strings.TrimSpace(s) == "" {
		return "_(absent)_"
	}
	return code(s, n)
}

// code shows s as inline code on one line; a backtick inside would end the
// span, so it becomes a quote.
func code(s string, n int) string {
	s = strings.ReplaceAll(notify.OneLine(notify.Clip(s, clipFor(n))), "`", "'")
	if s == "" {
		return "_(none)_"
	}
	return "`" + notify.EscapeCap(s, n) + "`"
}

// quote renders upstream text as a mrkdwn block quote: at most maxLines
// lines and n runes of escaped text, plus the quote markers.
func quote(s string, n, maxLines int) string {
	var lines []string
	blank := false
	for _, l := range strings.Split(strings.TrimSpace(notify.Clean(notify.Clip(s, clipFor(n)))), "\n") {
		l = strings.TrimRight(l, " \t")
		if l == "" {
			if blank {
				continue
			}
			blank = true
		} else {
			blank = false
		}
		lines = append(lines, strings.ReplaceAll(l, "\t", " "))
	}
	if len(lines) == 1 && lines[0] == "" {
		return ""
	}
	cut := len(lines) > maxLines
	if cut {
		lines = lines[:maxLines]
	}
	text := strings.Join(lines, "\n")
	if cut {
		text += "\n" + notify.Ellipsis
	}
	var b strings.Builder
	for i, l := range strings.Split(notify.EscapeCap(text, n), "\n") {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString("> ")
		b.WriteString(l)
	}
	return b.String()
}

// line shows upstream text on one line, escaped, within n runes.
func line(s string, n int) string {
	return notify.EscapeCap(notify.OneLine(notify.Clip(s, clipFor(n))), n)
}

// clipFor is how many bytes of raw text are enough to fill n runes after
// cleaning: generous, since cleaning drops escapes and folds whitespace.
func clipFor(n int) int { return 8*n + 256 }

func header(text string) *slackgo.HeaderBlock {
	t := notify.Truncate(notify.OneLine(text), maxHeader)
	return slackgo.NewHeaderBlock(slackgo.NewTextBlockObject(slackgo.PlainTextType, t, true, false))
}

// section is a mrkdwn section; verbatim keeps Slack from turning bare
// names and URLs in the (escaped) text into mentions or links.
func section(text string) *slackgo.SectionBlock {
	return slackgo.NewSectionBlock(mrkdwn(text), nil, nil)
}

func mrkdwn(text string) *slackgo.TextBlockObject {
	return slackgo.NewTextBlockObject(slackgo.MarkdownType, text, false, true)
}

func contextBlock(texts ...string) *slackgo.ContextBlock {
	els := make([]slackgo.MixedElement, 0, len(texts))
	for _, t := range texts {
		els = append(els, mrkdwn(t))
	}
	return slackgo.NewContextBlock("", els...)
}

func emoji(s watcher.Severity) string {
	switch s {
	case watcher.Breaking:
		return "🔴"
	case watcher.Warning:
		return "🟠"
	}
	return "🔵"
}

func word(s watcher.Severity) string {
	switch s {
	case watcher.Breaking:
		return "Breaking"
	case watcher.Warning:
		return "Warning"
	case watcher.Info:
		return "Info"
	}
	return "Notice"
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
