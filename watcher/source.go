package watcher

import (
	"context"
	"time"
)

// Source is one configured upstream as the engine sees it: its name, its
// type, when to poll it, and which paths of its document are not drift.
type Source struct {
	Name     string
	Type     string
	Schedule string
	// Ignore lists JSON Pointer patterns ("*" matches one segment) removed
	// from the document before hashing, so their churn stores nothing.
	Ignore []string
	// Items names the collection whose new members a digest lists as
	// news; nil for documents without one.
	Items *Items
}

// Items is a document's collection of news, such as releases or entries.
type Items struct {
	// Member is the top-level member, an object keyed by item.
	Member string
	// Heading heads the new items in a digest ("New releases").
	Heading string
}

// Provider turns one configured source into one document. It knows its
// upstream's wire protocol and nothing about storage or judgement.
type Provider interface {
	// Fetch returns a whole document, or a Result with Unchanged set when a
	// conditional request says nothing moved. It never returns a partial
	// document: any failure on any page is an error.
	Fetch(ctx context.Context, prev FetchState) (*Result, error)
}

// Validator holds the HTTP validators last seen for one URL.
type Validator struct {
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
}

// FetchState is what a provider keeps between fetches: validators for
// conditional requests, by request URL, and small private notes.
type FetchState struct {
	Validators map[string]Validator `json:"validators,omitempty"`
	// Memo holds a provider's own notes between fetches, such as when it
	// last read a slow-moving endpoint.
	Memo map[string]string `json:"memo,omitempty"`
	// Last loads the newest stored document of the source, decoded; it
	// returns ErrNotFound when there is none. It is nil in a Result. A
	// provider uses it to keep what an upstream hid this time (a missing
	// permission) or answered 304 for.
	Last func() (any, error) `json:"-"`
}

// Get returns the validator for url, if any.
func (s FetchState) Get(url string) (Validator, bool) {
	v, ok := s.Validators[url]
	return v, ok
}

// Set records the validators seen for url; empty validators forget it.
func (s *FetchState) Set(url string, v Validator) {
	if v.ETag == "" && v.LastModified == "" {
		delete(s.Validators, url)
		return
	}
	if s.Validators == nil {
		s.Validators = map[string]Validator{}
	}
	s.Validators[url] = v
}

// SetMemo records a note; an empty value forgets it.
func (s *FetchState) SetMemo(key, value string) {
	if value == "" {
		delete(s.Memo, key)
		return
	}
	if s.Memo == nil {
		s.Memo = map[string]string{}
	}
	s.Memo[key] = value
}

// Result is what one fetch produced.
type Result struct {
	// Doc is the whole document as decoded JSON (maps, slices, strings,
	// json.Number, bools, nil). Nil when Unchanged.
	Doc any
	// Unchanged is set when the upstream said nothing moved (a 304).
	Unchanged bool
	// State is the fetch state to keep for the next fetch.
	State FetchState
	// RateRemaining is the upstream's remaining request budget, -1 if unknown.
	RateRemaining int
	// Requests counts the HTTP requests the fetch made.
	Requests int
}

// SourceState is the store's record of a source's fetches.
type SourceState struct {
	Name                string
	Type                string
	LastAttemptAt       *time.Time
	LastSuccessAt       *time.Time
	LastErrorAt         *time.Time
	LastError           string
	ConsecutiveFailures int
	FailingSince        *time.Time
	// LastHash is the content hash of the newest snapshot.
	LastHash string
	// JudgedKey identifies the rules, the day and the document (its hash)
	// last judged; an unchanged fetch is judged again only when it differs.
	JudgedKey string
	Fetch     FetchState
}
