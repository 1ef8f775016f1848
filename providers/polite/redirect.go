package polite

import (
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// Redirect hygiene. Go's client follows redirects with every custom header
// (an API key header goes to any host), keeps Authorization for another
// port of the same host, re-sends a POST body on 307/308, and sets Referer
// to the URL it came from (a secret URL, such as a webhook, leaks that
// way). Guard replaces that with: a request with a body is never
// redirected; a redirect to another origin (scheme, host and port) keeps
// only headers that carry no credential; Referer is never sent.

// safeHeaders are the only headers a redirect to another origin keeps.
var safeHeaders = map[string]bool{
	"Accept": true, "Accept-Encoding": true, "Accept-Language": true, "User-Agent": true, "Cache-Control": true,
	"If-None-Match": true, "If-Modified-Since": true, // a feed moved to https stays conditional
}

// maxRedirects bounds a redirect chain, as Go's default policy does.
const maxRedirects = 10

// Guard returns a copy of hc (a NewClient when nil) with the redirect
// policy above; a CheckRedirect hc already has runs after it.
func Guard(hc *http.Client) *http.Client {
	if hc == nil {
		hc = NewClient(nil, 0)
	}
	c := *hc
	c.CheckRedirect = guardRedirect(hc.CheckRedirect)
	return &c
}

// NoRedirects returns a copy of hc (a NewClient when nil) that follows no
// redirect: the caller sees the 3xx answer and treats it as the failure it
// is (a webhook that redirects has not delivered).
func NoRedirects(hc *http.Client) *http.Client {
	if hc == nil {
		hc = NewClient(nil, 0)
	}
	c := *hc
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

// StayHome returns Guard(hc) that also refuses a redirect to another
// origin, for APIs that never send one (the Auth0 Management API): an
// answer from elsewhere is not the upstream's answer (a 404 there must not
// read as "this optional endpoint is absent").
func StayHome(hc *http.Client) *http.Client {
	c := Guard(hc)
	guard := c.CheckRedirect
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if Origin(req.URL) != Origin(via[0].URL) {
			return ErrOtherOrigin
		}
		return guard(req, via)
	}
	return c
}

// ErrOtherOrigin refuses a redirect that leaves the upstream's origin.
var ErrOtherOrigin = errors.New("redirect to another origin refused")

// ErrTooManyRedirects ends a redirect chain that goes on too long.
var ErrTooManyRedirects = errors.New("stopped after 10 redirects")

func guardRedirect(next func(*http.Request, []*http.Request) error) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if len(via) >= maxRedirects {
			return ErrTooManyRedirects
		}
		first := via[0]
		if hasBody(first) {
			// A POST carries what it posts (a client secret, a message):
			// it goes where it was sent or nowhere.
			return http.ErrUseLastResponse
		}
		req.Header.Del("Referer")
		if Origin(req.URL) != Origin(first.URL) {
			for k := range req.Header {
				if !safeHeaders[http.CanonicalHeaderKey(k)] {
					req.Header.Del(k)
				}
			}
		}
		if next != nil {
			return next(req, via)
		}
		return nil
	}
}

// hasBody reports whether a request sends a body or is not a plain read.
func hasBody(r *http.Request) bool {
	if r.Method != "" && r.Method != http.MethodGet && r.Method != http.MethodHead {
		return true
	}
	return r.ContentLength > 0 || (r.Body != nil && r.Body != http.NoBody)
}

// Origin is a URL's scheme, host and port (the default port made
// explicit), lower-cased: what a browser calls its origin.
func Origin(u *url.URL) string {
	if u == nil {
		return ""
	}
	scheme := strings.ToLower(u.Scheme)
	host, port := strings.ToLower(u.Hostname()), u.Port()
	if port == "" {
		switch scheme {
		case "https":
			port = "443"
		case "http":
			port = "80"
		}
	}
	return scheme + "://" + net.JoinHostPort(host, port)
}

// HomeHeader returns a copy of hc (a NewClient when nil) whose transport
// sets header name to value on every request to home's origin, and on no
// other: a credential a library would add to each request (go-github's
// token) cannot follow a redirect elsewhere.
func HomeHeader(hc *http.Client, home *url.URL, name, value string) *http.Client {
	if hc == nil {
		hc = NewClient(nil, 0)
	}
	c := *hc
	base := c.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	c.Transport = homeHeader{base: base, origin: Origin(home), name: name, value: value}
	return &c
}

type homeHeader struct {
	base        http.RoundTripper
	origin      string
	name, value string
}

func (t homeHeader) RoundTrip(r *http.Request) (*http.Response, error) {
	if Origin(r.URL) != t.origin {
		return t.base.RoundTrip(r)
	}
	r = r.Clone(r.Context())
	r.Header.Set(t.name, t.value)
	return t.base.RoundTrip(r)
}
