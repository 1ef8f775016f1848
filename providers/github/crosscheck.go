package github

import (
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strings"

	"github.com/driftwatch/driftwatch/watcher"
)

// CrossCheck is a known SDK release that needs a change in the Auth0
// tenant before the app can upgrade: the release notes name it, and the
// tenant's newest snapshot tells whether it is done.
type CrossCheck struct {
	// Repo is the repository name (without owner) the check belongs to.
	Repo string
	// Since is the first version that needs the change.
	Since string
	// Notes matches release notes that announce the change, in any repo.
	Notes *regexp.Regexp
	// Field is the client field to inspect: "callbacks" or "grant_types".
	Field string
	// OldForm and NewForm are callback path endings: a client with a
	// callback ending in OldForm and none ending in NewForm still needs
	// the change.
	OldForm, NewForm string
	// Missing is a grant a client needs: one without it needs the change.
	Missing string
	// AppTypes limits the check to clients of these app types.
	AppTypes []string
	// Change says what to do, after "clients ... : ".
	Change string
	// Guide is the SDK's migration guide for the version, the finding's
	// link.
	Guide string
}

// CrossChecks are the known SDK-release to tenant-configuration checks
// (see the SDKs' migration guides).
var CrossChecks = []CrossCheck{
	{
		Repo: "nextjs-auth0", Since: "4.0.0",
		Notes:   regexp.MustCompile(`(?i)/api/auth/callback\b`),
		Field:   "callbacks",
		OldForm: "/api/auth/callback", NewForm: "/auth/callback",
		Change: "nextjs-auth0 v4 serves the callback at /auth/callback (no /api prefix); " +
			"add the new URL to their Allowed Callback URLs before upgrading",
		Guide: "https://github.com/auth0/nextjs-auth0/blob/main/V4_MIGRATION_GUIDE.md",
	},
	{
		Repo: "auth0-spa-js", Since: "2.0.0", Field: "grant_types", Missing: "refresh_token", AppTypes: []string{"spa"},
		Change: "auth0-spa-js v2 no longer falls back to the iframe to refresh tokens; " +
			"with useRefreshTokens they need the refresh_token grant and rotation",
		Guide: "https://github.com/auth0/auth0-spa-js/blob/main/MIGRATION_GUIDE.md",
	},
	{
		Repo: "auth0-react", Since: "2.0.0", Field: "grant_types", Missing: "refresh_token", AppTypes: []string{"spa"},
		Change: "auth0-react v2 no longer falls back to the iframe to refresh tokens; " +
			"with useRefreshTokens they need the refresh_token grant and rotation",
		Guide: "https://github.com/auth0/auth0-react/blob/main/MIGRATION_GUIDE.md",
	},
}

// applies reports whether a check concerns upgrading from the deployed
// version to release r.
func (c CrossCheck) applies(v view, r release) bool {
	if c.Notes != nil && c.Notes.MatchString(r.excerpt) {
		return true
	}
	_, name, _ := strings.Cut(v.repo, "/")
	if !strings.EqualFold(name, c.Repo) || r.version == nil {
		return false
	}
	since, ok := ParseVersion(c.Since)
	if !ok || r.version.LessThan(since) {
		return false
	}
	return v.deployed == nil || v.deployed.LessThan(since)
}

// needs reports whether one client still needs the change.
func (c CrossCheck) needs(client watcher.AppClient) bool {
	if len(c.AppTypes) > 0 {
		found := false
		for _, a := range c.AppTypes {
			found = found || a == client.AppType
		}
		if !found {
			return false
		}
	}
	var vals []string
	switch c.Field {
	case "callbacks":
		vals = client.Callbacks
	case "grant_types":
		vals = client.GrantTypes
	}
	switch {
	case c.OldForm != "":
		hasOld, hasNew := false, false
		for _, s := range vals {
			p := s
			if u, err := url.Parse(s); err == nil && u.Path != "" {
				p = u.Path
			}
			p = strings.TrimSuffix(p, "/")
			switch {
			case strings.HasSuffix(p, c.OldForm):
				hasOld = true
			case strings.HasSuffix(p, c.NewForm):
				hasNew = true
			}
		}
		return hasOld && !hasNew
	case c.Missing != "":
		for _, s := range vals {
			if s == c.Missing {
				return false
			}
		}
		return true
	}
	return false
}

// tenantNotes runs the checks that apply to release r against the clients
// of every identity-provider source and says which still need a change.
func tenantNotes(j *watcher.Judgement, v view, r release) []string {
	var out []string
	for _, c := range CrossChecks {
		if !c.applies(v, r) {
			continue
		}
		for _, n := range c.tenants(j) {
			out = append(out, n.sentence(c))
		}
	}
	return out
}

// tenantNeed is one identity-provider source whose clients still need a check's change.
type tenantNeed struct {
	source  string
	clients []string // quoted names, sorted, at most 10 and "and N more"
}

// tenants runs one check against the clients of every source that lists them.
func (c CrossCheck) tenants(j *watcher.Judgement) []tenantNeed {
	if j.Peers == nil {
		return nil
	}
	var out []tenantNeed
	for _, fp := range j.Peers.Footprints() {
		var names []string
		for _, cl := range fp.Clients {
			if c.needs(cl) {
				names = append(names, fmt.Sprintf("%q", cl.Name))
			}
		}
		if len(names) == 0 {
			continue
		}
		sort.Strings(names)
		if len(names) > 10 {
			names = append(names[:10], fmt.Sprintf("and %d more", len(names)-10))
		}
		out = append(out, tenantNeed{source: fp.Source, clients: names})
	}
	return out
}

// sentence says which clients of the tenant need what.
func (n tenantNeed) sentence(c CrossCheck) string {
	return fmt.Sprintf("Tenant %s: clients %s have %s; %s.", n.source, strings.Join(n.clients, ", "), need(c), c.Change)
}
