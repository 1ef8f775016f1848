// Package providers turns configured sources into runnable ones through
// the registry of source types (registry.go): each type brings its config,
// provider, rules and the shape of its documents; this package adds what
// every source shares (ignored paths, expectations, the rules key).
package providers

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/driftwatch/driftwatch/config"
	"github.com/driftwatch/driftwatch/diff"
	"github.com/driftwatch/driftwatch/providers/polite"
	"github.com/driftwatch/driftwatch/providers/sourcetype"
	"github.com/driftwatch/driftwatch/redact"
	"github.com/driftwatch/driftwatch/rules"
	"github.com/driftwatch/driftwatch/watcher"
)

// RulesVersion changes when rules change meaning, so unchanged documents
// are judged again after an upgrade.
const RulesVersion = "3"

// Deps are what providers share.
type Deps struct {
	// HTTP is the client providers use; one with a timeout when nil.
	HTTP   *http.Client
	Logger *slog.Logger
	// Scrubber learns the tokens providers obtain while polling; may be nil.
	Scrubber *redact.Scrubber
}

// Build returns a runtime for every configured source.
func Build(cfg *config.Config, deps Deps) ([]*watcher.Runtime, error) {
	deps = deps.orDefaults()
	out := make([]*watcher.Runtime, 0, len(cfg.Sources))
	for i := range cfg.Sources {
		rt, err := Runtime(cfg, &cfg.Sources[i], deps)
		if err != nil {
			return nil, fmt.Errorf("source %q: %w", cfg.Sources[i].Name, err)
		}
		out = append(out, rt)
	}
	return out, nil
}

func (d Deps) orDefaults() Deps {
	if d.HTTP == nil {
		d.HTTP = polite.NewClient(nil, 0)
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	return d
}

// Runtime builds one source's provider, rules and document options.
func Runtime(cfg *config.Config, src *config.Source, deps Deps) (*watcher.Runtime, error) {
	deps = deps.orDefaults()
	// The typed providers scope their logger with the source's name
	// themselves; a second "source" key would be a duplicate in JSON logs.
	logger := deps.Logger
	exps := cfg.ExpectsFor(src.Name)
	rt := &watcher.Runtime{
		Source:  watcher.Source{Name: src.Name, Type: src.Type, Schedule: src.Schedule, Ignore: src.Ignore},
		Timeout: src.FetchTimeout(),
	}
	ignore := make([]diff.Pattern, 0, len(src.Ignore))
	for _, p := range src.Ignore {
		pat, err := diff.ParsePattern(p)
		if err != nil {
			return nil, err
		}
		ignore = append(ignore, pat)
	}
	typ, ok := Lookup(src.Type)
	if !ok {
		return nil, fmt.Errorf("unknown source type %q", src.Type)
	}
	rt.Source.Items = typ.Items
	rt.Options = diff.Options{Sets: typ.Sets, Ignore: ignore}
	rt.Footprint = footprint(typ, src.Name)
	built, err := typ.Build(sourcetype.Source{Name: src.Name, Settings: src.Settings, Expected: expectedBy(exps),
		Resolve: cfg.Resolve, HTTP: deps.HTTP, Logger: logger, Scrubber: deps.Scrubber})
	if err != nil {
		return nil, err
	}
	rt.Provider, rt.Link = built.Provider, built.Link
	rt.Rules = append(rt.Rules, built.Rules...)
	if len(exps) > 0 {
		rt.Rules = append(rt.Rules, rules.Expect(expectations(exps, typ.Category)))
	}
	rt.RulesKey = rulesKey(src, exps)
	rt.Page = sourcePage(cfg, src, typ)
	return rt, nil
}

// footprint reads a source's documents as its type does, nil for a type
// whose documents tell other sources nothing.
func footprint(typ sourcetype.Type, name string) func(any) watcher.Footprint {
	if typ.Footprint == nil {
		return nil
	}
	return func(doc any) watcher.Footprint { return typ.Footprint(name, doc) }
}

// Describe returns every configured source's shape — name, type, the set
// arrays and ignored paths of its documents, its news collection and
// footprint — without providers or rules, for commands that only read the
// store.
func Describe(cfg *config.Config) []*watcher.Runtime {
	out := make([]*watcher.Runtime, 0, len(cfg.Sources))
	for _, src := range cfg.Sources {
		var ignore []diff.Pattern
		for _, p := range src.Ignore {
			if pat, err := diff.ParsePattern(p); err == nil {
				ignore = append(ignore, pat)
			}
		}
		typ, _ := Lookup(src.Type)
		rt := &watcher.Runtime{
			Source:  watcher.Source{Name: src.Name, Type: src.Type, Schedule: src.Schedule, Ignore: src.Ignore, Items: typ.Items},
			Options: diff.Options{Sets: typ.Sets, Ignore: ignore},
		}
		rt.Footprint = footprint(typ, src.Name)
		out = append(out, rt)
	}
	return out
}

// Sets returns the set arrays of a source type's documents.
func Sets(typ string) []diff.Pattern {
	t, _ := Lookup(typ)
	return t.Sets
}

func expectations(es []config.Expect, category watcher.Category) []rules.Expectation {
	out := make([]rules.Expectation, 0, len(es))
	for _, e := range es {
		sev, _ := watcher.ParseSeverity(e.Severity)
		x := rules.Expectation{Path: e.Path, Kind: e.Kind(), Constraint: e.Semver, Severity: sev, Category: category, Note: e.Note}
		switch x.Kind {
		case "contains":
			x.Value = tomlValue(e.Contains)
		case "equals":
			x.Value = tomlValue(e.Equals)
		}
		out = append(out, x)
	}
	return out
}

// tomlValue turns a TOML value into a document value (json.Number for
// numbers), so it compares with decoded snapshots.
func tomlValue(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		return v
	}
	d, err := diff.Decode(b)
	if err != nil {
		return v
	}
	return d
}

// rulesKey identifies a source's rule configuration; secrets marshal as
// "[redacted]".
func rulesKey(src *config.Source, exps []config.Expect) string {
	b, _ := json.Marshal(struct {
		V   string
		Src *config.Source
		Exp []config.Expect
	}{RulesVersion, src, exps})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}

// expectedBy reports whether an expectation of the source names a pointer
// (and, when value is given, that value).
func expectedBy(exps []config.Expect) func(path, value string) bool {
	return func(path, value string) bool {
		for _, e := range exps {
			if e.Path != path {
				continue
			}
			if value == "" {
				return true
			}
			for _, v := range []any{e.Contains, e.Equals} {
				if s, ok := v.(string); ok && s == value {
					return true
				}
			}
		}
		return false
	}
}
