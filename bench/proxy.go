package bench

import (
	"bytes"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/driftwatch/driftwatch/providers/polite"
)

// FaultKind is how a faulty answer misbehaves.
type FaultKind int

// The ways an upstream misbehaves.
const (
	// Answer replies with the fault's status, content type and body.
	Answer FaultKind = iota + 1
	// Hang sends nothing until the client gives up: a timeout.
	Hang
	// Reset starts a 200 and resets the TCP connection mid-body.
	Reset
	// Drop resets the TCP connection before answering anything.
	Drop
	// Trickle sends a 200 and then one byte at a time, slowly, forever
	// (slowloris): only a deadline on the whole exchange ends it.
	Trickle
	// Oversize sends a well-formed start of JSON longer than the body cap
	// (polite.MaxBody).
	Oversize
)

// Fault is one misbehaving answer.
type Fault struct {
	Name        string
	Kind        FaultKind
	Status      int    // Answer
	ContentType string // Answer; default application/json
	Body        []byte // Answer
}

// The faults every provider must survive without storing or judging
// anything. WrongShape is an Auth0 error object served as a 200.
var (
	ServerError = Fault{Name: "500", Kind: Answer, Status: http.StatusInternalServerError,
		Body: []byte(`{"statusCode":500,"error":"Internal Server Error","message":"An internal server error occurred"}`)}
	Timeout   = Fault{Name: "timeout", Kind: Hang}
	ConnReset = Fault{Name: "reset", Kind: Reset}
	ConnDrop  = Fault{Name: "drop", Kind: Drop}
	Slowloris = Fault{Name: "slowloris", Kind: Trickle}
	LoginPage = Fault{Name: "html-login", Kind: Answer, Status: http.StatusOK, ContentType: "text/html; charset=utf-8",
		Body: []byte(`<!DOCTYPE html><html><head><title>Sign in</title></head><body><form method="post" action="/login">` +
			`<input name="username"><input type="password" name="password"><button>Sign in</button></form></body></html>`)}
	WrongShape = Fault{Name: "wrong-shape", Kind: Answer, Status: http.StatusOK,
		Body: []byte(`{"statusCode":403,"error":"Forbidden","message":"Insufficient scope, expected any of: read:clients","errorCode":"insufficient_scope"}`)}
	OverCap = Fault{Name: "over-cap", Kind: Oversize}
)

// Proxy stands between a provider and its (simulated) upstream and
// replaces chosen answers with faults. It keeps the Host header, so links
// an upstream builds from it (GitHub's Link paging) lead back through it.
type Proxy struct {
	srv  *httptest.Server
	rp   *httputil.ReverseProxy
	done chan struct{}

	// TrickleEvery is the pause between the bytes of a Trickle (default
	// 50 ms).
	TrickleEvery time.Duration

	mu      sync.Mutex
	pending []injection
	all     *Fault // every request, while set (an outage)
	counts  map[string]int
	once    sync.Once
}

type injection struct {
	match string // path suffix, plus "?"-separated query parts that must appear
	nth   int    // answer the nth matching request from now on
	fault Fault
}

// NewProxy starts a proxy to target (a base URL); Close it.
func NewProxy(target string) (*Proxy, error) {
	u, err := url.Parse(target)
	if err != nil {
		return nil, fmt.Errorf("bench: proxy target: %w", err)
	}
	p := &Proxy{rp: httputil.NewSingleHostReverseProxy(u), done: make(chan struct{}),
		counts: map[string]int{}, TrickleEvery: 50 * time.Millisecond}
	p.rp.ErrorLog = log.New(io.Discard, "", 0) // a client that gives up is the point
	p.srv = httptest.NewServer(http.HandlerFunc(p.serve))
	return p, nil
}

// URL is the proxy's base URL.
func (p *Proxy) URL() string { return p.srv.URL }

// Close releases hanging answers and stops the proxy.
func (p *Proxy) Close() {
	p.once.Do(func() { close(p.done) })
	p.srv.CloseClientConnections()
	p.srv.Close()
}

// Inject makes the nth request (1 = the next) whose path ends with match
// get the fault instead of the upstream's answer. match may carry query
// parts after a "?", each of which the request's query must contain, e.g.
// "/api/v2/clients?page=1".
func (p *Proxy) Inject(match string, nth int, f Fault) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.pending = append(p.pending, injection{match: match, nth: nth, fault: f})
}

// FailAll answers every request with f until Heal: an outage.
func (p *Proxy) FailAll(f Fault) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.all = &f
}

// Heal ends an outage FailAll began.
func (p *Proxy) Heal() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.all = nil
}

// Pending reports how many injected faults have not been served yet.
func (p *Proxy) Pending() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.pending)
}

// Requests counts the requests whose path ends with suffix; "" counts all.
func (p *Proxy) Requests(suffix string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for path, c := range p.counts {
		if strings.HasSuffix(path, suffix) {
			n += c
		}
	}
	return n
}

func matches(r *http.Request, match string) bool {
	path, query, _ := strings.Cut(match, "?")
	if !strings.HasSuffix(r.URL.Path, path) {
		return false
	}
	if query == "" {
		return true
	}
	have := "&" + r.URL.RawQuery + "&"
	for _, part := range strings.Split(query, "&") {
		if !strings.Contains(have, "&"+part+"&") {
			return false
		}
	}
	return true
}

// take returns the fault for this request, if one is due.
func (p *Proxy) take(r *http.Request) (Fault, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.counts[r.URL.Path]++
	if p.all != nil {
		return *p.all, true
	}
	for i := range p.pending {
		in := &p.pending[i]
		if !matches(r, in.match) {
			continue
		}
		if in.nth--; in.nth > 0 {
			continue
		}
		f := in.fault
		p.pending = append(p.pending[:i], p.pending[i+1:]...)
		return f, true
	}
	return Fault{}, false
}

func (p *Proxy) serve(w http.ResponseWriter, r *http.Request) {
	f, ok := p.take(r)
	if !ok {
		p.rp.ServeHTTP(w, r)
		return
	}
	switch f.Kind {
	case Answer:
		ct := f.ContentType
		if ct == "" {
			ct = "application/json; charset=utf-8"
		}
		w.Header().Set("Content-Type", ct)
		w.WriteHeader(f.Status)
		w.Write(f.Body)
	case Hang:
		select {
		case <-r.Context().Done():
		case <-p.done:
		}
	case Reset:
		p.reset(w, true)
	case Drop:
		p.reset(w, false)
	case Trickle:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		fl, _ := w.(http.Flusher)
		t := time.NewTicker(p.TrickleEvery)
		defer t.Stop()
		for {
			if _, err := w.Write([]byte(" ")); err != nil {
				return
			}
			if fl != nil {
				fl.Flush()
			}
			select {
			case <-r.Context().Done():
				return
			case <-p.done:
				return
			case <-t.C:
			}
		}
	case Oversize:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		chunk := bytes.Repeat([]byte(`{"name":"padding","callbacks":["https://example.com/cb"]},`), 1024)
		w.Write([]byte(`{"clients":[`))
		for sent := 0; sent <= polite.MaxBody; sent += len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
		w.Write([]byte(`{}],"total":1}`))
	}
}

// reset resets the connection (RST, not a clean close), after writing the
// start of a 200 when midBody is set.
func (p *Proxy) reset(w http.ResponseWriter, midBody bool) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic("bench: proxy cannot hijack")
	}
	conn, buf, err := hj.Hijack()
	if err != nil {
		return
	}
	if midBody {
		buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{\"clients\":[{\"name\":\"Acme")
		buf.Flush()
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0) // best effort: a reset rather than a clean close
	}
	conn.Close()
}
