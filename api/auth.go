package api

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"
)

// Tokens are the API's bearer tokens. Read reads; Write also acks and
// silences. With only one of them set, it does both. With neither, the
// API is off.
type Tokens struct {
	Read, Write string
}

// Enabled reports whether any token is configured.
func (t Tokens) Enabled() bool { return t.Read != "" || t.Write != "" }

// Access is what a presented token may do.
type Access int

// The accesses, weakest first.
const (
	NoAccess Access = iota
	ReadAccess
	WriteAccess
)

// Allows reports whether the request carries a token good for reading (or
// writing, with write set).
func (t Tokens) Allows(r *http.Request, write bool) bool {
	need := ReadAccess
	if write {
		need = WriteAccess
	}
	return t.Grant(r) >= need
}

// Grant says what the request's token may do: a bearer token, or the
// password of HTTP basic auth (for browsers). Tokens are compared in
// constant time.
func (t Tokens) Grant(r *http.Request) Access {
	got, ok := presented(r)
	if !ok || !t.Enabled() {
		return NoAccess
	}
	writeTok := t.Write
	if writeTok == "" {
		writeTok = t.Read
	}
	readTok := t.Read
	if readTok == "" {
		readTok = t.Write
	}
	// Evaluate both so the time taken does not tell which one matched.
	r1, r2 := equal(got, readTok), equal(got, writeTok)
	switch {
	case r2:
		return WriteAccess
	case r1:
		return ReadAccess
	}
	return NoAccess
}

func presented(r *http.Request) (string, bool) {
	if h := r.Header.Get("Authorization"); h != "" {
		if tok, ok := strings.CutPrefix(h, "Bearer "); ok {
			return strings.TrimSpace(tok), true
		}
	}
	if _, pw, ok := r.BasicAuth(); ok {
		return pw, true
	}
	return "", false
}

// equal compares digests, so neither the content nor the length of the
// token leaks through timing.
func equal(got, want string) bool {
	if want == "" {
		return false
	}
	g, w := sha256.Sum256([]byte(got)), sha256.Sum256([]byte(want))
	return subtle.ConstantTimeCompare(g[:], w[:]) == 1
}

// ReadOnlyToken is the reason a write with the read token is refused.
const ReadOnlyToken = "this token may only read"
