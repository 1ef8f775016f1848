// Package sourcetype declares what a source type brings to driftwatch: its
// name, its config keys, how a configured source becomes a provider and
// rules, the shape of its documents and what they tell other sources. Each
// provider package declares one Type; the providers package lists them.
package sourcetype

import (
	"log/slog"
	"net/http"

	"github.com/driftwatch/driftwatch/config"
	"github.com/driftwatch/driftwatch/diff"
	"github.com/driftwatch/driftwatch/redact"
	"github.com/driftwatch/driftwatch/watcher"
)

// Type is one source type.
type Type struct {
	// Name is the type's value of the `type` key.
	Name string
	// Config returns a fresh config of the type's own keys, holding its
	// defaults; its struct's toml tags are the keys the type accepts.
	Config func() config.SourceConfig
	// Category is where findings of expectations about the type's
	// documents fall: configuration for what a team sets, third-party for
	// what an upstream publishes.
	Category watcher.Category
	// Sets are the arrays of the type's documents whose order carries no
	// meaning.
	Sets []diff.Pattern
	// Items names the collection of the document whose new members a
	// digest lists as news ("releases", "entries"), if any.
	Items *watcher.Items
	// Footprint reads what a document says the deployed app uses, for
	// the rules of other sources (cross-references); nil when it says
	// nothing of the kind.
	Footprint func(source string, doc any) watcher.Footprint
	// Page is the source's own upstream page (the tenant's Dashboard, the
	// repository's releases), for findings about the source itself such as
	// source.failing; nil or "" when it has none worth more than its URL.
	Page func(settings config.SourceConfig) string
	// Build makes one configured source's provider and rules.
	Build func(src Source) (Built, error)
}

// Source is one configured source of the type, as Build receives it.
type Source struct {
	Name string
	// Settings is the type's config, validated, secrets resolved.
	Settings config.SourceConfig
	// Expected reports whether an expectation about the source names a
	// JSON Pointer (and, when value is given, that value).
	Expected func(path, value string) bool
	// Resolve resolves a path from the config against its folder (URLs
	// and absolute paths as they are).
	Resolve func(string) string
	HTTP    *http.Client
	// Logger is not scoped: a provider adds the source's name itself.
	Logger *slog.Logger
	// Scrubber learns the tokens a provider obtains while polling; may be
	// nil.
	Scrubber *redact.Scrubber
}

// Built is what Build returns.
type Built struct {
	Provider watcher.Provider
	Rules    []watcher.Rule
	// Link adds the pages of a finding its rule did not link.
	Link func(j *watcher.Judgement, f *watcher.Finding)
}

// Pinned is a type's config whose deployed version a lockfile can pin
// (`check --lockfile`): its documents hold the version as "deployed", and
// LockfileNames are the names the package may have in a lockfile.
type Pinned interface {
	LockfileNames() []string
}
