package slack_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/driftwatch/driftwatch/notify/slack"
	"github.com/driftwatch/driftwatch/watcher"
)

// longURL is a public URL of the greatest length the config accepts.
var longURL = "https://" + strings.Repeat("d", slack.MaxPublicURL-len("https://")-1) + "/"

func TestNoticeLinksToFindingPage(t *testing.T) {
	f := breakingConfig()
	m := slack.RenderNotices([]watcher.Notice{notice(1, watcher.NoticeOpened, f)}, slack.Options{PublicURL: "https://drift.example.com/"})
	if err := slack.Validate(m); err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("<https://drift.example.com/findings/%d|View in driftwatch>", f.ID)
	if !strings.Contains(string(indented(t, m)), want) {
		t.Fatalf("notice lacks %s:\n%s", want, indented(t, m))
	}
	// Without a public URL, or with one that could break out of the link
	// syntax, no link.
	for _, u := range []string{"", "https://x.example.com/a|b", "https://x.example.com/<!channel>"} {
		m := slack.RenderNotices([]watcher.Notice{notice(1, watcher.NoticeOpened, f)}, slack.Options{PublicURL: u})
		if strings.Contains(string(indented(t, m)), "View in driftwatch") {
			t.Errorf("public URL %q: a link was rendered", u)
		}
	}
}

func TestDigestLinksEveryFinding(t *testing.T) {
	d := digest()
	msgs := slack.RenderDigest(d, slack.Options{PublicURL: "https://drift.example.com"})
	var all strings.Builder
	for _, m := range msgs {
		if err := slack.Validate(m); err != nil {
			t.Fatal(err)
		}
		all.Write(indented(t, m))
	}
	for _, s := range d.Sources {
		for _, fs := range [][]watcher.Finding{s.Opened, s.Resolved, s.StillOpen} {
			for _, f := range fs {
				want := fmt.Sprintf("<https://drift.example.com/findings/%d|#%d>", f.ID, f.ID)
				if !strings.Contains(all.String(), want) {
					t.Errorf("digest lacks %s", want)
				}
			}
		}
	}
}

// TestLinksWorstCase: the longest public URL on the largest notices and
// the fullest digest still fits Slack's limits.
func TestLinksWorstCase(t *testing.T) {
	opts := slack.Options{PublicURL: longURL}
	mb := maxBatch(t)
	for _, n := range []int{1, mb, 3 * mb} {
		if err := slack.Validate(slack.RenderNotices(worst(n, watcher.NoticeOpened), opts)); err != nil {
			t.Errorf("%d notices: %v", n, err)
		}
	}
	big := strings.Repeat("&", 2000)
	var fs []watcher.Finding
	for i := range 30 {
		fs = append(fs, watcher.Finding{ID: 1<<60 + int64(i), Title: big, Severity: watcher.Breaking, Category: watcher.Category(big[:200+i])})
	}
	d := &watcher.Digest{Since: detected, Until: detected, Sources: []watcher.DigestSource{
		{Name: strings.Repeat("s", 300), Type: "auth0", Snapshots: 1, Opened: fs, StillOpen: fs, Resolved: fs},
	}}
	for i, m := range slack.RenderDigest(d, opts) {
		if err := slack.Validate(m); err != nil {
			t.Errorf("digest message %d: %v", i, err)
		}
		if !strings.Contains(slack.Text(m)+string(indented(t, m)), longURL+"findings/") {
			t.Errorf("digest message %d has no finding link", i)
		}
	}
}
