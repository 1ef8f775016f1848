package auth0

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/driftwatch/driftwatch/diff"
	"github.com/driftwatch/driftwatch/providers/polite"
	"github.com/driftwatch/driftwatch/redact"
	"github.com/driftwatch/driftwatch/watcher"
)

// endpoint is one Management API resource the provider reads.
type endpoint struct {
	name     string // for messages: "clients"
	path     string
	key      string // the items' key in the paging envelope
	scope    string // the read scope a 401/403 names
	optional bool   // 403/404 leave it out of the document
}

// session is one fetch: its token, its request count and the rate-limit
// budget last reported. It is never reused, so the token is never kept.
type session struct {
	p        *Provider
	token    string
	requests int
	// limit, remaining and reset are the last x-ratelimit-* seen;
	// remaining is -1 once a wait has used it up.
	limit, remaining int
	reset            int64
	lastRemaining    int
}

// authenticate gets one Management API token by client credentials.
func (s *session) authenticate(ctx context.Context) error {
	cfg := s.p.cfg
	cc := clientcredentials.Config{
		ClientID:     cfg.ClientID,
		ClientSecret: cfg.ClientSecret,
		TokenURL:     s.p.base + "/oauth/token",
		// The audience is the tenant's identifier, also when base_url
		// points elsewhere (a proxy, a test server).
		EndpointParams: url.Values{"audience": {"https://" + cfg.Domain + "/api/v2/"}},
		AuthStyle:      oauth2.AuthStyleInParams,
	}
	s.requests++
	tok, err := cc.Token(context.WithValue(ctx, oauth2.HTTPClient, s.p.hc))
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("auth0: get token: %w", ctx.Err())
		}
		var re *oauth2.RetrieveError
		if !errors.As(err, &re) {
			return fmt.Errorf("auth0: get token: %s", s.scrub(err.Error()))
		}
		return fmt.Errorf("auth0: get token: %s (check client_id_env/client_secret_env and that the application may call https://%s/api/v2/)",
			s.scrub(tokenError(re)), cfg.Domain)
	}
	if tok.AccessToken == "" {
		return errors.New("auth0: get token: the answer holds no access_token")
	}
	s.token = tok.AccessToken
	s.p.cfg.Scrubber.AddObtained(tok.AccessToken) // an upstream may echo it into an error
	return nil
}

// tokenError describes a token failure from its status and OAuth error
// fields only: a response body is never echoed whole.
func tokenError(re *oauth2.RetrieveError) string {
	msg := "token endpoint answered"
	if re.Response != nil {
		msg += fmt.Sprintf(" HTTP %d", re.Response.StatusCode)
	}
	if re.ErrorCode != "" {
		msg += " " + polite.Snippet([]byte(re.ErrorCode), 60)
	}
	if re.ErrorDescription != "" {
		msg += ": " + polite.Snippet([]byte(re.ErrorDescription), 160)
	}
	return msg
}

// scrub removes the client secret, in every form it travels, from text
// bound for an error.
func (s *session) scrub(text string) string {
	return redact.NewScrubber(s.p.cfg.ClientSecret).Scrub(text)
}

// get reads one JSON resource, pacing by the rate-limit budget and
// retrying 429s, and returns it decoded and redacted.
func (s *session) get(ctx context.Context, path string, q url.Values) (any, error) {
	target := path
	if len(q) > 0 {
		target += "?" + q.Encode()
	}
	for attempt := 0; ; attempt++ {
		if err := s.pace(ctx); err != nil {
			return nil, err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.p.base+target, nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Authorization", "Bearer "+s.token)
		req.Header.Set("Accept", "application/json")
		s.requests++
		resp, err := s.p.hc.Do(req)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			var ue *url.Error
			if errors.As(err, &ue) {
				err = ue.Err
			}
			return nil, fmt.Errorf("GET %s: %w", target, err)
		}
		s.observe(resp.Header)
		if resp.StatusCode == http.StatusTooManyRequests {
			wait := polite.RetryAfter(resp.Header, time.Now(), s.p.MinBackoff)
			polite.Drain(resp)
			if attempt >= s.p.MaxRetries || wait > s.p.MaxWait {
				return nil, &watcher.RetryAfterError{After: wait,
					Err: fmt.Errorf("GET %s: HTTP 429 rate limited (%d attempts)", target, attempt+1)}
			}
			s.p.log.Warn("auth0: rate limited; retrying", "path", path, "wait", wait, "attempt", attempt+1)
			if err := s.p.Sleep(ctx, wait); err != nil {
				return nil, err
			}
			s.remaining = -1 // the wait spent this budget report
			continue
		}
		if resp.StatusCode != http.StatusOK {
			return nil, polite.NewStatusError(resp, target)
		}
		if ct := resp.Header.Get("Content-Type"); strings.Contains(ct, "html") {
			se := polite.NewStatusError(resp, target)
			return nil, fmt.Errorf("GET %s: got %s instead of JSON: %s", target, ct, se.Snippet)
		}
		body, err := polite.ReadBody(resp, 0)
		if err != nil {
			return nil, fmt.Errorf("GET %s: %w", target, err)
		}
		v, err := diff.Decode(body)
		if err != nil {
			return nil, fmt.Errorf("GET %s: invalid JSON (%w): %s", target, err, polite.Snippet(body, 80))
		}
		// Secrets go before anything else touches the data.
		return secure(v), nil
	}
}

// observe records the rate-limit budget a response reports.
func (s *session) observe(h http.Header) {
	rem, err := strconv.Atoi(strings.TrimSpace(h.Get("X-Ratelimit-Remaining")))
	if err != nil {
		return
	}
	s.remaining, s.lastRemaining = rem, rem
	s.limit, _ = strconv.Atoi(strings.TrimSpace(h.Get("X-Ratelimit-Limit")))
	s.reset, _ = strconv.ParseInt(strings.TrimSpace(h.Get("X-Ratelimit-Reset")), 10, 64)
}

// pace waits for the rate-limit window to reset when the budget is spent
// or low (a tenth of the limit or less), so the fetch does not run into
// 429s. The wait is bounded by MaxWait.
func (s *session) pace(ctx context.Context) error {
	if s.remaining < 0 || (s.remaining > 0 && s.remaining > s.limit/10) {
		return nil
	}
	wait := time.Until(time.Unix(s.reset, 0))
	if s.reset == 0 || (s.remaining == 0 && wait < s.p.MinBackoff) {
		wait = s.p.MinBackoff
	}
	wait = min(wait, s.p.MaxWait)
	s.remaining = -1
	if wait <= 0 {
		return nil
	}
	s.p.log.Debug("auth0: rate-limit budget low; pausing", "remaining", s.lastRemaining, "limit", s.limit, "wait", wait)
	return s.p.Sleep(ctx, wait)
}

// fail wraps an endpoint's error; a 401/403 names the scope most likely
// missing.
func (s *session) fail(ep endpoint, page string, err error) error {
	if code := statusCode(err); code == http.StatusUnauthorized || code == http.StatusForbidden {
		return fmt.Errorf("auth0: list %s: %w; the token likely lacks the %s scope (grant it to the application of client_id_env)",
			ep.name, err, ep.scope)
	}
	return fmt.Errorf("auth0: list %s%s: %w", ep.name, page, err)
}

// statusCode is the HTTP status of a *polite.StatusError in err, or 0.
func statusCode(err error) int {
	var se *polite.StatusError
	if errors.As(err, &se) {
		return se.Code
	}
	return 0
}

// describe says, briefly, what came back instead of the expected envelope.
func describe(v any, key string) string {
	m, ok := v.(map[string]any)
	if !ok {
		return fmt.Sprintf("a JSON %s, not an object", kindOf(v))
	}
	if msg, ok := m["message"].(string); ok {
		return "an error object: " + polite.Snippet([]byte(msg), 160)
	}
	if e, ok := m["error"].(string); ok {
		return "an error object: " + polite.Snippet([]byte(e), 160)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if len(keys) > 8 {
		keys = append(keys[:8], "…")
	}
	return fmt.Sprintf("an object without a %q list (keys: %s)", key, polite.Snippet([]byte(strings.Join(keys, ", ")), 120))
}

func kindOf(v any) string {
	switch v.(type) {
	case []any:
		return "array"
	case string:
		return "string"
	case nil:
		return "null"
	case bool:
		return "boolean"
	}
	return "number"
}
