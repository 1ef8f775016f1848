package feed_test

import (
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/driftwatch/driftwatch/diff"
	"github.com/driftwatch/driftwatch/providers/feed"
	"github.com/driftwatch/driftwatch/providers/providertest"
	"github.com/driftwatch/driftwatch/watcher"
)

// poller drives a feed provider the way the engine does.
type poller struct {
	t    *testing.T
	p    *feed.Provider
	st   watcher.FetchState
	last any
}

func newPoller(t *testing.T, url string) *poller {
	t.Helper()
	p, err := feed.New(feed.Config{Name: "auth0-changelog", URL: url}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return &poller{t: t, p: p}
}

func (pl *poller) fetch() (*watcher.Result, error) {
	res, err := pl.p.Fetch(pl.t.Context(), pl.st)
	if err != nil {
		return nil, err
	}
	pl.st = res.State
	if !res.Unchanged {
		b, err := diff.Canonical(res.Doc, diff.Options{})
		if err != nil {
			pl.t.Fatal(err)
		}
		if pl.last, err = diff.Decode(b); err != nil {
			pl.t.Fatal(err)
		}
	}
	return res, nil
}

func (pl *poller) poll() *watcher.Result {
	pl.t.Helper()
	res, err := pl.fetch()
	if err != nil {
		pl.t.Fatalf("fetch: %v", err)
	}
	return res
}

var day = func(d int) time.Time { return time.Date(2026, 3, d, 9, 0, 0, 0, time.UTC) }

func entries(doc any) map[string]any {
	return doc.(map[string]any)["entries"].(map[string]any)
}

func TestFetchFormatsAndConditionalGet(t *testing.T) {
	for _, format := range []providertest.FeedFormat{providertest.RSS, providertest.Atom} {
		t.Run(string(format), func(t *testing.T) {
			f := providertest.NewFeed(format, "Auth0 Changelog",
				providertest.Entry{ID: "tag:auth0,2026:node18", Title: "Node 18 end of life for Actions",
					Link: "https://auth0.com/changelog/node18-eol", Published: day(2),
					Summary: "<p>Actions on <b>Node 18</b> stop running on <em>1 Sep 2026</em>. Migrate to Node 22.</p>"},
				providertest.Entry{ID: "tag:auth0,2026:forms", Title: "Forms &amp; Flows GA", Link: "https://auth0.com/changelog/forms",
					Published: day(1), Summary: "Forms are generally available."},
			)
			defer f.Close()
			pl := newPoller(t, f.URL())
			res := pl.poll()
			doc := res.Doc.(map[string]any)
			if doc["title"] != "Auth0 Changelog" {
				t.Errorf("title = %v", doc["title"])
			}
			e, ok := entries(res.Doc)["tag:auth0,2026:node18"].(map[string]any)
			if !ok {
				t.Fatalf("entry keyed by guid missing: %v", entries(res.Doc))
			}
			want := map[string]any{
				"title": "Node 18 end of life for Actions", "link": "https://auth0.com/changelog/node18-eol",
				"published": "2026-03-02T09:00:00Z",
				"summary":   "Actions on Node 18 stop running on 1 Sep 2026. Migrate to Node 22.",
			}
			for k, v := range want {
				if e[k] != v {
					t.Errorf("%s = %q, want %q", k, e[k], v)
				}
			}
			if got := entries(res.Doc)["tag:auth0,2026:forms"].(map[string]any)["title"]; got != "Forms & Flows GA" {
				t.Errorf("escaped title = %q", got)
			}

			res = pl.poll()
			if !res.Unchanged || res.Requests != 1 || f.Requests() != 2 {
				t.Fatalf("second poll: unchanged=%v requests=%d server=%d, want a single 304", res.Unchanged, res.Requests, f.Requests())
			}
			last := f.Log()[1]
			if last.Header.Get("If-None-Match") == "" || last.Header.Get("If-Modified-Since") == "" || last.Status != 304 {
				t.Errorf("conditional headers %v, status %d", last.Header, last.Status)
			}

			f.AddEntry(providertest.Entry{ID: "tag:auth0,2026:new", Title: "New", Link: "https://auth0.com/changelog/new", Published: day(3)})
			if res = pl.poll(); res.Unchanged || len(entries(res.Doc)) != 3 {
				t.Fatalf("after a new entry: unchanged=%v", res.Unchanged)
			}
		})
	}
}

func TestFetchIfModifiedSinceAlone(t *testing.T) {
	f := providertest.NewFeed(providertest.RSS, "c", providertest.Entry{ID: "a", Title: "A", Published: day(1)})
	defer f.Close()
	pl := newPoller(t, f.URL())
	pl.poll()
	v := pl.st.Validators[f.URL()]
	v.ETag = "" // a server that sends only Last-Modified
	pl.st.Set(f.URL(), v)
	if res := pl.poll(); !res.Unchanged {
		t.Fatal("If-Modified-Since alone did not give Unchanged")
	}
}

func TestFetchKeysAndBounds(t *testing.T) {
	long := strings.Repeat("Deprecation notice. ", 200)
	f := providertest.NewFeed(providertest.RSS, "c",
		providertest.Entry{Title: "No guid", Link: "https://example.com/a", Summary: long, Published: day(2)},
		providertest.Entry{Title: "No guid, no link", Summary: "<script>alert('x')</script>Plain &lt;text&gt; a < b"},
	)
	defer f.Close()
	doc := newPoller(t, f.URL()).poll().Doc
	es := entries(doc)
	a, ok := es["https://example.com/a"].(map[string]any)
	if !ok {
		t.Fatalf("entry without guid not keyed by link: %v", es)
	}
	if n := utf8.RuneCountInString(a["summary"].(string)); n > 1000 {
		t.Errorf("summary is %d runes, want at most 1000", n)
	}
	var other map[string]any
	for k, v := range es {
		if strings.HasPrefix(k, "sha256:") {
			other = v.(map[string]any)
		}
	}
	if other == nil {
		t.Fatalf("entry with neither guid nor link has no stable key: %v", es)
	}
	if got := other["summary"]; got != "Plain <text> a < b" || other["published"] != "" {
		t.Errorf("summary %q, published %q", got, other["published"])
	}
}

func TestFetchCharsets(t *testing.T) {
	latin1 := []byte("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss version=\"2.0\"><channel><title>Caf\xe9</title>" +
		"<item><guid>1</guid><title>R\xe9sum\xe9 of changes</title><description>\xc0 bient\xf4t</description></item></channel></rss>")
	broken := []byte("<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel><title>ok</title>" +
		"<item><guid>1</guid><title>bad \xff\xfe bytes</title><description>x\xc3</description></item></channel></rss>")
	for name, body := range map[string][]byte{"Latin1": latin1, "InvalidUTF8": broken} {
		t.Run(name, func(t *testing.T) {
			f := providertest.NewFeed(providertest.RSS, "c")
			defer f.Close()
			f.SetBody("application/rss+xml", body)
			res, err := newPoller(t, f.URL()).fetch()
			if err != nil {
				if name == "Latin1" {
					t.Fatalf("a feed declaring ISO-8859-1 failed: %v", err)
				}
				return // refusing broken bytes is fine; panicking or storing them is not
			}
			b, _ := diff.Canonical(res.Doc, diff.Options{})
			if !utf8.Valid(b) {
				t.Fatalf("document not valid UTF-8: %q", b)
			}
			if name == "Latin1" {
				e := entries(res.Doc)["1"].(map[string]any)
				if e["title"] != "Résumé of changes" || e["summary"] != "À bientôt" {
					t.Errorf("latin-1 decoded as %q / %q", e["title"], e["summary"])
				}
			}
		})
	}
}

func TestFetchErrors(t *testing.T) {
	cases := map[string]providertest.Fault{
		"HTML":      {Status: 200, ContentType: "text/html", Body: "<!DOCTYPE html><html><body>Sign in</body></html>"},
		"Malformed": {Status: 200, ContentType: "application/rss+xml", Body: "<rss version=\"2.0\"><channel><title>x</title><item><title>y"},
		"NotFound":  {Status: 404, Body: "not found"},
		"Server":    {Status: 500, Body: "oops"},
	}
	for name, fault := range cases {
		t.Run(name, func(t *testing.T) {
			f := providertest.NewFeed(providertest.RSS, "c")
			defer f.Close()
			f.FailNext(fault)
			_, err := newPoller(t, f.URL()+"?token=s3cret").fetch()
			if err == nil {
				t.Fatal("want an error")
			}
			if !strings.HasPrefix(err.Error(), "feed: ") || strings.Contains(err.Error(), "s3cret") {
				t.Errorf("error %q: want the feed: prefix and no query secrets", err)
			}
		})
	}
	t.Run("429", func(t *testing.T) {
		f := providertest.NewFeed(providertest.RSS, "c")
		defer f.Close()
		f.FailNext(providertest.Fault{Status: 429, Header: map[string]string{"Retry-After": "120"}})
		_, err := newPoller(t, f.URL()).fetch()
		var ra *watcher.RetryAfterError
		if !errors.As(err, &ra) || ra.After != 2*time.Minute {
			t.Fatalf("err = %v, want RetryAfterError of 2m", err)
		}
	})
}

func TestNewValidates(t *testing.T) {
	for _, u := range []string{"", "ftp://x/feed", "not a url", "https://"} {
		if _, err := feed.New(feed.Config{URL: u}, nil, nil); err == nil {
			t.Errorf("New(%q) accepted", u)
		}
	}
}

// A feed URL may carry a token in its query: it is sent, but never kept
// in the fetch state, an error or the document.
func TestQuerySecretNotKept(t *testing.T) {
	f := providertest.NewFeed(providertest.RSS, "c", providertest.Entry{ID: "1", Title: "x", Published: day(1)})
	defer f.Close()
	pl := newPoller(t, f.URL()+"?token=s3cret")
	pl.poll()
	if res := pl.poll(); !res.Unchanged {
		t.Fatal("second poll not conditional")
	}
	if q := f.Log()[0].Query; q != "token=s3cret" {
		t.Errorf("query sent %q", q)
	}
	for k := range pl.st.Validators {
		if strings.Contains(k, "s3cret") {
			t.Errorf("validator key %q keeps the token", k)
		}
	}
}
