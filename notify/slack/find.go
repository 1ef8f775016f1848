package slack

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	slackgo "github.com/slack-go/slack"

	"github.com/driftwatch/driftwatch/watcher"
)

// eventType marks driftwatch's messages in Slack message metadata.
const eventType = "driftwatch_notice"

// History bounds: how far before the first unknown attempt to look (clock
// skew between this host and Slack), and how much of a channel to read.
const (
	historySkew     = 5 * time.Minute
	historyPageSize = 200
	historyPages    = 5
	listPages       = 10
)

var channelIDRE = regexp.MustCompile(`^[CGD][A-Z0-9]{8,}$`)

// metadata tags a message with its notices' keys and its place among the
// messages of one delivery.
func metadata(o outgoing) slackgo.SlackMetadata {
	return slackgo.SlackMetadata{EventType: eventType, EventPayload: map[string]any{
		"notices": o.keys, "part": o.part, "parts": o.parts,
	}}
}

var _ watcher.Finder = (*Notifier)(nil)

// Find looks for notices in the channels' recent history (bot mode): a
// message whose metadata names a notice, posted at or after since (less
// some clock skew), means the notice reached Slack though its answer was
// lost. A delivery of several messages counts once its last one is there;
// the parts found before it are not posted again. At most historyPages
// pages are read. A webhook cannot be asked: Find finds nothing there,
// and the notices are posted again. Errors Slack answers (missing_scope,
// not_in_channel, channel_not_found) are permanent: reading is impossible,
// not just failing now.
func (n *Notifier) Find(ctx context.Context, notices []watcher.Notice, since time.Time) ([]int64, error) {
	if n.api == nil || len(notices) == 0 {
		return nil, nil
	}
	want := map[string]map[string]int64{} // channel -> key -> ID
	var found []int64
	for _, nt := range notices {
		keys := map[string]int64{}
		for _, m := range nt.All() {
			keys[m.Key()] = m.ID
		}
		if nt.Message != nil {
			// An edit names the notice in its thread reply; a notice
			// that was posted anew (a reopening) is in the history.
			ids, err := n.findInThread(ctx, *nt.Message, keys, fmt.Sprintf("%d.000000", max(since.Add(-historySkew).Unix(), 0)))
			if err != nil {
				return nil, err
			}
			found = append(found, ids...)
		}
		channel := n.cfg.Channel
		if nt.Finding == nil {
			channel = n.cfg.DigestChannel
		}
		if want[channel] == nil {
			want[channel] = map[string]int64{}
		}
		for k, id := range keys {
			want[channel][k] = id
		}
	}
	for channel, keys := range want {
		ids, err := n.findIn(ctx, channel, keys, since.Add(-historySkew))
		if err != nil {
			return nil, err
		}
		found = append(found, ids...)
	}
	return found, nil
}

// findIn reads one channel's history back to oldest, for the keys.
func (n *Notifier) findIn(ctx context.Context, channel string, keys map[string]int64, oldest time.Time) ([]int64, error) {
	id, err := n.channelID(ctx, channel)
	if err != nil {
		return nil, err
	}
	var found []int64
	cursor := ""
	for page := 0; page < historyPages && len(keys) > 0; page++ {
		rec := &record{}
		resp, err := n.api.GetConversationHistoryContext(context.WithValue(ctx, recordKey{}, rec), &slackgo.GetConversationHistoryParameters{
			ChannelID: id, Cursor: cursor, Limit: historyPageSize, IncludeAllMetadata: true,
			Oldest: fmt.Sprintf("%d.000000", max(oldest.Unix(), 0)),
		})
		if err != nil {
			return nil, n.findError(err, rec, "conversations.history")
		}
		for _, m := range resp.Messages {
			md := m.Metadata
			if md.EventType != eventType {
				continue
			}
			tagged, _ := md.EventPayload["notices"].(string)
			if tagged == "" {
				continue
			}
			part, parts := number(md.EventPayload["part"]), number(md.EventPayload["parts"])
			if parts > 1 && part < parts {
				n.mu.Lock()
				n.sent[tagged] = max(n.sent[tagged], part)
				n.mu.Unlock()
				continue
			}
			for _, k := range strings.Split(tagged, ",") {
				if nid, ok := keys[k]; ok {
					found = append(found, nid)
					delete(keys, k)
				}
			}
		}
		cursor = resp.ResponseMetaData.NextCursor
		if !resp.HasMore || cursor == "" {
			break
		}
	}
	return found, nil
}

// channelID returns the ID of a configured channel: as given when it is
// one, learnt from an earlier post's answer, or looked up by name.
func (n *Notifier) channelID(ctx context.Context, channel string) (string, error) {
	if channelIDRE.MatchString(channel) {
		return channel, nil
	}
	n.mu.Lock()
	id := n.channelIDs[channel]
	n.mu.Unlock()
	if id != "" {
		return id, nil
	}
	name := strings.TrimPrefix(channel, "#")
	cursor := ""
	for page := 0; page < listPages; page++ {
		rec := &record{}
		chans, next, err := n.api.GetConversationsContext(context.WithValue(ctx, recordKey{}, rec), &slackgo.GetConversationsParameters{
			Cursor: cursor, ExcludeArchived: true, Limit: 1000, Types: []string{"public_channel", "private_channel"},
		})
		if err != nil {
			return "", n.findError(err, rec, "conversations.list")
		}
		for _, c := range chans {
			if c.Name == name {
				n.mu.Lock()
				n.channelIDs[channel] = c.ID
				n.mu.Unlock()
				return c.ID, nil
			}
		}
		if next == "" {
			break
		}
		cursor = next
	}
	return "", &watcher.PermanentError{Err: fmt.Errorf("slack: no channel named %q among the bot's channels", name)}
}

// findError classifies an error of reading Slack: Slack's own refusal is
// permanent (reading cannot work until the setup changes), anything else
// (a timeout, a 5xx, a 429) is worth trying again.
func (n *Notifier) findError(err error, rec *record, op string) error {
	out := n.classify(err, rec, op)
	var se slackgo.SlackErrorResponse
	if errors.As(err, &se) && !watcher.IsPermanent(out) {
		out = &watcher.PermanentError{Err: fmt.Errorf("%s: %w", op, out)}
	}
	return out
}

// number reads a JSON number from metadata (float64 after decoding).
func number(v any) int {
	switch x := v.(type) {
	case float64:
		return int(x)
	case string:
		i, _ := strconv.Atoi(x)
		return i
	}
	return 0
}
