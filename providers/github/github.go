// Package github watches a GitHub repository's releases and security
// advisories: the SDKs a deployed app depends on. It snapshots the newest
// releases with a bounded excerpt of their notes, and judges them against
// the version the app runs: a new major, notes announcing breaking changes,
// a security fix, an advisory covering the deployed version.
//
// It reads with go-github v60 and works around what that version lacks:
// conditional requests (built by hand), 429 handling, and its remembered
// rate state.
//
// The document is the contract's, with two additions:
//
//	{"repo": "owner/name", "deployed": "2.1.3", "latest": "v2.2.0",
//	 "releases": {"<tag>": {"name", "published_at", "prerelease", "url",
//	     "notes_sha256", "notes_excerpt",
//	     "notes_flags": ["breaking", "deprecation", "removal", "security"]}},
//	 "advisories": {"<GHSA id>": {"summary", "severity", "cve_id",
//	     "vulnerable_version_range", "first_patched", "url"}}}
//
// notes_flags (a set, sorted) lists the kinds of announcement found
// anywhere in the full notes, so the rules see a breaking line that the
// bounded excerpt (at most 1,500 runes, marked lines kept first) had to
// leave out. advisories holds the repository's published security
// advisories; a repository without them (403, 404) has none.
package github

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	gh "github.com/google/go-github/v60/github"

	"github.com/driftwatch/driftwatch/lockfile"
	"github.com/driftwatch/driftwatch/providers/polite"
	"github.com/driftwatch/driftwatch/watcher"
)

// DefaultAPIURL is GitHub's public REST API.
const DefaultAPIURL = "https://api.github.com/"

// advisoriesEvery is how often advisories are read while the releases do
// not change: they move rarely, and an unchanged poll should cost one
// request.
const advisoriesEvery = 6 * time.Hour

// Memo keys kept in FetchState.Memo.
const (
	memoAdvisoriesAt = "advisories_read_at" // RFC 3339
	memoConfig       = "config"             // what the last document was built for
)

// Config is one github_releases source.
type Config struct {
	Name     string
	Repo     string // "owner/name"
	Deployed string // the version the app runs; leading v optional
	// DeployedFrom, when set, is the app's lockfile, read on every fetch
	// for the deployed version instead of Deployed.
	DeployedFrom       *lockfile.Source
	IncludePrereleases bool
	Token              string // optional; never logged
	APIURL             string // default DefaultAPIURL; used as given, a missing trailing / added
}

// Provider reads one repository's releases.
type Provider struct {
	cfg         Config
	owner, repo string
	base        *url.URL
	hc          *http.Client
	logger      *slog.Logger

	// MaxWait is the longest secondary-limit or 429 wait one fetch sits
	// out before giving up with a RetryAfterError (default 60 s).
	MaxWait time.Duration
	// MinBackoff is the least wait after a rate limit (default 1 s): a
	// reset can name the current second.
	MinBackoff time.Duration
	// Sleep waits between attempts; tests may replace it.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now is the clock for the advisory schedule and reset times.
	Now func() time.Time
}

var _ watcher.Provider = (*Provider)(nil)

// New checks the configuration and returns a provider. hc may be nil (a
// client with a timeout is used); logger may be nil.
func New(cfg Config, hc *http.Client, logger *slog.Logger) (*Provider, error) {
	owner, repo, ok := strings.Cut(strings.TrimSpace(cfg.Repo), "/")
	if !ok || owner == "" || repo == "" || strings.Contains(repo, "/") {
		return nil, fmt.Errorf("github: repo %q: want owner/name", cfg.Repo)
	}
	if cfg.Deployed != "" {
		if _, ok := ParseVersion(cfg.Deployed); !ok {
			return nil, fmt.Errorf("github: deployed %q is not a semantic version", cfg.Deployed)
		}
	}
	api := cfg.APIURL
	if api == "" {
		api = DefaultAPIURL
	}
	if !strings.HasSuffix(api, "/") {
		api += "/"
	}
	base, err := url.Parse(api)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("github: api_url %q: want an http(s) URL", cfg.APIURL)
	}
	// The token goes to the API's origin only, never along a redirect.
	hc = polite.Guard(hc)
	if cfg.Token != "" {
		hc = polite.HomeHeader(hc, base, "Authorization", "Bearer "+cfg.Token)
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Provider{
		cfg: cfg, owner: owner, repo: repo, base: base, hc: hc,
		logger:     logger.With("source", cfg.Name, "repo", cfg.Repo),
		MaxWait:    time.Minute,
		MinBackoff: time.Second,
		Sleep:      polite.Sleep,
		Now:        time.Now,
	}, nil
}

func (p *Provider) releasesPath(page int) string {
	return fmt.Sprintf("repos/%s/%s/releases?per_page=100&page=%d", url.PathEscape(p.owner), url.PathEscape(p.repo), page)
}

func (p *Provider) advisoriesPath() string {
	return fmt.Sprintf("repos/%s/%s/security-advisories?state=published&per_page=100", url.PathEscape(p.owner), url.PathEscape(p.repo))
}

// key is the absolute URL a validator is kept under.
func (p *Provider) key(path string) string {
	u, err := p.base.Parse(path)
	if err != nil {
		return path
	}
	return u.String()
}

// configKey identifies what a document was built for; when it changes, a
// 304 cannot stand for the document.
func (p *Provider) configKey(deployed string) string {
	sum := sha256.Sum256([]byte(fmt.Sprintf("%s\x00%s\x00%t", p.cfg.Repo, deployed, p.cfg.IncludePrereleases)))
	return hex.EncodeToString(sum[:8])
}

// Fetch reads the releases, and the advisories when due, into one
// document. An unchanged poll costs one conditional request.
func (p *Provider) Fetch(ctx context.Context, prev watcher.FetchState) (*watcher.Result, error) {
	deployed, err := p.deployed(ctx)
	if err != nil {
		return nil, err
	}
	f := &fetcher{p: p, remaining: -1}
	st := watcher.FetchState{}
	for k, v := range prev.Validators {
		st.Set(k, v)
	}
	for k, v := range prev.Memo {
		st.SetMemo(k, v)
	}
	now := p.Now()
	sameConfig := prev.Memo[memoConfig] == p.configKey(deployed)
	firstKey := p.key(p.releasesPath(1))
	etag := ""
	if v, ok := prev.Get(firstKey); ok && sameConfig {
		etag = v.ETag
	}
	rels, err := f.releases(ctx, etag, &st)
	notModified := errors.Is(err, errNotModified)
	if err != nil && !notModified {
		return nil, err
	}
	advDue := !notModified || !advisoriesFresh(prev.Memo[memoAdvisoriesAt], now)
	if notModified && !advDue {
		p.logger.Debug("releases unchanged", "requests", f.requests)
		return &watcher.Result{Unchanged: true, State: st, RateRemaining: f.remaining, Requests: f.requests}, nil
	}
	// Past the common unchanged poll: the stored document may be needed
	// to stand in for a 304.
	last, lastOK := lastDoc(prev)
	var releases map[string]any
	if notModified {
		if r, ok := last["releases"].(map[string]any); ok && lastOK {
			releases = r
		}
	} else {
		releases = releasesDoc(rels, p.cfg.IncludePrereleases)
	}
	// Advisories: due now. A 304 keeps the last ones.
	advKey := p.key(p.advisoriesPath())
	advETag := ""
	if v, ok := prev.Get(advKey); ok && lastOK && last["advisories"] != nil {
		advETag = v.ETag
	}
	adv, err := f.advisories(ctx, advETag, &st)
	advSame := errors.Is(err, errNotModified)
	if err != nil && !advSame {
		return nil, err
	}
	st.SetMemo(memoAdvisoriesAt, now.UTC().Format(time.RFC3339))
	if notModified && advSame {
		return &watcher.Result{Unchanged: true, State: st, RateRemaining: f.remaining, Requests: f.requests}, nil
	}
	if advSame {
		adv, _ = last["advisories"].(map[string]any)
	}
	if releases == nil {
		// The releases answered 304 but the last document is not at hand:
		// read them again in full rather than return a partial document.
		if rels, err = f.releases(ctx, "", &st); err != nil {
			return nil, err
		}
		releases = releasesDoc(rels, p.cfg.IncludePrereleases)
	}
	if adv == nil {
		adv = map[string]any{}
	}
	st.SetMemo(memoConfig, p.configKey(deployed))
	doc := map[string]any{
		"repo":       p.cfg.Repo,
		"deployed":   deployed,
		"latest":     latestTag(releases),
		"releases":   releases,
		"advisories": adv,
	}
	p.logger.Debug("releases read", "releases", len(releases), "advisories", len(adv), "requests", f.requests, "rate_remaining", f.remaining)
	return &watcher.Result{Doc: doc, State: st, RateRemaining: f.remaining, Requests: f.requests}, nil
}

// releases reads up to maxReleases releases, newest first. Only the first
// page is conditional: when it is unchanged, so is the list.
func (f *fetcher) releases(ctx context.Context, etag string, st *watcher.FetchState) ([]*gh.RepositoryRelease, error) {
	var all []*gh.RepositoryRelease
	for page := 1; page <= maxReleases/100; page++ {
		path := f.p.releasesPath(page)
		tag := ""
		if page == 1 {
			tag = etag
		}
		body, resp, err := f.get(ctx, fmt.Sprintf("list releases of %s page %d", f.p.cfg.Repo, page), path, tag)
		if err != nil {
			return nil, err
		}
		var list []*gh.RepositoryRelease
		if err := json.Unmarshal(body, &list); err != nil {
			return nil, fmt.Errorf("github: list releases of %s page %d: malformed response (%s): %w",
				f.p.cfg.Repo, page, polite.Snippet(body, 60), err)
		}
		if page == 1 {
			st.Set(f.p.key(path), watcher.Validator{ETag: resp.Header.Get("ETag")})
		}
		all = append(all, list...)
		if resp.NextPage == 0 || len(list) == 0 {
			break
		}
	}
	return all, nil
}

// advisories reads the repository's published security advisories; a
// 403 or 404 (advisories off, or not visible) means none.
func (f *fetcher) advisories(ctx context.Context, etag string, st *watcher.FetchState) (map[string]any, error) {
	path := f.p.advisoriesPath()
	body, resp, err := f.get(ctx, "list security advisories of "+f.p.cfg.Repo, path, etag)
	if err != nil {
		var wait *watcher.RetryAfterError
		if errors.Is(err, errNotModified) || errors.As(err, &wait) {
			return nil, err
		}
		if resp != nil && resp.Response != nil &&
			(resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusForbidden) &&
			resp.Header.Get("X-RateLimit-Remaining") != "0" {
			st.Set(f.p.key(path), watcher.Validator{})
			return map[string]any{}, nil
		}
		return nil, err
	}
	var list []*gh.SecurityAdvisory
	if err := json.Unmarshal(body, &list); err != nil {
		return nil, fmt.Errorf("github: list security advisories of %s: malformed response (%s): %w",
			f.p.cfg.Repo, polite.Snippet(body, 60), err)
	}
	st.Set(f.p.key(path), watcher.Validator{ETag: resp.Header.Get("ETag")})
	return advisoriesDoc(list), nil
}

// advisoriesFresh reports whether advisories were read within
// advisoriesEvery of now.
func advisoriesFresh(at string, now time.Time) bool {
	t, err := time.Parse(time.RFC3339, at)
	return err == nil && now.Sub(t) < advisoriesEvery && !t.After(now.Add(time.Minute))
}

// lastDoc loads the previous document, if the engine offers it.
func lastDoc(prev watcher.FetchState) (map[string]any, bool) {
	if prev.Last == nil {
		return nil, false
	}
	d, err := prev.Last()
	if err != nil {
		return nil, false
	}
	m, ok := d.(map[string]any)
	return m, ok
}
