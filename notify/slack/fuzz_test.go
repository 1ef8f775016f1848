package slack_test

import (
	"strings"
	"testing"

	"github.com/driftwatch/driftwatch/diff"
	"github.com/driftwatch/driftwatch/notify/slack"
	"github.com/driftwatch/driftwatch/watcher"
)

// FuzzRender renders arbitrary upstream text, in groups of any size and in
// digests, and checks every message against Slack's limits and our safety
// rules with the same validator the other tests use.
func FuzzRender(f *testing.F) {
	f.Add("Callback URL removed", injection, "old", "new", "note", "/clients/a", uint8(1))
	f.Add(strings.Repeat("&", 400), strings.Repeat("<!channel>\n", 300), strings.Repeat("é", 3000), "", "", "", uint8(8))
	f.Add("\x1b[31mred\x1b[0m", "> quoted\n>> twice\n\n\n<", "`code`", "a\x00b", "\u202e", "~*_", uint8(200))
	f.Add("", "", "", "", "", "", uint8(0))
	f.Fuzz(fuzzRender)
}

func fuzzRender(t *testing.T, title, excerpt, old, new, note, path string, n uint8) {
	{
		kinds := []watcher.NoticeKind{watcher.NoticeOpened, watcher.NoticeResolved, watcher.NoticeReopened, watcher.NoticeEscalated}
		ns := make([]watcher.Notice, int(n)%40+1)
		for i := range ns {
			fd := &watcher.Finding{
				ID: int64(i + 1), Source: path, Rule: note, Severity: watcher.Severity(i%3 + 1),
				Category: watcher.Category(title), Path: path, Title: title,
				Old: old, New: new, Excerpt: excerpt, Note: note, Detail: excerpt,
			}
			if i%2 == 1 {
				fd.Old, fd.New, fd.Excerpt, fd.Note = "", "", "", ""
			}
			ns[i] = watcher.Notice{ID: int64(i + 1), Kind: kinds[i%4], Source: path, Finding: fd}
		}
		if err := slack.Validate(slack.RenderNotices(ns)); err != nil {
			t.Errorf("%d notices: %v", len(ns), err)
		}
		fd := ns[0].Finding
		d := &watcher.Digest{Sources: make([]watcher.DigestSource, int(n)%30+1)}
		for i := range d.Sources {
			d.Sources[i] = watcher.DigestSource{
				Name: title, Type: path, Snapshots: i,
				New:          []watcher.DigestItem{{Key: old, Title: excerpt, URL: new}},
				Changes:      []diff.Change{{Path: path, Op: diff.Op(note)}},
				ChangesTotal: int(n),
				Opened:       []watcher.Finding{*fd}, StillOpen: []watcher.Finding{*fd}, Resolved: []watcher.Finding{*fd},
			}
			for range int(n) % 25 {
				d.Sources[i].New = append(d.Sources[i].New, d.Sources[i].New[0])
				d.Sources[i].Opened = append(d.Sources[i].Opened, *fd)
			}
		}
		for i, m := range slack.RenderDigest(d) {
			if err := slack.Validate(m); err != nil {
				t.Errorf("digest message %d: %v", i, err)
			}
		}
	}
}

// TestValidateRejects shows the validator is not vacuous: each broken
// message fails for its reason.
func TestValidateRejects(t *testing.T) {
	good := slack.RenderNotices(one())
	if err := slack.Validate(good); err != nil {
		t.Fatalf("good message: %v", err)
	}
	for _, tc := range []struct {
		name, payload, want string
	}{
		{"NoText", `{"blocks":[{"type":"divider"}],"unfurl_links":false,"unfurl_media":false}`, "empty fallback"},
		{"Unfurl", `{"text":"x","blocks":[{"type":"divider"}]}`, "unfurl"},
		{"TooManyBlocks", `{"text":"x","unfurl_links":false,"unfurl_media":false,"blocks":[` + strings.Repeat(`{"type":"divider"},`, 50) + `{"type":"divider"}]}`, "blocks: 51"},
		{"LongHeader", `{"text":"x","unfurl_links":false,"unfurl_media":false,"blocks":[{"type":"header","text":{"type":"plain_text","text":"` + strings.Repeat("h", 151) + `"}}]}`, "151 characters"},
		{"MrkdwnHeader", `{"text":"x","unfurl_links":false,"unfurl_media":false,"blocks":[{"type":"header","text":{"type":"mrkdwn","text":"h"}}]}`, "plain_text"},
		{"LongSection", `{"text":"x","unfurl_links":false,"unfurl_media":false,"blocks":[{"type":"section","text":{"type":"mrkdwn","verbatim":true,"text":"` + strings.Repeat("s", 3001) + `"}}]}`, "3001 characters"},
		{"Mention", `{"text":"x","unfurl_links":false,"unfurl_media":false,"blocks":[{"type":"section","text":{"type":"mrkdwn","verbatim":true,"text":"<!channel>"}}]}`, "raw '<'"},
		{"BareAmp", `{"text":"a & b","unfurl_links":false,"unfurl_media":false,"blocks":[{"type":"divider"}]}`, "bare '&'"},
		{"RawGt", `{"text":"x","unfurl_links":false,"unfurl_media":false,"blocks":[{"type":"section","text":{"type":"mrkdwn","verbatim":true,"text":"a > b"}}]}`, "raw '>'"},
		{"NotVerbatim", `{"text":"x","unfurl_links":false,"unfurl_media":false,"blocks":[{"type":"section","text":{"type":"mrkdwn","text":"a"}}]}`, "verbatim"},
		{"ContextElements", `{"text":"x","unfurl_links":false,"unfurl_media":false,"blocks":[{"type":"context","elements":[` + strings.Repeat(`{"type":"plain_text","text":"e"},`, 10) + `{"type":"plain_text","text":"e"}]}]}`, "11 elements"},
		{"TotalText", `{"text":"x","unfurl_links":false,"unfurl_media":false,"blocks":[` + strings.Repeat(`{"type":"section","text":{"type":"plain_text","text":"`+strings.Repeat("t", 3000)+`"}},`, 5) + `{"type":"divider"}]}`, "characters of text in all"},
		{"LinkNames", `{"text":"x","link_names":true,"unfurl_links":false,"unfurl_media":false,"blocks":[{"type":"divider"}]}`, "link_names"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := slack.ValidatePayload([]byte(tc.payload))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one saying %q", err, tc.want)
			}
		})
	}
}
