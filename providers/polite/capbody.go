package polite

import (
	"fmt"
	"io"
	"net/http"
)

// CapBodies wraps a transport so that no response body, success or error,
// can be read past max bytes (MaxBody when max <= 0): a read beyond it
// fails with ErrTooLarge. It guards the bodies our code does not read
// itself, such as the error bodies go-github reads whole.
func CapBodies(base http.RoundTripper, max int64) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	if max <= 0 {
		max = MaxBody
	}
	if c, ok := base.(capTransport); ok && c.max <= max {
		return c // already capped as tightly
	}
	return capTransport{base: base, max: max}
}

type capTransport struct {
	base http.RoundTripper
	max  int64
}

func (t capTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(r)
	if err != nil || resp.Body == nil {
		return resp, err
	}
	if resp.ContentLength > t.max {
		// Announced too large: refuse it before reading a byte.
		resp.Body.Close()
		// (The URL is left out: it may carry a token; callers name it.)
		return nil, fmt.Errorf("%w (Content-Length %d, over %d bytes)", ErrTooLarge, resp.ContentLength, t.max)
	}
	resp.Body = &cappedBody{rc: resp.Body, left: t.max, max: t.max}
	return resp, nil
}

// CappedClient returns a copy of hc whose bodies are capped at max (see
// CapBodies); hc itself is left as it is.
func CappedClient(hc *http.Client, max int64) *http.Client {
	c := *hc
	c.Transport = CapBodies(hc.Transport, max)
	return &c
}

// cappedBody reads at most left bytes, then fails rather than truncating.
type cappedBody struct {
	rc        io.ReadCloser
	left, max int64
}

func (b *cappedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		// One byte more tells a body of exactly the cap from a larger one.
		var one [1]byte
		n, err := b.rc.Read(one[:])
		if n > 0 {
			return 0, fmt.Errorf("%w (over %d bytes)", ErrTooLarge, b.max)
		}
		return 0, err
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	return n, err
}

func (b *cappedBody) Close() error { return b.rc.Close() }

// WithCap returns a copy of hc whose bodies are capped at max, raised or
// lowered from the cap hc has: a provider that streams large documents
// (an npm package document) sets its own. hc is left as it is.
func WithCap(hc *http.Client, max int64) *http.Client {
	c := *hc
	switch t := hc.Transport.(type) {
	case uaTransport:
		if ct, ok := t.base.(capTransport); ok {
			c.Transport = uaTransport{capTransport{base: ct.base, max: max}}
			return &c
		}
	case capTransport:
		c.Transport = capTransport{base: t.base, max: max}
		return &c
	}
	c.Transport = CapBodies(hc.Transport, max)
	return &c
}
