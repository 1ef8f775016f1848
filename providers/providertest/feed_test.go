package providertest_test

import (
	"bytes"
	"net/http"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/driftwatch/driftwatch/providers/providertest"
)

func TestFeedServesParseableFeeds(t *testing.T) {
	for _, format := range []providertest.FeedFormat{providertest.RSS, providertest.Atom} {
		f := providertest.NewFeed(format, "Changelog & news",
			providertest.Entry{ID: "1", Title: "Node <18> & co", Link: "https://e/1", Summary: "<p>x</p>",
				Published: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)})
		resp, body := get(t, f.URL(), nil)
		parsed, err := gofeed.NewParser().Parse(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("%s: %v\n%s", format, err, body)
		}
		if resp.Header.Get("ETag") == "" || resp.Header.Get("Last-Modified") == "" {
			t.Errorf("%s: validators missing", format)
		}
		if parsed.Title != "Changelog & news" || len(parsed.Items) != 1 || parsed.Items[0].Title != "Node <18> & co" ||
			parsed.Items[0].GUID != "1" || parsed.Items[0].PublishedParsed == nil {
			t.Errorf("%s: parsed %+v", format, parsed.Items[0])
		}
		f.Close()
	}
}

func TestFeedConditional(t *testing.T) {
	f := providertest.NewFeed(providertest.Atom, "c")
	defer f.Close()
	resp, _ := get(t, f.URL(), nil)
	etag, lm := resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
	for _, h := range []map[string]string{ // in this order: the log is checked below
		{"If-None-Match": etag},
		{"If-Modified-Since": lm},
	} {
		if resp, _ := get(t, f.URL(), h); resp.StatusCode != http.StatusNotModified {
			t.Errorf("%v: %d, want 304", h, resp.StatusCode)
		}
	}
	f.AddEntry(providertest.Entry{ID: "2", Title: "new"})
	if resp, _ := get(t, f.URL(), map[string]string{"If-None-Match": etag, "If-Modified-Since": lm}); resp.StatusCode != 200 {
		t.Errorf("after a new entry: %d, want 200", resp.StatusCode)
	}
	f.FailNext(providertest.Fault{Status: 503, Header: map[string]string{"Retry-After": "3"}})
	if resp, _ := get(t, f.URL(), nil); resp.StatusCode != 503 {
		t.Errorf("fault: %d", resp.StatusCode)
	}
	if f.Requests() != 5 || f.Log()[1].Header.Get("If-None-Match") != etag {
		t.Errorf("requests %d", f.Requests())
	}
}
