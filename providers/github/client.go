package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	gh "github.com/google/go-github/v60/github"

	"github.com/driftwatch/driftwatch/providers/polite"
	"github.com/driftwatch/driftwatch/watcher"
)

// errNotModified marks a 304: the resource is as it was.
var errNotModified = errors.New("not modified")

// maxAttempts bounds how often one request is retried after a secondary
// rate limit.
const maxAttempts = 3

// secondaryWait is GitHub's advice when a secondary limit names no
// Retry-After: wait at least a minute.
const secondaryWait = time.Minute

// fetcher makes one Fetch's requests and counts them.
type fetcher struct {
	p         *Provider
	requests  int
	remaining int // the rate budget left, -1 if unknown
}

// client returns a fresh go-github client. A fresh client per request
// keeps go-github's remembered rate state (which answers later calls with
// a made-up 403 without asking GitHub) from outliving the request that
// saw it: our own classification decides about waits.
//
// go-github reads error bodies whole, itself: the client's transport caps
// every body in transit, so a 2 GB error page fails at MaxBody instead.
func (p *Provider) client() *gh.Client {
	// The token is set by p.hc's transport, for the API's origin only.
	c := gh.NewClient(polite.CappedClient(p.hc, polite.MaxBody))
	u := *p.base
	c.BaseURL = &u
	c.UserAgent = polite.UserAgent
	return c
}

// capped is a body buffer that refuses more than max bytes.
type capped struct {
	b   []byte
	max int
}

// Write appends p, or fails once the cap would be passed.
func (c *capped) Write(p []byte) (int, error) {
	if len(c.b)+len(p) > c.max {
		return 0, polite.ErrTooLarge
	}
	c.b = append(c.b, p...)
	return len(p), nil
}

// get requests path (relative to the API URL) and returns the body. A 304
// is errNotModified; a secondary rate limit or a 429 is waited out when the
// wait is short enough; an exhausted budget is an error naming the reset.
func (f *fetcher) get(ctx context.Context, what, path, etag string) ([]byte, *gh.Response, error) {
	for attempt := 1; ; attempt++ {
		c := f.p.client()
		req, err := c.NewRequest(http.MethodGet, path, nil)
		if err != nil {
			return nil, nil, fmt.Errorf("github: %s: %w", what, err)
		}
		if etag != "" {
			req.Header.Set("If-None-Match", etag)
		}
		buf := &capped{max: polite.MaxBody}
		resp, err := c.Do(ctx, req, buf)
		f.requests++
		f.noteRate(resp)
		if err == nil {
			return buf.b, resp, nil
		}
		if ctx.Err() != nil {
			return nil, resp, fmt.Errorf("github: %s: %w", what, ctx.Err())
		}
		wait, retry, err := f.classify(what, resp, err)
		if !retry {
			return nil, resp, err
		}
		if attempt >= maxAttempts {
			return nil, resp, &watcher.RetryAfterError{After: wait,
				Err: fmt.Errorf("github: %s: still rate limited after %d attempts: %w", what, attempt, err)}
		}
		if wait > f.p.MaxWait {
			return nil, resp, &watcher.RetryAfterError{After: wait,
				Err: fmt.Errorf("github: %s: %w; the wait of %s is longer than the %s this poll may wait", what, err, wait, f.p.MaxWait)}
		}
		f.p.logger.Info("github rate limited, waiting", "what", what, "wait", wait.String(), "attempt", attempt)
		if err := f.p.Sleep(ctx, wait); err != nil {
			return nil, resp, fmt.Errorf("github: %s: %w", what, err)
		}
	}
}

// noteRate keeps the budget the last response reported.
func (f *fetcher) noteRate(resp *gh.Response) {
	if resp == nil || resp.Response == nil || resp.Header.Get("X-RateLimit-Remaining") == "" {
		return
	}
	f.remaining = resp.Rate.Remaining
}

// classify turns a go-github error into a decision: a 304, a wait to sit
// out and retry, or a final error. go-github v60 reports a 304 as an
// *ErrorResponse and does not recognise 429 at all.
func (f *fetcher) classify(what string, resp *gh.Response, err error) (time.Duration, bool, error) {
	now := f.p.Now()
	var er *gh.ErrorResponse
	isErr := errors.As(err, &er) && er.Response != nil
	if isErr && er.Response.StatusCode == http.StatusNotModified {
		return 0, false, errNotModified
	}
	var rl *gh.RateLimitError
	if errors.As(err, &rl) {
		return 0, false, f.exhausted(what, rl.Rate, now)
	}
	var ab *gh.AbuseRateLimitError
	if errors.As(err, &ab) {
		// go-github falls back to x-ratelimit-reset, the primary window's
		// end, when Retry-After is missing; GitHub's advice is a minute.
		wait := secondaryWait
		if ab.Response.Header.Get("Retry-After") != "" && ab.RetryAfter != nil {
			wait = *ab.RetryAfter
		}
		return max(wait, f.p.MinBackoff), true, fmt.Errorf("secondary rate limit (HTTP %d)", ab.Response.StatusCode)
	}
	if isErr {
		h := er.Response.Header
		code := er.Response.StatusCode
		switch {
		case code == http.StatusTooManyRequests && h.Get("X-RateLimit-Remaining") == "0":
			return 0, false, f.exhausted(what, resp.Rate, now)
		case code == http.StatusTooManyRequests,
			code == http.StatusForbidden && strings.Contains(strings.ToLower(er.Message), "secondary rate limit"):
			wait := secondaryWait
			if h.Get("Retry-After") != "" {
				wait = polite.RetryAfter(h, now, f.p.MinBackoff)
			}
			return max(wait, f.p.MinBackoff), true, fmt.Errorf("rate limited (HTTP %d)", code)
		}
		if msg := polite.Snippet([]byte(er.Message), 160); msg != "" {
			return 0, false, fmt.Errorf("github: %s: HTTP %d: %s", what, code, msg)
		}
		return 0, false, fmt.Errorf("github: %s: HTTP %d (no error message)", what, code)
	}
	return 0, false, fmt.Errorf("github: %s: %w", what, err)
}

// exhausted is the error for a spent primary budget: it names the reset
// and carries the wait for the scheduler.
func (f *fetcher) exhausted(what string, rate gh.Rate, now time.Time) error {
	hint := ""
	if f.p.cfg.Token == "" {
		hint = "; unauthenticated requests get 60 per hour, set token_env for 5,000"
	}
	if rate.Reset.IsZero() {
		return &watcher.RetryAfterError{After: 15 * time.Minute,
			Err: fmt.Errorf("github: %s: rate limit exhausted (limit %d per hour), reset time not given%s", what, rate.Limit, hint)}
	}
	reset := rate.Reset.Time
	return &watcher.RetryAfterError{After: max(reset.Sub(now), f.p.MinBackoff),
		Err: fmt.Errorf("github: %s: rate limit exhausted (limit %d per hour), resets at %s%s",
			what, rate.Limit, reset.UTC().Format(time.RFC3339), hint)}
}
