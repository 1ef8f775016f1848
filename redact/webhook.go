package redact

import "strings"

// Webhook URLs whose path is the credential: whoever knows the URL can post
// to the channel. They are recognised by host (the services that issue
// such URLs) or by shape (a random-looking segment after a path segment
// such as "hooks"), and lose everything after that segment, keeping scheme,
// host and the segment so that a diff still says which service changed:
// https://hooks.slack.com/services/[redacted].

// webhookHosts maps a host (or, with a leading dot, a host suffix) to the
// path segments after which its path is a credential, whatever it looks like.
var webhookHosts = map[string][]string{
	"hooks.slack.com":       {"services", "workflows", "triggers"},
	"discord.com":           {"webhooks"},
	".discord.com":          {"webhooks"},
	"discordapp.com":        {"webhooks"},
	".discordapp.com":       {"webhooks"},
	".webhook.office.com":   {"webhookb2", "webhook"},
	"outlook.office.com":    {"webhookb2", "webhook"},
	"outlook.office365.com": {"webhookb2", "webhook"},
	"hooks.zapier.com":      {"hooks"},
	"maker.ifttt.com":       {"key"},
	"events.pagerduty.com":  {"integration"},
	"api.telegram.org":      {}, // /bot<token>/method, below
	"webhook.site":          {""},
	"hooks.mattermost.com":  {"hooks"},
}

// hookSegments are the path segments after which a random-looking segment,
// on any host, is taken for a credential (Mattermost and Rocket.Chat
// "/hooks/<token>", self-hosted "/webhooks/<id>/<token>").
var hookSegments = map[string]bool{
	"hooks": true, "hook": true, "webhooks": true, "webhook": true, "webhookb2": true,
	"services": true, "incomingwebhook": true, "incoming-webhook": true,
}

// hasHookCue is a cheap test that a text may hold a webhook URL whose path
// is a credential.
func hasHookCue(s string) bool {
	return strings.Contains(s, "hook") || strings.Contains(s, "Hook") || strings.Contains(s, "HOOK") || strings.Contains(s, "/services/") ||
		strings.Contains(s, "/bot") || strings.Contains(s, "/key/") || strings.Contains(s, "/integration/")
}

// webhookPath returns path with the credential it carries replaced by
// Marker, and whether it carried one.
func webhookPath(host, path string) (string, bool) {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if i := strings.LastIndexByte(host, ':'); i >= 0 && !strings.Contains(host[i:], "]") {
		host = host[:i]
	}
	keys, known := knownHost(host)
	if !known && !strings.Contains(path, "hook") && !strings.Contains(path, "Hook") && !strings.Contains(path, "HOOK") &&
		!strings.Contains(path, "ervices") && !strings.Contains(path, "ERVICES") {
		return path, false // most URLs: no webhook host, no hook segment
	}
	segs := strings.Split(path, "/")
	if host == "api.telegram.org" {
		for i, s := range segs {
			if strings.HasPrefix(s, "bot") && strings.Contains(s, ":") {
				segs[i] = "bot" + Marker
				return strings.Join(segs, "/"), true
			}
		}
		return path, false
	}
	if known {
		for i, s := range segs {
			if i+1 < len(segs) && segs[i+1] != "" && containsFold(keys, s) {
				return strings.Join(segs[:i+1], "/") + "/" + Marker, true
			}
		}
	}
	for i, s := range segs {
		if !hookSegments[strings.ToLower(s)] {
			continue
		}
		for _, t := range segs[i+1:] {
			if randomSegment(t) {
				return strings.Join(segs[:i+1], "/") + "/" + Marker, true
			}
		}
	}
	return path, false
}

func knownHost(host string) ([]string, bool) {
	if k, ok := webhookHosts[host]; ok {
		return k, true
	}
	for i := strings.IndexByte(host, '.'); i >= 0; {
		if k, ok := webhookHosts[host[i:]]; ok {
			return k, true
		}
		j := strings.IndexByte(host[i+1:], '.')
		if j < 0 {
			break
		}
		i += j + 1
	}
	return nil, false
}

func containsFold(list []string, s string) bool {
	for _, l := range list {
		if strings.EqualFold(l, s) {
			return true
		}
	}
	return false
}

// randomSegment reports whether a path segment looks like a generated
// token rather than a name: long, of a URL-safe key alphabet, mixing
// letters and digits with high entropy, and not a slug of words and
// numbers ("node-18-runtime-2024", "service-v2": no part of 8 or more
// characters mixes letters and digits). Numeric ids and hex commit hashes of
// resources ("/hooks/12345") are not tokens.
func randomSegment(s string) bool {
	if len(s) < 16 || len(s) > 512 || !looksSecret(s) || strings.ContainsAny(s, "+/=.~") {
		return false
	}
	if strings.ContainsAny(s, "-_") {
		slug := true
		for _, p := range strings.FieldsFunc(s, func(r rune) bool { return r == '-' || r == '_' }) {
			if len(p) >= 8 && hasLetter(p) && hasDigit(p) {
				slug = false
				break
			}
		}
		if slug {
			return false
		}
	}
	return true
}

func hasLetter(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' }) >= 0
}

func hasDigit(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return r >= '0' && r <= '9' }) >= 0
}
