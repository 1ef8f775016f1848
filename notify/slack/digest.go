package slack

import (
	"fmt"
	"strings"

	slackgo "github.com/slack-go/slack"

	"github.com/driftwatch/driftwatch/notify"
	"github.com/driftwatch/driftwatch/watcher"
)

// Digest lists are capped so that one source's part always fits one
// message; what is left out is counted ("…and 12 more").
const (
	digestItems    = 10
	digestChanges  = 8
	digestFindings = 10
	digestLine     = 160
	// digestLinkedLine leaves room for a link of MaxPublicURL characters.
	digestLinkedLine = 80
)

// RenderDigest renders a digest as one message, or as a few when many
// sources moved: each source's part is kept whole and parts are packed
// into messages within Slack's limits. An empty period is one short
// message that says so.
func RenderDigest(d *watcher.Digest, opts ...Options) []Message {
	o := options(opts)
	period := digestPeriod(d)
	if d == nil || d.Empty() {
		return []Message{{
			Text:   "driftwatch digest " + period + ": nothing changed",
			Blocks: []slackgo.Block{header("📋 Digest " + period), section("Nothing moved this period: no new snapshots, no changes, no findings.")},
		}}
	}
	var units [][]slackgo.Block
	var quiet []string
	opened, resolved, open, handled, moved := 0, 0, 0, 0, 0
	for i := range d.Sources {
		s := &d.Sources[i]
		if s.Moved() {
			moved++
		}
		opened += len(s.Opened)
		resolved += len(s.Resolved)
		open += s.Open()
		handled += s.Acked + s.Silenced
		if s.Empty() {
			quiet = append(quiet, notify.OneLine(notify.Clip(s.Name, 200)))
			continue
		}
		units = append(units, digestSource(s, o))
	}
	summary := fmt.Sprintf("%s moved · %s · %d resolved · %d open in all",
		plural(moved, "source"), plural(opened, "new finding"), resolved, open)
	if handled > 0 {
		summary += fmt.Sprintf(" · %d acknowledged or silenced", handled)
	}
	if len(quiet) > 0 {
		units = append(units, []slackgo.Block{contextBlock("No changes: " + notify.EscapeCap(strings.Join(quiet, ", "), 1000))})
	}
	fallback := "driftwatch digest " + period + ": " + summary

	// Pack the units greedily; every unit fits one message by the caps.
	var msgs [][]slackgo.Block
	var cur []slackgo.Block
	size := 0
	for _, u := range units {
		n := blocksText(u)
		if len(cur) > 0 && (len(cur)+len(u)+3 > maxBlocks || size+n+400 > maxBlockText) {
			msgs = append(msgs, cur)
			cur, size = nil, 0
		}
		if len(cur) > 0 {
			cur = append(cur, slackgo.NewDividerBlock())
		}
		cur = append(cur, u...)
		size += n
	}
	msgs = append(msgs, cur)

	out := make([]Message, len(msgs))
	for i, blocks := range msgs {
		title, text := "📋 Digest "+period, fallback
		if len(msgs) > 1 {
			title += fmt.Sprintf(" (%d/%d)", i+1, len(msgs))
			text += fmt.Sprintf(" (part %d of %d)", i+1, len(msgs))
		}
		head := []slackgo.Block{header(title)}
		if i == 0 {
			head = append(head, contextBlock(summary))
		}
		out[i] = Message{Text: text, Blocks: append(head, blocks...)}
	}
	return out
}

func digestPeriod(d *watcher.Digest) string {
	if d == nil || d.Since.IsZero() || d.Until.IsZero() {
		return "(no period)"
	}
	return d.Since.UTC().Format("2 Jan 2006") + " – " + d.Until.UTC().Format("2 Jan 2006")
}

// digestSource renders one source: what is new upstream, what settings
// changed, its open findings by category, and what resolved.
func digestSource(s *watcher.DigestSource, o Options) []slackgo.Block {
	name := line(s.Name, 100)
	head := "*" + name + "*"
	if s.Type != "" {
		head += " (" + line(s.Type, 40) + ")"
	}
	if s.Baseline {
		head += " · first snapshot (baseline)"
	}
	if s.Snapshots > 0 {
		head += " · " + plural(s.Snapshots, "new snapshot")
	}
	blocks := []slackgo.Block{section(head)}
	if len(s.New) > 0 {
		var lines []string
		for _, it := range s.New {
			l := code(it.Key, 40)
			if t := line(it.Title, 120); t != "" && t != line(it.Key, 120) {
				l += " " + t
			}
			if u := line(it.URL, 100); u != "" {
				l += " · " + u
			}
			lines = append(lines, l)
		}
		blocks = append(blocks, listSection(newHeading(s.NewHeading), lines, digestItems, len(lines)))
	}
	if s.ChangesTotal > 0 || len(s.Changes) > 0 {
		var lines []string
		for _, c := range s.Changes {
			lines = append(lines, code(c.Path, digestLine)+" "+notify.EscapeMrkdwn(string(c.Op)))
		}
		total := max(s.ChangesTotal, len(lines))
		blocks = append(blocks, listSection("Changed settings", lines, digestChanges, total))
	}
	if s.Open() > 0 {
		blocks = append(blocks, section(openFindings(s, o)))
	} else if c := notify.FindingCounts(s); c != "" {
		blocks = append(blocks, contextBlock("Findings: "+c))
	}
	if len(s.Resolved) > 0 {
		var lines []string
		for _, f := range s.Resolved {
			lines = append(lines, "✅ "+findingLine(f, o))
		}
		blocks = append(blocks, listSection("Resolved", lines, digestFindings, len(lines)))
	}
	return blocks
}

func newHeading(h string) string {
	if h == "" {
		return "New"
	}
	return line(h, 60)
}

// openFindings lists the open findings (neither acknowledged nor
// silenced: those are only counted) grouped by category, newly opened
// ones first within each, at most digestFindings in all.
func openFindings(s *watcher.DigestSource, o Options) string {
	type item struct {
		f   watcher.Finding
		new bool
	}
	byCat := map[watcher.Category][]item{}
	var cats []watcher.Category
	add := func(f watcher.Finding, isNew bool) {
		if _, ok := byCat[f.Category]; !ok {
			cats = append(cats, f.Category)
		}
		byCat[f.Category] = append(byCat[f.Category], item{f, isNew})
	}
	for _, f := range s.Opened {
		add(f, true)
	}
	for _, f := range s.StillOpen {
		add(f, false)
	}
	total := s.Open()
	b := []string{"*Open findings*"}
	if s.Acked+s.Silenced > 0 {
		b[0] += " (" + notify.FindingCounts(s) + ")"
	}
	shown := 0
	for _, c := range cats {
		if shown == digestFindings {
			break
		}
		b = append(b, "_"+line(c.Plain(), 60)+"_")
		for _, it := range byCat[c] {
			if shown == digestFindings {
				break
			}
			l := "• " + emoji(it.f.Severity) + " " + findingLine(it.f, o)
			if it.new {
				l += " · new"
			}
			b = append(b, l)
			shown++
		}
	}
	if total > shown {
		b = append(b, fmt.Sprintf("…and %d more", total-shown))
	}
	return strings.Join(b, "\n")
}

// findingLine is a finding's title and ID; with a public URL the ID links
// to its page on the web view, which lists the finding's own links (the
// title is cut shorter to leave the link room); without one, the
// finding's url follows.
func findingLine(f watcher.Finding, o Options) string {
	if u := o.findingURL(f.ID); u != "" {
		return line(f.Title, digestLinkedLine) + fmt.Sprintf(" (<%s|#%d>)", u, f.ID)
	}
	l := line(f.Title, digestLine)
	if f.ID != 0 {
		l += fmt.Sprintf(" (#%d)", f.ID)
	}
	if link := WebLink(f.URL, "open"); link != "" {
		l += " · " + link
	}
	return l
}

// listSection is a heading and bullet lines, at most limit of them, with
// the rest of total counted.
func listSection(heading string, lines []string, limit, total int) *slackgo.SectionBlock {
	b := []string{"*" + heading + "*"}
	for i, l := range lines {
		if i == limit {
			break
		}
		b = append(b, "• "+l)
	}
	if shown := min(len(lines), limit); total > shown {
		b = append(b, fmt.Sprintf("…and %d more", total-shown))
	}
	return section(strings.Join(b, "\n"))
}

func blocksText(blocks []slackgo.Block) int {
	n := 0
	for _, b := range blocks {
		switch b := b.(type) {
		case *slackgo.HeaderBlock:
			n += runes(b.Text.Text)
		case *slackgo.SectionBlock:
			n += runes(b.Text.Text)
		case *slackgo.ContextBlock:
			for _, e := range b.ContextElements.Elements {
				if t, ok := e.(*slackgo.TextBlockObject); ok {
					n += runes(t.Text)
				}
			}
		}
	}
	return n
}
