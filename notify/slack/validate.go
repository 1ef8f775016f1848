package slack

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Slack's limits (docs.slack.dev Block Kit reference), and our own, lower
// budgets where Slack's are undocumented or fail silently.
const (
	maxBlocks      = 50
	maxHeader      = 150
	maxSectionText = 3000
	maxFields      = 10
	maxFieldText   = 2000
	maxContextEls  = 10
	maxBlockID     = 255
	// maxFallback keeps the message text well under the 4,000 Slack
	// advises; beyond 40,000 it truncates silently.
	maxFallback = 3000
	// maxBlockText bounds all the text of a message's blocks together:
	// Slack answers msg_blocks_too_long near 13,200 characters even when
	// every block is within its own limit (bolt-js#2509).
	maxBlockText = 12000
)

// Validate checks a message against Slack's limits and our safety rules:
// at most 50 blocks, a plain_text header of at most 150 characters,
// section text of at most 3,000, at most 10 context elements, fallback
// text present and well under 4,000, all block text within a total
// budget, unfurling off, and mrkdwn that cannot mention or link (no raw
// "<", every "&" an entity, ">" only as a quote marker). It returns every
// problem found, joined.
func Validate(m Message) error {
	b, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("marshal: %w", err)
	}
	return ValidatePayload(b)
}

// ValidatePayload is Validate for a JSON payload as Slack receives it
// (webhook or chat.postMessage JSON body), such as one recorded by a
// simulated Slack.
func ValidatePayload(payload []byte) error {
	var p struct {
		Text        string            `json:"text"`
		Blocks      []json.RawMessage `json:"blocks"`
		UnfurlLinks *bool             `json:"unfurl_links"`
		UnfurlMedia *bool             `json:"unfurl_media"`
		LinkNames   any               `json:"link_names"`
	}
	if err := json.Unmarshal(payload, &p); err != nil {
		return fmt.Errorf("decode payload: %w", err)
	}
	v := &validator{}
	switch n := runes(p.Text); {
	case n == 0:
		v.fail("text: empty fallback")
	case n > maxFallback:
		v.fail("text: %d characters, over %d", n, maxFallback)
	}
	v.safe("text", p.Text)
	if p.UnfurlLinks == nil || *p.UnfurlLinks || p.UnfurlMedia == nil || *p.UnfurlMedia {
		v.fail("unfurl_links and unfurl_media must be false")
	}
	if p.LinkNames != nil {
		v.fail("link_names must be unset")
	}
	if len(p.Blocks) == 0 || len(p.Blocks) > maxBlocks {
		v.fail("blocks: %d, want 1 to %d", len(p.Blocks), maxBlocks)
	}
	ids := map[string]bool{}
	for i, raw := range p.Blocks {
		v.block(fmt.Sprintf("blocks[%d]", i), raw, ids)
	}
	if v.total > maxBlockText {
		v.fail("blocks: %d characters of text in all, over %d", v.total, maxBlockText)
	}
	return errors.Join(v.errs...)
}

type textObject struct {
	Type     string `json:"type"`
	Text     string `json:"text"`
	Verbatim bool   `json:"verbatim"`
}

type validator struct {
	errs  []error
	total int
}

func (v *validator) fail(format string, args ...any) {
	v.errs = append(v.errs, fmt.Errorf(format, args...))
}

func (v *validator) block(at string, raw json.RawMessage, ids map[string]bool) {
	var b struct {
		Type     string            `json:"type"`
		BlockID  string            `json:"block_id"`
		Text     *textObject       `json:"text"`
		Fields   []textObject      `json:"fields"`
		Elements []json.RawMessage `json:"elements"`
	}
	if err := json.Unmarshal(raw, &b); err != nil {
		v.fail("%s: %v", at, err)
		return
	}
	if b.BlockID != "" {
		if len(b.BlockID) > maxBlockID || ids[b.BlockID] {
			v.fail("%s: block_id too long or repeated", at)
		}
		ids[b.BlockID] = true
	}
	switch b.Type {
	case "header":
		if b.Text == nil || b.Text.Type != "plain_text" {
			v.fail("%s: header needs plain_text", at)
			return
		}
		v.text(at+".text", *b.Text, maxHeader)
	case "section":
		if b.Text == nil && len(b.Fields) == 0 {
			v.fail("%s: section without text or fields", at)
		}
		if b.Text != nil {
			v.text(at+".text", *b.Text, maxSectionText)
		}
		if len(b.Fields) > maxFields {
			v.fail("%s: %d fields, over %d", at, len(b.Fields), maxFields)
		}
		for i, f := range b.Fields {
			v.text(fmt.Sprintf("%s.fields[%d]", at, i), f, maxFieldText)
		}
	case "context":
		if len(b.Elements) == 0 || len(b.Elements) > maxContextEls {
			v.fail("%s: %d elements, want 1 to %d", at, len(b.Elements), maxContextEls)
		}
		for i, raw := range b.Elements {
			var t textObject
			if err := json.Unmarshal(raw, &t); err != nil || (t.Type != "mrkdwn" && t.Type != "plain_text") {
				v.fail("%s.elements[%d]: not a text object", at, i)
				continue
			}
			v.text(fmt.Sprintf("%s.elements[%d]", at, i), t, maxSectionText)
		}
	case "divider":
	default:
		v.fail("%s: unexpected block type %q", at, b.Type)
	}
}

func (v *validator) text(at string, t textObject, limit int) {
	n := runes(t.Text)
	v.total += n
	if n == 0 || n > limit {
		v.fail("%s: %d characters, want 1 to %d", at, n, limit)
	}
	switch t.Type {
	case "mrkdwn":
		if !t.Verbatim {
			v.fail("%s: mrkdwn must be verbatim", at)
		}
		v.safe(at, t.Text)
	case "plain_text":
	default:
		v.fail("%s: unknown text type %q", at, t.Type)
	}
}

// safe checks that mrkdwn text holds no control sequence Slack would act
// on: no "<" at all (the only links we write are to the web view's
// finding pages, and no mentions), every "&"
// one of the three entities, and ">" only as a quote marker at a line's
// start.
func (v *validator) safe(at, s string) {
	s = ownLinks.ReplaceAllString(s, "") // links.go: ours, to the web view
	if strings.Contains(s, "<") {
		v.fail("%s: raw '<' in mrkdwn", at)
	}
	for i := strings.IndexByte(s, '&'); i >= 0; i = nextByte(s, '&', i) {
		rest := s[i:]
		if !strings.HasPrefix(rest, "&amp;") && !strings.HasPrefix(rest, "&lt;") && !strings.HasPrefix(rest, "&gt;") {
			v.fail("%s: bare '&' in mrkdwn", at)
			break
		}
	}
	for _, line := range strings.Split(s, "\n") {
		if strings.Contains(strings.TrimPrefix(line, "> "), ">") {
			v.fail("%s: raw '>' in mrkdwn", at)
			break
		}
	}
}

func nextByte(s string, c byte, after int) int {
	j := strings.IndexByte(s[after+1:], c)
	if j < 0 {
		return -1
	}
	return after + 1 + j
}

func runes(s string) int { return utf8.RuneCountInString(s) }
