// Package npm watches a package in an npm registry: its versions, dist-tags,
// publication times and the deprecation messages of the deployed version
// and of newer ones. It reads the registry's full package document (the
// abbreviated one has no publication times), streaming it so that only
// what the snapshot keeps is held in memory.
package npm

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/Masterminds/semver/v3"

	"github.com/driftwatch/driftwatch/lockfile"
	"github.com/driftwatch/driftwatch/providers/polite"
	"github.com/driftwatch/driftwatch/watcher"
)

// DefaultRegistry is the public npm registry.
const DefaultRegistry = "https://registry.npmjs.org/"

// MaxDocument caps a package document. Documents of packages with many
// versions run to tens of MiB; they are streamed, never held whole.
const MaxDocument = 64 << 20

// MaxVersions bounds the versions a snapshot keeps: the newest, the
// deployed one always among them.
const MaxVersions = 300

// MaxMessage caps each deprecation message a snapshot keeps, in runes;
// some run to kilobytes and are repeated on every version.
const MaxMessage = 500

// nameRE accepts npm package names, scoped or not (legacy names may hold
// capitals).
var nameRE = regexp.MustCompile(`^(?:@[A-Za-z0-9~-][A-Za-z0-9._~-]*/)?[A-Za-z0-9~-][A-Za-z0-9._~-]*$`)

// ValidName reports whether name is an npm package name.
func ValidName(name string) bool { return len(name) <= 214 && nameRE.MatchString(name) }

// Config is one npm source.
type Config struct {
	Name     string
	Package  string // "@auth0/auth0-react" or "express"
	Deployed string // the version the app runs
	// DeployedFrom, when set, is the app's lockfile, read on every fetch
	// for the deployed version instead of Deployed.
	DeployedFrom *lockfile.Source
	Registry     string // default DefaultRegistry
	Token        string // optional bearer token for a private registry; never logged
}

// Provider reads one package's document.
type Provider struct {
	cfg    Config
	docURL string
	hc     *http.Client
	logger *slog.Logger
}

var _ watcher.Provider = (*Provider)(nil)

// New returns a provider for cfg; hc should carry a timeout.
func New(cfg Config, hc *http.Client, logger *slog.Logger) (*Provider, error) {
	if !ValidName(cfg.Package) {
		return nil, fmt.Errorf("npm: package %q is not an npm package name", cfg.Package)
	}
	if cfg.Registry == "" {
		cfg.Registry = DefaultRegistry
	}
	u, err := url.Parse(cfg.Registry)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("npm: registry %q: want an http(s) URL", cfg.Registry)
	}
	if hc == nil {
		hc = polite.NewClient(nil, 0)
	}
	// The redirect hygiene of polite.Guard (no Referer, no credential to
	// another origin); the token goes to the registry's origin only.
	hc = polite.Guard(polite.WithCap(hc, MaxDocument))
	if cfg.Token != "" {
		hc = polite.HomeHeader(hc, u, "Authorization", "Bearer "+cfg.Token)
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Provider{cfg: cfg, docURL: DocumentURL(cfg.Registry, cfg.Package), hc: hc, logger: logger}, nil
}

// DocumentURL is where a registry serves a package's document: a scoped
// name's slash is escaped (@scope%2fname), as npm itself requests it.
func DocumentURL(registry, pkg string) string {
	return strings.TrimSuffix(registry, "/") + "/" + strings.Replace(pkg, "/", "%2f", 1)
}

// Fetch GETs the package document, conditionally. A 304 is Unchanged; a
// 404 means the package does not exist (or the token may not read it).
func (p *Provider) Fetch(ctx context.Context, prev watcher.FetchState) (*watcher.Result, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.docURL, nil)
	if err != nil {
		return nil, fmt.Errorf("npm: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	deployed, err := deployedVersion(ctx, p.cfg)
	if err != nil {
		return nil, err
	}
	// A 304 stands for the last document only if it was built for the
	// same deployed version.
	v, _ := prev.Get(p.docURL)
	if prev.Memo[memoDeployed] != deployed {
		v = watcher.Validator{}
	}
	polite.SetValidators(req, v)
	resp, err := p.hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("npm: GET %s: %w", p.cfg.Package, polite.UnwrapURLError(err))
	}
	state := watcher.FetchState{}
	state.SetMemo(memoDeployed, deployed)
	switch {
	case resp.StatusCode == http.StatusNotModified:
		polite.Drain(resp)
		state.Set(p.docURL, v)
		return &watcher.Result{Unchanged: true, State: state, RateRemaining: -1, Requests: 1}, nil
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable:
		wait := polite.RetryAfter(resp.Header, time.Now(), time.Second)
		return nil, &watcher.RetryAfterError{After: wait, Err: fmt.Errorf("npm: %w", polite.NewStatusError(resp, polite.SafeURL(p.docURL)))}
	case resp.StatusCode == http.StatusNotFound:
		polite.Drain(resp)
		return nil, fmt.Errorf("npm: package %s not found in %s (a private package needs token_env)", p.cfg.Package, polite.SafeURL(p.cfg.Registry))
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		return nil, fmt.Errorf("npm: %w", polite.NewStatusError(resp, polite.SafeURL(p.docURL)))
	}
	defer polite.Drain(resp)
	pd, err := decodePackument(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("npm: GET %s: %w", p.cfg.Package, err)
	}
	cfg := p.cfg
	cfg.Deployed = deployed
	doc, err := snapshot(cfg, pd)
	if err != nil {
		return nil, fmt.Errorf("npm: %s: %w", p.cfg.Package, err)
	}
	state.Set(p.docURL, polite.Validators(resp))
	return &watcher.Result{Doc: doc, State: state, RateRemaining: -1, Requests: 1}, nil
}

// memoDeployed keeps the deployed version the last document was built for.
const memoDeployed = "deployed"

// deployedVersion is the version the app runs: read from its lockfile when
// the source names one, else as configured. A lockfile that cannot be read,
// or does not pin the package to a version, fails the fetch: a stale
// version would judge the wrong release.
func deployedVersion(ctx context.Context, cfg Config) (string, error) {
	if cfg.DeployedFrom == nil {
		return cfg.Deployed, nil
	}
	m, err := cfg.DeployedFrom.Version(ctx)
	if err != nil {
		return "", fmt.Errorf("npm: %s: %w", cfg.Package, err)
	}
	if _, err := semver.NewVersion(m.Version); err != nil {
		return "", fmt.Errorf("npm: %s: deployed_from %s pins %q, not a semantic version", cfg.Package, cfg.DeployedFrom.Display(), polite.Snippet([]byte(m.Version), 100))
	}
	return m.Version, nil
}
