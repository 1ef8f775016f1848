package feed_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/driftwatch/driftwatch/providers/feed"
)

// rss builds an RSS feed of n entries dated one day apart, listed oldest
// first when oldestFirst, plus extra items verbatim.
func rss(n int, oldestFirst bool, extra ...string) []byte {
	var items []string
	base := time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC)
	for i := range n {
		items = append(items, fmt.Sprintf(`<item><guid>entry-%d</guid><title>Entry %d</title><pubDate>%s</pubDate></item>`,
			i, i, base.AddDate(0, 0, i).Format(time.RFC1123Z)))
	}
	if !oldestFirst {
		for i, j := 0, len(items)-1; i < j; i, j = i+1, j-1 {
			items[i], items[j] = items[j], items[i]
		}
	}
	items = append(items, extra...)
	return []byte(`<?xml version="1.0"?><rss version="2.0"><channel><title>Changelog</title>` + strings.Join(items, "") + `</channel></rss>`)
}

func feedEntries(t *testing.T, body []byte) map[string]any {
	t.Helper()
	doc, err := feed.Parse(body)
	if err != nil {
		t.Fatal(err)
	}
	return doc["entries"].(map[string]any)
}

func TestFeedKeepsTheNewestEntriesWhateverTheOrder(t *testing.T) {
	for _, oldestFirst := range []bool{true, false} {
		t.Run(fmt.Sprintf("oldest first %v", oldestFirst), func(t *testing.T) {
			got := feedEntries(t, rss(600, oldestFirst))
			if len(got) != 500 {
				t.Fatalf("%d entries, want 500", len(got))
			}
			// The newest (599) is kept, the 100 oldest are not.
			if _, ok := got["entry-599"]; !ok {
				t.Error("the newest entry was dropped")
			}
			if _, ok := got["entry-100"]; !ok {
				t.Error("entry-100, the oldest of the newest 500, was dropped")
			}
			if _, ok := got["entry-99"]; ok {
				t.Error("entry-99 was kept over a newer one")
			}
		})
	}
}

func TestFeedOfSixHundredOldestFirstStoresItsNewEntry(t *testing.T) {
	before := feedEntries(t, rss(600, true))
	after := feedEntries(t, rss(601, true))
	if _, ok := before["entry-600"]; ok {
		t.Fatal("entry-600 before it was published")
	}
	if _, ok := after["entry-600"]; !ok {
		t.Error("the new entry of an oldest-first feed was not kept")
	}
}

func TestFeedWithoutDatesKeepsItsOwnOrder(t *testing.T) {
	var items []string
	for i := range 510 {
		items = append(items, fmt.Sprintf(`<item><guid>u-%d</guid><title>U %d</title></item>`, i, i))
	}
	got := feedEntries(t, rss(0, true, items...))
	if _, ok := got["u-0"]; !ok || len(got) != 500 {
		t.Errorf("%d entries, u-0 kept %v; want the first 500 in feed order", len(got), ok)
	}
	if _, ok := got["u-509"]; ok {
		t.Error("u-509, past the first 500 of an undated feed, was kept")
	}
}
