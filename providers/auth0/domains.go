package auth0

import (
	"context"
	"fmt"
	"time"

	"github.com/driftwatch/driftwatch/diff"
	"github.com/driftwatch/driftwatch/watcher"
)

// Custom domains serve the tenant's login pages under the app's own
// domain: one not ready, or whose certificate is not renewed, breaks every
// login through it.
//
// Document: "custom_domains": {"<domain>": {custom_domain_id, status,
// type, primary, verification{methods, status, error_msg},
// certificate{status, certificate_authority, renews_before}, tls_policy,
// domain_metadata, ...}}. verification.last_verified_at is left out: Auth0
// re-verifies on its own, which is no configuration change.

// The custom domain rules.
const (
	RuleCustomDomainNotReady     = "auth0.custom_domain_not_ready"
	RuleCustomDomainCertExpiring = "auth0.custom_domain_certificate_expiring"
)

// CertificateWarning is how long before a certificate's renews_before a
// finding is raised.
const CertificateWarning = 14 * 24 * time.Hour

var epCustomDomains = endpoint{name: "custom domains", path: "/api/v2/custom-domains", key: "custom_domains", scope: "read:custom_domains"}

var domainsSection = &section{
	key: "custom_domains", name: epCustomDomains.name, scope: epCustomDomains.scope,
	read: func(ctx context.Context, s *session) (any, error) {
		items, err := s.listPlain(ctx, epCustomDomains)
		return items, err
	},
	shape: func(raw any, c *shapeContext) any {
		list, _ := raw.([]any)
		out, _ := keyed(list, "domain", "custom_domain_id", previousKeys(c.last, "custom_domains", "custom_domain_id"), func(m map[string]any) map[string]any {
			d := copyExcept(m)
			if v, ok := m["verification"].(map[string]any); ok {
				d["verification"] = copyExcept(v, "last_verified_at")
			}
			return d
		})
		return out
	},
}

// customDomainNotReadyRule is a state rule: every domain whose status is
// not "ready" (pending_verification, failed, disabled...) is a finding
// while it lasts.
func customDomainNotReady(j *watcher.Judgement) []watcher.Finding {
	r := ruleInfo{RuleCustomDomainNotReady, watcher.Warning, watcher.Infrastructure}
	if out, ok := carryUnread(j, r.name, "/custom_domains"); ok {
		return out
	}
	var out []watcher.Finding
	for _, k := range keys(object(j.New, "custom_domains")) {
		base := diff.Pointer([]string{"custom_domains", k})
		status := show(j.New, base+"/status")
		if status == "ready" {
			continue
		}
		title := fmt.Sprintf("Custom domain %s is not ready: %s", k, status)
		detail := fmt.Sprintf("Logins through %s do not work until the domain is verified and its certificate provisioned.", k)
		if msg := show(j.New, base+"/verification/error_msg"); msg != notSet {
			detail += " Auth0 says: " + msg
		}
		if show(j.New, base+"/primary") == "true" {
			r.severity = watcher.Breaking
			detail += " It is the tenant's primary custom domain."
		}
		out = append(out, r.finding(base+"/status", "", title, detail, "", status))
		r.severity = watcher.Warning
	}
	return out
}

// customDomainCertExpiring is a state rule: a certificate whose
// renews_before falls within CertificateWarning of the judgement's time
// (or is past) is a finding while it lasts.
func customDomainCertExpiring(j *watcher.Judgement) []watcher.Finding {
	r := ruleInfo{RuleCustomDomainCertExpiring, watcher.Warning, watcher.Infrastructure}
	if out, ok := carryUnread(j, r.name, "/custom_domains"); ok {
		return out
	}
	var out []watcher.Finding
	for _, k := range keys(object(j.New, "custom_domains")) {
		path := diff.Pointer([]string{"custom_domains", k, "certificate", "renews_before"})
		v := show(j.New, path)
		at, err := time.Parse(time.RFC3339, v)
		if err != nil || at.Sub(j.Now) > CertificateWarning {
			continue
		}
		ca := show(j.New, diff.Pointer([]string{"custom_domains", k, "certificate", "certificate_authority"}))
		if ca == notSet {
			ca = "the certificate authority"
		}
		f := r
		title := fmt.Sprintf("Certificate of custom domain %s must renew before %s", k, at.UTC().Format(time.DateOnly))
		detail := fmt.Sprintf("The certificate of %s is due for renewal by %s. If Auth0 cannot renew it (a DNS record changed, CAA blocks %s), browsers refuse the login pages once it expires.",
			k, at.UTC().Format(time.RFC3339), ca)
		if !at.After(j.Now) {
			f.severity = watcher.Breaking
			title = fmt.Sprintf("Certificate of custom domain %s was due for renewal on %s and is not renewed", k, at.UTC().Format(time.DateOnly))
		}
		out = append(out, f.finding(path, "", title, detail, "", v))
	}
	return out
}
