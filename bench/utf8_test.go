package bench_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/driftwatch/driftwatch/bench"
	"github.com/driftwatch/driftwatch/notify/slack"
	"github.com/driftwatch/driftwatch/providers/polite"
	"github.com/driftwatch/driftwatch/providers/providertest"
	"github.com/driftwatch/driftwatch/watcher"
)

// checkStoredUTF8 checks that every stored snapshot is valid UTF-8 JSON.
func checkStoredUTF8(t *testing.T, w *world, source string) {
	t.Helper()
	s, err := w.db.LatestSnapshot(t.Context(), source)
	if err != nil {
		t.Fatal(err)
	}
	if !utf8.Valid(s.Body) || !json.Valid(s.Body) {
		t.Fatalf("stored snapshot is not valid UTF-8 JSON: %q", s.Body)
	}
}

// checkPostedUTF8 checks that Slack received valid UTF-8 JSON it accepted.
func checkPostedUTF8(t *testing.T, sl *providertest.Slack) {
	t.Helper()
	if len(sl.Received()) == 0 {
		t.Fatal("nothing was posted")
	}
	for _, p := range sl.Received() {
		if !p.OK() || !utf8.Valid(p.Body) || !json.Valid(p.Body) {
			t.Errorf("Slack got %d %s for %q", p.Status, p.Error, p.Body)
		}
	}
}

// TestNonUTF8JSON: a JSON endpoint whose strings hold bytes that are not
// UTF-8 is stored as valid UTF-8 (U+FFFD in their place), the same bytes
// polled again are no change, and a finding quoting them reaches Slack
// as a valid message.
func TestNonUTF8JSON(t *testing.T) {
	up := bench.NewConditional()
	defer up.Close()
	up.Set("/db", "application/json", []byte("{\"plan\":\"pro\xff\xfe\",\"owner\":\"caf\xe9 team\",\"m\":[99]}"))
	w := newWorld(t, fmt.Sprintf(`[store]
path = "dw.db"

[[source]]
name = "orders-db"
type = "http_json"
url = "%s/db"

  [[source.threshold]]
  path = "/m/0"
  above = 90

[[expect]]
source = "orders-db"
path = "/plan"
equals = "pro"
severity = "warning"
`, up.URL()), worldOptions{})
	sl := providertest.NewSlack()
	defer sl.Close()
	n, err := slack.New(slack.Config{WebhookURL: sl.WebhookURL()}, polite.NewClient(nil, 0), nil)
	if err != nil {
		t.Fatal(err)
	}
	w.e.Notifier = n

	if rep := w.poll(); rep.Failed() > 0 {
		t.Fatalf("poll: %v", rep.Sources[0].Err)
	}
	checkStoredUTF8(t, w, "orders-db")
	checkPostedUTF8(t, sl)
	if !strings.Contains(string(sl.Received()[0].Body), "pro\ufffd") {
		t.Errorf("the expectation's finding does not quote the value as stored: %s", sl.Received()[0].Body)
	}
	// Same bytes again: no change (the replacement is deterministic).
	up.Set("/db", "application/json", []byte("{\"owner\":\"caf\xe9 team\",\"plan\":\"pro\xff\xfe\",\"m\":[99]}"))
	if rep := w.poll(); rep.Sources[0].Outcome != watcher.OutcomeUnchanged {
		t.Fatalf("the same non-UTF-8 document again: outcome %s, want unchanged", rep.Sources[0].Outcome)
	}
	if got := len(sl.Received()); got != 1 {
		t.Errorf("%d messages after the unchanged poll, want still 1", got)
	}
}

// TestNonUTF8Feed: a feed that declares ISO-8859-1 is read as such; one
// that declares UTF-8 but holds Latin-1 bytes is either stored as valid
// UTF-8 or refused as a failed fetch — never stored broken, never a
// change on the next identical poll.
func TestNonUTF8Feed(t *testing.T) {
	const latin1 = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<rss version=\"2.0\"><channel><title>Caf\xe9 changelog</title>" +
		"<item><guid>urn:1</guid><title>Node 16 is deprecated \xe0 partir du 1er mars</title><link>https://example.com/1</link>" +
		"<description>Migrez vos actions \xe0 Node 22.</description></item></channel></rss>"
	lying := strings.Replace(latin1, "ISO-8859-1", "UTF-8", 1)
	for _, tc := range []struct {
		name, body string
		mustRead   bool
	}{{"declared-latin1", latin1, true}, {"declared-utf8", lying, false}} {
		t.Run(tc.name, func(t *testing.T) {
			f := providertest.NewFeed(providertest.RSS, "unused")
			defer f.Close()
			f.SetBody("application/rss+xml", []byte(tc.body))
			w := newWorld(t, fmt.Sprintf("[store]\npath = \"dw.db\"\n\n[[source]]\nname = \"changelog\"\ntype = \"feed\"\nurl = %q\n", f.URL()),
				worldOptions{})
			for i := range 2 {
				rep := w.poll()
				s := rep.Sources[0]
				switch {
				case s.Err != nil && tc.mustRead:
					t.Fatalf("poll %d: %v", i, s.Err)
				case s.Err != nil:
					t.Logf("poll %d refused: %v", i, s.Err)
					if n := w.count("SELECT count(*) FROM snapshots"); n != 0 {
						t.Fatalf("a refused feed stored %d snapshots", n)
					}
				case i == 0:
					checkStoredUTF8(t, w, "changelog")
					body := mustLatest(t, w, "changelog")
					if tc.mustRead && !strings.Contains(body, "Café changelog") {
						t.Errorf("ISO-8859-1 not decoded: %s", body)
					}
				case s.Outcome != watcher.OutcomeUnchanged:
					t.Errorf("poll %d of the same bytes: outcome %s, want unchanged", i, s.Outcome)
				}
			}
		})
	}
}

func mustLatest(t *testing.T, w *world, source string) string {
	t.Helper()
	s, err := w.db.LatestSnapshot(t.Context(), source)
	if err != nil {
		t.Fatal(err)
	}
	return string(s.Body)
}
