package providers

import (
	"net/url"
	"strings"

	"github.com/driftwatch/driftwatch/config"
	"github.com/driftwatch/driftwatch/providers/sourcetype"
)

// sourcePage is the page a finding about a source itself (source.failing)
// links: the source's upstream page when it has one (the tenant's
// Dashboard, the repository's releases), else the daemon's page of the
// source when server.public_url is set, else the configured URL without
// credentials, query or fragment (those may carry keys).
func sourcePage(cfg *config.Config, src *config.Source, typ sourcetype.Type) string {
	if typ.Page != nil {
		if p := typ.Page(src.Settings); p != "" {
			return p
		}
	}
	if base := strings.TrimRight(cfg.Server.PublicURL, "/"); base != "" {
		return base + "/sources/" + url.PathEscape(src.Name)
	}
	if h, ok := src.Settings.(config.EndpointHolder); ok {
		for _, raw := range h.Endpoints() {
			if page := strippedURL(raw); page != "" {
				return page
			}
		}
	}
	return ""
}

// strippedURL is raw without user info, query or fragment, or "" when it
// is no http(s) URL.
func strippedURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return ""
	}
	u.User, u.RawQuery, u.ForceQuery, u.Fragment, u.RawFragment = nil, "", false, "", ""
	return u.String()
}
