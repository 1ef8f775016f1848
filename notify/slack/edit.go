package slack

import (
	"context"
	"errors"
	"fmt"
	"strings"

	slackgo "github.com/slack-go/slack"

	"github.com/driftwatch/driftwatch/notify"
	"github.com/driftwatch/driftwatch/watcher"
)

var _ watcher.Editor = (*Notifier)(nil)

// errNoEdit: a webhook cannot edit what it posted.
var errNoEdit = errors.New("slack: a webhook cannot edit messages")

// CanEdit is true in bot mode: a webhook cannot edit what it posted.
func (n *Notifier) CanEdit() bool { return n.api != nil }

// Post posts one finding's notice as a new message (bot mode) and returns
// where it went, for later edits.
func (n *Notifier) Post(ctx context.Context, nt watcher.Notice) (watcher.MessageRef, error) {
	if n.api == nil {
		return watcher.MessageRef{}, n.Deliver(ctx, []watcher.Notice{nt})
	}
	o := outgoing{channel: n.cfg.Channel, msg: RenderNotices([]watcher.Notice{nt}, Options{PublicURL: n.cfg.PublicURL}), keys: noticeKeys([]watcher.Notice{nt}), part: 1, parts: 1}
	if verr := Validate(o.msg); verr != nil {
		n.logger.Warn("slack: message outside limits; posting anyway", "error", verr)
	}
	channel, ts, err := n.postBot(ctx, o, "")
	return watcher.MessageRef{Channel: channel, TS: ts}, err
}

// Update edits the finding's message to show the notice's state
// (chat.update) and replies in its thread with what changed. The reply
// carries the notices' keys as metadata, so a lost answer can be checked
// in the thread (Find); editing again is harmless.
func (n *Notifier) Update(ctx context.Context, ref watcher.MessageRef, nt watcher.Notice) error {
	if n.api == nil {
		return errNoEdit
	}
	msg := RenderNotices([]watcher.Notice{nt}, Options{PublicURL: n.cfg.PublicURL})
	rec := &record{keepOK: true}
	_, _, _, err := n.api.UpdateMessageContext(context.WithValue(ctx, recordKey{}, rec), ref.Channel, ref.TS,
		slackgo.MsgOptionBlocks(msg.Blocks...),
		slackgo.MsgOptionText(msg.Text, false))
	var se slackgo.SlackErrorResponse
	if errors.As(err, &se) && goneCodes[se.Err] {
		return fmt.Errorf("slack: %s: %w", se.Err, watcher.ErrMessageGone)
	}
	if err = n.classify(err, rec, "chat.update"); err != nil {
		return err
	}
	o := outgoing{channel: ref.Channel, msg: Message{Text: ThreadText(nt)}, keys: noticeKeys([]watcher.Notice{nt}), part: 1, parts: 1}
	_, _, err = n.postBot(ctx, o, ref.TS)
	return err
}

// goneCodes are chat.update's answers for a message that cannot be edited
// any more: deleted, or not the bot's.
var goneCodes = map[string]bool{"message_not_found": true, "cant_update_message": true, "edit_window_closed": true}

// ThreadText is the short thread reply that says what changed.
func ThreadText(nt watcher.Notice) string {
	f := nt.Finding
	var s string
	switch nt.Kind {
	case watcher.NoticeAcked:
		s = "☑️ Acknowledged"
		if note := notify.OneLine(f.AckNote); note != "" {
			s += ": " + notify.EscapeCap(note, 300)
		}
	case watcher.NoticeSilenced:
		s = "🔕 Silenced: no more notices about it until the silence ends"
	case watcher.NoticeResolved:
		s = "✅ Resolved: it no longer holds, nothing to do"
	case watcher.NoticeEscalated:
		s = fmt.Sprintf("%s Escalated to %s", emoji(f.Severity), f.Severity)
	default:
		s = fmt.Sprintf("%s Still %s: %s", emoji(f.Severity), f.State, line(f.Title, 200))
	}
	if h := nt.History(); h != "" {
		s += " — " + notify.EscapeCap(h, 200)
	}
	return s
}

// postBot posts a message (a thread reply with threadTS) in bot mode and
// returns Slack's channel ID and the message's ts.
func (n *Notifier) postBot(ctx context.Context, o outgoing, threadTS string) (string, string, error) {
	rec := &record{keepOK: true}
	opts := []slackgo.MsgOption{
		slackgo.MsgOptionText(o.msg.Text, false),
		slackgo.MsgOptionDisableLinkUnfurl(),
		slackgo.MsgOptionDisableMediaUnfurl(),
		slackgo.MsgOptionMetadata(metadata(o)),
	}
	if len(o.msg.Blocks) > 0 {
		opts = append(opts, slackgo.MsgOptionBlocks(o.msg.Blocks...))
	}
	if threadTS != "" {
		opts = append(opts, slackgo.MsgOptionTS(threadTS))
	}
	channel, ts, err := n.api.PostMessageContext(context.WithValue(ctx, recordKey{}, rec), o.channel, opts...)
	if err == nil {
		err = botSuccess(rec, ts)
	}
	if err == nil && channel != "" && threadTS == "" {
		n.mu.Lock()
		n.channelIDs[o.channel] = channel
		n.mu.Unlock()
	}
	return channel, ts, n.classify(err, rec, "chat.postMessage")
}

// Test posts a clearly marked test message.
func (n *Notifier) Test(ctx context.Context) error {
	text := "🧪 driftwatch test message: this receiver is set up, notices will arrive here. Nothing to do."
	o := outgoing{channel: n.cfg.Channel, msg: Message{Text: text, Blocks: []slackgo.Block{section(text)}}}
	if n.api == nil {
		return n.post(ctx, o)
	}
	_, _, err := n.postBot(ctx, o, "")
	return err
}

// threadKeys: whether any of keys was tagged on a reply in the thread of
// ref since oldest.
func (n *Notifier) findInThread(ctx context.Context, ref watcher.MessageRef, keys map[string]int64, oldest string) ([]int64, error) {
	rec := &record{}
	msgs, _, _, err := n.api.GetConversationRepliesContext(context.WithValue(ctx, recordKey{}, rec), &slackgo.GetConversationRepliesParameters{
		ChannelID: ref.Channel, Timestamp: ref.TS, Oldest: oldest, Limit: historyPageSize, IncludeAllMetadata: true,
	})
	if err != nil {
		return nil, n.findError(err, rec, "conversations.replies")
	}
	var found []int64
	for _, m := range msgs {
		if m.Metadata.EventType != eventType {
			continue
		}
		tagged, _ := m.Metadata.EventPayload["notices"].(string)
		for _, k := range strings.Split(tagged, ",") {
			if id, ok := keys[k]; ok {
				found = append(found, id)
				delete(keys, k)
			}
		}
	}
	return found, nil
}
