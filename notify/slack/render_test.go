package slack_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	slackgo "github.com/slack-go/slack"

	"github.com/driftwatch/driftwatch/notify/slack"
	"github.com/driftwatch/driftwatch/watcher"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the rendering (run go test -update after checking):\n%s", path, got)
	}
}

// indented is the payload for a golden file: decoded and written again
// indented, without HTML escaping, so "&lt;" reads as sent to Slack.
func indented(t *testing.T, m slack.Message) []byte {
	t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func TestGolden(t *testing.T) {
	digestMsgs := slack.RenderDigest(digest())
	if len(digestMsgs) != 1 {
		t.Fatalf("small digest rendered as %d messages, want 1", len(digestMsgs))
	}
	cases := []struct {
		name string
		msg  slack.Message
	}{
		{"breaking_configuration", slack.RenderNotices([]watcher.Notice{notice(1, watcher.NoticeOpened, breakingConfig())})},
		{"release_excerpt", slack.RenderNotices([]watcher.Notice{notice(2, watcher.NoticeOpened, releaseFinding())})},
		{"resolved", slack.RenderNotices([]watcher.Notice{notice(3, watcher.NoticeResolved, resolvedURL())})},
		{"digest", digestMsgs[0]},
	}
	var text strings.Builder
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := slack.Validate(tc.msg); err != nil {
				t.Errorf("outside limits: %v", err)
			}
			golden(t, tc.name+".golden.json", indented(t, tc.msg))
		})
		fmt.Fprintf(&text, "### %s\n%s\n", tc.name, slack.Text(tc.msg))
	}
	golden(t, "text.golden.txt", []byte(text.String()))
}

// TestRenderNoticeContent checks what a person must be able to read off a
// notice, whatever its wording.
func TestRenderNoticeContent(t *testing.T) {
	m := slack.RenderNotices([]watcher.Notice{notice(1, watcher.NoticeOpened, breakingConfig())})
	txt := slack.Text(m)
	for _, want := range []string{
		"Breaking", "auth0-prod", // header: severity and source
		`Callback URL https://app.acme.com/callback no longer in client "Acme Web"`,
		"Configuration drift",
		`["https://app.acme.com/callback","https://staging.acme.com/callback"]`, `["https://staging.acme.com/callback"]`,
		"login redirect of the web app",
		"driftwatch ack 42",
	} {
		if !strings.Contains(txt, want) {
			t.Errorf("notice lacks %q:\n%s", want, txt)
		}
	}
	if h, ok := m.Blocks[0].(*slackgo.HeaderBlock); !ok || h.Text.Type != slackgo.PlainTextType {
		t.Errorf("first block is %T, want a plain_text header", m.Blocks[0])
	}
	for _, want := range []string{"breaking", "auth0-prod", "no longer in client"} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("fallback %q lacks %q", m.Text, want)
		}
	}
}

func TestRenderKinds(t *testing.T) {
	for _, tc := range []struct {
		kind     watcher.NoticeKind
		want     []string
		wantNot  []string
		fallback string
	}{
		{watcher.NoticeResolved, []string{"Resolved", "no longer holds"}, []string{"driftwatch ack"}, "[resolved]"},
		{watcher.NoticeReopened, []string{"Reopened", "driftwatch ack 42"}, nil, "reopened"},
		{watcher.NoticeEscalated, []string{"Escalated to breaking", "driftwatch ack 42"}, nil, "escalated"},
	} {
		t.Run(string(tc.kind), func(t *testing.T) {
			m := slack.RenderNotices([]watcher.Notice{notice(1, tc.kind, breakingConfig())})
			if err := slack.Validate(m); err != nil {
				t.Fatal(err)
			}
			txt := slack.Text(m)
			for _, w := range tc.want {
				if !strings.Contains(txt, w) {
					t.Errorf("lacks %q:\n%s", w, txt)
				}
			}
			for _, w := range tc.wantNot {
				if strings.Contains(txt, w) {
					t.Errorf("has %q:\n%s", w, txt)
				}
			}
			if !strings.Contains(m.Text, tc.fallback) {
				t.Errorf("fallback %q lacks %q", m.Text, tc.fallback)
			}
		})
	}
}

// TestRenderEscapesUpstream puts mention and link syntax in every field a
// rule fills from upstream text.
func TestRenderEscapesUpstream(t *testing.T) {
	f := releaseFinding()
	f.Title, f.Old, f.New, f.Note, f.Path = injection, injection, injection, injection, "/releases/"+injection
	for _, m := range []slack.Message{
		slack.RenderNotices([]watcher.Notice{notice(1, watcher.NoticeOpened, f)}),
		slack.RenderNotices([]watcher.Notice{notice(1, watcher.NoticeOpened, f), notice(2, watcher.NoticeResolved, f)}),
	} {
		if err := slack.Validate(m); err != nil {
			t.Errorf("outside limits: %v", err)
		}
		b, _ := json.Marshal(m)
		texts := strings.Join(jsonStrings(t, b), "\n")
		for _, bad := range []string{"<!channel>", "<@U123>", "<https://evil", "<!here>"} {
			if strings.Contains(texts, bad) {
				t.Errorf("payload carries %q unescaped", bad)
			}
		}
		if !strings.Contains(texts, "&lt;!channel&gt;") {
			t.Errorf("escaped mention missing from payload: %s", texts)
		}
	}
}

// TestRender200Findings renders 200 findings in the engine's batches: every
// message is within limits and every finding is in exactly one.
func TestRender200Findings(t *testing.T) {
	ns := manyFindings(200)
	var msgs []slack.Message
	for _, b := range batches(ns, maxBatch(t)) {
		msgs = append(msgs, slack.RenderNotices(b))
	}
	if want := (200 + maxBatch(t) - 1) / maxBatch(t); len(msgs) != want {
		t.Fatalf("%d messages, want %d", len(msgs), want)
	}
	texts := make([]string, len(msgs))
	for i, m := range msgs {
		if err := slack.Validate(m); err != nil {
			t.Errorf("message %d: %v", i, err)
		}
		texts[i] = slack.Text(m)
	}
	for _, n := range ns {
		title := n.Finding.Title
		found := 0
		for _, txt := range texts {
			if strings.Contains(txt, title) {
				found++
			}
		}
		if found != 1 {
			t.Errorf("%q is in %d messages, want 1", title, found)
		}
	}
}

func maxBatch(t *testing.T) int {
	n, err := slack.New(slack.Config{WebhookURL: "https://hooks.slack.com/services/T/B/X"}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return n.MaxBatch()
}

// worst fills every field with the largest text the caps allow, in
// characters that grow fivefold when escaped.
func worst(n int, kind watcher.NoticeKind) []watcher.Notice {
	big := strings.Repeat("&", 10000)
	lines := strings.Repeat("&&&&&\n", 2000)
	out := make([]watcher.Notice, n)
	for i := range out {
		f := &watcher.Finding{
			ID: 1 << 60, Source: strings.Repeat("s", 500), Rule: big, Severity: watcher.Breaking,
			Category: watcher.Category(big), Path: big, Title: big, Old: big, New: big, Note: big,
			Excerpt: lines, Detail: big,
		}
		out[i] = watcher.Notice{ID: int64(i + 1), Kind: kind, Source: f.Source, Finding: f}
	}
	return out
}

func TestRenderWorstCase(t *testing.T) {
	mb := maxBatch(t)
	for _, n := range []int{1, 2, mb, mb + 1, 5 * mb} {
		for _, kind := range []watcher.NoticeKind{watcher.NoticeOpened, watcher.NoticeResolved} {
			m := slack.RenderNotices(worst(n, kind))
			if err := slack.Validate(m); err != nil {
				t.Errorf("%d %s notices: %v", n, kind, err)
			}
			if n > mb && !strings.Contains(slack.Text(m), fmt.Sprintf("and %d more", n-mb)) {
				t.Errorf("%d notices: no \"and %d more\"", n, n-mb)
			}
		}
	}
	// Only Detail set: it stands in for the structured fields.
	ns := worst(mb, watcher.NoticeOpened)
	for _, n := range ns {
		n.Finding.Old, n.Finding.New, n.Finding.Excerpt, n.Finding.Note = "", "", "", ""
	}
	if err := slack.Validate(slack.RenderNotices(ns)); err != nil {
		t.Errorf("detail only: %v", err)
	}
}

// jsonStrings decodes a JSON payload and returns every string in it, as
// Slack would read them.
func jsonStrings(t *testing.T, b []byte) []string {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("decode payload: %v", err)
	}
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case string:
			out = append(out, v)
		case []any:
			for _, e := range v {
				walk(e)
			}
		case map[string]any:
			for _, e := range v {
				walk(e)
			}
		}
	}
	walk(v)
	return out
}

// TestRenderCollapsedWorstCase: notices that stand for earlier ones carry
// one more line each, and a digest that replaces others says so; both stay
// within Slack's limits at their largest.
func TestRenderCollapsedWorstCase(t *testing.T) {
	mb := maxBatch(t)
	for _, kind := range []watcher.NoticeKind{watcher.NoticeOpened, watcher.NoticeResolved} {
		ns := worst(mb, kind)
		for i := range ns {
			ns[i].Attempts = 3
			for _, k := range []watcher.NoticeKind{watcher.NoticeOpened, watcher.NoticeResolved, watcher.NoticeReopened, watcher.NoticeEscalated} {
				ns[i].Earlier = append(ns[i].Earlier, watcher.Notice{ID: int64(100 + i), Kind: k})
			}
		}
		m := slack.RenderNotices(ns)
		if err := slack.Validate(m); err != nil {
			t.Errorf("%d collapsed %s notices: %v", mb, kind, err)
		}
		if !strings.Contains(slack.Text(m), "while Slack was unreachable") {
			t.Errorf("collapsed notices do not say so")
		}
	}
	sim, n, _ := newBot(t)
	d := watcher.Notice{ID: 50, Kind: watcher.NoticeDigest, Digest: bigDigest(40), CreatedAt: detected, Attempts: 2,
		Earlier: []watcher.Notice{{ID: 40, Kind: watcher.NoticeDigest, Digest: digest()}, {ID: 45, Kind: watcher.NoticeDigest, Digest: digest()}}}
	if err := n.Deliver(t.Context(), []watcher.Notice{d}); err != nil {
		t.Fatal(err)
	}
	posted := sim.Posted()
	for i, p := range posted {
		if err := slack.ValidatePayload(p.JSON); err != nil {
			t.Errorf("digest message %d: %v", i, err)
		}
	}
	if len(posted) == 0 || !strings.Contains(string(posted[0].JSON), "Replaces 2 earlier digests") {
		t.Errorf("the digest does not say it replaces two others")
	}
}
