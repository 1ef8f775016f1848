// Package auth0 snapshots an Auth0 tenant through the Management API v2 —
// tenant settings, applications, connections, APIs, actions, rules and
// hooks, and the optional sections of sections.go (client grants, trigger
// bindings, custom domains, log streams, attack protection, signing keys,
// organizations, prompts, branding, email provider, Guardian factors) —
// into one canonical, redacted document, and judges its changes:
// removed callback URLs, grants, scopes, changed auth methods, and platform
// deprecations that concern the tenant.
//
// It speaks the API as Auth0 documents it: one client-credentials token per
// fetch, offset paging read to the end (checkpoint paging for connections),
// pacing by x-ratelimit-remaining and retrying 429s after Retry-After.
// Secrets are redacted as soon as a response is decoded.
//
// The document follows the contract's auth0 shape. Where the contract
// leaves room, it is shaped so that a diff shows drift, not churn:
//   - collections are keyed by name (resource servers by identifier), and
//     keys stay stable: an item keeps the key it had in the previous
//     document; a newcomer whose name another item already has is keyed
//     "name (id)" (on a first snapshot, every item of a shared name is). A
//     client deleted and re-created under its name keeps the key, so its
//     new client_id shows (auth0.client_recreated).
//   - connections' enabled_clients hold client keys instead of ids; an id no
//     client has is kept as is.
//   - resource-server scopes are an object keyed by scope value, so a removed
//     scope is one removed key.
//   - action code, rule and hook scripts are replaced by their sha256
//     (code_sha256, script_sha256). Actions lose their timestamps, their
//     draft build (current_version), their secrets' update times, and their
//     build status unless it is "failed", and registry_url in dependencies;
//     deployed_version keeps runtime, number, deployed, dependencies and
//     the code hash. Build churn stores no new snapshot.
//   - when every connection comes without options (the token lacks
//     read:connections_options), each keeps its options from the previous
//     document and "missing_scopes" names the scope.
package auth0

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/driftwatch/driftwatch/providers/polite"
	"github.com/driftwatch/driftwatch/redact"
	"github.com/driftwatch/driftwatch/watcher"
)

// Config is one auth0 source as configured.
type Config struct {
	Name         string // source name, for errors/logs
	Domain       string // e.g. acme.eu.auth0.com (the tenant identifier)
	BaseURL      string // default "https://"+Domain; tests point it at httptest
	ClientID     string
	ClientSecret string // never logged/stored/printed
	// Scrubber learns the access token of each poll, so text an upstream
	// echoes it into is scrubbed wherever it goes; may be nil.
	Scrubber *redact.Scrubber
}

// Validate reports what is missing or malformed, without the secret.
func (c Config) Validate() error {
	var errs []error
	if c.Domain == "" {
		errs = append(errs, errors.New("auth0: domain is required"))
	} else if strings.Contains(c.Domain, "/") {
		errs = append(errs, fmt.Errorf("auth0: domain %q must be a host name without scheme or path", c.Domain))
	}
	if c.ClientID == "" {
		errs = append(errs, errors.New("auth0: client id is empty (check client_id_env)"))
	}
	if c.ClientSecret == "" {
		errs = append(errs, errors.New("auth0: client secret is empty (check client_secret_env)"))
	}
	if c.BaseURL != "" {
		u, err := url.Parse(c.BaseURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			errs = append(errs, fmt.Errorf("auth0: base_url %q must be an http(s) URL", c.BaseURL))
		}
	}
	return errors.Join(errs...)
}

// Provider fetches one Auth0 tenant. Its exported fields tune its manners;
// New sets production defaults.
type Provider struct {
	cfg  Config
	base string
	hc   *http.Client
	log  *slog.Logger

	// MinBackoff is the least wait before retrying a 429, and before the
	// next request once the rate-limit budget is spent: Auth0's reset can
	// name the current second.
	MinBackoff time.Duration
	// Sleep waits before a retry or when the budget is spent; tests may
	// replace it so that no test waits for real.
	Sleep func(ctx context.Context, d time.Duration) error
	// MaxWait bounds one wait; a 429 asking for longer ends the fetch with
	// a *watcher.RetryAfterError.
	MaxWait time.Duration
	// MaxRetries bounds the retries of one request after 429s.
	MaxRetries int
	// MaxPages bounds the pages read from one list, against an upstream
	// that never ends a listing.
	MaxPages int
	// MaxLogPages bounds the tenant log pages read per poll; the rest is
	// read at the next polls, from the checkpoint.
	MaxLogPages int
	// Now is the clock that ages log events.
	Now func() time.Time
}

var _ watcher.Provider = (*Provider)(nil)

// New returns a provider for cfg. hc may be nil (polite.NewClient), logger
// may be nil (discarded).
func New(cfg Config, hc *http.Client, logger *slog.Logger) (*Provider, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	base := cfg.BaseURL
	if base == "" {
		base = "https://" + cfg.Domain
	}
	hc = polite.StayHome(hc) // the Management API never redirects elsewhere
	cfg.Scrubber.Add(cfg.ClientSecret)
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Provider{
		cfg:        cfg,
		base:       strings.TrimRight(base, "/"),
		hc:         hc,
		log:        logger.With("source", cfg.Name, "type", "auth0"),
		MinBackoff: time.Second,
		Sleep:      polite.Sleep,
		MaxWait:    30 * time.Second,
		MaxRetries: 3,
		MaxPages:   1000,

		MaxLogPages: 10,
		Now:         time.Now,
	}, nil
}

// The endpoints read, with the scope a 401/403 most likely means is missing.
var (
	epSettings    = endpoint{name: "tenant settings", path: "/api/v2/tenants/settings", scope: "read:tenant_settings"}
	epClients     = endpoint{name: "clients", path: "/api/v2/clients", key: "clients", scope: "read:clients"}
	epConnections = endpoint{name: "connections", path: "/api/v2/connections", key: "connections", scope: "read:connections"}
	epResources   = endpoint{name: "resource servers", path: "/api/v2/resource-servers", key: "resource_servers", scope: "read:resource_servers"}
	epActions     = endpoint{name: "actions", path: "/api/v2/actions/actions", key: "actions", scope: "read:actions", optional: true}
	epRules       = endpoint{name: "rules", path: "/api/v2/rules", key: "rules", scope: "read:rules", optional: true}
	epHooks       = endpoint{name: "hooks", path: "/api/v2/hooks", key: "hooks", scope: "read:hooks", optional: true}
)

// Fetch reads the whole tenant and returns its document. Any failure of a
// required endpoint, on any page, returns an error and no document.
func (p *Provider) Fetch(ctx context.Context, prev watcher.FetchState) (*watcher.Result, error) {
	s := &session{p: p, remaining: -1, lastRemaining: -1}
	raw, err := s.read(ctx)
	if err != nil {
		return nil, err
	}
	doc, carried := buildDocument(raw, p.last(prev))
	memo, noLogs, err := s.readLogs(ctx, prev.Memo, p.Now())
	if err != nil {
		return nil, err
	}
	if noLogs {
		addMissingScope(doc, ScopeLogs)
	}
	if slices.Contains(stringsAt(doc, "/missing_scopes"), ScopeConnectionOptions) {
		p.log.Warn("auth0: connections came without options; the token lacks read:connections_options, keeping their last known options",
			"connections", len(raw.connections), "carried", carried)
	}
	return &watcher.Result{
		Doc:           doc,
		State:         watcher.FetchState{Validators: prev.Validators, Memo: memo},
		RateRemaining: s.lastRemaining,
		Requests:      s.requests,
	}, nil
}

// isErrorObject recognises Auth0's error body ({"statusCode", "error",
// "message"}), which no settings object carries.
func isErrorObject(m map[string]any) bool {
	_, code := m["statusCode"]
	_, e := m["error"]
	return code && e
}

// read gets a token and reads every endpoint, required ones first.
func (s *session) read(ctx context.Context) (*rawTenant, error) {
	if err := s.authenticate(ctx); err != nil {
		return nil, err
	}
	raw := &rawTenant{}
	v, err := s.get(ctx, epSettings.path, nil)
	if err != nil {
		return nil, s.fail(epSettings, "", err)
	}
	settings, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("auth0: read tenant settings: unexpected response: %s", describe(v, ""))
	}
	if isErrorObject(settings) {
		return nil, fmt.Errorf("auth0: read tenant settings: the 200 answer is an error object, not settings: %s",
			polite.Snippet([]byte(fmt.Sprint(settings["error"], ": ", settings["message"])), 160))
	}
	raw.settings = settings
	if raw.clients, err = s.listOffset(ctx, epClients); err != nil {
		return nil, err
	}
	if raw.connections, err = s.listCheckpoint(ctx, epConnections); err != nil {
		return nil, err
	}
	if raw.resourceServers, err = s.listOffset(ctx, epResources); err != nil {
		return nil, err
	}
	for _, opt := range []struct {
		ep  endpoint
		dst *[]any
	}{{epActions, &raw.actions}, {epRules, &raw.rules}, {epHooks, &raw.hooks}} {
		items, err := s.listOffset(ctx, opt.ep)
		if code := statusCode(err); code == http.StatusForbidden || code == http.StatusNotFound {
			s.p.log.Info("auth0: optional endpoint unavailable; leaving it out of the snapshot",
				"endpoint", opt.ep.path, "status", code, "scope", opt.ep.scope)
			// Actions are current: a refused read is a missing scope.
			// Rules and hooks are end of life; tenants created since
			// October 2023 never had them, so a refusal says nothing.
			if code == http.StatusForbidden && opt.ep.path == epActions.path {
				raw.missing = append(raw.missing, opt.ep.scope)
			}
			continue
		}
		if err != nil {
			return nil, err
		}
		if items == nil {
			items = []any{}
		}
		*opt.dst = items
	}
	if err := s.readSections(ctx, raw); err != nil {
		return nil, err
	}
	return raw, nil
}

// last returns the previous stored document, or nil when there is none.
func (p *Provider) last(prev watcher.FetchState) any {
	if prev.Last == nil {
		return nil
	}
	doc, err := prev.Last()
	if err != nil {
		if !errors.Is(err, watcher.ErrNotFound) {
			p.log.Warn("auth0: cannot load the previous snapshot; hidden connection options cannot be carried", "error", err)
		}
		return nil
	}
	return doc
}
