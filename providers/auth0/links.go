package auth0

import (
	"net/url"
	"strings"

	"github.com/driftwatch/driftwatch/watcher"
)

// applicationSettingsDocs is the public page about an application's
// settings: the link when the dashboard page cannot be derived.
const applicationSettingsDocs = "https://auth0.com/docs/get-started/applications/application-settings"

// dashboardRoot opens the Auth0 Dashboard on the tenant last used.
const dashboardRoot = "https://manage.auth0.com/"

// Dashboard returns the Auth0 Dashboard's base URL of a tenant
// (https://manage.auth0.com/dashboard/{region}/{tenant}), derived from its
// domain: acme.eu.auth0.com is region eu, tenant acme; acme.auth0.com is
// region us. A custom domain names no tenant: it returns "".
func Dashboard(domain string) string {
	labels := strings.Split(strings.ToLower(strings.TrimSuffix(domain, ".")), ".")
	n := len(labels)
	if n < 3 || labels[n-2] != "auth0" || labels[n-1] != "com" {
		return ""
	}
	region := "us"
	switch n {
	case 3:
	case 4:
		region = labels[1]
	default:
		return ""
	}
	return "https://manage.auth0.com/dashboard/" + url.PathEscape(region) + "/" + url.PathEscape(labels[0])
}

// Link returns the engine's link step for an auth0 source: each finding
// about a client, API, action or tenant setting gets its Dashboard page
// (after the docs page a deprecation already links). For a custom domain
// it links the public docs page of application settings instead.
func Link(domain string) func(j *watcher.Judgement, f *watcher.Finding) {
	base := Dashboard(domain)
	return func(j *watcher.Judgement, f *watcher.Finding) {
		title, page := dashboardPage(base, j, f.Path)
		if page == "" {
			return
		}
		f.AddLink(title, page)
	}
}

// sectionPages are the Dashboard pages of the optional sections that have
// one page for all their members.
var sectionPages = map[string]struct{ title, path string }{
	"custom_domains":   {"custom domains", "/tenant/custom_domains"},
	"log_streams":      {"log streams", "/log-streams"},
	"signing_keys":     {"signing keys", "/tenant/signing_keys"},
	"organizations":    {"organizations", "/organizations/list"},
	"prompts":          {"Universal Login", "/universal-login"},
	"branding":         {"Universal Login", "/universal-login"},
	"email_provider":   {"email provider", "/templates/provider"},
	"guardian_factors": {"multi-factor authentication", "/security/mfa"},
}

// enterpriseStrategies are the strategies the Dashboard lists under
// enterprise connections; passwordless ones are "sms" and "email", a
// database's "auth0", and every other is social.
var enterpriseStrategies = map[string]bool{
	"samlp": true, "oidc": true, "okta": true, "waad": true, "adfs": true, "ad": true, "auth0-adldap": true,
	"google-apps": true, "ip": true, "pingfederate": true, "office365": true, "wsfed": true,
}

// connectionPage is a connection's Dashboard page: its settings for a
// database or social connection (/connections/database/{id}/settings),
// the list of its kind for the others.
func connectionPage(base, id, strategy string) (title, page string) {
	switch {
	case strategy == "auth0":
		if id != "" {
			return "Auth0 Dashboard: connection settings", base + "/connections/database/" + url.PathEscape(id) + "/settings"
		}
		return "Auth0 Dashboard: database connections", base + "/connections/database"
	case strategy == "sms" || strategy == "email":
		return "Auth0 Dashboard: passwordless connections", base + "/connections/passwordless"
	case enterpriseStrategies[strategy]:
		return "Auth0 Dashboard: enterprise connections", base + "/connections/enterprise"
	case strategy == "":
		return "Auth0 Dashboard", base
	}
	if id != "" {
		return "Auth0 Dashboard: connection settings", base + "/connections/social/" + url.PathEscape(id) + "/settings"
	}
	return "Auth0 Dashboard: social connections", base + "/connections/social"
}

// dashboardPage is the Dashboard page of what a path belongs to.
func dashboardPage(base string, j *watcher.Judgement, path string) (title, page string) {
	segs := segments(path)
	if len(segs) == 0 {
		return "", ""
	}
	id := func(idKey string) string {
		if len(segs) < 2 {
			return ""
		}
		for _, doc := range []any{j.New, j.Old} {
			if s, ok := object(doc, segs[0], segs[1])[idKey].(string); ok && s != "" {
				return s
			}
		}
		return ""
	}
	if base == "" {
		if segs[0] == "clients" {
			return "Auth0 docs: Application Settings", applicationSettingsDocs
		}
		return "Auth0 Dashboard", dashboardRoot
	}
	switch segs[0] {
	case "clients":
		if cid := id("client_id"); cid != "" {
			return "Auth0 Dashboard: application settings", base + "/applications/" + url.PathEscape(cid) + "/settings"
		}
		return "Auth0 Dashboard: applications", base + "/applications"
	case "resource_servers":
		if rid := id("id"); rid != "" {
			return "Auth0 Dashboard: API settings", base + "/apis/" + url.PathEscape(rid) + "/settings"
		}
		return "Auth0 Dashboard: APIs", base + "/apis"
	case "actions":
		if aid := id("id"); aid != "" {
			return "Auth0 Dashboard: action", base + "/actions/library/details/" + url.PathEscape(aid)
		}
		return "Auth0 Dashboard: actions", base + "/actions/library"
	case "connections":
		return connectionPage(base, id("id"), id("strategy"))
	case "tenant", "missing_scopes":
		return "Auth0 Dashboard: tenant settings", base + "/tenant/general"
	case "client_grants":
		if cid := id("client_id"); cid != "" {
			return "Auth0 Dashboard: the application's APIs", base + "/applications/" + url.PathEscape(cid) + "/apis"
		}
		return "Auth0 Dashboard: applications", base + "/applications"
	case "trigger_bindings":
		if len(segs) > 1 {
			return "Auth0 Dashboard: trigger", base + "/actions/triggers/" + url.PathEscape(segs[1])
		}
		return "Auth0 Dashboard: triggers", base + "/actions/triggers"
	case "attack_protection":
		if len(segs) > 1 {
			return "Auth0 Dashboard: attack protection", base + "/security/attack-protection/" + url.PathEscape(strings.ReplaceAll(segs[1], "_", "-"))
		}
		return "Auth0 Dashboard: attack protection", base + "/security/attack-protection"
	}
	if page, ok := sectionPages[segs[0]]; ok {
		return "Auth0 Dashboard: " + page.title, base + page.path
	}
	return "Auth0 Dashboard", base
}
