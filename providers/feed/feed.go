// Package feed watches a changelog feed (RSS or Atom): the place a
// provider announces deprecations, end-of-life dates and policy changes.
// It snapshots the entries and judges new ones against what the deployed
// app uses, as the other configured sources show it: an Auth0 tenant's
// action runtimes, grants and connections, the SDKs it depends on.
package feed

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/driftwatch/driftwatch/providers/polite"
	"github.com/driftwatch/driftwatch/watcher"
)

// Config is one feed source.
type Config struct {
	Name string
	URL  string
}

// Provider reads one feed.
type Provider struct {
	cfg     Config
	safeURL string // without userinfo and query, for errors and logs
	key     string // what validators are kept under: no query secrets
	hc      *http.Client
	logger  *slog.Logger

	// MinBackoff is the least wait a 429 or 503 asks for (default 1 s).
	MinBackoff time.Duration
	// Now is the clock for Retry-After dates.
	Now func() time.Time
}

var _ watcher.Provider = (*Provider)(nil)

// New checks the configuration and returns a provider. hc may be nil (a
// client with a timeout is used); logger may be nil.
func New(cfg Config, hc *http.Client, logger *slog.Logger) (*Provider, error) {
	u, err := url.Parse(strings.TrimSpace(cfg.URL))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("feed: url %q: want an http(s) URL", redact(cfg.URL))
	}
	hc = polite.Guard(hc)
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	safe := u.Scheme + "://" + u.Host + u.Path
	key := safe
	if u.RawQuery != "" || u.User != nil {
		// A query may carry a token: keep a hash of it, not the token.
		sum := sha256.Sum256([]byte(cfg.URL))
		key += "#" + hex.EncodeToString(sum[:8])
	}
	return &Provider{cfg: cfg, safeURL: safe, key: key, hc: hc,
		logger: logger.With("source", cfg.Name, "url", safe), MinBackoff: time.Second, Now: time.Now}, nil
}

// redact drops what may carry a secret from a URL that did not parse.
func redact(s string) string {
	if i := strings.IndexAny(s, "?#@"); i >= 0 {
		return s[:i] + "…"
	}
	return s
}

// accept prefers feed types and still takes the XML a server may label
// loosely.
const accept = "application/atom+xml, application/rss+xml;q=0.9, application/feed+json;q=0.8, application/xml;q=0.7, text/xml;q=0.7, */*;q=0.1"

// Fetch reads the feed with a conditional GET: a 304 is "unchanged".
func (p *Provider) Fetch(ctx context.Context, prev watcher.FetchState) (*watcher.Result, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.cfg.URL, nil)
	if err != nil {
		return nil, fmt.Errorf("feed: %s: %w", p.safeURL, err)
	}
	req.Header.Set("Accept", accept)
	v, _ := prev.Get(p.key)
	polite.SetValidators(req, v)
	resp, err := p.hc.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("feed: get %s: %w", p.safeURL, ctx.Err())
		}
		// The transport's error names the whole URL, query included.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("feed: get %s: %w", p.safeURL, err)
	}
	st := watcher.FetchState{}
	for k, x := range prev.Validators {
		st.Set(k, x)
	}
	for k, x := range prev.Memo {
		st.SetMemo(k, x)
	}
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusNotModified:
		polite.Drain(resp)
		if nv := polite.Validators(resp); nv.ETag != "" || nv.LastModified != "" {
			st.Set(p.key, merge(v, nv))
		}
		p.logger.Debug("feed unchanged")
		return &watcher.Result{Unchanged: true, State: st, RateRemaining: -1, Requests: 1}, nil
	case http.StatusTooManyRequests, http.StatusServiceUnavailable:
		wait := polite.RetryAfter(resp.Header, p.Now(), p.MinBackoff)
		return nil, &watcher.RetryAfterError{After: wait, Err: fmt.Errorf("feed: %w", polite.NewStatusError(resp, p.safeURL))}
	default:
		return nil, fmt.Errorf("feed: %w", polite.NewStatusError(resp, p.safeURL))
	}
	body, err := polite.ReadBody(resp, polite.MaxBody)
	if err != nil {
		return nil, fmt.Errorf("feed: get %s: %w", p.safeURL, err)
	}
	doc, err := Parse(body)
	if err != nil {
		return nil, fmt.Errorf("feed: %s: %w", p.safeURL, err)
	}
	st.Set(p.key, polite.Validators(resp))
	entries, _ := doc["entries"].(map[string]any)
	p.logger.Debug("feed read", "entries", len(entries), "bytes", len(body))
	return &watcher.Result{Doc: doc, State: st, RateRemaining: -1, Requests: 1}, nil
}

// merge keeps the old validators a 304 did not repeat.
func merge(old, nv watcher.Validator) watcher.Validator {
	if nv.ETag == "" {
		nv.ETag = old.ETag
	}
	if nv.LastModified == "" {
		nv.LastModified = old.LastModified
	}
	return nv
}

// Parse reads an RSS, Atom or JSON feed into a snapshot document. It never
// fetches anything itself.
func Parse(body []byte) (map[string]any, error) {
	f, err := gofeed.NewParser().Parse(bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("parse: %w (starts %q)", err, polite.Snippet(body, 40))
	}
	if f.FeedType == "json" && !isJSONFeed(body) {
		// gofeed reads any JSON object as an empty JSON Feed; an error
		// object would then look like every entry removed.
		return nil, fmt.Errorf("parse: JSON that is not a JSON Feed (no version https://jsonfeed.org/version/...; starts %q)", polite.Snippet(body, 60))
	}
	return snapshot(f), nil
}

// isJSONFeed checks the version a JSON Feed must declare.
func isJSONFeed(body []byte) bool {
	var v struct {
		Version string `json:"version"`
	}
	return json.Unmarshal(body, &v) == nil && strings.HasPrefix(v.Version, "https://jsonfeed.org/version/")
}
