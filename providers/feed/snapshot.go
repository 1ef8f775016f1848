package feed

import (
	"crypto/sha256"
	"encoding/hex"
	"html"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mmcdole/gofeed"
)

// Bounds of a snapshot: old entries matter less than a bounded document.
const (
	maxEntries = 500
	summaryMax = 1000 // runes
	titleMax   = 300
	linkMax    = 1000
)

// snapshot keys a parsed feed's entries by guid, else link, keeping the
// newest maxEntries by date whatever order the feed lists them in (many
// list oldest first: keeping the first ones would never store a new
// entry).
func snapshot(f *gofeed.Feed) map[string]any {
	entries := map[string]any{}
	for _, it := range newestFirst(f.Items) {
		if len(entries) == maxEntries {
			break
		}
		key := entryKey(it)
		if _, dup := entries[key]; dup {
			continue // the first, newest, wins
		}
		summary := it.Description
		if strings.TrimSpace(StripHTML(summary)) == "" {
			summary = it.Content
		}
		entries[key] = map[string]any{
			"title":     capRunes(StripHTML(it.Title), titleMax),
			"link":      capRunes(strings.TrimSpace(valid(it.Link)), linkMax),
			"published": published(it),
			"summary":   capRunes(StripHTML(summary), summaryMax),
		}
	}
	return map[string]any{
		"title":   capRunes(StripHTML(f.Title), titleMax),
		"entries": entries,
	}
}

// newestFirst orders items by date, newest first; items without a date
// follow, in feed order (a feed with no dates at all keeps its own order).
func newestFirst(items []*gofeed.Item) []*gofeed.Item {
	out := make([]*gofeed.Item, 0, len(items))
	for _, it := range items {
		if it != nil {
			out = append(out, it)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := itemTime(out[i]), itemTime(out[j])
		switch {
		case a.IsZero():
			return false
		case b.IsZero():
			return true
		}
		return a.After(b)
	})
	return out
}

// itemTime is the entry's publication (else update) time, zero if none.
func itemTime(it *gofeed.Item) time.Time {
	t := it.PublishedParsed
	if t == nil {
		t = it.UpdatedParsed
	}
	if t == nil {
		return time.Time{}
	}
	return *t
}

// entryKey is the entry's guid, else its link, else a hash of its title
// and date: stable across polls.
func entryKey(it *gofeed.Item) string {
	if k := strings.TrimSpace(valid(it.GUID)); k != "" {
		return capRunes(k, linkMax)
	}
	if k := strings.TrimSpace(valid(it.Link)); k != "" {
		return capRunes(k, linkMax)
	}
	sum := sha256.Sum256([]byte(it.Title + "\x00" + it.Published + "\x00" + it.Updated))
	return "sha256:" + hex.EncodeToString(sum[:8])
}

// published is the entry's publication (else update) time in RFC 3339
// UTC, or "".
func published(it *gofeed.Item) string {
	t := it.PublishedParsed
	if t == nil {
		t = it.UpdatedParsed
	}
	if t == nil || t.IsZero() || t.Year() < 1970 || t.Year() > 9999 {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func valid(s string) string { return strings.ToValidUTF8(s, "\uFFFD") }

// capRunes bounds s to n runes, marking a cut with "…".
func capRunes(s string, n int) string {
	s = valid(s)
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// StripHTML turns an HTML fragment into one line of text: tags dropped
// (script and style with their content), entities decoded, whitespace
// collapsed, valid UTF-8. A "<" not starting a tag ("a < b") is text.
func StripHTML(s string) string {
	s = valid(s)
	var b strings.Builder
	b.Grow(len(s))
	skip := "" // "script" or "style" while inside one
	for i := 0; i < len(s); {
		c := s[i]
		if c != '<' || i+1 >= len(s) || !tagStart(s[i+1]) {
			if skip == "" {
				b.WriteByte(c)
			}
			i++
			continue
		}
		end := strings.IndexByte(s[i:], '>')
		if end < 0 {
			break // an unclosed tag: drop the rest
		}
		tag := strings.ToLower(s[i+1 : i+end])
		i += end + 1
		name := strings.TrimPrefix(tag, "/")
		if j := strings.IndexAny(name, " \t\n\r/"); j >= 0 {
			name = name[:j]
		}
		switch {
		case skip != "":
			if tag == "/"+skip || strings.HasPrefix(tag, "/"+skip+" ") {
				skip = ""
			}
		case name == "script" || name == "style":
			if !strings.HasPrefix(tag, "/") && !strings.HasSuffix(tag, "/") {
				skip = name
			}
		case inline[name]:
			// Inline markup sits inside words and sentences.
		default:
			b.WriteByte(' ') // block tags separate words
		}
	}
	return strings.Join(strings.Fields(valid(html.UnescapeString(b.String()))), " ")
}

// inline are the tags that do not separate words.
var inline = map[string]bool{"a": true, "abbr": true, "b": true, "code": true, "em": true, "i": true,
	"kbd": true, "mark": true, "s": true, "small": true, "span": true, "strong": true, "sub": true,
	"sup": true, "time": true, "u": true}

func tagStart(c byte) bool {
	return c == '/' || c == '!' || c == '?' || (c|0x20 >= 'a' && c|0x20 <= 'z')
}
