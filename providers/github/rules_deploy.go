package github

import (
	"fmt"
	"strings"

	"github.com/Masterminds/semver/v3"

	"github.com/driftwatch/driftwatch/watcher"
)

// RuleTenantChangeNeeded flags a deployed SDK version that needs a change
// in the Auth0 tenant which the tenant's newest snapshot does not carry:
// nextjs-auth0 v4 on a tenant whose clients only allow
// /api/auth/callback fails every login.
const RuleTenantChangeNeeded = "release.tenant_change_needed"

// tenantChangeNeeded is a state rule: it judges the deployed version (as
// configured, read from the lockfile, or proposed by `check --lockfile`)
// against every Auth0 source, one finding per check and tenant, and
// resolves once the tenant carries the change or the app stays below the
// version that needs it.
func tenantChangeNeeded(j *watcher.Judgement) []watcher.Finding {
	v := readView(j.New)
	if v.deployed == nil {
		return nil
	}
	_, name, _ := strings.Cut(v.repo, "/")
	var out []watcher.Finding
	for _, c := range CrossChecks {
		since, ok := ParseVersion(c.Since)
		if !ok || !strings.EqualFold(name, c.Repo) || v.deployed.LessThan(since) {
			continue
		}
		for _, n := range c.tenants(j) {
			f := watcher.Finding{
				Rule: RuleTenantChangeNeeded, Severity: watcher.Breaking, Category: watcher.ThirdParty,
				Path: "/deployed", Subject: c.Repo + "@" + c.Since + " " + n.source,
				Title: fmt.Sprintf("%s %s needs a tenant change: %s clients %s still have %s",
					v.repo, v.deployedRaw, n.source, strings.Join(n.clients, ", "), need(c)),
				Detail: detail(
					fmt.Sprintf("The app runs (or is about to deploy) %s %s; from %s on the SDK needs a change in the tenant.", v.repo, v.deployedRaw, c.Since),
					n.sentence(c)),
				Old: c.OldForm, New: c.NewForm,
			}
			c.link(&f, v, since)
			out = append(out, f)
		}
	}
	return out
}

// link gives a finding of a check the SDK's migration guide and the page
// of the release that brought the change, when the snapshot holds it.
func (c CrossCheck) link(f *watcher.Finding, v view, since *semver.Version) {
	f.AddLink("Migration guide", c.Guide)
	for _, r := range v.releases {
		if r.version != nil && r.version.Equal(since) && isWebURL(r.url) {
			f.AddLink("Release "+r.tag, r.url)
			return
		}
	}
}

// need names what a check looks for, for a title.
func need(c CrossCheck) string {
	if c.Missing != "" {
		return "no " + c.Missing + " grant"
	}
	return "callbacks only under " + c.OldForm
}
