package feed

import (
	"net/url"

	"github.com/driftwatch/driftwatch/diff"
	"github.com/driftwatch/driftwatch/watcher"
)

// Link is the engine's link step for a feed source: a finding about an
// entry links the entry's own page.
func Link(j *watcher.Judgement, f *watcher.Finding) {
	segs, err := diff.ParsePointer(f.Path)
	if err != nil || len(segs) < 2 || segs[0] != "entries" {
		return
	}
	doc, _ := j.New.(map[string]any)
	entries, _ := doc["entries"].(map[string]any)
	e, _ := entries[segs[1]].(map[string]any)
	link, _ := e["link"].(string)
	if u, err := url.Parse(link); err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" {
		f.AddLink("Entry", link)
	}
}
