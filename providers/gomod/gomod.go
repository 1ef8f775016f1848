// Package gomod watches a Go module through a module proxy (the GOPROXY
// protocol): the versions it lists, the latest one, and what the latest
// version's go.mod says about the others — retractions and the module's
// "Deprecated:" comment, the two ways a Go module's authors warn its users.
package gomod

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
	"golang.org/x/mod/semver"

	"github.com/driftwatch/driftwatch/lockfile"
	"github.com/driftwatch/driftwatch/providers/polite"
	"github.com/driftwatch/driftwatch/watcher"
)

// DefaultProxy is the public Go module proxy.
const DefaultProxy = "https://proxy.golang.org/"

// maxMod caps a go.mod file and a version list; real ones are a few KiB.
const maxMod = 1 << 20

// Config is one gomod source.
type Config struct {
	Name     string
	Module   string // "github.com/auth0/go-auth0"
	Deployed string // the version the app builds with, "v1.4.0"
	// DeployedFrom, when set, is the app's go.mod (or another lockfile),
	// read on every fetch for the deployed version instead of Deployed.
	DeployedFrom *lockfile.Source
	Proxy        string // default DefaultProxy
}

// Provider reads one module from a proxy.
type Provider struct {
	cfg    Config
	base   string // proxy URL + escaped module path
	hc     *http.Client
	logger *slog.Logger
}

var _ watcher.Provider = (*Provider)(nil)

// New returns a provider for cfg; hc should carry a timeout.
func New(cfg Config, hc *http.Client, logger *slog.Logger) (*Provider, error) {
	if err := module.CheckPath(cfg.Module); err != nil {
		return nil, fmt.Errorf("gomod: %w", err)
	}
	esc, err := module.EscapePath(cfg.Module)
	if err != nil {
		return nil, fmt.Errorf("gomod: %w", err)
	}
	if cfg.Proxy == "" {
		cfg.Proxy = DefaultProxy
	}
	u, err := url.Parse(cfg.Proxy)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("gomod: proxy %q: want an http(s) URL", cfg.Proxy)
	}
	// A module proxy answers for itself: a redirect to another origin is
	// refused rather than read as the proxy's answer.
	hc = polite.StayHome(hc)
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Provider{cfg: cfg, base: strings.TrimSuffix(cfg.Proxy, "/") + "/" + esc, hc: hc, logger: logger}, nil
}

// errNotFound is a 404 or 410: the proxy knows no such module or version.
var errNotFound = errors.New("not found")

// Fetch reads @v/list (conditionally), picks the latest version as the go
// command does (the highest release, else the highest prerelease, else
// @latest), and reads that version's go.mod. A 304 on the list is
// Unchanged: versions are immutable, so the same list means the same
// go.mod.
func (p *Provider) Fetch(ctx context.Context, prev watcher.FetchState) (*watcher.Result, error) {
	deployed, err := p.deployedVersion(ctx)
	if err != nil {
		return nil, err
	}
	state := watcher.FetchState{}
	state.SetMemo(memoDeployed, deployed)
	listURL := p.base + "/@v/list"
	// A 304 stands for the last document only if it was built for the
	// same deployed version.
	v, _ := prev.Get(listURL)
	if prev.Memo[memoDeployed] != deployed {
		v = watcher.Validator{}
	}
	resp, err := p.get(ctx, listURL, v)
	if err != nil && !errors.Is(err, errNotFound) {
		return nil, err
	}
	requests := 1
	var listed []string
	if err == nil {
		if resp.StatusCode == http.StatusNotModified && prev.Memo["listed"] == "1" {
			polite.Drain(resp)
			state.Set(listURL, v)
			state.SetMemo("listed", "1")
			return &watcher.Result{Unchanged: true, State: state, RateRemaining: -1, Requests: 1}, nil
		}
		body, err := polite.ReadBody(resp, maxMod)
		if err != nil {
			return nil, fmt.Errorf("gomod: %s: @v/list: %w", p.cfg.Module, err)
		}
		listed = parseList(string(body))
		if len(listed) > 0 {
			state.Set(listURL, polite.Validators(resp))
			state.SetMemo("listed", "1")
		}
	}
	latest, latestTime := latestOf(listed), ""
	if latest == "" {
		info, err := p.info(ctx, p.base+"/@latest")
		requests++
		if errors.Is(err, errNotFound) {
			return nil, fmt.Errorf("gomod: module %s not found in %s", p.cfg.Module, polite.SafeURL(p.cfg.Proxy))
		}
		if err != nil {
			return nil, err
		}
		latest, latestTime = info.Version, info.Time
	}
	// @v/list leaves out pseudo-versions, and a proxy lists only the
	// versions it has fetched: a deployed version it does not list is
	// asked for by name; only a 404 or 410 means the proxy has no such
	// version (the document then lacks it, see RuleDeployedMissing).
	if want := canonical(deployed); want != "" && !slices.Contains(listed, want) {
		err := error(nil)
		if want != latest {
			_, err = p.info(ctx, p.base+"/@v/"+escapeVersion(want)+".info")
			requests++
		}
		switch {
		case err == nil:
			listed = append(listed, want)
			semver.Sort(listed)
		case !errors.Is(err, errNotFound):
			return nil, err
		}
	}
	escV, err := module.EscapeVersion(latest)
	if err != nil {
		return nil, fmt.Errorf("gomod: %s: latest version %q: %w", p.cfg.Module, latest, err)
	}
	modURL := p.base + "/@v/" + escV + ".mod"
	resp, err = p.get(ctx, modURL, watcher.Validator{})
	requests++
	if err != nil {
		return nil, err
	}
	body, err := polite.ReadBody(resp, maxMod)
	if err != nil {
		return nil, fmt.Errorf("gomod: %s: go.mod of %s: %w", p.cfg.Module, latest, err)
	}
	mf, err := modfile.ParseLax("go.mod", body, nil)
	if err != nil {
		return nil, fmt.Errorf("gomod: %s: go.mod of %s does not parse: %v", p.cfg.Module, latest, firstLine(err.Error()))
	}
	if mf.Module == nil {
		return nil, fmt.Errorf("gomod: %s: the go.mod of %s has no module line (not a go.mod file); starts %q", p.cfg.Module, latest, polite.Snippet(body, 60))
	}
	if mf.Module.Mod.Path != p.cfg.Module {
		return nil, fmt.Errorf("gomod: %s: the go.mod of %s declares another module", p.cfg.Module, latest)
	}
	cfg := p.cfg
	cfg.Deployed = deployed
	doc := snapshot(cfg, listed, latest, latestTime, mf)
	return &watcher.Result{Doc: doc, State: state, RateRemaining: -1, Requests: requests}, nil
}

// get GETs one proxy URL; a 404 or 410 is errNotFound (the body, plain
// text such as "not found: ...", is drained), other non-2xx an error.
func (p *Provider) get(ctx context.Context, u string, v watcher.Validator) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("gomod: %w", err)
	}
	polite.SetValidators(req, v)
	resp, err := p.hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("gomod: GET %s: %w", polite.SafeURL(u), polite.UnwrapURLError(err))
	}
	switch {
	case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone:
		polite.Drain(resp)
		return nil, fmt.Errorf("gomod: GET %s: %w", polite.SafeURL(u), errNotFound)
	case resp.StatusCode == http.StatusNotModified:
		return resp, nil
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable:
		wait := polite.RetryAfter(resp.Header, time.Now(), time.Second)
		return nil, &watcher.RetryAfterError{After: wait, Err: fmt.Errorf("gomod: %w", polite.NewStatusError(resp, polite.SafeURL(u)))}
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		return nil, fmt.Errorf("gomod: %w", polite.NewStatusError(resp, polite.SafeURL(u)))
	}
	return resp, nil
}

type info struct {
	Version string
	Time    string
}

func (p *Provider) info(ctx context.Context, u string) (info, error) {
	resp, err := p.get(ctx, u, watcher.Validator{})
	if err != nil {
		return info{}, err
	}
	body, err := polite.ReadBody(resp, maxMod)
	if err != nil {
		return info{}, fmt.Errorf("gomod: GET %s: %w", polite.SafeURL(u), err)
	}
	var in info
	if err := json.Unmarshal(body, &in); err != nil || !semver.IsValid(in.Version) {
		return info{}, fmt.Errorf("gomod: GET %s: not a version info document; starts %q", polite.SafeURL(u), polite.Snippet(body, 60))
	}
	return in, nil
}

// parseList reads @v/list: one version per line; lines that are not
// canonical semantic versions are left out.
func parseList(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		l = strings.TrimSpace(l)
		if semver.IsValid(l) {
			out = append(out, l)
		}
	}
	semver.Sort(out)
	return out
}

// latestOf is the highest release version, else the highest prerelease.
func latestOf(sorted []string) string {
	for i := len(sorted) - 1; i >= 0; i-- {
		if semver.Prerelease(sorted[i]) == "" {
			return sorted[i]
		}
	}
	if len(sorted) > 0 {
		return sorted[len(sorted)-1]
	}
	return ""
}

// escapeVersion case-escapes a valid version for a proxy URL.
func escapeVersion(v string) string {
	esc, err := module.EscapeVersion(v)
	if err != nil {
		return v
	}
	return esc
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// memoDeployed keeps the deployed version the last document was built for.
const memoDeployed = "deployed"

// deployedVersion is the version the app builds with: read from its
// go.mod when the source names one (a replace to a local path is no
// version), else as configured. A file that cannot be read fails the
// fetch: a stale version would judge the wrong retraction.
func (p *Provider) deployedVersion(ctx context.Context) (string, error) {
	if p.cfg.DeployedFrom == nil {
		return p.cfg.Deployed, nil
	}
	m, err := p.cfg.DeployedFrom.Version(ctx)
	if err != nil {
		return "", fmt.Errorf("gomod: %s: %w", p.cfg.Module, err)
	}
	if canonical(m.Version) == "" {
		return "", fmt.Errorf("gomod: %s: deployed_from %s pins %q, not a semantic version", p.cfg.Module, p.cfg.DeployedFrom.Display(), polite.Snippet([]byte(m.Version), 100))
	}
	return m.Version, nil
}
