package providertest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/driftwatch/driftwatch/redact"
	"github.com/driftwatch/driftwatch/watcher"
)

// Contract describes one provider type for RunContract, the suite every
// provider passes (after Alertmanager's notify tests and litestream's
// replica-client suite). Adding a source type means writing one Contract.
type Contract struct {
	// Upstream is the base URL of a simulated upstream that speaks the
	// provider's real wire format; the suite puts a fault-injecting proxy
	// in front of it.
	Upstream string
	// New returns the provider under test reading from origin (the
	// proxy's scheme://host:port, in place of Upstream's), wired as the
	// command wires it: the suite's client, logger and scrubber. It should
	// not wait out rate limits for real (a short MaxWait, or an injected
	// Sleep).
	New func(t *testing.T, origin string, hc *http.Client, logger *slog.Logger, scrub *redact.Scrubber) watcher.Provider
	// Secrets are the credentials the provider is configured with.
	Secrets []string
	// CredentialHeaders are request headers that carry credentials
	// (Authorization is always one); the values the upstream receives in
	// them are secrets too (an access token obtained during the fetch).
	CredentialHeaders []string
	// Planted are secret values the upstream serves inside its content;
	// no document may hold them.
	Planted []string
}

// RunContract checks that a provider: returns a whole document or none
// (a failure on any request of a fetch stores nothing), handles 304, waits
// or reports a 429's Retry-After, stops on cancellation, keeps secrets out
// of its document, errors and logs even when the upstream echoes them
// back, and sends no credential to another origin on a redirect.
func RunContract(t *testing.T, c Contract) {
	t.Helper()
	h := newHarness(t, c)
	base := h.baseline()

	t.Run("NoPartialDocumentOnAFailingRequest", func(t *testing.T) {
		for k := 1; k <= base.requests; k++ {
			for _, status := range []int{http.StatusInternalServerError, http.StatusUnauthorized} {
				h.proxy.failAt(k, func(w http.ResponseWriter, r *http.Request, body []byte) {
					echo(w, r, body, status)
				})
				res, err := h.fetch(context.Background(), watcher.FetchState{})
				if err == nil {
					t.Errorf("request %d of %d answered %d (echoing the request): no error", k, base.requests, status)
				}
				noDocument(t, res, "failing request "+strconv.Itoa(k))
				h.noLeak(t, "error", h.scrub.Error(err))
			}
		}
	})

	t.Run("NotModified", func(t *testing.T) {
		h.proxy.failFrom(1, func(w http.ResponseWriter, _ *http.Request, _ []byte) { w.WriteHeader(http.StatusNotModified) })
		res, err := h.fetch(context.Background(), base.state)
		conditional := h.proxy.sawValidators()
		switch {
		case conditional && (err != nil || res == nil || !res.Unchanged):
			t.Errorf("a conditional request answered 304: got %+v, %v; want Unchanged", res, err)
		case !conditional && err == nil && (res == nil || !res.Unchanged):
			t.Errorf("an unconditional request answered 304: got %+v; want an error", res)
		}
		noDocument(t, res, "304")
	})

	t.Run("RetryAfter", func(t *testing.T) {
		h.proxy.failAt(base.requests, func(w http.ResponseWriter, _ *http.Request, _ []byte) {
			w.Header().Set("Retry-After", "7")
			w.WriteHeader(http.StatusTooManyRequests)
		})
		res, err := h.fetch(context.Background(), watcher.FetchState{})
		var ra *watcher.RetryAfterError
		switch {
		case err == nil:
			if got := docJSON(t, res); got != base.doc {
				t.Errorf("after waiting out a 429 the document differs from the whole one")
			}
		case errors.As(err, &ra):
			if ra.After != 7*time.Second {
				t.Errorf("429 with Retry-After: 7 reported a wait of %s", ra.After)
			}
			noDocument(t, res, "429")
		default:
			t.Errorf("429 with Retry-After: 7: %v, want a wait or a *watcher.RetryAfterError", err)
		}
	})

	t.Run("Cancellation", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		arrived := make(chan struct{})
		var once sync.Once
		h.proxy.failAt(base.requests, func(w http.ResponseWriter, r *http.Request, _ []byte) {
			once.Do(func() { close(arrived) })
			select {
			case <-r.Context().Done():
			case <-time.After(30 * time.Second):
			}
		})
		type outcome struct {
			res *watcher.Result
			err error
		}
		done := make(chan outcome, 1)
		go func() {
			res, err := h.fetch(ctx, watcher.FetchState{})
			done <- outcome{res, err}
		}()
		select {
		case <-arrived:
		case o := <-done:
			t.Fatalf("the fetch ended before its last request: %v", o.err)
		}
		cancel()
		o := <-done
		if !errors.Is(o.err, context.Canceled) {
			t.Errorf("cancelled fetch: %v, want context.Canceled", o.err)
		}
		noDocument(t, o.res, "cancelled fetch")
	})

	t.Run("RedirectToAnotherOrigin", func(t *testing.T) {
		other := newRecorderServer()
		defer other.Close()
		for k := 1; k <= base.requests; k++ {
			for _, status := range []int{http.StatusTemporaryRedirect, http.StatusFound} {
				h.proxy.failAt(k, func(w http.ResponseWriter, r *http.Request, _ []byte) {
					// Another port of the same host is another origin.
					http.Redirect(w, r, other.URL+"/collect"+r.URL.Path, status)
				})
				res, err := h.fetch(context.Background(), watcher.FetchState{})
				if err == nil && docJSON(t, res) != base.doc {
					t.Errorf("redirect of request %d: a document that is not the whole one", k)
				}
				h.noLeak(t, "error", h.scrub.Error(err))
			}
		}
		for _, got := range other.requests() {
			h.noLeak(t, "a request to another origin", got)
			if strings.Contains(got, "\nReferer:") {
				t.Errorf("a Referer was sent: %s", got)
			}
		}
	})

	t.Run("SecretsNeverInDocumentErrorsOrLogs", func(t *testing.T) {
		h.noLeak(t, "document", base.doc)
		h.noLeak(t, "logs", h.logs.String())
	})
}

// harness is the proxy, the provider and what they saw.
type harness struct {
	t        *testing.T
	c        Contract
	proxy    *faultProxy
	provider watcher.Provider
	scrub    *redact.Scrubber
	logs     *syncBuffer
}

type baselineFetch struct {
	doc      string
	state    watcher.FetchState
	requests int
}

func newHarness(t *testing.T, c Contract) *harness {
	up, err := url.Parse(c.Upstream)
	if err != nil || up.Host == "" {
		t.Fatalf("contract: upstream %q is no URL", c.Upstream)
	}
	h := &harness{t: t, c: c, proxy: newFaultProxy(up), scrub: redact.NewScrubber(c.Secrets...), logs: &syncBuffer{}}
	t.Cleanup(h.proxy.srv.Close)
	// Logs go through the scrubbing handler, as the command's do.
	logger := slog.New(redact.Handler(slog.NewTextHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug}), h.scrub))
	h.provider = c.New(t, h.proxy.srv.URL, &http.Client{Timeout: 10 * time.Second}, logger, h.scrub)
	return h
}

// baseline fetches once without faults: a whole document.
func (h *harness) baseline() baselineFetch {
	h.t.Helper()
	res, err := h.fetch(context.Background(), watcher.FetchState{})
	if err != nil || res == nil || res.Doc == nil {
		h.t.Fatalf("contract: a fetch without faults failed: %v", err)
	}
	return baselineFetch{doc: docJSON(h.t, res), state: res.State, requests: h.proxy.count()}
}

func (h *harness) fetch(ctx context.Context, prev watcher.FetchState) (*watcher.Result, error) {
	h.proxy.reset()
	defer h.proxy.clear()
	return h.provider.Fetch(ctx, prev)
}

// noLeak fails when text holds a configured or planted secret, or a
// credential the upstream received, in any of the forms it travels in.
func (h *harness) noLeak(t *testing.T, what, text string) {
	t.Helper()
	if text == "" {
		return
	}
	secrets := append(append([]string{}, h.c.Secrets...), h.c.Planted...)
	secrets = append(secrets, h.proxy.credentials(h.c.CredentialHeaders)...)
	for _, s := range secrets {
		if len(s) < 6 {
			continue
		}
		for _, form := range []string{s, url.QueryEscape(s)} {
			if strings.Contains(text, form) {
				t.Errorf("%s holds a secret (%.12s…): %.300s", what, form, text)
			}
		}
	}
}

func noDocument(t *testing.T, res *watcher.Result, what string) {
	t.Helper()
	if res != nil && res.Doc != nil {
		t.Errorf("%s: a document was returned", what)
	}
}

func docJSON(t *testing.T, res *watcher.Result) string {
	t.Helper()
	if res == nil {
		return ""
	}
	b, err := json.Marshal(res.Doc)
	if err != nil {
		t.Fatalf("document does not marshal: %v", err)
	}
	return string(b)
}

// echo answers like a hostile upstream: the status, and a body quoting
// the request's URL, headers (Authorization included) and body.
func echo(w http.ResponseWriter, r *http.Request, body []byte, status int) {
	var b strings.Builder
	b.WriteString(`{"error":"denied","message":"`)
	if _, cred, ok := strings.Cut(r.Header.Get("Authorization"), " "); ok {
		b.WriteString("invalid token " + cred + ";") // quoted bare, as many APIs do
	}
	for k, vs := range r.Header {
		b.WriteString(" " + k + ": " + strings.Join(vs, ","))
	}
	b.WriteString(" request " + r.Method + " " + r.URL.String() + " body: " + string(body) + `"}`)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	io.WriteString(w, b.String())
}

// faultProxy forwards to the upstream and answers chosen requests itself.
type faultProxy struct {
	srv *httptest.Server
	rp  *httputil.ReverseProxy

	mu      sync.Mutex
	n       int
	at      int  // the request to fault, 1-based; 0 none
	from    bool // fault every request from at on
	fault   func(w http.ResponseWriter, r *http.Request, body []byte)
	headers []http.Header
}

func newFaultProxy(up *url.URL) *faultProxy {
	p := &faultProxy{rp: httputil.NewSingleHostReverseProxy(&url.URL{Scheme: up.Scheme, Host: up.Host})}
	p.srv = httptest.NewServer(http.HandlerFunc(p.serve))
	return p
}

func (p *faultProxy) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	p.mu.Lock()
	p.n++
	p.headers = append(p.headers, r.Header.Clone())
	fault := p.fault
	hit := fault != nil && (p.n == p.at || (p.from && p.n >= p.at))
	p.mu.Unlock()
	if hit {
		fault(w, r, body)
		return
	}
	p.rp.ServeHTTP(w, r)
}

func (p *faultProxy) failAt(k int, f func(http.ResponseWriter, *http.Request, []byte)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.at, p.from, p.fault = k, false, f
}

func (p *faultProxy) failFrom(k int, f func(http.ResponseWriter, *http.Request, []byte)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.at, p.from, p.fault = k, true, f
}

// reset starts counting a fetch's requests.
func (p *faultProxy) reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.n = 0
}

// clear removes the fault after a fetch.
func (p *faultProxy) clear() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.at, p.from, p.fault = 0, false, nil
}

func (p *faultProxy) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.n
}

// sawValidators reports whether the last fetch's first request was
// conditional.
func (p *faultProxy) sawValidators() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.headers) < p.n || p.n == 0 {
		return false
	}
	first := p.headers[len(p.headers)-p.n]
	return first.Get("If-None-Match") != "" || first.Get("If-Modified-Since") != ""
}

// credentials are the values (and bare tokens) of the credential headers
// every request carried.
func (p *faultProxy) credentials(names []string) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	names = append([]string{"Authorization"}, names...)
	seen := map[string]bool{}
	var out []string
	for _, h := range p.headers {
		for _, n := range names {
			v := h.Get(n)
			if v == "" || seen[v] {
				continue
			}
			seen[v] = true
			out = append(out, v)
			if _, cred, ok := strings.Cut(v, " "); ok {
				out = append(out, cred)
			}
		}
	}
	return out
}

// recorderServer is another origin that records every request it gets,
// headers and body, and answers 404.
type recorderServer struct {
	*httptest.Server
	mu  sync.Mutex
	got []string
}

func newRecorderServer() *recorderServer {
	s := &recorderServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b bytes.Buffer
		b.WriteString(r.Method + " " + r.URL.String() + "\n")
		_ = r.Header.Write(&b)
		body, _ := io.ReadAll(r.Body)
		b.Write(body)
		s.mu.Lock()
		s.got = append(s.got, b.String())
		s.mu.Unlock()
		http.NotFound(w, r)
	}))
	return s
}

func (s *recorderServer) requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.got...)
}

// syncBuffer is a log sink safe for concurrent writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
