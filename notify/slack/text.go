package slack

import (
	"encoding/json"
	"strings"

	slackgo "github.com/slack-go/slack"

	"github.com/driftwatch/driftwatch/notify"
)

var mrkdwnUnescaper = strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">")

// Text renders a message as plain text, the way `driftwatch demo` shows
// what would be posted: the header, each section, context lines joined by
// " · ", dividers as rules. Entities are decoded for reading and control
// characters dropped, so upstream text cannot drive the terminal.
func Text(m Message) string {
	var b strings.Builder
	for _, blk := range m.Blocks {
		switch blk := blk.(type) {
		case *slackgo.HeaderBlock:
			if blk.Text != nil {
				writeLine(&b, blk.Text.Text)
				writeLine(&b, strings.Repeat("=", min(runes(blk.Text.Text), 60)))
			}
		case *slackgo.SectionBlock:
			if blk.Text != nil {
				writeLine(&b, blk.Text.Text)
			}
			for _, f := range blk.Fields {
				writeLine(&b, f.Text)
			}
		case *slackgo.ContextBlock:
			var parts []string
			for _, e := range blk.ContextElements.Elements {
				if t, ok := e.(*slackgo.TextBlockObject); ok {
					parts = append(parts, t.Text)
				}
			}
			writeLine(&b, strings.Join(parts, " · "))
		case *slackgo.DividerBlock:
			writeLine(&b, "----")
		}
	}
	return b.String()
}

func writeLine(b *strings.Builder, s string) {
	b.WriteString(notify.Clean(mrkdwnUnescaper.Replace(s)))
	b.WriteByte('\n')
}

// ParseMessage reads a webhook payload back into a Message, so what a
// (simulated) Slack received can be shown with Text.
func ParseMessage(payload []byte) (Message, error) {
	var p struct {
		Text   string         `json:"text"`
		Blocks slackgo.Blocks `json:"blocks"`
	}
	if err := json.Unmarshal(payload, &p); err != nil {
		return Message{}, err
	}
	return Message{Text: p.Text, Blocks: p.Blocks.BlockSet}, nil
}
