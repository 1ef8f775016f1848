package feed_test

import (
	"testing"

	"github.com/driftwatch/driftwatch/diff"
	"github.com/driftwatch/driftwatch/providers/feed"
	"github.com/driftwatch/driftwatch/watcher"
)

func TestLinkEntry(t *testing.T) {
	doc, _ := diff.Decode([]byte(`{"entries": {"a": {"link": "https://changelog.example.com/1043"}, "b": {"link": "javascript:x"}}}`))
	j := &watcher.Judgement{New: doc}
	for path, want := range map[string]string{"/entries/a": "https://changelog.example.com/1043", "/entries/b": "", "/title": ""} {
		f := watcher.Finding{Path: path}
		feed.Link(j, &f)
		if f.URL != want {
			t.Errorf("%s: url %q, want %q", path, f.URL, want)
		}
	}
}
