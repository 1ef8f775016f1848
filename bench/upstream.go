package bench

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
)

// Conditional is a local upstream serving fixed documents by path, each
// with a strong ETag, and answering a matching If-None-Match with 304 Not
// Modified: the cheapest honest server for measuring what an unchanged
// poll costs the client. It allocates little, so benchmarks measure
// driftwatch rather than the server.
type Conditional struct {
	srv *httptest.Server

	mu   sync.RWMutex
	docs map[string]*servedDoc

	requests    atomic.Int64
	notModified atomic.Int64
}

type servedDoc struct {
	body        []byte
	etag        string
	contentType string
}

// NewConditional starts a conditional upstream on loopback; Close it.
func NewConditional() *Conditional {
	c := &Conditional{docs: map[string]*servedDoc{}}
	c.srv = httptest.NewServer(http.HandlerFunc(c.serve))
	return c
}

// URL is the server's base URL, without a trailing slash.
func (c *Conditional) URL() string { return c.srv.URL }

// Close stops the server.
func (c *Conditional) Close() { c.srv.Close() }

// Set serves body at path (query ignored) with a content type and an ETag
// derived from the body; setting a new body changes the ETag.
func (c *Conditional) Set(path, contentType string, body []byte) {
	sum := sha256.Sum256(body)
	d := &servedDoc{body: body, etag: `"` + hex.EncodeToString(sum[:12]) + `"`, contentType: contentType}
	c.mu.Lock()
	c.docs[path] = d
	c.mu.Unlock()
}

// Requests counts the requests served so far.
func (c *Conditional) Requests() int64 { return c.requests.Load() }

// NotModified counts the requests answered 304.
func (c *Conditional) NotModified() int64 { return c.notModified.Load() }

func (c *Conditional) serve(w http.ResponseWriter, r *http.Request) {
	c.requests.Add(1)
	c.mu.RLock()
	d := c.docs[r.URL.Path]
	c.mu.RUnlock()
	if d == nil {
		http.Error(w, `{"message":"Not Found"}`, http.StatusNotFound)
		return
	}
	h := w.Header()
	h["Etag"] = []string{d.etag}
	if inm := r.Header.Get("If-None-Match"); inm != "" && strings.TrimPrefix(inm, "W/") == d.etag {
		c.notModified.Add(1)
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h["Content-Type"] = []string{d.contentType}
	w.WriteHeader(http.StatusOK)
	w.Write(d.body)
}
