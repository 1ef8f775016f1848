package providertest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"
)

// FeedFormat is the syndication format a simulated feed speaks.
type FeedFormat string

// The formats NewFeed serves.
const (
	RSS  FeedFormat = "rss"
	Atom FeedFormat = "atom"
)

// Entry is one announcement of a simulated feed. Summary may hold HTML.
type Entry struct {
	ID        string // guid / atom id; empty leaves the guid out (RSS)
	Title     string
	Link      string
	Summary   string
	Published time.Time
}

// Feed is a simulated changelog feed with ETag, Last-Modified and 304.
type Feed struct {
	srv    *httptest.Server
	format FeedFormat

	mu       sync.Mutex
	title    string
	entries  []Entry // newest first
	modified time.Time
	raw      []byte // served instead of the rendered feed when set
	rawType  string
	faults   []Fault
	log      []Request
}

// NewFeed starts a simulated feed with the entries, newest first.
func NewFeed(format FeedFormat, title string, entries ...Entry) *Feed {
	f := &Feed{format: format, title: title, entries: append([]Entry(nil), entries...),
		modified: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	return f
}

// URL is the feed's address.
func (f *Feed) URL() string {
	if f.format == Atom {
		return f.srv.URL + "/changelog.atom"
	}
	return f.srv.URL + "/changelog.rss"
}

// Close stops the server.
func (f *Feed) Close() { f.srv.Close() }

// AddEntry publishes an entry as the newest one.
func (f *Feed) AddEntry(e Entry) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.entries = append([]Entry{e}, f.entries...)
	f.modified = f.modified.Add(time.Hour)
}

// SetBody makes the feed serve these bytes as they are (malformed XML, a
// foreign charset); nil restores the rendered feed.
func (f *Feed) SetBody(contentType string, body []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.raw, f.rawType = body, contentType
	f.modified = f.modified.Add(time.Hour)
}

// FailNext queues faults answered, in order, to the next requests.
func (f *Feed) FailNext(fs ...Fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults = append(f.faults, fs...)
}

// Requests counts the requests so far.
func (f *Feed) Requests() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.log)
}

// Log returns the requests seen so far, with their headers.
func (f *Feed) Log() []Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Request(nil), f.log...)
}

func (f *Feed) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.log = append(f.log, Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Header: r.Header.Clone()})
	status := f.answer(w, r)
	f.log[len(f.log)-1].Status = status
}

func (f *Feed) answer(w http.ResponseWriter, r *http.Request) int {
	if len(f.faults) > 0 {
		ft := f.faults[0]
		f.faults = f.faults[1:]
		for k, v := range ft.Header {
			w.Header().Set(k, v)
		}
		if ft.ContentType != "" {
			w.Header().Set("Content-Type", ft.ContentType)
		}
		w.WriteHeader(ft.Status)
		_, _ = w.Write([]byte(ft.Body))
		return ft.Status
	}
	body, ctype := f.raw, f.rawType
	if body == nil {
		body, ctype = f.render()
	}
	sum := sha256.Sum256(body)
	etag := `W/"` + hex.EncodeToString(sum[:16]) + `"`
	lm := f.modified.UTC().Format(http.TimeFormat)
	w.Header().Set("ETag", etag)
	w.Header().Set("Last-Modified", lm)
	inm := r.Header.Get("If-None-Match")
	if inm != "" && etagMatch(inm, etag) {
		w.WriteHeader(http.StatusNotModified)
		return http.StatusNotModified
	}
	if ims, err := http.ParseTime(r.Header.Get("If-Modified-Since")); inm == "" && err == nil && !f.modified.Truncate(time.Second).After(ims) {
		w.WriteHeader(http.StatusNotModified)
		return http.StatusNotModified
	}
	w.Header().Set("Content-Type", ctype)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
	return http.StatusOK
}

// render writes the feed as RSS 2.0 or Atom 1.0.
func (f *Feed) render() ([]byte, string) {
	var b bytes.Buffer
	esc := func(s string) {
		_ = xml.EscapeText(&b, []byte(s))
	}
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	if f.format == Atom {
		b.WriteString(`<feed xmlns="http://www.w3.org/2005/Atom"><title>`)
		esc(f.title)
		b.WriteString(`</title><id>` + f.srv.URL + `/</id><updated>` + f.modified.Format(time.RFC3339) + "</updated>\n")
		for _, e := range f.entries {
			b.WriteString(`<entry><title>`)
			esc(e.Title)
			b.WriteString(`</title><id>`)
			esc(e.ID)
			b.WriteString(`</id><link href="`)
			esc(e.Link)
			b.WriteString(`"/><published>` + e.Published.UTC().Format(time.RFC3339) + `</published><updated>` +
				e.Published.UTC().Format(time.RFC3339) + `</updated><summary type="html">`)
			esc(e.Summary)
			b.WriteString("</summary></entry>\n")
		}
		b.WriteString("</feed>\n")
		return b.Bytes(), "application/atom+xml; charset=utf-8"
	}
	b.WriteString(`<rss version="2.0"><channel><title>`)
	esc(f.title)
	b.WriteString(`</title><link>` + f.srv.URL + `/</link><description>`)
	esc(f.title)
	b.WriteString("</description>\n")
	for _, e := range f.entries {
		b.WriteString(`<item><title>`)
		esc(e.Title)
		b.WriteString(`</title><link>`)
		esc(e.Link)
		b.WriteString(`</link>`)
		if e.ID != "" {
			b.WriteString(`<guid isPermaLink="false">`)
			esc(e.ID)
			b.WriteString(`</guid>`)
		}
		b.WriteString(`<pubDate>` + e.Published.UTC().Format(time.RFC1123Z) + `</pubDate><description>`)
		esc(e.Summary)
		b.WriteString("</description></item>\n")
	}
	b.WriteString("</channel></rss>\n")
	return b.Bytes(), "application/rss+xml; charset=utf-8"
}
