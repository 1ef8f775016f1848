// Package polite holds what every provider needs to be a good HTTP citizen:
// a client with a timeout and a User-Agent, capped response bodies,
// conditional requests, and reading Retry-After and rate-limit headers.
package polite

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/driftwatch/driftwatch/watcher"
)

// MaxBody is the largest response body a provider reads: 10 MiB.
const MaxBody = 10 << 20

// Timeout bounds one HTTP request.
const Timeout = 10 * time.Second

// UserAgent is sent with every request; cmd sets the version.
var UserAgent = "driftwatch"

// NewClient returns an HTTP client with a timeout that sends the
// User-Agent and never a Referer, caps every body at MaxBody, and follows
// redirects as Guard says. base may be nil (the default transport).
func NewClient(base http.RoundTripper, timeout time.Duration) *http.Client {
	if base == nil {
		base = http.DefaultTransport
	}
	if timeout <= 0 {
		timeout = Timeout
	}
	return &http.Client{Timeout: timeout, Transport: uaTransport{CapBodies(base, MaxBody)}, CheckRedirect: guardRedirect(nil)}
}

type uaTransport struct{ base http.RoundTripper }

func (t uaTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Header.Get("User-Agent") == "" || r.Header.Get("Referer") != "" {
		r = r.Clone(r.Context())
		if r.Header.Get("User-Agent") == "" {
			r.Header.Set("User-Agent", UserAgent)
		}
		r.Header.Del("Referer") // where we come from is nobody's business
	}
	return t.base.RoundTrip(r)
}

// ErrTooLarge is returned for a body over the cap.
var ErrTooLarge = errors.New("response body too large")

// ReadBody reads the whole body, at most max bytes (MaxBody when max <= 0),
// and closes it. A larger body is an error, never a silent truncation.
func ReadBody(resp *http.Response, max int64) ([]byte, error) {
	defer resp.Body.Close()
	if max <= 0 {
		max = MaxBody
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		return nil, fmt.Errorf("read body: %w", err)
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("%w (over %d bytes)", ErrTooLarge, max)
	}
	return b, nil
}

// Drain discards what is left of a body and closes it, so the connection
// can be reused.
func Drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
}

// SetValidators adds If-None-Match / If-Modified-Since to a request.
func SetValidators(req *http.Request, v watcher.Validator) {
	if v.ETag != "" {
		req.Header.Set("If-None-Match", v.ETag)
	}
	if v.LastModified != "" {
		req.Header.Set("If-Modified-Since", v.LastModified)
	}
}

// Validators reads the ETag and Last-Modified of a response.
func Validators(resp *http.Response) watcher.Validator {
	return watcher.Validator{ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified")}
}

// RetryAfter reads how long to wait from Retry-After (seconds or an HTTP
// date), else from X-RateLimit-Reset (epoch seconds); a value that does not
// parse counts as absent. The wait is never below min: a reset can name the
// current second. Absurdly large values saturate instead of wrapping round
// to a short (or negative) wait.
func RetryAfter(h http.Header, now time.Time, min time.Duration) time.Duration {
	d, ok := retryAfter(strings.TrimSpace(h.Get("Retry-After")), now)
	if !ok {
		d, ok = rateLimitReset(strings.TrimSpace(h.Get("X-RateLimit-Reset")), now)
	}
	if !ok || d < min {
		d = min
	}
	return d
}

// maxSeconds is the longest wait a time.Duration holds, in seconds.
const maxSeconds = math.MaxInt64 / int64(time.Second)

func retryAfter(v string, now time.Time) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs > maxSeconds {
			return math.MaxInt64, true
		}
		return time.Duration(secs) * time.Second, true // negative: floored by the caller
	}
	if t, err := http.ParseTime(v); err == nil {
		return t.Sub(now), true
	}
	return 0, false
}

func rateLimitReset(v string, now time.Time) (time.Duration, bool) {
	epoch, err := strconv.ParseInt(v, 10, 64)
	if err != nil || epoch < 0 {
		return 0, false
	}
	if epoch-now.Unix() >= maxSeconds {
		return math.MaxInt64, true
	}
	return time.Unix(epoch, 0).Sub(now), true
}

// Sleep waits d or until ctx is done.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// StatusError is an unexpected HTTP status.
type StatusError struct {
	Method string
	URL    string // without query secrets; callers pass a safe form
	Code   int
	// Snippet is the start of the body, for the log line.
	Snippet string
}

func (e *StatusError) Error() string {
	s := fmt.Sprintf("%s %s: HTTP %d", e.Method, e.URL, e.Code)
	if e.Snippet != "" {
		s += ": " + e.Snippet
	}
	return s
}

// NewStatusError builds a StatusError from a response, reading at most a
// short snippet of its body and closing it.
func NewStatusError(resp *http.Response, safeURL string) *StatusError {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	Drain(resp)
	return &StatusError{Method: resp.Request.Method, URL: safeURL, Code: resp.StatusCode, Snippet: Snippet(b, 160)}
}

// NotShown stands for a text made only of control characters, which are
// never shown.
const NotShown = "(not shown: control characters only)"

// Snippet shortens upstream text for an error or log line: one line, at
// most n runes, control characters dropped.
func Snippet(b []byte, n int) string {
	s := strings.Map(func(r rune) rune {
		if unicode.IsControl(r) && !unicode.IsSpace(r) {
			return -1 // an escape sequence must not reach a terminal
		}
		return r
	}, strings.ToValidUTF8(string(b), "?"))
	s = strings.Join(strings.Fields(s), " ")
	if s == "" && strings.TrimFunc(string(b), unicode.IsSpace) != "" {
		// Something was there: say why nothing is shown.
		return NotShown
	}
	r := []rune(s)
	if len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
