package watcher

import (
	"fmt"
	"strings"
)

// Collapse folds the pending notices of one finding into its newest, and
// pending digests into the newest digest, so the last message about a
// finding states its current state and an outage does not end in a burst
// of stale messages. The folded notices become the newest's Earlier; the
// result keeps the newest ones' order. ns comes oldest first, as claimed.
func Collapse(ns []Notice) []Notice {
	last := map[string]int{}
	for i, n := range ns {
		if k := collapseKey(n); k != "" {
			last[k] = i
		}
	}
	earlier := map[string][]Notice{}
	out := make([]Notice, 0, len(ns))
	for i, n := range ns {
		k := collapseKey(n)
		switch {
		case k == "":
			out = append(out, n)
		case last[k] != i:
			earlier[k] = append(earlier[k], n.All()...)
		default:
			if len(earlier[k]) > 0 {
				n.Earlier = append(earlier[k], n.Earlier...)
			}
			out = append(out, n)
		}
	}
	return out
}

func collapseKey(n Notice) string {
	switch {
	case n.Kind == NoticeDigest:
		return "digest"
	case n.Finding != nil && n.Finding.ID != 0:
		return fmt.Sprintf("finding/%d", n.Finding.ID)
	}
	return ""
}

// History says in words what a collapsed notice stands for ("Opened and
// resolved while Slack was unreachable"), or "" when it stands alone.
func (n Notice) History() string { return n.HistoryVia("Slack") }

// HistoryVia is History naming the destination that was unreachable
// ("the webhook", "Teams").
func (n Notice) HistoryVia(dest string) string {
	if len(n.Earlier) == 0 {
		return ""
	}
	if n.Kind == NoticeDigest {
		oldest := n.Earlier[0]
		since := ""
		if oldest.Digest != nil {
			since = " (the oldest from " + oldest.Digest.Since.UTC().Format("2006-01-02") + ")"
		}
		return fmt.Sprintf("Replaces %d earlier %s not posted%s, %s.", len(n.Earlier),
			pluralWord(len(n.Earlier), "digest"), since, waited(n, dest))
	}
	var words []string
	for _, m := range append(append([]Notice(nil), n.Earlier...), n) {
		w := string(m.Kind)
		if len(words) == 0 || words[len(words)-1] != w {
			words = append(words, w)
		}
	}
	s := strings.Join(words[:len(words)-1], ", ")
	if len(words) > 1 {
		s += " and " + words[len(words)-1]
	} else {
		s = words[0] + " again"
	}
	return strings.ToUpper(s[:1]) + s[1:] + " " + waited(n, dest) + "."
}

// waited says why notices piled up: the destination failed them, or
// they were queued (poll --no-notify) before anyone delivered.
func waited(n Notice, dest string) string {
	for _, m := range n.All() {
		if m.Attempts > 0 || !m.AttemptedAt.IsZero() {
			return "while " + dest + " was unreachable"
		}
	}
	return "before a notice could be posted"
}

func pluralWord(n int, w string) string {
	if n == 1 {
		return w
	}
	return w + "s"
}
