// Package httpjson watches any JSON endpoint: a status page, a cloud
// resource API, a metrics API. The response body is the document.
package httpjson

import (
	"context"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"time"

	"github.com/driftwatch/driftwatch/diff"
	"github.com/driftwatch/driftwatch/providers/polite"
	"github.com/driftwatch/driftwatch/watcher"
)

// Config is one http_json source.
type Config struct {
	Name string
	URL  string
	// Headers are sent with the request; their values are secrets.
	Headers map[string]string
	// Redact are JSON Pointers ("*" matches one segment) whose values are
	// replaced by the redaction marker, on top of the shared policy.
	Redact []string
}

// Provider fetches one JSON endpoint with conditional requests.
type Provider struct {
	cfg    Config
	redact []diff.Pattern
	hc     *http.Client
	logger *slog.Logger
}

var _ watcher.Provider = (*Provider)(nil)

// New returns a provider for cfg; hc should carry a timeout.
func New(cfg Config, hc *http.Client, logger *slog.Logger) (*Provider, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("http_json: url %q: want an http(s) URL", polite.SafeURL(cfg.URL))
	}
	var ps []diff.Pattern
	for _, r := range cfg.Redact {
		p, err := diff.ParsePattern(r)
		if err != nil {
			return nil, fmt.Errorf("http_json: redact %q: %w", r, err)
		}
		ps = append(ps, p)
	}
	hc = polite.Guard(hc) // the configured headers hold secrets: they never leave the origin
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Provider{cfg: cfg, redact: ps, hc: hc, logger: logger}, nil
}

// Fetch GETs the endpoint. A 304 is Unchanged; anything but a 2xx with a
// whole JSON body is an error.
func (p *Provider) Fetch(ctx context.Context, prev watcher.FetchState) (*watcher.Result, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.cfg.URL, nil)
	if err != nil {
		return nil, fmt.Errorf("http_json: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	for k, v := range p.cfg.Headers {
		req.Header.Set(k, v)
	}
	v, _ := prev.Get(p.cfg.URL)
	polite.SetValidators(req, v)
	safe := polite.SafeURL(p.cfg.URL)
	resp, err := p.hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("http_json: GET %s: %w", safe, polite.UnwrapURLError(err))
	}
	state := watcher.FetchState{}
	if resp.StatusCode == http.StatusNotModified {
		polite.Drain(resp)
		state.Set(p.cfg.URL, v)
		return &watcher.Result{Unchanged: true, State: state, RateRemaining: -1, Requests: 1}, nil
	}
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
		wait := polite.RetryAfter(resp.Header, time.Now(), time.Second)
		return nil, &watcher.RetryAfterError{After: wait, Err: fmt.Errorf("http_json: %w", polite.NewStatusError(resp, safe))}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, fmt.Errorf("http_json: %w", polite.NewStatusError(resp, safe))
	}
	body, err := polite.ReadBody(resp, 0)
	if err != nil {
		return nil, fmt.Errorf("http_json: GET %s: %w", safe, err)
	}
	doc, err := diff.Decode(body)
	if err != nil {
		ct, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
		if ct == "" {
			ct = "no content type"
		}
		return nil, fmt.Errorf("http_json: GET %s: response is not a whole JSON document (%s): %w; starts %q",
			safe, ct, err, polite.Snippet(body, 60))
	}
	if doc == nil {
		// Stored, null would read as every value removed.
		return nil, fmt.Errorf("http_json: GET %s: the body is JSON null, not a document (an endpoint with nothing to report, or one reporting an error as null); nothing stored", safe)
	}
	state.Set(p.cfg.URL, polite.Validators(resp))
	doc = secure(doc, p.redact) // before anything stores, diffs or logs it
	return &watcher.Result{Doc: doc, State: state, RateRemaining: -1, Requests: 1}, nil
}
